import ArgumentParser
import EcoBus
import EcoConfig
import EcoRuntime
import Foundation
import Logging

/// `ecoresupply restore --from DIR`: puts a backup back into the data directory of a stopped
/// deployment, then checks that no consumer is ahead of its producer.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Put a backup made by `ecoresupply backup` back into the data directory; the deployment must be stopped.")

    @OptionGroup var options: CommonOptions

    @Option(help: "The backup folder.")
    var from: String

    @Flag(help: "Replace the stores already in the data directory.")
    var replace = false

    func run() async throws {
        let config = try options.resolve(instance: ServiceInstance(.gateway))
        let source = URL(fileURLWithPath: from, isDirectory: true)
        let manager = FileManager.default
        let manifestURL = source.appendingPathComponent(BackupManifest.fileName)
        guard let data = manager.contents(atPath: manifestURL.path) else {
            throw ValidationError("\(from) has no \(BackupManifest.fileName): not a backup made by `ecoresupply backup`")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let manifest = try? decoder.decode(BackupManifest.self, from: data) else {
            throw ValidationError("\(manifestURL.path) is not a backup manifest (backupId, takenAt, matchers, latest): was it edited?")
        }
        let instances = BusTopology.instances(matchers: manifest.matchers)
        for instance in instances where !manager.fileExists(atPath: source.appendingPathComponent("\(instance.name).sqlite").path) {
            throw ValidationError("\(from) lacks \(instance.name).sqlite")
        }
        // Checked on the backup itself, before anything in the data directory changes.
        let ahead = try BackupFiles.consumersAhead(in: source, instances: instances)
        guard ahead.isEmpty else {
            throw BackupFiles.Failure(description: "refused: in this backup consumers are ahead of their producers, so events would be skipped:\n  " + ahead.joined(separator: "\n  "))
        }
        try await refuseIfRunning(config, instances)
        try manager.createDirectory(at: config.dataDirectory, withIntermediateDirectories: true)
        let existing = try manager.contentsOfDirectory(atPath: config.dataDirectory.path).filter { $0.hasSuffix(".sqlite") }
        if !existing.isEmpty, !replace {
            throw ValidationError("\(config.dataDirectory.path) already has stores (\(existing.sorted().joined(separator: ", "))): give --replace to overwrite them")
        }
        for name in try manager.contentsOfDirectory(atPath: config.dataDirectory.path) where BackupFiles.isDatabaseFile(name) {
            try manager.removeItem(at: config.dataDirectory.appendingPathComponent(name))
        }
        for instance in instances {
            let name = "\(instance.name).sqlite"
            try manager.copyItem(at: source.appendingPathComponent(name), to: config.dataDirectory.appendingPathComponent(name))
        }
        try BackupFiles.copyOthers(from: source, to: config.dataDirectory)
        print("restored backup \(manifest.backupId) of \(manifest.takenAt) (\(instances.count) stores) into \(config.dataDirectory.path); start the deployment with --matchers \(manifest.matchers)")
    }

    /// A deployment that answers on any ROUTER is running: restoring under it would corrupt its stores.
    /// (With the data directory's keys, since a CURVE deployment answers nobody else.)
    private func refuseIfRunning(_ config: ServiceConfig, _ instances: [ServiceInstance]) async throws {
        var logger = Logger(label: "ecoresupply.restore")
        logger.logLevel = .critical
        let curve = try BusSecurity.curve(for: config, name: BusKeyDirectory.cliName)?.curve
        let loop = SocketLoop(endpoints: SocketLoopEndpoints(curve: curve), sink: nil, logger: logger)
        try await loop.start()
        defer { loop.stop() }
        for instance in instances {
            if (try? await loop.request(config.topology.routerEndpoint(of: instance), kind: BusRequestKind.ping, timeout: .seconds(1))) != nil {
                throw ValidationError("\(instance.name) is running: stop the deployment before restoring")
            }
        }
    }
}
