import EcoBus
import Foundation
import EcoModel
import EcoRuntime
import EcoStore

/// The pickup validator: issues and checks pickup codes (QR token + PIN), enforces beneficiary
/// quotas, and verifies beneficiaries (codes `YYYY-BEN-XXXXX`).
public enum PickupValidatorService {
    /// Named migrations of this service's own tables, in order. Never edit one that has shipped.
    public static let migrations: [Migration] = BeneficiaryRegistry.migrations + PickupDesk.migrations + DeliveryCodeDesk.migrations

    /// The handlers, request handlers and services this process adds to the common runtime.
    public static func parts(runtime: ServiceRuntime) throws -> ServiceParts {
        let registry = BeneficiaryRegistry(database: runtime.database, outbox: runtime.outbox)
        let codes = try PickupCodes.load(runtime.database)
        let desk = PickupDesk(database: runtime.database, outbox: runtime.outbox, codes: codes)
        var handlers = PickupRequestHandlers(
            desk: desk, deliveries: DeliveryCodeDesk(database: runtime.database, codes: codes),
            unlocks: CodeUnlockDesk(database: runtime.database, logger: runtime.logger)).handlers
        handlers[VerifyBeneficiaryCommand.kind] = registry.requestHandler()
        let database = runtime.database, logger = runtime.logger
        handlers[KeyRequests.rotate] = { _ in
            let now = Date()
            let id = try codes.rotate(database, now: now)
            logger.notice("pickup-code key rotated", metadata: ["key.id": "\(id)"])
            return [try EventCodec.encoder.encode(KeyRequests.Rotated(
                purpose: "pickup codes", keyId: id, previousRetireAt: now.addingTimeInterval(PickupCodes.retirement)))]
        }
        return ServiceParts(handlers: [PickupDeskProjection(desk: desk)], requestHandlers: handlers, personalData: [BeneficiaryData()])
    }
}
