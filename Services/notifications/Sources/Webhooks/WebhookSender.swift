import AsyncHTTPClient
import EcoModel
import Foundation

/// POSTs one delivery: the CloudEvent JSON as the body (`application/cloudevents+json`), `ce-id`
/// and `ce-type` headers, and the `EcoResupply-Signature` header. Redirects are not followed (a 3xx
/// is a failed attempt), a refused connection fails at once, and a request that takes longer than
/// the timeout fails.
public struct WebhookSender: Sendable {
    let client: HTTPClient
    let timeout: TimeInterval

    /// A client of its own, without redirects; shut it down with `shutdown()`.
    public init(timeout: TimeInterval) {
        let amount = Int64((timeout * 1000).rounded())
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .milliseconds(amount), read: .milliseconds(amount)))
        // A refused connection fails the attempt at once, to be retried on the dispatcher's back-off,
        // rather than being retried inside the client until the timeout (and logged as one attempt).
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        self.timeout = timeout
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    /// Sends the delivery once and says what happened; never throws.
    public func send(_ delivery: DueDelivery, now: Date = Date()) async -> WebhookAttempt {
        var request = HTTPClientRequest(url: delivery.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/cloudevents+json")
        request.headers.add(name: "User-Agent", value: "EcoResupply-Webhooks/1")
        request.headers.add(name: "ce-id", value: delivery.eventId)
        request.headers.add(name: "ce-type", value: delivery.eventType)
        request.headers.add(name: "ce-specversion", value: "1.0")
        request.headers.add(
            name: WebhookSignature.header,
            value: WebhookSignature.header(secret: delivery.secret, timestamp: Int64(now.timeIntervalSince1970), body: delivery.body))
        request.body = .bytes(Array(delivery.body))
        let start = ContinuousClock.now
        func elapsed() -> Int {
            let duration = start.duration(to: .now)
            return Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
        }
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64((timeout * 1000).rounded())))
            // Read (and drop) a bounded answer, so the connection can be kept.
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return WebhookAttempt(at: now, httpStatus: Int(response.status.code), error: nil, durationMs: elapsed())
        } catch {
            return WebhookAttempt(at: now, httpStatus: nil, error: Self.describe(error, timeout: timeout), durationMs: elapsed())
        }
    }

    /// A short reason for the delivery log.
    static func describe(_ error: any Error, timeout: TimeInterval) -> String {
        if let error = error as? HTTPClientError {
            if [.deadlineExceeded, .readTimeout, .connectTimeout, .tlsHandshakeTimeout, .getConnectionFromPoolTimeout].contains(error) {
                return "no answer within \(Self.seconds(timeout)) s"
            }
        }
        let text = String(describing: error)
        if text.localizedCaseInsensitiveContains("refused") { return "connection refused" }
        return String(text.prefix(300))
    }

    static func seconds(_ value: TimeInterval) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
