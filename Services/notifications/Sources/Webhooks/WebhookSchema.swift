import EcoStore
import GRDB

/// The tables of authorities' webhooks: the subscriptions, one delivery per event owed to each, and
/// every attempt at sending one (the delivery log).
public enum WebhookSchema {
    public static let migrations: [Migration] = [
        Migration("notifications.v4.webhooks") { db in
            try db.execute(sql: """
                CREATE TABLE webhook_subscriptions (
                    id TEXT PRIMARY KEY NOT NULL,
                    jurisdiction_id TEXT NOT NULL,
                    url TEXT NOT NULL,
                    secret TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    revoked_at TEXT
                );
                CREATE INDEX webhook_subscriptions_jurisdiction ON webhook_subscriptions(jurisdiction_id, revoked_at);
                CREATE TABLE webhook_deliveries (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions(id),
                    report_id TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    event_type TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    body BLOB NOT NULL,
                    status TEXT NOT NULL DEFAULT 'pending',
                    attempts INTEGER NOT NULL DEFAULT 0,
                    created_at TEXT NOT NULL,
                    next_attempt_at TEXT,
                    delivered_at TEXT,
                    UNIQUE (subscription_id, event_id)
                );
                CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
                CREATE INDEX webhook_deliveries_chain ON webhook_deliveries(subscription_id, report_id, status, sequence);
                CREATE TABLE webhook_attempts (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries(id),
                    at TEXT NOT NULL,
                    http_status INTEGER,
                    error TEXT,
                    duration_ms INTEGER NOT NULL
                );
                CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id, id);
                """)
        },
    ]
}
