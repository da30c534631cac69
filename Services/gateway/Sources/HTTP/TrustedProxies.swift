import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The reverse proxies whose `X-Forwarded-For` the gateway believes (`--trusted-proxies`), as
/// addresses or CIDR blocks, IPv4 or IPv6. Without any, the peer's address is the client's.
public struct TrustedProxies: Sendable, Equatable {
    struct Block: Sendable, Equatable {
        let address: [UInt8]
        let prefix: Int

        func contains(_ other: [UInt8]) -> Bool {
            guard other.count == address.count else { return false }
            var bits = prefix
            for (a, b) in zip(address, other) where bits > 0 {
                let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
                if a & mask != b & mask { return false }
                bits -= 8
            }
            return true
        }
    }

    let blocks: [Block]

    public static let none = TrustedProxies(blocks: [])

    init(blocks: [Block]) { self.blocks = blocks }

    /// Parses `10.0.0.0/8, 127.0.0.1, ::1`; a failure names the first entry that is not an address or block.
    public static func parse(_ list: String) -> Result<TrustedProxies, ParseError> {
        var blocks: [Block] = []
        for entry in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let parts = entry.split(separator: "/", maxSplits: 1).map(String.init)
            guard let address = bytes(of: parts[0]) else { return .failure(ParseError(entry: entry)) }
            let width = address.count * 8
            let prefix = parts.count == 2 ? Int(parts[1]) : width
            guard let prefix, (0...width).contains(prefix) else { return .failure(ParseError(entry: entry)) }
            blocks.append(Block(address: address, prefix: prefix))
        }
        return .success(TrustedProxies(blocks: blocks))
    }

    /// A `--trusted-proxies` entry that is neither an address nor a CIDR block.
    public struct ParseError: Error, Equatable {
        public let entry: String
        public init(entry: String) { self.entry = entry }
    }

    public func isTrusted(_ address: String) -> Bool {
        guard let bytes = Self.bytes(of: address) else { return false }
        return blocks.contains { $0.contains(bytes) }
    }

    /// The client's address: the peer's, unless the peer is a trusted proxy; then the nearest
    /// address in `X-Forwarded-For` (read from the right) that is not a trusted proxy. Entries left
    /// of that were written by the client and are never believed.
    public func clientAddress(peer: String?, forwardedFor: [String]) -> String? {
        guard let peer, isTrusted(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        var nearest = peer
        for hop in hops.reversed() {
            guard Self.bytes(of: hop) != nil else { return nearest }
            if !isTrusted(hop) { return hop }
            nearest = hop
        }
        return nearest
    }

    /// An IPv4 address as 4 bytes, an IPv6 address as 16; nil for anything else.
    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is its IPv4 address.
            if bytes.prefix(12) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] { return Array(bytes.suffix(4)) }
            return bytes
        }
        return nil
    }
}
