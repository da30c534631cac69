import EcoRuntime
import EcoStore

/// The notifications service: delivers to people (in-app, email) and machines (signed webhooks), with retries.
public enum NotificationsService {
    /// Named migrations of this service's own tables, in order. Never edit one that has shipped.
    public static let migrations: [Migration] = []

    /// The handlers, request handlers and services this process adds to the common runtime.
    public static func parts(runtime: ServiceRuntime) -> ServiceParts {
        ServiceParts()
    }
}
