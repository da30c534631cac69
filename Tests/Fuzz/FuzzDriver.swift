import Foundation

/// Runs a target under libFuzzer (`-DFUZZING`, scripts/fuzz.sh) or over corpus files (any other build).
enum FuzzDriver {
    /// The target libFuzzer's C callback calls; set once before the driver starts.
    nonisolated(unsafe) static var current: FuzzTarget?

    static func run(_ target: FuzzTarget, arguments: [String]) -> Int32 {
        current = target
        #if FUZZING
        return libFuzzer(arguments)
        #else
        return replay(arguments.dropFirst().map { URL(fileURLWithPath: $0) }, target)
        #endif
    }

    /// Replays every file given, and every file inside every folder given; prints how many ran.
    static func replay(_ paths: [URL], _ target: FuzzTarget) -> Int32 {
        var count = 0
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isFolder) else {
                FileHandle.standardError.write(Data("fuzz: \(path.path) does not exist\n".utf8))
                return 66
            }
            let files = isFolder.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(at: path, includingPropertiesForKeys: nil)) ?? []).sorted { $0.path < $1.path }
                : [path]
            for file in files {
                guard let data = try? Data(contentsOf: file) else { continue }
                target.run(data)
                count += 1
            }
        }
        print("fuzz \(target.name): replayed \(count) inputs, no failure")
        return 0
    }

    #if FUZZING
    private static func libFuzzer(_ arguments: [String]) -> Int32 {
        var argc = Int32(arguments.count)
        var cStrings: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        return cStrings.withUnsafeMutableBufferPointer { buffer in
            var argv = buffer.baseAddress
            return LLVMFuzzerRunDriver(&argc, &argv) { bytes, size in
                let data = size == 0 ? Data() : Data(bytes: bytes!, count: size)
                FuzzDriver.current!.run(data)
                return 0
            }
        }
    }
    #endif
}

#if FUZZING
/// libFuzzer's entry point for programs that keep their own `main` (libclang_rt.fuzzer_no_main).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32
#endif
