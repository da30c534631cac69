import Foundation

/// One fuzz target: a parser of hostile input and the properties it must keep for any input.
/// A target fails by trapping (`FuzzCheck.require`), which libFuzzer reports as a crash.
struct FuzzTarget: Sendable {
    let name: String
    let about: String
    let run: @Sendable (Data) -> Void
}

/// Every target, by the name `fuzz` takes and the corpus folder `Tests/Fuzz/Corpus/<name>`.
enum FuzzTargets {
    static let all: [FuzzTarget] = [
        BusFrameTarget.target, ReplayRequestTarget.target, LERCodeTarget.target,
        Open311FormTarget.target, TerritoryTarget.target, PickupTokenTarget.target,
    ]

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}

/// Property checks inside targets: a broken property is a crash with its reason, like any other finding.
enum FuzzCheck {
    static func require(_ condition: @autoclosure () -> Bool, _ reason: @autoclosure () -> String) {
        if !condition() { fatalError("property broken: \(reason())") }
    }
}
