import EcoModel
import Foundation
import MatcherService

/// What a second matching stage would add (decision 0016, "the way to exactness"): after the
/// round part by part, the offers' residuals matched again on a grid shifted by half a cell, so
/// that the first grid's edges fall inside the second's cells. Nothing runs it outside the
/// benchmark; it measures how much of the edges' loss such a stage would win back.
enum SeamStageEstimate {
    /// The kilograms the second stage would propose over what `store` has left after its round.
    static func kilograms(after store: InMemoryLedgerStore, cellDegrees: Double, at: Date) throws -> Double {
        let half = cellDegrees / 2
        guard let grid = MarketGrid(cellDegrees: cellDegrees) else { return 0 }
        func shifted(_ point: GeoPoint) -> String { grid.part(of: GeoPoint(latitude: point.latitude + half, longitude: point.longitude + half)) }
        let listings = try store.openListings(at: at).map { listing in
            var moved = listing
            moved.part = shifted(listing.point)
            return moved
        }
        let demands = try store.openDemands(at: at).map { demand in
            var moved = demand
            moved.part = shifted(demand.point)
            return moved
        }
        let proposals = PartMatching.propose(
            listings: listings, demands: demands, licensedChapters: try store.licensedChapters(), excluded: try store.proposedPairs())
        return proposals.reduce(0) { $0 + $1.quantityKg }
    }
}
