import EcoBus
import EcoModel
import GRDB

/// Applies `beneficiary.verified` to the gateway's beneficiary table, so that roles reflect it.
public struct BeneficiaryProjection: EventHandler {
    public init() {}
    public var topicPrefixes: [String] { [BeneficiaryVerified.topic] }

    public func apply(_ event: ReceivedEvent, in db: Database) throws {
        try SQLiteAccountStore.recordBeneficiary(try event.decodeData(BeneficiaryVerified.self), in: db)
    }
}
