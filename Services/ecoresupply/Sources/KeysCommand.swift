import ArgumentParser
import EcoBus
import EcoConfig
import EcoModel
import EcoRuntime
import Foundation
import Logging

/// `ecoresupply keys …`: the secrets of a running deployment.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage a deployment's keys: signing keys (rotate) and the bus's CURVE keys (init).", subcommands: [KeysRotateCommand.self, KeysInitCommand.self, KeysAddSubscriberCommand.self, KeysListCommand.self, KeysRevokeCommand.self])
}

/// `ecoresupply keys rotate`: the gateway (access tokens) and the pickup validator (pickup codes)
/// each add a newest key and sign with it from now on; what the older keys signed is accepted until
/// they retire.
struct KeysRotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Add a new token-signing key and a new pickup-code key; older keys verify until what they signed expires.")

    @OptionGroup var options: CommonOptions

    @Option(help: "Which keys: tokens, pickup-codes or all (default all).")
    var only: String = "all"

    static let owners: [String: ServiceKind] = ["tokens": .gateway, "pickup-codes": .pickupValidator]

    func validate() throws {
        guard only == "all" || Self.owners[only] != nil else { throw ValidationError("--only must be tokens, pickup-codes or all") }
    }

    func run() async throws {
        let config = try options.resolve(instance: ServiceInstance(.gateway))
        var logger = Logger(label: "ecoresupply.keys")
        logger.logLevel = .warning
        // The command line has a key of its own on a bus that runs CURVE.
        let curve = try BusSecurity.curve(for: config, name: BusKeyDirectory.cliName)?.curve
        let loop = SocketLoop(endpoints: SocketLoopEndpoints(curve: curve), sink: nil, logger: logger)
        try await loop.start()
        defer { loop.stop() }
        let chosen = only == "all" ? Self.owners.keys.sorted() : [only]
        for name in chosen {
            let owner = ServiceInstance(Self.owners[name]!)
            let reply: [Data]
            do {
                reply = try await loop.request(config.topology.routerEndpoint(of: owner), kind: KeyRequests.rotate, body: [Data("{}".utf8)], timeout: .seconds(5))
            } catch {
                throw ValidationError("\(owner.name) did not rotate its keys (\(error)); is the deployment running on bus port \(config.topology.busPort)?")
            }
            let rotated = try EventCodec.decoder.decode(KeyRequests.Rotated.self, from: reply[0])
            print("\(owner.name): \(rotated.purpose) now signed with key \(rotated.keyId); older keys accepted until \(EventTime.format(rotated.previousRetireAt))")
        }
    }
}

/// `ecoresupply keys init`: makes the bus's CURVE keys of a deployment in `--bus-keys` (default
/// `<data-dir>/bus-keys`), one pair per process plus the command line's; existing keys stay.
struct KeysInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Make the bus's CURVE keys: one pair per process (mode 0600) and public.json.")

    @OptionGroup var options: CommonOptions

    func run() throws {
        let (config, directory) = try Self.keyDirectory(options)
        let names = BusKeyDirectory.names(instances: BusTopology.instances(matchers: config.matcherCount).map(\.name))
        let made = try BusKeyDirectory.generate(in: directory, names: names)
        print(made.isEmpty ? "every key was there: \(directory.path)" : "made \(made.count) key pairs in \(directory.path): \(made.joined(separator: ", "))")
    }
}

extension KeysInitCommand {
    /// The deployment's key directory: `--bus-keys`, `ECORESUPPLY_BUS_KEYS`, or `<data-dir>/bus-keys`.
    /// Resolved as if the bus ran without keys: managing keys needs none.
    static func keyDirectory(_ options: CommonOptions) throws -> (ServiceConfig, URL) {
        var probe = options
        probe.insecureBus = true
        let config = try probe.resolve(instance: ServiceInstance(.gateway))
        let settings = EnvironmentSettings(ProcessInfo.processInfo.environment)
        let directory = (options.busKeys ?? settings.string("BUS_KEYS")).map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? config.dataDirectory.appendingPathComponent(CommonOptions.busKeysFolder, isDirectory: true)
        return (config, directory)
    }
}

/// `ecoresupply keys add-subscriber NAME --prefix report.`: a key for a municipal system or an ops
/// tool that may subscribe to its prefixes (and heartbeats) on the forwarder, and never publish.
struct KeysAddSubscriberCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-subscriber", abstract: "Make a subscriber key limited to topic prefixes; it can never publish.")

    @OptionGroup var options: CommonOptions

    @Argument(help: "The subscriber's name: a-z, 0-9, _ and -.")
    var name: String

    @Option(name: .customLong("prefix"), help: "A topic prefix it may subscribe to (repeat for several; default report.).")
    var prefixes: [String] = []

    func run() throws {
        let (_, directory) = try KeysInitCommand.keyDirectory(options)
        let chosen = prefixes.isEmpty ? ["report."] : prefixes
        let file = try BusKeyDirectory.addSubscriber(name, prefixes: chosen, in: directory)
        print("subscriber \(name) may read \(chosen.joined(separator: ", ")); its key pair is in \(file.path) (mode 0600): hand it over, then delete it here")
    }
}

/// `ecoresupply keys list`: the deployment's process keys and subscriber keys.
struct KeysListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the bus's keys: processes and subscribers.")

    @OptionGroup var options: CommonOptions

    func run() throws {
        let (_, directory) = try KeysInitCommand.keyDirectory(options)
        let keyring = try BusKeyDirectory.load(from: directory, name: BusKeyDirectory.cliName)
        for (name, key) in keyring.services.sorted(by: { $0.key < $1.key }) { print("process     \(name)  \(key)") }
        for (name, subscriber) in keyring.subscribers.sorted(by: { $0.key < $1.key }) {
            print("subscriber  \(name)  \(subscriber.publicKey)  \(subscriber.prefixes.joined(separator: ","))\(subscriber.revoked ? "  REVOKED" : "")")
        }
    }
}

/// `ecoresupply keys revoke NAME`: the subscriber's key is refused from its next connection.
struct KeysRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a subscriber key: refused from its next connection.")

    @OptionGroup var options: CommonOptions

    @Argument(help: "The subscriber's name.")
    var name: String

    func run() throws {
        let (_, directory) = try KeysInitCommand.keyDirectory(options)
        try BusKeyDirectory.revokeSubscriber(name, in: directory)
        print("subscriber \(name) revoked: the forwarder refuses its key from its next connection")
    }
}
