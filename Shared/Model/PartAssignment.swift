/// Which member holds each market part (docs/decisions/0016): sticky, and balanced by the number of
/// parts. Every worker computes the same assignment from ingest's stream alone:
/// - a part seen for the first time goes to a member holding the fewest parts;
/// - a change of members moves only what it must: the parts of the members that left go to the
///   emptiest members, then single parts go from the fullest member to the emptiest until no two
///   members differ by more than one part.
///
/// Ties are broken by rendezvous weight (`MarketParts.holder`), so no choice depends on the order
/// of a dictionary or of the members. Until a tick names the members, each worker can only guess
/// them from its own configuration, so the first tick that names them assigns every part afresh
/// (`initial`), from the parts and the members alone: workers that guessed differently agree
/// from that tick on.
public enum PartAssignment {
    /// The assignment at the first tick that names members: each part with its rendezvous holder,
    /// then balanced. It depends on the set of parts and the members only.
    public static func initial(_ parts: some Sequence<String>, members: [Int]) -> [String: Int] {
        var assignment: [String: Int] = [:]
        for part in parts { assignment[part] = MarketParts.holder(of: part, members: members) }
        return rebalance(assignment, members: members)
    }

    /// The holder of `part`, seen for the first time, given the parts already held; nil without members.
    public static func newcomer(_ part: String, assignment: [String: Int], members: [Int]) -> Int? {
        var counts = Counts(members: members)
        for holder in assignment.values { counts.add(holder) }
        return counts.emptiest(for: part)
    }

    /// The assignment after the members became `members`.
    public static func rebalance(_ assignment: [String: Int], members: [Int]) -> [String: Int] {
        var counts = Counts(members: members)
        guard !counts.members.isEmpty else { return assignment }
        var next = assignment.filter { counts.contains($0.value) }
        for holder in next.values { counts.add(holder) }
        for part in assignment.keys.sorted() where next[part] == nil {
            let holder = counts.emptiest(for: part)!
            next[part] = holder
            counts.add(holder)
        }
        var byHolder = Dictionary(grouping: next.keys, by: { next[$0]! })
        while let fullest = counts.fullest(), let emptiest = counts.emptiest(), counts[fullest] - counts[emptiest] > 1 {
            // The part that would rather be with the emptiest member, by rendezvous weight.
            let candidates = byHolder[fullest] ?? []
            let part = candidates.max { (MarketParts.weight($0, emptiest), $1) < (MarketParts.weight($1, emptiest), $0) }!
            byHolder[fullest]?.removeAll { $0 == part }
            byHolder[emptiest, default: []].append(part)
            next[part] = emptiest
            counts.move(from: fullest, to: emptiest)
        }
        return next
    }

    /// Parts held per member.
    private struct Counts {
        let members: [Int]
        private var counts: [Int: Int]

        init(members: [Int]) {
            self.members = Array(Set(members)).sorted()
            counts = Dictionary(uniqueKeysWithValues: self.members.map { ($0, 0) })
        }

        subscript(member: Int) -> Int { counts[member] ?? 0 }
        func contains(_ member: Int) -> Bool { counts[member] != nil }
        mutating func add(_ member: Int) { if counts[member] != nil { counts[member]! += 1 } }
        mutating func move(from: Int, to: Int) {
            counts[from]! -= 1
            counts[to]! += 1
        }

        /// The member with the most parts (the lowest number among equals).
        func fullest() -> Int? { members.min { (-self[$0], $0) < (-self[$1], $1) } }
        /// The member with the fewest parts (the lowest number among equals).
        func emptiest() -> Int? { members.min { (self[$0], $0) < (self[$1], $1) } }
        /// Among the members with the fewest parts, the one rendezvous hashing prefers for `part`.
        func emptiest(for part: String) -> Int? {
            guard let fewest = members.map({ self[$0] }).min() else { return nil }
            return MarketParts.holder(of: part, members: members.filter { self[$0] == fewest })
        }
    }
}
