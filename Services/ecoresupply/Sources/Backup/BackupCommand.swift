import ArgumentParser
import EcoBus
import EcoConfig
import EcoRuntime
import Foundation
import Logging

/// `ecoresupply backup --to DIR`: an online backup of a running deployment that restores to one
/// consistent state. Every service holds its writer (`backup.hold`), each store is copied with
/// `VACUUM INTO`, every service lets go; writes wait meanwhile (a second or so), none fail.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Copy a running deployment's stores, photos and keys into a new folder, as one consistent state.")

    @OptionGroup var options: CommonOptions

    @Option(help: "The folder to write; it must not exist or be empty.")
    var to: String

    @Option(help: "Seconds each service holds its writes at most while the stores are copied (1 to 30).")
    var holdSeconds: Double = 20

    func validate() throws {
        guard (1...BackupRequests.maximumHoldSeconds).contains(holdSeconds) else { throw ValidationError("--hold-seconds must be between 1 and 30") }
    }

    func run() async throws {
        let config = try options.resolve(instance: ServiceInstance(.gateway))
        let target = URL(fileURLWithPath: to, isDirectory: true)
        let manager = FileManager.default
        if manager.fileExists(atPath: target.path), !(try manager.contentsOfDirectory(atPath: target.path)).isEmpty {
            throw ValidationError("--to \(to) is not empty: give a new folder")
        }
        try manager.createDirectory(at: target, withIntermediateDirectories: true)
        var logger = Logger(label: "ecoresupply.backup")
        logger.logLevel = .warning
        let curve = try BusSecurity.curve(for: config, name: BusKeyDirectory.cliName)?.curve
        let loop = SocketLoop(endpoints: SocketLoopEndpoints(curve: curve), sink: nil, logger: logger)
        try await loop.start()
        defer { loop.stop() }

        let instances = BusTopology.instances(matchers: config.matcherCount)
        let backupId = UUID().uuidString
        let started = ContinuousClock.now
        var held: [ServiceInstance] = []
        var latest: [String: Int64] = [:]
        do {
            for instance in instances {
                let body = try EventCodec.encoder.encode(BackupRequests.Hold(backupId: backupId, seconds: holdSeconds))
                let reply = try await loop.request(config.topology.routerEndpoint(of: instance), kind: BackupRequests.hold, body: [body], timeout: .seconds(5))
                latest[instance.name] = try EventCodec.decoder.decode(BackupRequests.Held.self, from: reply[0]).latest
                held.append(instance)
            }
            for instance in instances {
                try BackupFiles.vacuum(config.dataDirectory.appendingPathComponent("\(instance.name).sqlite"), into: target.appendingPathComponent("\(instance.name).sqlite"))
            }
        } catch {
            await release(held, backupId, loop, config)
            let who = instances.first { !held.contains($0) }.map { " (\($0.name) did not hold: is it running?)" } ?? ""
            throw BackupFiles.Failure(description: "backup failed\(who): \(error)")
        }
        await release(held, backupId, loop, config)
        let heldFor = started.duration(to: .now)
        try BackupFiles.copyOthers(from: config.dataDirectory, to: target)
        let manifest = BackupManifest(backupId: backupId, takenAt: Date(), matchers: config.matcherCount, latest: latest)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(manifest).write(to: target.appendingPathComponent(BackupManifest.fileName))
        print("backed up \(instances.count) stores into \(target.path); writes were held \(heldFor)")
    }

    private func release(_ held: [ServiceInstance], _ backupId: String, _ loop: SocketLoop, _ config: ServiceConfig) async {
        for instance in held {
            let body = (try? EventCodec.encoder.encode(BackupRequests.Release(backupId: backupId))) ?? Data()
            _ = try? await loop.request(config.topology.routerEndpoint(of: instance), kind: BackupRequests.release, body: [body], timeout: .seconds(5))
        }
    }
}
