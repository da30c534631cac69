import EcoModel
import Logging

/// Makes sure the configured admin account exists (`--admin-email` with ECORESUPPLY_ADMIN_PASSWORD),
/// so that a new deployment has someone who can grant roles.
public enum AdminBootstrap {
    public static func ensure(email: String, password: String, accounts: any AccountStore, hasher: any PasswordHasher, logger: Logger) async throws {
        let email = try CredentialRules.email(email)
        if let existing = try await accounts.credentials(email: email)?.account {
            if !existing.roles.contains(.admin) {
                _ = try await accounts.setRole(.admin, granted: true, for: existing.id, by: "bootstrap")
                logger.notice("admin role granted to the configured admin account", metadata: ["account.id": "\(existing.id)"])
            }
            return
        }
        let account = try await accounts.create(NewAccount(
            email: email, passwordHash: await hasher.hash(try CredentialRules.password(password)),
            displayName: "Administrator", roles: [.admin]))
        logger.notice("admin account created", metadata: ["account.id": "\(account.id)"])
    }
}
