import EcoRuntime
import Foundation
import GRDB

/// Purges what sign-in leaves behind: sessions (with their refresh-token hashes) a week after they
/// expired or were closed, and reset and email-change codes a day after use or expiry.
struct SessionRetention: PurgeJob {
    var name: String { "sessions_and_codes" }

    func purge(now: Date, in db: Database) throws -> Int {
        let sessionCutoff = retentionCutoff(now, RetentionPeriods.endedSessions)
        try db.execute(sql: "DELETE FROM sessions WHERE expires_at < ? OR revoked_at < ?", arguments: [sessionCutoff, sessionCutoff])
        var purged = db.changesCount
        let codeCutoff = now.addingTimeInterval(-RetentionPeriods.spentCodes)
        purged += try PasswordResetRow
            .filter(PasswordResetRow.Columns.expiresAt < codeCutoff || PasswordResetRow.Columns.usedAt < codeCutoff)
            .deleteAll(db)
        purged += try EmailChangeRow
            .filter(EmailChangeRow.Columns.expiresAt < codeCutoff || EmailChangeRow.Columns.confirmedAt < codeCutoff)
            .deleteAll(db)
        // Beneficiary verification codes go as soon as they stop working.
        purged += try VerificationCodes.Row.filter(VerificationCodes.Row.Columns.expiresAt < now).deleteAll(db)
        return purged
    }
}
