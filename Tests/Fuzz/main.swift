import Foundation

// `fuzz <target> [arguments…]`: one executable for every fuzz target (see docs/reliability.md).
// Built with scripts/fuzz.sh it runs libFuzzer with the arguments; in an ordinary build it replays
// the files and folders it is given, so the committed corpora run in every test run.
//
// libFuzzer runs itself again for some modes (`-merge=1`, `-fork`), with its own arguments only:
// the target's name travels to those runs in the environment.

let targetVariable = "ECORESUPPLY_FUZZ_TARGET"
let arguments = CommandLine.arguments
let named = arguments.count >= 2 ? FuzzTargets.named(arguments[1]) : nil
guard let target = named ?? ProcessInfo.processInfo.environment[targetVariable].flatMap(FuzzTargets.named) else {
    let names = FuzzTargets.all.map { "  \($0.name)  \($0.about)" }.joined(separator: "\n")
    FileHandle.standardError.write(Data("usage: fuzz <target> [libFuzzer arguments | corpus files and folders]\ntargets:\n\(names)\n".utf8))
    exit(64)
}
setenv(targetVariable, target.name, 1)
exit(FuzzDriver.run(target, arguments: [arguments[0]] + arguments.dropFirst(named == nil ? 1 : 2)))
