import EcoRuntime
import EcoStore

/// The reporting service: impact ledger, KPIs, certificates, open statistics and the Open311 read side.
public enum ReportingService {
    /// Named migrations of this service's own tables, in order. Never edit one that has shipped.
    public static let migrations: [Migration] = []

    /// The handlers, request handlers and services this process adds to the common runtime.
    public static func parts(runtime: ServiceRuntime) -> ServiceParts {
        ServiceParts()
    }
}
