import EcoStore
import GRDB

/// The gateway's own tables: accounts, roles, organisations, sessions, API keys, the beneficiary
/// projection, the token signing key; consents, password resets and email changes.
public enum GatewaySchema {
    public static let migrations: [Migration] = [
        Migration("gateway.v1.accounts") { db in
            try db.execute(sql: """
                CREATE TABLE accounts (
                    id TEXT PRIMARY KEY NOT NULL,
                    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
                    password_hash TEXT NOT NULL,
                    display_name TEXT NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE TABLE account_roles (
                    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                    role TEXT NOT NULL,
                    granted_by TEXT,
                    granted_at TEXT NOT NULL,
                    PRIMARY KEY (account_id, role)
                );
                CREATE TABLE organisations (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE TABLE organisation_members (
                    organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
                    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                    role TEXT NOT NULL,
                    added_at TEXT NOT NULL,
                    PRIMARY KEY (organisation_id, account_id)
                );
                CREATE INDEX organisation_members_account ON organisation_members(account_id);
                CREATE TABLE sessions (
                    id TEXT PRIMARY KEY NOT NULL,
                    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                    refresh_hash TEXT NOT NULL UNIQUE,
                    previous_hash TEXT,
                    created_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL,
                    revoked_at TEXT
                );
                CREATE INDEX sessions_previous_hash ON sessions(previous_hash);
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY NOT NULL,
                    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    secret_hash TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    revoked_at TEXT,
                    last_used_at TEXT
                );
                CREATE INDEX api_keys_account ON api_keys(account_id);
                CREATE TABLE beneficiaries (
                    account_id TEXT PRIMARY KEY NOT NULL,
                    code TEXT NOT NULL,
                    verified_by TEXT NOT NULL,
                    verified_at TEXT NOT NULL,
                    valid_until TEXT NOT NULL
                );
                CREATE TABLE signing_keys (
                    id TEXT PRIMARY KEY NOT NULL,
                    secret BLOB NOT NULL,
                    created_at TEXT NOT NULL
                );
                """)
        },
        Migration("gateway.v4.account-lifecycle") { db in
            try db.execute(sql: """
                CREATE TABLE consents (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                    purpose TEXT NOT NULL,
                    version TEXT NOT NULL,
                    granted_at TEXT NOT NULL,
                    withdrawn_at TEXT
                );
                CREATE INDEX consents_account ON consents(account_id, purpose);
                CREATE TABLE password_resets (
                    token_hash TEXT PRIMARY KEY NOT NULL,
                    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                    created_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL,
                    used_at TEXT
                );
                CREATE INDEX password_resets_account ON password_resets(account_id, created_at);
                CREATE TABLE email_changes (
                    token_hash TEXT PRIMARY KEY NOT NULL,
                    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                    new_email TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL,
                    confirmed_at TEXT
                );
                CREATE INDEX email_changes_account ON email_changes(account_id, created_at);
                """)
        },
    ]
}
