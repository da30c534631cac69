import EcoConfig
import EcoModel

/// Sends the emails of the account lifecycle (reset codes, address confirmations). These go
/// whatever the person's consent to notification emails: they are part of holding an account.
public protocol LifecycleMailer: Sendable {
    /// Returns once the email is queued durably; throws `APIError.unavailable`-like errors otherwise.
    func send(_ email: EmailRequests.Send) async throws
}

/// Queues the email in the notifications service's email outbox with a bus request.
public struct BusLifecycleMailer: LifecycleMailer {
    let services: ServiceCaller

    public init(services: ServiceCaller) { self.services = services }

    public func send(_ email: EmailRequests.Send) async throws {
        _ = try await services.call(ServiceInstance(.notifications), EmailRequests.send, email, as: EmailRequests.Queued.self)
    }
}
