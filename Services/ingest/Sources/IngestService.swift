import EcoRuntime
import EcoStore

/// The ingest service: validates and stores what people publish (listings, demands, environmental reports) and emits `listing.*`, `demand.*` and `report.filed`.
public enum IngestService {
    /// Named migrations of this service's own tables, in order. Never edit one that has shipped.
    public static let migrations: [Migration] = []

    /// The handlers, request handlers and services this process adds to the common runtime.
    public static func parts(runtime: ServiceRuntime) -> ServiceParts {
        ServiceParts()
    }
}
