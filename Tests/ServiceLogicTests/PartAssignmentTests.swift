import EcoModel
import Testing

@Suite("PartAssignment: market parts held sticky and balanced")
struct PartAssignmentTests {
    static let parts = (0..<6).flatMap { row in (0..<6).map { "\(87 + row):\(10 + $0)" } }

    static func newcomers(_ parts: [String], members: [Int]) -> [String: Int] {
        parts.reduce(into: [:]) { assignment, part in assignment[part] = PartAssignment.newcomer(part, assignment: assignment, members: members) }
    }

    static func counts(_ assignment: [String: Int]) -> [Int: Int] {
        assignment.values.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    @Test("parts seen one by one are spread evenly: 18 and 18 over two members, 9 each over four")
    func newcomersBalance() {
        #expect(Self.counts(Self.newcomers(Self.parts, members: [0, 1])) == [0: 18, 1: 18])
        #expect(Self.counts(Self.newcomers(Self.parts, members: [0, 1, 2, 3])) == [0: 9, 1: 9, 2: 9, 3: 9])
        #expect(PartAssignment.newcomer("1:1", assignment: [:], members: []) == nil)
    }

    @Test("a member joining takes only what balances it, from the others; a member leaving gives only its own")
    func joinAndLeave() {
        let two = Self.newcomers(Self.parts, members: [0, 1])
        let three = PartAssignment.rebalance(two, members: [0, 1, 2])
        #expect(Self.counts(three) == [0: 12, 1: 12, 2: 12])
        #expect(three.filter { two[$0.key] != $0.value }.allSatisfy { $0.value == 2 }, "parts move only to the new member")
        let back = PartAssignment.rebalance(three, members: [0, 2])
        #expect(Self.counts(back) == [0: 18, 2: 18])
        #expect(back.filter { three[$0.key] != $0.value }.allSatisfy { three[$0.key] == 1 }, "only the leaver's parts move")
    }

    @Test("the result depends on the assignment and the members only, not on their order")
    func deterministic() {
        let two = Self.newcomers(Self.parts, members: [1, 0])
        #expect(two == Self.newcomers(Self.parts, members: [0, 1, 1]))
        #expect(PartAssignment.rebalance(two, members: [3, 0, 2]) == PartAssignment.rebalance(two, members: [0, 2, 3]))
        #expect(PartAssignment.rebalance(two, members: []) == two, "no members: nothing moves")
    }

    @Test("on random assignments and members: all held by members, balanced within one part, and a live member gives only above its share")
    func randomChanges() {
        var random = SplitMix64(seed: 16)
        for _ in 0..<300 {
            let parts = Array(Self.parts.prefix(Int.random(in: 1...Self.parts.count, using: &random)))
            let before = Dictionary(uniqueKeysWithValues: parts.map { ($0, Int.random(in: 0..<5, using: &random)) })
            let members = Array(Set((0..<Int.random(in: 1...5, using: &random)).map { _ in Int.random(in: 0..<6, using: &random) }))
            let after = PartAssignment.rebalance(before, members: members)
            #expect(Set(after.keys) == Set(parts))
            #expect(after.values.allSatisfy(members.contains))
            let counts = members.map { member in after.values.filter { $0 == member }.count }
            #expect(counts.max()! - counts.min()! <= 1, "\(counts)")
            let share = parts.count / members.count
            let beforeCounts = Self.counts(before)
            for (part, holder) in after where before[part] != holder && members.contains(before[part]!) {
                #expect(beforeCounts[before[part]!, default: 0] > share, "part \(part) left a member that held no more than its share")
            }
        }
    }
}

@Suite("PartAssignment: the first tick's assignment")
struct PartInitialAssignmentTests {
    @Test("it depends on the parts and members alone, is balanced, and differs from rendezvous only where balance needs it")
    func initial() {
        let parts = PartAssignmentTests.parts
        let first = PartAssignment.initial(parts, members: [0, 1])
        #expect(first == PartAssignment.initial(parts.reversed(), members: [1, 0]))
        #expect(PartAssignmentTests.counts(first) == [0: 18, 1: 18])
        let rendezvous = parts.filter { MarketParts.holder(of: $0, members: [0, 1]) != first[$0] }
        let imbalance = abs(parts.filter { MarketParts.holder(of: $0, members: [0, 1]) == 0 }.count - 18)
        #expect(rendezvous.count == imbalance, "only the parts that balance the members move from their rendezvous holder")
    }
}
