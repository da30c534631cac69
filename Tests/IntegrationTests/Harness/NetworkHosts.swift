import Foundation

/// Hosts for one test, each a network namespace with its own address on a bridge the test makes
/// (`ip netns`, veth pairs): processes placed on different hosts talk over a real network, and a
/// host's link can be cut. Needs root (or CAP_NET_ADMIN and CAP_SYS_ADMIN); `available` says whether
/// this machine allows it. Everything is removed by `remove()`.
final class NetworkHosts: @unchecked Sendable {
    /// One host: its namespace, its address, and the root side of its link.
    struct Host: Sendable {
        let namespace: String
        let address: String
        let link: String
    }

    let hosts: [Host]
    let bridge: String
    /// The root namespace's address on the bridge, from which the test reaches every host.
    let gateway: String

    /// Whether namespaces can be made here; the reason when not.
    static let availability: (ok: Bool, reason: String) = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") else { return (false, "no /usr/sbin/ip (iproute2)") }
        let probe = "ecoprobe\(getpid() % 10_000)"
        guard (try? run(["netns", "add", probe])) != nil else { return (false, "cannot make a network namespace (needs root or CAP_SYS_ADMIN)") }
        _ = try? run(["netns", "del", probe])
        return (true, "")
    }()

    static var available: Bool { availability.ok }

    /// Makes `count` hosts on a new bridge, with addresses 10.213.N.11, .12, …
    init(count: Int) throws {
        let tag = String(format: "%04x", Int.random(in: 0..<0xFFFF))
        let subnet = "10.213.\(Int.random(in: 1...250))"
        bridge = "ebr\(tag)"
        gateway = "\(subnet).1"
        var made: [Host] = []
        try Self.run(["link", "add", bridge, "type", "bridge"])
        try Self.run(["addr", "add", "\(gateway)/24", "dev", bridge])
        try Self.run(["link", "set", bridge, "up"])
        for index in 0..<count {
            let host = Host(namespace: "eco\(tag)h\(index)", address: "\(subnet).\(11 + index)", link: "ev\(tag)h\(index)")
            let inside = "ep\(tag)h\(index)"
            try Self.run(["netns", "add", host.namespace])
            try Self.run(["link", "add", host.link, "type", "veth", "peer", "name", inside])
            try Self.run(["link", "set", inside, "netns", host.namespace])
            try Self.run(["link", "set", host.link, "master", bridge, "up"])
            try Self.run(["netns", "exec", host.namespace, "ip", "addr", "add", "\(host.address)/24", "dev", inside])
            try Self.run(["netns", "exec", host.namespace, "ip", "link", "set", inside, "up"])
            try Self.run(["netns", "exec", host.namespace, "ip", "link", "set", "lo", "up"])
            made.append(host)
        }
        hosts = made
    }

    /// Cuts a host off the network (its link goes down), or puts it back.
    func setLink(of host: Host, up: Bool) throws {
        try Self.run(["link", "set", host.link, up ? "up" : "down"])
    }

    /// Removes the namespaces and the bridge (the veth pairs go with their namespaces).
    func remove() {
        for host in hosts { _ = try? Self.run(["netns", "del", host.namespace]) }
        _ = try? Self.run(["link", "del", bridge])
    }

    deinit { remove() }

    /// The command line that runs `executable` with `arguments` on `host`.
    func command(on host: Host, _ executable: URL, _ arguments: [String]) -> (URL, [String]) {
        (URL(fileURLWithPath: "/usr/sbin/ip"), ["netns", "exec", host.namespace, executable.path] + arguments)
    }

    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let process = Process(), output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw NetworkHostsError(command: "ip " + arguments.joined(separator: " "), output: text) }
        return text
    }
}

struct NetworkHostsError: Error, CustomStringConvertible {
    let command: String
    let output: String
    var description: String { "\(command): \(output)" }
}
