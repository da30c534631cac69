/// The data of a `diagnostic.ping` event: a marker sent through the bus to check it end to end.
public struct DiagnosticPing: Codable, Sendable, Equatable {
    /// Which emission the ping belongs to (one `bus ping` command = one run).
    public var run: String
    /// The ping's index within its run, from 0.
    public var index: Int

    public init(run: String, index: Int) {
        self.run = run
        self.index = index
    }
}
