import EcoBus
import EcoModel
import GRDB

/// Applies `beneficiary.verified` to the gateway's beneficiary table, so that roles reflect it.
public struct BeneficiaryProjection: EventHandler {
    public init() {}
    public var topicPrefixes: [String] { [BeneficiaryVerified.topic] }

    public func apply(_ event: ReceivedEvent, in db: Database) throws {
        let verified = try event.decodeData(BeneficiaryVerified.self)
        // A replayed verification of an erased person brings nothing back.
        guard try !ErasureDesk.isErased(verified.accountID, in: db) else { return }
        try SQLiteAccountStore.recordBeneficiary(verified, in: db)
    }
}
