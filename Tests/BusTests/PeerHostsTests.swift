import EcoConfig
import Foundation
import Testing

/// Processes on several hosts (`--peer-hosts`, `--advertise-host`, `--bind-host`): where each is
/// reached, what each binds and announces, and the errors that name the flag.
@Suite("Peer hosts: a deployment spread over several machines")
struct PeerHostsTests {
    static let ingest = ServiceInstance(.ingest), worker = ServiceInstance(.matcher, index: 2)

    @Test("a template names every instance; explicit entries win over it; without either, the bus host")
    func lookup() throws {
        let peers = try PeerHosts.parse("*={kind}-{index}.{kind}, ingest=10.0.0.2")
        #expect(peers.host(of: Self.ingest) == "10.0.0.2")
        #expect(peers.host(of: Self.worker) == "matcher-2.matcher")
        #expect(peers.host(of: ServiceInstance(.gateway)) == "gateway-0.gateway")
        #expect(try PeerHosts.parse("*={name}.bus").host(of: Self.worker) == "matcher-2.bus")
        #expect(try PeerHosts.parse("matcher-2=10.0.0.5").host(of: Self.ingest) == nil)
        let topology = BusTopology(host: "forwarder", busPort: 7700, peers: try PeerHosts.parse("matcher-2=10.0.0.5"))
        #expect(topology.routerEndpoint(of: Self.worker) == "tcp://10.0.0.5:7709")
        #expect(topology.routerEndpoint(of: Self.ingest) == "tcp://forwarder:7703")
        #expect(topology.subscribeEndpoint == "tcp://forwarder:7700")
    }

    @Test("a process binds on --bind-host and announces --advertise-host, else what the others reach it at")
    func bindAndAdvertise() throws {
        let peers = try PeerHosts.parse("*={kind}-{index}.{kind}")
        var topology = BusTopology(host: "forwarder", busPort: 7700, peers: peers, bindHost: "0.0.0.0")
        #expect(topology.routerBindEndpoint(of: Self.worker) == "tcp://0.0.0.0:7709")
        #expect(topology.routerAdvertisedEndpoint(of: Self.worker) == "tcp://matcher-2.matcher:7709")
        #expect(topology.subscribeBindEndpoint == "tcp://0.0.0.0:7700")
        topology.advertiseHost = "10.1.2.3"
        #expect(topology.routerAdvertisedEndpoint(of: Self.worker) == "tcp://10.1.2.3:7709")
        topology.bindHost = nil
        #expect(topology.routerBindEndpoint(of: Self.worker) == "tcp://10.1.2.3:7709", "without --bind-host, it binds where it says it is")
        let single = BusTopology(busPort: 7700)
        #expect(single.routerBindEndpoint(of: Self.ingest) == single.routerEndpoint(of: Self.ingest), "on one host, nothing changes")
    }

    @Test("the flags and their environment reach the config; off loopback the bus needs keys")
    func resolve() throws {
        let config = try CommonOptions.parse(["--peer-hosts", "*={name}", "--bind-host", "0.0.0.0", "--insecure-bus"])
            .resolve(instance: Self.ingest, environment: ["ECORESUPPLY_ADVERTISE_HOST": "ingest.local"])
        #expect(config.routerEndpoint == "tcp://0.0.0.0:7703")
        #expect(config.advertisedRouterEndpoint == "tcp://ingest.local:7703")
        #expect(config.topology.routerEndpoint(of: Self.worker) == "tcp://matcher-2:7709")
        let error = #expect(throws: ConfigError.self) {
            try CommonOptions.parse(["--peer-hosts", "*={name}"]).resolve(instance: Self.ingest, environment: [:])
        }
        #expect(error?.setting == "peer-hosts" && error?.description.contains("keys") == true)
        #expect(throws: Never.self) {
            try CommonOptions.parse(["--peer-hosts", "ingest=127.0.0.2"]).resolve(instance: Self.ingest, environment: [:])
        }
    }

    @Test("a bad list is refused, naming the entry and why", arguments: [
        ("ingest", "instance=host"), ("=10.0.0.1", "instance=host"), ("ingest=", "instance=host"),
        ("matcher=10.0.0.1", "not an instance"), ("matcher-x=h", "not an instance"), ("matcher-01=h", "not an instance"),
        ("ingest=a b", "letters, digits"), ("*={host}.bus", "{name}, {kind} and {index}"), ("ingest={name}", "placeholders go in"),
        ("ingest=a,ingest=b", "given twice"), ("*=a,*=b", "only one"), ("ingest=a,,gateway=b", "instance=host"),
    ])
    func refused(text: String, reason: String) throws {
        let error = #expect(throws: ConfigError.self) { try PeerHosts.parse(text) }
        #expect(error?.setting == "peer-hosts")
        #expect(error?.description.contains(reason) == true, "\(error?.description ?? "")")
    }

    @Test("a bad --advertise-host or --bind-host names its flag", arguments: ["advertise-host", "bind-host"])
    func badHost(flag: String) throws {
        let error = #expect(throws: ConfigError.self) {
            try CommonOptions.parse(["--\(flag)", "a host"]).resolve(instance: Self.ingest, environment: [:])
        }
        #expect(error?.setting == flag)
    }

    @Test("instance names read back", arguments: ["gateway", "ingest", "reporting", "notifications", "pickup-validator", "matcher-0", "matcher-12"])
    func names(name: String) {
        #expect(ServiceInstance(name: name)?.name == name)
    }
}
