import Foundation

/// The materials market cut into parts that are matched independently (docs/decisions/0016): a
/// part is a cell of `cellDegrees` × `cellDegrees` of latitude and longitude, and a listing or a
/// demand belongs to the cell of its point. A part's allocation depends only on the part's own
/// listings, demands and answers, and on the licences and ticks every part shares, so any worker
/// that holds a part computes the same proposals for it. Ingest stamps each event about an offer with
/// its part (the CloudEvents `partitionkey` attribute); which worker holds a part follows the
/// members named in the latest tick (`PartAssignment`, with `holder(of:members:)` breaking ties).
public enum MarketParts {
    /// The side of a part in the standard grid, in degrees: about 55 km north–south, 39 km east–west at 45° N.
    public static let cellDegrees = MarketGrid.standard.cellDegrees

    /// The part of a point in the standard grid. Only what was cut before a territory could choose
    /// its grid uses it (shipped migrations, and events without a `partitionkey`); everything else
    /// takes the part from ingest's `partitionkey`, cut with the installation's `MarketGrid`.
    public static func part(of point: GeoPoint) -> String { MarketGrid.standard.part(of: point) }

    /// The member that holds `part` among `members` (worker numbers): rendezvous hashing, so that a
    /// member joining or leaving moves only the parts it takes or gives. Nil when there are no members.
    public static func holder(of part: String, members: [Int]) -> Int? {
        members.max { (weight(part, $0), $1) < (weight(part, $1), $0) }
    }

    /// The parts among `parts` that `worker` holds under `members`.
    public static func held(by worker: Int, of parts: some Sequence<String>, members: [Int]) -> Set<String> {
        Set(parts.filter { holder(of: $0, members: members) == worker })
    }

    /// FNV-1a over the part and the member, then SplitMix64's finaliser so that nearby parts spread.
    static func weight(_ part: String, _ member: Int) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in part.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        var z = hash ^ (UInt64(truncatingIfNeeded: member) &* 0x9E37_79B9_7F4A_7C15)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The grid that cuts a territory's materials market into parts (docs/decisions/0016): square
/// cells of `cellDegrees` of latitude and longitude. Ingest cuts with it, and stamps each offer's
/// event with its part; the workers take the part from the event. It is set once, at installation
/// (`--market-cell-degrees`): ingest records it, and refuses to start with another.
public struct MarketGrid: Sendable, Equatable {
    /// The grid of every installation that does not choose one: 0.5°.
    public static let standard = MarketGrid(checked: 0.5)
    /// The cell sizes an installation may choose, in degrees.
    public static let cellRange: ClosedRange<Double> = 0.05...10

    /// The side of a cell, in degrees.
    public let cellDegrees: Double

    /// The grid with cells of `cellDegrees`; nil outside `cellRange` or for a value that is not a number.
    public init?(cellDegrees: Double) {
        guard cellDegrees.isFinite, Self.cellRange.contains(cellDegrees) else { return nil }
        self.cellDegrees = cellDegrees
    }

    private init(checked cellDegrees: Double) { self.cellDegrees = cellDegrees }

    /// The part of a point, as `"<row>:<column>"` of the cell grid (rows from the equator, columns from Greenwich).
    public func part(of point: GeoPoint) -> String {
        let row = Int((point.latitude / cellDegrees).rounded(.down))
        let column = Int((point.longitude / cellDegrees).rounded(.down))
        return "\(row):\(column)"
    }

    public func part(of listing: Listing) -> String { part(of: listing.draft.location.point) }
    public func part(of demand: Demand) -> String { part(of: demand.draft.location.point) }
}

extension Listing {
    /// The market part the listing belongs to in the standard grid (see `MarketParts.part(of:)`).
    public var marketPart: String { MarketParts.part(of: draft.location.point) }
}

extension Demand {
    /// The market part the demand belongs to in the standard grid (see `MarketParts.part(of:)`).
    public var marketPart: String { MarketParts.part(of: draft.location.point) }
}
