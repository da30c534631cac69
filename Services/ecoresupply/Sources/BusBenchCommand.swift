import ArgumentParser

/// `ecoresupply bench bus`: durable events per second and latency, beside raw libzmq PUB/SUB.
struct BusBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bus", abstract: "Bus throughput and latency beside raw libzmq.")

    func run() async throws {
        throw ValidationError("not built yet")
    }
}
