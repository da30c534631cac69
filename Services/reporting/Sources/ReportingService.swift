import EcoBus
import EcoModel
import EcoRuntime
import EcoStore
import Foundation

/// The reporting service: the impact ledgers (food pickups, materials operations) and their KPIs (certificates, ESG reports, open
/// statistics and the Open311 read side come with later capabilities).
public enum ReportingService {
    /// Named migrations of this service's own tables, in order. Never edit one that has shipped.
    public static let migrations: [Migration] = ImpactLedger.migrations + MaterialsLedger.migrations

    /// The handlers, request handlers and services this process adds to the common runtime.
    public static func parts(runtime: ServiceRuntime) -> ServiceParts {
        let ledger = ImpactLedger(database: runtime.database)
        return ServiceParts(
            handlers: [ImpactLedgerProjection(), MaterialsLedger()],
            requestHandlers: [
                ReportingRequests.summary: { body in
                    let request = body.first.flatMap { try? EventCodec.decoder.decode(ReportingRequests.Summary.self, from: $0) } ?? .init()
                    return [try EventCodec.encoder.encode(try await ledger.summary(merchantId: request.merchantId))]
                },
            ],
            personalData: [PseudonymousRows(section: "impact", [
                .init("impact_entries", by: ["merchant_id", "taker_id"]), .init("material_operations", by: ["giver_id", "taker_id"]),
            ])])
    }
}
