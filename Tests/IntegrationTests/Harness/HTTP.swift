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
        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> [String: Any] {
            (try JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:]
        }
    }

    static func get(_ url: String) async throws -> Reply {
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = 5
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        return Reply(status: http.statusCode, body: data, contentType: http.value(forHTTPHeaderField: "Content-Type"))
    }
}
