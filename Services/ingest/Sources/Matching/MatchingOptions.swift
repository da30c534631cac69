import ArgumentParser
import EcoModel
import EcoConfig

/// The materials exchange's timing, set on ingest because ingest's ticks carry it to every matcher
/// worker (env ECORESUPPLY_MATCHING_TICK, _PROPOSAL_TIMEOUT, _SHARE_AFTER; all in seconds).
public struct MatchingOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("matching-tick"), help: "Seconds between matching rounds (env ECORESUPPLY_MATCHING_TICK, default 10).")
    public var tick: Double?

    @Option(name: .customLong("proposal-timeout"), help: "Seconds both sides have to accept a proposal (env ECORESUPPLY_PROPOSAL_TIMEOUT, default 172800 = 48 h).")
    public var proposalTimeout: Double?

    @Option(name: .customLong("share-after"), help: "Seconds before an unmatched listing is shared with the community (env ECORESUPPLY_SHARE_AFTER, default 86400 = 24 h).")
    public var shareAfter: Double?

    @Option(name: .customLong("market-cell-degrees"), help: "Side in degrees of the cells that cut the materials market into parts, set once at installation (env ECORESUPPLY_MARKET_CELL_DEGREES, default 0.5; docs/decisions/0016).")
    public var marketCellDegrees: Double?

    public init() {}

    public func resolve(environment: [String: String]) throws(ConfigError) -> MatchingPolicy {
        let settings = EnvironmentSettings(environment)
        func seconds(_ flag: Double?, _ name: String, _ setting: String, default fallback: Double, range: ClosedRange<Double>) throws(ConfigError) -> Double {
            var value = fallback
            if let flag {
                value = flag
            } else if let text = settings.string(name) {
                guard let parsed = Double(text) else { throw ConfigError(setting: EnvironmentSettings.prefix + name, value: text, reason: "not a number of seconds") }
                value = parsed
            }
            guard value.isFinite, range.contains(value) else {
                throw ConfigError(setting: setting, value: "\(value)", reason: "must be between \(range.lowerBound) and \(range.upperBound) seconds")
            }
            return value
        }
        return MatchingPolicy(
            tickSeconds: try seconds(tick, "MATCHING_TICK", "matching-tick", default: 10, range: 0.1...3600),
            proposalTimeoutSeconds: try seconds(proposalTimeout, "PROPOSAL_TIMEOUT", "proposal-timeout", default: 172_800, range: 1...2_592_000),
            shareAfterSeconds: try seconds(shareAfter, "SHARE_AFTER", "share-after", default: 86_400, range: 0...2_592_000),
            grid: try grid(settings))
    }

    private func grid(_ settings: EnvironmentSettings) throws(ConfigError) -> MarketGrid {
        var text = marketCellDegrees.map { "\($0)" }
        var setting = "market-cell-degrees"
        if text == nil, let value = settings.string("MARKET_CELL_DEGREES") {
            (text, setting) = (value, EnvironmentSettings.prefix + "MARKET_CELL_DEGREES")
        }
        guard let text else { return .standard }
        let range = MarketGrid.cellRange
        guard let degrees = Double(text), let grid = MarketGrid(cellDegrees: degrees) else {
            throw ConfigError(setting: setting, value: text, reason: "must be a number of degrees from \(range.lowerBound) to \(range.upperBound)")
        }
        return grid
    }
}

/// How often matching runs and how long proposals and listings wait.
public struct MatchingPolicy: Sendable, Equatable {
    public var tickSeconds: Double
    public var proposalTimeoutSeconds: Double
    public var shareAfterSeconds: Double
    /// The cells that cut the materials market into parts.
    public var grid: MarketGrid

    public init(tickSeconds: Double = 10, proposalTimeoutSeconds: Double = 172_800, shareAfterSeconds: Double = 86_400, grid: MarketGrid = .standard) {
        self.tickSeconds = tickSeconds; self.proposalTimeoutSeconds = proposalTimeoutSeconds; self.shareAfterSeconds = shareAfterSeconds
        self.grid = grid
    }
}
