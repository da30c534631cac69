import GatewayService
import Testing

@Suite("Client addresses behind trusted proxies")
struct TrustedProxiesTests {
    static func proxies(_ list: String) throws -> TrustedProxies { try TrustedProxies.parse(list).get() }

    @Test("without trusted proxies, X-Forwarded-For is ignored")
    func untrusted() throws {
        #expect(TrustedProxies.none.clientAddress(peer: "203.0.113.9", forwardedFor: ["198.51.100.1"]) == "203.0.113.9")
        #expect(try Self.proxies("10.0.0.0/8").clientAddress(peer: "203.0.113.9", forwardedFor: ["198.51.100.1"]) == "203.0.113.9")
    }

    @Test("behind trusted proxies, the nearest untrusted hop is the client; what the client wrote itself is not believed")
    func trusted() throws {
        let proxies = try Self.proxies("10.0.0.0/8, 127.0.0.1, ::1")
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: ["198.51.100.7"]) == "198.51.100.7")
        // The client sent a forged first entry; two proxies appended theirs.
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwardedFor: ["1.2.3.4, 198.51.100.7", "10.0.0.5"]) == "198.51.100.7")
        #expect(proxies.clientAddress(peer: "::1", forwardedFor: ["2001:db8::42"]) == "2001:db8::42")
        #expect(proxies.clientAddress(peer: "::ffff:10.0.0.1", forwardedFor: ["192.0.2.1"]) == "192.0.2.1", "IPv4-mapped peers")
        // Garbage stops the walk at the last trusted address, never becomes a rate-limit key.
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: ["not-an-ip"]) == "10.1.2.3")
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: []) == "10.1.2.3")
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: ["10.9.9.9"]) == "10.9.9.9", "only proxies: the farthest")
    }

    @Test("blocks of every prefix length, and bad entries named")
    func parsing() throws {
        let proxies = try Self.proxies("192.168.1.128/25,2001:db8::/32")
        #expect(proxies.isTrusted("192.168.1.200"))
        #expect(!proxies.isTrusted("192.168.1.127"))
        #expect(proxies.isTrusted("2001:db8:ffff::1"))
        #expect(!proxies.isTrusted("2001:db9::1"))
        #expect(!proxies.isTrusted("garbage"))
        #expect(try Self.proxies("0.0.0.0/0").isTrusted("8.8.8.8"))
        #expect(throws: TrustedProxies.ParseError(entry: "10.0.0.0/33")) { try Self.proxies("127.0.0.1, 10.0.0.0/33") }
        #expect(throws: TrustedProxies.ParseError(entry: "proxy.local")) { try Self.proxies("proxy.local") }
        #expect(throws: TrustedProxies.ParseError(entry: "10.0.0.0/x")) { try Self.proxies("10.0.0.0/x") }
    }
}
