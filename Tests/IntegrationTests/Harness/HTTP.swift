import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A minimal HTTP client for tests: status and body of a GET.
enum HTTP {
    struct Reply {
        let status: Int
        let body: Data
        let contentType: String?
        var headers: [String: String] = [:]
        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> [String: Any] {
            (try JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:]
        }
        /// The `error` object of an error reply.
        var error: [String: Any] { ((try? json())?["error"] as? [String: Any]) ?? [:] }
        var errorCode: String? { error["code"] as? String }
        var errorField: String? { error["field"] as? String }
        /// A response header, by name in any case.
        func header(_ name: String) -> String? { headers[name.lowercased()] }
    }

    static func get(_ url: String, token: String? = nil) async throws -> Reply {
        try await send("GET", url, token: token)
    }

    /// A session that keeps up to 256 connections to one host open at once, for tests that need
    /// hundreds of requests in flight together (`URLSession.shared` allows 6).
    static let wide: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 256
        return URLSession(configuration: configuration)
    }()

    /// Sends a request; `json` is serialised with JSONSerialization, `body` is sent as it is.
    static func send(
        _ method: String, _ url: String, json: Any? = nil, body: Data? = nil, contentType: String? = nil, token: String? = nil,
        headers extra: [String: String] = [:], session: URLSession = .shared
    ) async throws -> Reply {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.timeoutInterval = 10
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let body {
            request.httpBody = body
        }
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (name, value) in extra { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
        }
        return Reply(status: http.statusCode, body: data, contentType: http.value(forHTTPHeaderField: "Content-Type"), headers: headers)
    }
}
