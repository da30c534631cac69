import EcoModel
import GRDB
import Logging
import Metrics

/// Moves market parts at a tick whose members differ from the last (docs/decisions/0016), as
/// `PartAssignment.rebalance` says: the worker forgets the parts it no longer holds and rebuilds, from ingest's stream up to the tick,
/// the parts it now holds. Both happen in the consumer's transaction, before the tick's round, so
/// from the tick on exactly one worker computes and announces each part.
struct PartHandover {
    let worker: Int
    /// The members taken until a tick names them: the configured workers.
    let configured: [Int]
    let rebuilder: any PartRebuilding
    let logger: Logger
    private let moved = Counter(label: "ecoresupply_materials_parts_taken_total")
    private let dropped = Counter(label: "ecoresupply_materials_parts_given_total")

    init(worker: Int, configured: [Int], rebuilder: any PartRebuilding, logger: Logger) {
        self.worker = worker
        self.configured = configured
        self.rebuilder = rebuilder
        self.logger = logger
    }

    /// Applies the membership of `tick`, ingest's event `sequence`, to the worker's parts.
    func apply(_ tick: MatchingTick, sequence: Int64, in db: Database) throws {
        let holding = PartHolding(db)
        let members = tick.holders
        guard try holding.members() != members else { return }
        let store = SQLiteLedgerStore(db)
        let previous = try holding.members()
        let before = try holding.assignment(members: previous ?? configured)
        // The first tick that names members replaces every worker's guess from its configuration.
        let after = previous == nil ? PartAssignment.initial(before.keys, members: members) : PartAssignment.rebalance(before, members: members)
        let held = Set(before.filter { $0.value == worker }.keys), holds = Set(after.filter { $0.value == worker }.keys)
        let given = held.subtracting(holds), taken = holds.subtracting(held)
        try store.removeParts(given)
        for (part, holder) in after.sorted(by: { $0.key < $1.key }) where before[part] != holder {
            try holding.setHolder(part, holder, worker: worker)
        }
        var rows = (listings: 0, demands: 0, proposals: 0)
        if !taken.isEmpty {
            let rebuilt = try rebuilder.rebuild(parts: taken, through: sequence - 1)
            rows = try store.insert(rebuilt, parts: taken)
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
