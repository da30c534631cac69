import EcoBus
import EcoModel
import Foundation
import GRDB
import Logging
import Metrics

/// Applies an operator's release of a lost worker (`lot.worker-released`, docs/decisions/0017
/// step 3). Each lot this worker awaits from the lost worker, or owes on from it, is rebuilt from
/// the reservations and collector missions this worker heard the lost worker relay
/// (`RelayedReservations`, `RelayedMissions`), then held here or passed on to its holder, as a
/// handover would have been. What the lost worker never relayed is gone: each rebuilt lot is logged
/// with the time of the latest copy, so that support can find the customers whose last minutes may
/// be missing.
public struct LotRelease: Sendable {
    let handover: LotHandover
    private let released = Counter(label: "ecoresupply_lots_released_total")

    public init(handover: LotHandover) { self.handover = handover }

    /// Applies `release`, ingest's event `sequence`, to this worker's lots; the lots rebuilt.
    @discardableResult
    func apply(_ release: LotWorkerReleased, sequence: Int64, in db: Database) throws -> [String] {
        let book = handover.book
        guard release.worker != book.worker else {
            // This worker was declared lost and is running after all: its lots were rebuilt by the
            // others, and any handover of them it still makes is counted as a conflict there.
            handover.logger.error("this worker was released by an operator while it runs; its lots are held by others now", metadata: [
                "lots.worker": "\(release.worker)", "bus.sequence": "\(sequence)",
            ])
            return []
        }
        let holding = book.holding(db)
        let tick = try holding.recorded()?.tick ?? sequence
        let relayed = RelayedReservations(db: db)
        let lots = try holding.lots(awaitedFrom: release.worker)
        for lotId in lots {
            guard let lot = try LotHandover.heldLot(lotId, in: db) else { continue }
            let copies = try relayed.copies(of: lotId)
            let missions = try RelayedMissions(db: db).copies(of: lotId)
            try handover.take(
                LotHandedOver(lot: lot, from: release.worker, to: book.worker, tick: tick, reservations: copies.reservations, missions: missions.missions),
                in: db)
            // What the lost worker relayed last, of either kind: what it made after that is what is lost.
            let latest = [copies.latest, missions.latest].compactMap { $0 }.max()
            released.increment()
            handover.logger.notice("a released worker's lot was rebuilt from the reservations and missions it relayed", metadata: [
                "lot.id": "\(lotId)", "lots.worker": "\(release.worker)", "reservation.count": "\(copies.reservations.count)", "mission.count": "\(missions.missions.count)",
                "lots.latest_relayed": "\(latest ?? "none")", "bus.sequence": "\(sequence)",
            ])
        }
        return lots
    }
}
