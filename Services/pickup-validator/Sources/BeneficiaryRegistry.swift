import EcoBus
import EcoModel
import EcoStore
import Foundation
import GRDB

/// Why a verification was refused.
public enum VerificationError: Error, Equatable, CustomStringConvertible {
    case validUntilInPast
    case validUntilTooFar(maximumDays: Int)
    case missingField(String)

    public var description: String {
        switch self {
        case .validUntilInPast: "validUntil must be in the future"
        case .validUntilTooFar(let days): "validUntil may be at most \(days) days ahead"
        case .missingField(let field): "\(field) is required"
        }
    }
}

/// Records beneficiary verifications in the pickup validator's store and announces them.
/// Only who verified, when, and until when are kept; never an evidence document.
public struct BeneficiaryRegistry: Sendable {
    /// A verification lasts at most this long; it is renewed by verifying again.
    public static let maximumValidityDays = VerifyBeneficiaryCommand.maximumValidityDays

    public static let migrations: [Migration] = [
        Migration("pickup.v1.beneficiary-verifications") { db in
            try db.execute(sql: """
                CREATE TABLE beneficiary_verifications (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    account_id TEXT NOT NULL,
                    code TEXT NOT NULL UNIQUE,
                    verified_by TEXT NOT NULL,
                    verified_at TEXT NOT NULL,
                    valid_until TEXT NOT NULL
                );
                CREATE INDEX beneficiary_verifications_account ON beneficiary_verifications(account_id);
                """)
        },
    ]

    let database: DatabasePool
    let outbox: Outbox

    public init(database: DatabasePool, outbox: Outbox) {
        self.database = database
        self.outbox = outbox
    }

    /// Verifies `command.accountID` until `command.validUntil` and returns the new verification.
    public func verify(_ command: VerifyBeneficiaryCommand, now: Date = Date()) async throws -> BeneficiaryVerified {
        guard !command.accountID.isEmpty else { throw VerificationError.missingField("accountID") }
        guard !command.verifiedBy.isEmpty else { throw VerificationError.missingField("verifiedBy") }
        guard command.validUntil > now else { throw VerificationError.validUntilInPast }
        guard command.validUntil <= now.addingTimeInterval(Double(Self.maximumValidityDays) * 86_400) else {
            throw VerificationError.validUntilTooFar(maximumDays: Self.maximumValidityDays)
        }
        let year = BeneficiaryCode.year(of: now)
        return try await database.write { db in
            var attempt = 0
            while true {
                attempt += 1
                let verified = BeneficiaryVerified(
                    accountID: command.accountID, code: BeneficiaryCode.make(year: year),
                    verifiedBy: command.verifiedBy, verifiedAt: now, validUntil: command.validUntil)
                do {
                    try db.execute(
                        sql: """
                            INSERT INTO beneficiary_verifications (account_id, code, verified_by, verified_at, valid_until)
                            VALUES (?, ?, ?, ?, ?)
                            """,
                        arguments: [verified.accountID, verified.code, verified.verifiedBy,
                                    EventTime.format(verified.verifiedAt), EventTime.format(verified.validUntil)])
                } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE && attempt < 10 {
                    continue  // the code exists already: draw another
                }
                try outbox.append(BeneficiaryVerified.topic, verified, in: db)
                return verified
            }
        }
    }

    /// The bus request handler for `beneficiary.verify`.
    public func requestHandler() -> RequestHandler {
        { body in
            guard let first = body.first, let command = try? EventCodec.decoder.decode(VerifyBeneficiaryCommand.self, from: first) else {
                throw RemoteError(code: "bad_request", message: "body must be {\"accountID\", \"verifiedBy\", \"validUntil\" (ISO 8601)}")
            }
            do {
                return [try EventCodec.encoder.encode(try await verify(command))]
            } catch let error as VerificationError {
                throw RemoteError(code: "invalid_verification", message: error.description)
            }
        }
    }
}
