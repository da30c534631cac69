import ArgumentParser
import EcoBus
import EcoConfig
import EcoRuntime
import Foundation
import Logging

/// `ecoresupply backup --to DIR`: an online backup of a running deployment that restores to one
/// consistent state. Every service holds its writer (`backup.hold`), each store is copied with
/// `VACUUM INTO`, every service lets go; writes wait meanwhile (well under a second for small stores).
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
        var isFolder: ObjCBool = false
        if manager.fileExists(atPath: target.path, isDirectory: &isFolder) {
            guard isFolder.boolValue, (try? manager.contentsOfDirectory(atPath: target.path))?.isEmpty == true else {
                throw ValidationError("--to \(to) exists and is not an empty folder: give a new folder")
            }
        }
        let instances = try BackupFiles.instances(in: config.dataDirectory)
        try manager.createDirectory(at: target, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var logger = Logger(label: "ecoresupply.backup")
        logger.logLevel = .warning
        let curve = try BusSecurity.curve(for: config, name: BusKeyDirectory.cliName)?.curve
        let loop = SocketLoop(endpoints: SocketLoopEndpoints(curve: curve), sink: nil, logger: logger)
        try await loop.start()
        defer { loop.stop() }

        let backup = HeldBackup(id: UUID().uuidString, instances: instances, loop: loop, topology: config.topology)
        let started = ContinuousClock.now
        let latest = try await backup.copy(from: config.dataDirectory, to: target, holdSeconds: holdSeconds)
        let heldFor = started.duration(to: .now)
        for instance in instances {
            let copied = try BackupFiles.verify(target.appendingPathComponent("\(instance.name).sqlite"))
            guard copied == latest[instance.name] else {
                throw BackupFiles.Failure(description: "the copy of \(instance.name) ends at sequence \(copied), not \(latest[instance.name] ?? 0) as held: do not restore it")
            }
        }
        try BackupFiles.copyOthers(from: config.dataDirectory, to: target)
        let manifest = BackupManifest(backupId: backup.id, takenAt: Date(), matchers: instances.filter { $0.kind == .matcher }.count, latest: latest)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(manifest).write(to: target.appendingPathComponent(BackupManifest.fileName))
        print("backed up \(instances.count) stores into \(target.path); writes were held \(heldFor)")
    }
}

/// One backup's holds: every instance holds its writer, the stores are copied, every instance lets go.
struct HeldBackup {
    let id: String
    let instances: [ServiceInstance]
    let loop: SocketLoop
    let topology: BusTopology

    /// Copies every store under holds; returns each instance's latest sequence as held. Fails, with
    /// every hold released, when an instance does not hold or a hold ran out before the copies ended.
    func copy(from source: URL, to target: URL, holdSeconds: Double) async throws -> [String: Int64] {
        var latest: [String: Int64] = [:]
        do {
            for instance in instances {
                let body = try EventCodec.encoder.encode(BackupRequests.Hold(backupId: id, seconds: holdSeconds))
                let reply = try await loop.request(topology.routerEndpoint(of: instance), kind: BackupRequests.hold, body: [body], timeout: .seconds(5))
                latest[instance.name] = try EventCodec.decoder.decode(BackupRequests.Held.self, from: reply[0]).latest
            }
            for instance in instances {
                try BackupFiles.vacuum(source.appendingPathComponent("\(instance.name).sqlite"), into: target.appendingPathComponent("\(instance.name).sqlite"))
            }
        } catch {
            _ = await releaseAll()
            let missing = instances.first { latest[$0.name] == nil }.map { " (\($0.name) did not hold: is it running?)" } ?? ""
            throw BackupFiles.Failure(description: "backup failed\(missing): \(error)")
        }
        let ranOut = await releaseAll()
        guard ranOut.isEmpty else {
            throw BackupFiles.Failure(description: "the holds of \(ranOut.joined(separator: ", ")) ran out before the copies were done: give a longer --hold-seconds")
        }
        return latest
    }

    /// Releases every instance (release is idempotent: a failed hold may still have been taken);
    /// returns the instances whose hold had already ended.
    private func releaseAll() async -> [String] {
        var ranOut: [String] = []
        for instance in instances {
            let body = (try? EventCodec.encoder.encode(BackupRequests.Release(backupId: id))) ?? Data()
            let reply = try? await loop.request(topology.routerEndpoint(of: instance), kind: BackupRequests.release, body: [body], timeout: .seconds(5))
            let released = reply.flatMap { try? EventCodec.decoder.decode(BackupRequests.Released.self, from: $0[0]) }
            if released?.wasHeld != true { ranOut.append(instance.name) }
        }
        return ranOut
    }
}
