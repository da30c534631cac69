import EcoModel
import EcoRuntime
import EcoStore

/// The pickup validator: issues and checks pickup codes (QR token + PIN), enforces beneficiary
/// quotas, and verifies beneficiaries (codes `YYYY-BEN-XXXXX`).
public enum PickupValidatorService {
    /// Named migrations of this service's own tables, in order. Never edit one that has shipped.
    public static let migrations: [Migration] = BeneficiaryRegistry.migrations + PickupDesk.migrations

    /// The handlers, request handlers and services this process adds to the common runtime.
    public static func parts(runtime: ServiceRuntime) throws -> ServiceParts {
        let registry = BeneficiaryRegistry(database: runtime.database, outbox: runtime.outbox)
        let desk = PickupDesk(
            database: runtime.database, outbox: runtime.outbox,
            codes: PickupCodes(secret: try PickupCodes.loadOrCreateSecret(runtime.database)))
        var handlers = PickupRequestHandlers(desk: desk).handlers
        handlers[VerifyBeneficiaryCommand.kind] = registry.requestHandler()
        return ServiceParts(handlers: [PickupDeskProjection(desk: desk)], requestHandlers: handlers, personalData: [BeneficiaryData()])
    }
}
