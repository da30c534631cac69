import EcoModel
import Foundation

/// What the account lifecycle keeps in the gateway's store: password hashes, a person's sessions,
/// single-use reset and email-change tokens (stored as SHA-256 hashes only) and consents.
/// `SQLiteAccountStore` implements it; routes and `AccountLifecycle` depend on the protocol.
public protocol LifecycleStore: Sendable {
    func passwordHash(accountID: String) async throws -> String?
    /// Replaces the password hash and revokes every session of the account but `keepingSession`.
    func setPasswordHash(_ hash: String, for accountID: String, keepingSession: String?, at date: Date) async throws

    /// The account's sessions that are neither revoked nor expired, newest first.
    func liveSessions(of accountID: String, at date: Date) async throws -> [SessionRecord]
    /// Revokes one of the account's live sessions; false when it has no such session.
    func revokeSession(_ sessionID: String, of accountID: String, at date: Date) async throws -> Bool

    func createPasswordReset(tokenHash: String, accountID: String, at date: Date, expiresAt: Date) async throws
    /// How many reset tokens the account was sent since `date`.
    func passwordResets(of accountID: String, since date: Date) async throws -> Int
    /// Spends a live reset token: sets the new hash, revokes every session and marks every reset
    /// token of the account used. Returns the account, or nil when the token is unknown, used or expired.
    func redeemPasswordReset(tokenHash: String, newHash: String, at date: Date) async throws -> String?
    /// Whether the reset code is known, unused and unexpired (nothing is spent).
    func isLivePasswordReset(tokenHash: String, at date: Date) async throws -> Bool

    func createEmailChange(tokenHash: String, accountID: String, newEmail: String, at date: Date, expiresAt: Date) async throws
    /// Spends a live email-change token: the account takes the new address, announced on
    /// `account.email_changed`. Nil when the token is unknown, used or expired; throws
    /// `AccountStoreError.emailTaken` when another account took the address meanwhile.
    func confirmEmailChange(tokenHash: String, at date: Date) async throws -> Account?

    /// Every consent the account gave, oldest first, withdrawn ones included.
    func consents(of accountID: String) async throws -> [ConsentRecord]
    /// Records a consent (withdrawing the previous version of the same purpose) and announces it.
    func grantConsent(_ purpose: ConsentPurpose, version: String, for accountID: String, at date: Date) async throws -> ConsentRecord
    /// Withdraws the live consent for `purpose` and announces it; false when there was none.
    func withdrawConsent(_ purpose: ConsentPurpose, for accountID: String, at date: Date) async throws -> Bool
}
