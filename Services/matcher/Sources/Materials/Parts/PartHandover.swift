import EcoModel
import GRDB
import Logging
import Metrics

/// Moves market parts at a tick whose members differ from the last (docs/decisions/0016): the
/// worker forgets the parts it no longer holds and rebuilds, from ingest's stream up to the tick,
/// the parts it now holds. Both happen in the consumer's transaction, before the tick's round, so
/// from the tick on exactly one worker computes and announces each part.
struct PartHandover {
    let worker: Int
    let rebuilder: any PartRebuilding
    let logger: Logger
    private let moved = Counter(label: "ecoresupply_materials_parts_taken_total")
    private let dropped = Counter(label: "ecoresupply_materials_parts_given_total")

    init(worker: Int, rebuilder: any PartRebuilding, logger: Logger) {
        self.worker = worker
        self.rebuilder = rebuilder
        self.logger = logger
    }

    /// Applies the membership of `tick`, ingest's event `sequence`, to the worker's parts.
    func apply(_ tick: MatchingTick, sequence: Int64, in db: Database) throws {
        let holding = PartHolding(db)
        let members = tick.holders
        guard try holding.members() != members else { return }
        let store = SQLiteLedgerStore(db)
        let held = try holding.held()
        let holds = MarketParts.held(by: worker, of: try holding.known(), members: members)
        let given = held.subtracting(holds), taken = holds.subtracting(held)
        try store.removeParts(given)
        for part in given { try holding.setHeld(part, false) }
        var rows = (listings: 0, demands: 0, proposals: 0)
        if !taken.isEmpty {
            let rebuilt = try rebuilder.rebuild(parts: taken, through: sequence - 1)
            rows = try store.insert(rebuilt, parts: taken)
            for part in taken { try holding.setHeld(part, true) }
            // The taken parts changed since their last round (as their rebuilt ledger says), so the
            // tick's round must see them; otherwise nothing of theirs waits for a round.
            var state = try store.loadState()
            if try rebuilt.loadState().dirty, !state.dirty {
                state.dirty = true
                try store.saveState(state)
            }
        }
        try holding.setMembers(members)
        moved.increment(by: taken.count)
        dropped.increment(by: given.count)
        logger.notice("market parts moved at a tick", metadata: [
            "materials.members": "\(members.map(String.init).joined(separator: ","))", "materials.parts_taken": "\(taken.count)",
            "materials.parts_given": "\(given.count)", "materials.parts_held": "\(holds.count)", "materials.listings_taken": "\(rows.listings)",
            "materials.demands_taken": "\(rows.demands)", "materials.proposals_taken": "\(rows.proposals)", "bus.sequence": "\(sequence)",
        ])
    }
}
