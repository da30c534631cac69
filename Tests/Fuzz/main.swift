import Foundation

// `fuzz <target> [arguments…]`: one executable for every fuzz target (see docs/reliability.md).
// Built with scripts/fuzz.sh it runs libFuzzer with the arguments; in an ordinary build it replays
// the files and folders it is given, so the committed corpora run in every test run.

let arguments = CommandLine.arguments
guard arguments.count >= 2, let target = FuzzTargets.named(arguments[1]) else {
    let names = FuzzTargets.all.map { "  \($0.name)  \($0.about)" }.joined(separator: "\n")
    FileHandle.standardError.write(Data("usage: fuzz <target> [libFuzzer arguments | corpus files and folders]\ntargets:\n\(names)\n".utf8))
    exit(64)
}
exit(FuzzDriver.run(target, arguments: [arguments[0]] + arguments.dropFirst(2)))
