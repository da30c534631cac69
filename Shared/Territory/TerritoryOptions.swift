import ArgumentParser
import Foundation

/// `--territory FILE` (env ECORESUPPLY_TERRITORY): the service area, report categories and
/// jurisdictions; the embedded default when absent. Read once at start.
public struct TerritoryOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("territory"), help: "Territory file: service area, report categories, jurisdictions (env ECORESUPPLY_TERRITORY; default: the embedded Marseille territory).")
    public var path: String?

    public init() {}

    public func resolve(environment: [String: String]) throws(TerritoryError) -> Territory {
        if let path = path ?? environment["ECORESUPPLY_TERRITORY"].flatMap({ $0.isEmpty ? nil : $0 }) {
            return try Territory.load(from: URL(fileURLWithPath: path))
        }
        return try Territory.embedded()
    }
}
