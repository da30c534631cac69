import EcoConfig
import Foundation
import Testing

private let ingest = ServiceInstance(.ingest)

private func options(_ arguments: [String] = []) throws -> CommonOptions {
    try CommonOptions.parse(arguments)
}

@Suite("CommonOptions.resolve: flag over environment over default")
struct CommonOptionsTests {
    @Test("with no flags and no environment, the defaults apply")
    func defaults() throws {
        let config = try options().resolve(instance: ingest, environment: [:])
        #expect(config.topology == BusTopology(host: "127.0.0.1", busPort: CommonOptions.defaultBusPort))
        #expect(config.topology.busPort == 7700)
        #expect(config.durability == .normal)
        #expect(config.logLevel == "info")
        #expect(config.matcherCount == 1)
        #expect(config.dataDirectory == URL(fileURLWithPath: "./data", isDirectory: true).standardizedFileURL)
        #expect(config.instance == ingest)
        #expect(config.databaseURL.lastPathComponent == "ingest.sqlite")
        #expect(config.routerEndpoint == "tcp://127.0.0.1:7703")
    }

    @Test("ECORESUPPLY_* environment values replace the defaults")
    func environmentOverDefault() throws {
        let environment = [
            "ECORESUPPLY_BUS_PORT": "9100",
            "ECORESUPPLY_BUS_HOST": "10.1.2.3",
            "ECORESUPPLY_DURABILITY": "full",
            "ECORESUPPLY_LOG_LEVEL": "debug",
            "ECORESUPPLY_MATCHERS": "3",
            "ECORESUPPLY_DATA_DIR": "/var/lib/eco",
            "ECORESUPPLY_INSECURE_BUS": "1",
        ]
        let config = try options().resolve(instance: ingest, environment: environment)
        #expect(config.topology == BusTopology(host: "10.1.2.3", busPort: 9100))
        #expect(config.durability == .full)
        #expect(config.logLevel == "debug")
        #expect(config.matcherCount == 3)
        #expect(config.dataDirectory.path == "/var/lib/eco")
        #expect(config.databaseURL.path == "/var/lib/eco/ingest.sqlite")
    }

    @Test("flags replace the environment")
    func flagOverEnvironment() throws {
        let environment = [
            "ECORESUPPLY_BUS_PORT": "9100",
            "ECORESUPPLY_BUS_HOST": "10.1.2.3",
            "ECORESUPPLY_DURABILITY": "full",
            "ECORESUPPLY_LOG_LEVEL": "debug",
            "ECORESUPPLY_MATCHERS": "3",
            "ECORESUPPLY_DATA_DIR": "/var/lib/eco",
        ]
        let flags = try options([
            "--bus-port", "9200", "--bus-host", "192.168.0.9", "--durability", "normal",
            "--log-level", "warning", "--matchers", "5", "--data-dir", "/srv/eco", "--insecure-bus",
        ])
        let config = try flags.resolve(instance: ServiceInstance(.matcher, index: 4), environment: environment)
        #expect(config.topology == BusTopology(host: "192.168.0.9", busPort: 9200))
        #expect(config.durability == .normal)
        #expect(config.logLevel == "warning")
        #expect(config.matcherCount == 5)
        #expect(config.dataDirectory.path == "/srv/eco")
        #expect(config.databaseURL.lastPathComponent == "matcher-4.sqlite")
        #expect(config.routerEndpoint == "tcp://192.168.0.9:9211")
    }

    @Test("an empty environment value counts as unset")
    func emptyEnvironmentValue() throws {
        let config = try options().resolve(instance: ingest, environment: ["ECORESUPPLY_BUS_PORT": "", "ECORESUPPLY_LOG_LEVEL": ""])
        #expect(config.topology.busPort == 7700)
        #expect(config.logLevel == "info")
    }

    @Test("a bad environment value is a ConfigError naming the setting", arguments: [
        ("ECORESUPPLY_BUS_PORT", "seventy", "ECORESUPPLY_BUS_PORT"),
        ("ECORESUPPLY_BUS_PORT", "0", "bus-port"),
        ("ECORESUPPLY_BUS_PORT", "70000", "bus-port"),
        ("ECORESUPPLY_DURABILITY", "sometimes", "durability"),
        ("ECORESUPPLY_LOG_LEVEL", "loud", "log-level"),
        ("ECORESUPPLY_MATCHERS", "many", "ECORESUPPLY_MATCHERS"),
        ("ECORESUPPLY_MATCHERS", "0", "matchers"),
        ("ECORESUPPLY_MATCHERS", "65", "matchers"),
    ])
    func badEnvironmentValue(name: String, value: String, setting: String) throws {
        let error = #expect(throws: ConfigError.self) {
            try options().resolve(instance: ingest, environment: [name: value])
        }
        #expect(error?.setting == setting)
        #expect(error?.value == value)
        #expect(error?.description.contains(value) == true)
    }

    @Test("a bad flag value is a ConfigError too")
    func badFlagValue() throws {
        let error = #expect(throws: ConfigError.self) {
            try options(["--bus-port", "65001"]).resolve(instance: ingest, environment: [:])
        }
        #expect(error?.setting == "bus-port")
    }

    @Test("a matcher worker index at or above the worker count is refused")
    func workerIndexBeyondCount() throws {
        let error = #expect(throws: ConfigError.self) {
            try options(["--matchers", "2"]).resolve(instance: ServiceInstance(.matcher, index: 2), environment: [:])
        }
        #expect(error?.setting == "worker")
        #expect(throws: Never.self) {
            try options(["--matchers", "2"]).resolve(instance: ServiceInstance(.matcher, index: 1), environment: [:])
        }
    }

    @Test("a flag makes a bad environment durability or log level irrelevant", arguments: [
        (["--durability", "full"], "ECORESUPPLY_DURABILITY", "oops"),
        (["--log-level", "debug"], "ECORESUPPLY_LOG_LEVEL", "oops"),
    ])
    func flagShadowsBadEnvironmentText(flags: [String], name: String, value: String) throws {
        #expect(throws: Never.self) {
            try options(flags).resolve(instance: ingest, environment: [name: value])
        }
    }

    @Test(
        "a flag makes a bad environment bus port or matcher count irrelevant",
        arguments: [
            (["--bus-port", "9000"], "ECORESUPPLY_BUS_PORT", "oops"),
            (["--matchers", "2"], "ECORESUPPLY_MATCHERS", "oops"),
        ])
    func flagShadowsBadEnvironmentNumber(flags: [String], name: String, value: String) throws {
        #expect(throws: Never.self) {
            try options(flags).resolve(instance: ingest, environment: [name: value])
        }
    }
}

