import ArgumentParser
import EcoBus
import EcoConfig
import EcoModel
import EcoRuntime
import Foundation
import Logging

/// `ecoresupply codes …`: operations on the pickup and delivery codes of a running deployment.
struct CodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codes", abstract: "Operate on a running deployment's pickup and delivery codes.", subcommands: [CodesUnlockCommand.self])
}

/// `ecoresupply codes unlock --reservation ID --reason TEXT`: clears the wrong attempts that locked
/// a reservation's pickup PIN or its collector mission's delivery code (five lock a code). The codes
/// stay the same; the pickup validator logs the reason.
struct CodesUnlockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock",
        abstract: "Unlock a reservation's pickup PIN and its mission's delivery code after five wrong attempts.",
        discussion: """
            Check first who is at the counter or the door: the codes do not change, so whoever typed the \
            wrong ones may try again. The reason is written to the pickup validator's log.
            """)

    @OptionGroup var options: CommonOptions

    @Option(help: "The reservation whose codes are locked (a mission's delivery code goes by its reservation).")
    var reservation: String

    @Option(help: "Why the codes are unlocked, for the log (up to 500 characters).")
    var reason: String

    func validate() throws {
        guard !reservation.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reservation must name a reservation id") }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 500 else { throw ValidationError("--reason must say why, in at most 500 characters") }
    }

    func run() async throws {
        let config = try options.resolve(instance: ServiceInstance(.gateway))
        var logger = Logger(label: "ecoresupply.codes")
        logger.logLevel = .warning
        let curve = try BusSecurity.curve(for: config, name: BusKeyDirectory.cliName)?.curve
        let loop = SocketLoop(endpoints: SocketLoopEndpoints(curve: curve), sink: nil, logger: logger)
        try await loop.start()
        defer { loop.stop() }
        let validator = config.topology.routerEndpoint(of: ServiceInstance(.pickupValidator))
        let body = try EventCodec.encoder.encode(PickupRequests.UnlockCodes(
            reservationId: reservation.trimmingCharacters(in: .whitespaces), reason: reason.trimmingCharacters(in: .whitespacesAndNewlines)))
        let reply: [Data]
        do {
            reply = try await loop.request(validator, kind: PickupRequests.unlockCodes, body: [body], timeout: .seconds(5))
        } catch .remote(let refusal) {
            print("the pickup validator refused: \(refusal.message)")
            throw ExitCode.failure
        } catch {
            print("the pickup validator did not answer at \(validator) (\(error)); is the deployment running on bus port \(config.topology.busPort)?")
            throw ExitCode.failure
        }
        guard let first = reply.first, let unlocked = try? EventCodec.decoder.decode(PickupRequests.CodesUnlocked.self, from: first) else {
            print("the pickup validator's answer could not be read (\(reply.count) frames)")
            throw ExitCode.failure
        }
        print(Self.summary(unlocked))
    }

    /// What the operator is told: each code, whether it was locked, and how many wrong attempts went.
    static func summary(_ unlocked: PickupRequests.CodesUnlocked) -> String {
        func line(_ name: String, locked: Bool, cleared: Int) -> String {
            locked ? "\(name): was locked, unlocked (\(cleared) wrong attempts cleared)"
                : cleared > 0 ? "\(name): not locked; \(cleared) wrong attempts cleared" : "\(name): not locked, nothing to clear"
        }
        return """
            reservation \(unlocked.reservationId)
              \(line("pickup PIN", locked: unlocked.pickupWasLocked, cleared: unlocked.pickupAttemptsCleared))
              \(line("delivery code", locked: unlocked.deliveryWasLocked, cleared: unlocked.deliveryAttemptsCleared))
            """
    }
}
