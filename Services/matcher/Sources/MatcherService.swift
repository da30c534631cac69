import EcoRuntime
import EcoStore

/// A matcher worker: allocates surplus to claims and demands; N workers share the work.
public enum MatcherService {
    /// Named migrations of this service's own tables, in order. Never edit one that has shipped.
    public static let migrations: [Migration] = []

    /// The handlers, request handlers and services this process adds to the common runtime.
    public static func parts(runtime: ServiceRuntime) -> ServiceParts {
        ServiceParts()
    }
}