@Suite("BusTopology: ports derived from the bus port")
struct BusTopologyTests {
    let topology = BusTopology(busPort: 7700)

    @Test("subscribers use the bus port, publishers the next one")
    func forwarderEndpoints() {
        #expect(topology.subscribeEndpoint == "tcp://127.0.0.1:7700")
        #expect(topology.publishEndpoint == "tcp://127.0.0.1:7701")
        #expect(BusTopology(host: "10.0.0.5", busPort: 8000).publishEndpoint == "tcp://10.0.0.5:8001")
    }

    @Test("router ports follow: gateway, ingest, reporting, notifications, pickup-validator, then matcher workers")
    func routerPorts() {
        #expect(topology.routerPort(of: ServiceInstance(.gateway)) == 7702)
        #expect(topology.routerPort(of: ServiceInstance(.ingest)) == 7703)
        #expect(topology.routerPort(of: ServiceInstance(.reporting)) == 7704)
        #expect(topology.routerPort(of: ServiceInstance(.notifications)) == 7705)
        #expect(topology.routerPort(of: ServiceInstance(.pickupValidator)) == 7706)
        #expect(topology.routerPort(of: ServiceInstance(.matcher, index: 0)) == 7707)
        #expect(topology.routerPort(of: ServiceInstance(.matcher, index: 3)) == 7710)
        #expect(topology.routerEndpoint(of: ServiceInstance(.matcher, index: 1)) == "tcp://127.0.0.1:7708")
    }

    @Test("instances lists the single services then the matcher workers, all on distinct ports")
    func instancesAndDistinctPorts() {
        let instances = BusTopology.instances(matchers: 3)
        #expect(instances.map(\.name) == ["gateway", "ingest", "reporting", "notifications", "pickup-validator", "matcher-0", "matcher-1", "matcher-2"])
        let ports = instances.map { topology.routerPort(of: $0) } + [7700, 7701]
        #expect(Set(ports).count == ports.count)
        #expect(BusTopology.instances(matchers: 0).count == 5)
        #expect(BusTopology.instances(matchers: -1).count == 5)
    }

    @Test("only matchers carry an index")
    func instanceNames() {
        #expect(ServiceInstance(.ingest, index: 3).index == nil)
        #expect(ServiceInstance(.ingest, index: 3).name == "ingest")
        #expect(ServiceInstance(.matcher).name == "matcher-0")
        #expect(ServiceInstance(.pickupValidator).name == "pickup-validator")
    }
}

@Suite("Bus keys in the options: found where up makes them; no keys off loopback without --insecure-bus")
struct BusKeyOptionsTests {
    @Test("a bus host other machines reach needs keys, or --insecure-bus said out loud")
    func offLoopback() throws {
        do {
            _ = try options(["--bus-host", "0.0.0.0"]).resolve(instance: ingest, environment: [:])
            Issue.record("an open bus without keys was accepted")
        } catch let error as ConfigError {
            #expect(error.setting == "bus-host" && error.reason.contains("--bus-keys") && error.reason.contains("--insecure-bus"), "\(error)")
        }
        let insecure = try options(["--bus-host", "0.0.0.0", "--insecure-bus"]).resolve(instance: ingest, environment: [:])
        #expect(insecure.insecureBus && insecure.busKeys == nil)
        let local = try options(["--bus-host", "127.0.0.1", "--data-dir", "/nonexistent-ecoresupply"]).resolve(instance: ingest, environment: [:])
        #expect(!local.insecureBus && local.busKeys == nil, "plain TCP on loopback, as before")
    }

    @Test("the keys `up` made in the data directory are found without a flag; --insecure-bus ignores them")
    func foundInTheDataDirectory() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("keys-options-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: data) }
        let keys = data.appendingPathComponent(CommonOptions.busKeysFolder)
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        try Data(#"{"services":{}}"#.utf8).write(to: keys.appendingPathComponent("public.json"))
        let found = try options(["--data-dir", data.path]).resolve(instance: ingest, environment: [:])
        #expect(found.busKeys?.lastPathComponent == CommonOptions.busKeysFolder)
        let off = try options(["--data-dir", data.path, "--bus-host", "10.0.0.4"]).resolve(instance: ingest, environment: [:])
        #expect(off.busKeys != nil && !off.insecureBus, "with keys, another host is fine")
        #expect(try options(["--data-dir", data.path, "--insecure-bus"]).resolve(instance: ingest, environment: [:]).busKeys == nil)
        #expect(try options(["--bus-keys", "/elsewhere"]).resolve(instance: ingest, environment: [:]).busKeys?.path == "/elsewhere")
    }
}
