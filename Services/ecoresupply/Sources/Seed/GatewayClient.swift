import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A small JSON client of the gateway's public API, for the command line's seed and checks.
struct GatewayClient: Sendable {
    let base: URL

    struct Failure: Error, CustomStringConvertible {
        let status: Int
        let body: String
        let request: String
        var description: String { "\(request) answered \(status): \(body)" }
    }

    struct Reply: Sendable {
        let status: Int
        let body: Data

        func json() -> [String: Any] { (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:] }
    }

    @discardableResult
    func send(_ method: String, _ path: String, json: [String: Any]? = nil, token: String? = nil, expect: Set<Int> = [200, 201, 204]) async throws -> Reply {
        var request = URLRequest(url: base.appendingPathComponent(path))
        if path.contains("?"), let url = URL(string: base.absoluteString + path) { request.url = url }
        request.httpMethod = method
        request.timeoutInterval = 15
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard expect.contains(status) else {
            throw Failure(status: status, body: String(decoding: data.prefix(500), as: UTF8.self), request: "\(method) \(path)")
        }
        return Reply(status: status, body: data)
    }

    /// Waits until `/readyz` answers 200.
    func awaitReady(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let reply = try? await send("GET", "/readyz", expect: [200, 503]), reply.status == 200 { return }
            guard ContinuousClock.now < deadline else { throw Failure(status: 503, body: "not ready in time", request: "GET /readyz") }
            try await Task.sleep(for: .milliseconds(250))
        }
    }
}
