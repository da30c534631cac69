import Foundation
import HTTPTypes
import Hummingbird

/// The scheme and host people reach the gateway at, for absolute links (Open311 `media_url`):
/// `--public-url` when set; otherwise, from a trusted proxy, its `X-Forwarded-Proto` and
/// `X-Forwarded-Host`; otherwise the request's own `Host`, over http.
public struct PublicOrigin: Sendable, Equatable {
    /// `https://reports.example.org` or `http://127.0.0.1:8080`, without a trailing slash.
    let configured: String?
    let proxies: TrustedProxies

    public init(configured: String?, proxies: TrustedProxies) {
        self.configured = configured
        self.proxies = proxies
    }

    /// `--public-url`, checked: http or https, a host, and no path, query or fragment. Nil when it is none of that.
    public static func parse(_ text: String) -> String? {
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty, url.path.isEmpty, url.query == nil, url.fragment == nil
        else { return nil }
        return trimmed
    }

    /// The origin for a request that reached the gateway from `peer`.
    func origin(of request: Request, peer: String?) -> String {
        if let configured { return configured }
        let fromProxy = peer.map(proxies.isTrusted) ?? false
        let forwardedHost = fromProxy ? Self.first(request.headers[values: .xForwardedHost]) : nil
        let forwardedProto = fromProxy ? Self.first(request.headers[values: .xForwardedProto])?.lowercased() : nil
        let host = forwardedHost ?? request.head.authority ?? "localhost"
        let scheme = forwardedProto.flatMap { ["http", "https"].contains($0) ? $0 : nil } ?? "http"
        guard Self.isHost(host) else { return "\(scheme)://localhost" }
        return "\(scheme)://\(host)"
    }

    /// The absolute URL of a photo served at `/v1/photos/{hash}`.
    func photoURL(_ hash: String, of request: Request, peer: String?) -> String {
        "\(origin(of: request, peer: peer))/v1/photos/\(hash)"
    }

    /// The first entry of a header that proxies may have appended to (`a, b`).
    private static func first(_ values: [String]) -> String? {
        values.first?.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A host name or address with an optional port: nothing that could turn the link into another.
    private static func isHost(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 255 && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-:[]".contains($0)) }
    }
}

extension HTTPField.Name {
    static let xForwardedHost = Self("X-Forwarded-Host")!
    static let xForwardedProto = Self("X-Forwarded-Proto")!
}
