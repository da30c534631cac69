import EcoQRCode
import Foundation
import Testing

/// QR codes are checked the way people use them: a standard reader (zbarimg, from Debian's
/// zbar-tools) must read back exactly what was encoded, at every supported version.
@Suite("QR codes read back by a standard reader")
struct QRCodeTests {
    static let zbarimg = ["/usr/bin/zbarimg", "/usr/local/bin/zbarimg"].first { FileManager.default.isExecutableFile(atPath: $0) }

    func decode(_ bytes: [UInt8], suffix: String) throws -> String {
        let zbarimg = try #require(Self.zbarimg, "zbarimg is missing: scripts/install-deps.sh installs zbar-tools")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString).\(suffix)")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: zbarimg)
        process.arguments = ["--raw", "-q", "-Sbinary", file.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "zbarimg could not read the image")
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    @Test("every version from 1 to 10 encodes and a reader decodes it back", arguments: [1, 10, 20, 30, 50, 62, 80, 100, 120, 150, 180, 213])
    func roundTrip(length: Int) throws {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
        var generator = SystemRandomNumberGenerator()
        let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
        let code = try QRCode(text: text)
        #expect(code.size == 17 + 4 * code.version)
        #expect(try decode(code.png(scale: 4), suffix: "png") == text, "version \(code.version)")
    }

    @Test("a pickup token decodes from PNG; the SVG has the same modules")
    func pickupToken() throws {
        let token = "5b0e8f8e-2f4c-4a9e-9c3e-7f1d2a3b4c5d.kJ3mX9_aQ2-pL7vR1tY8zW"
        let code = try QRCode(text: token)
        #expect(try decode(code.png(), suffix: "png") == token)
        let svg = code.svg()
        #expect(svg.hasPrefix("<?xml"))
        let squares = svg.components(separatedBy: "h1v1h-1z").count - 1
        #expect(squares == code.modules.joined().filter { $0 }.count)
    }

    @Test("finder patterns sit in three corners, and text beyond capacity is refused")
    func structure() throws {
        let code = try QRCode(text: "hello")
        #expect(code.version == 1)
        for (x, y) in [(0, 0), (code.size - 7, 0), (0, code.size - 7)] {
            #expect(code.modules[y][x] && code.modules[y + 6][x + 6] && code.modules[y + 3][x + 3])
            #expect(!code.modules[y + 1][x + 1])
        }
        #expect(throws: QRCode.EncodingError.tooLong(bytes: 300, maximum: QRCode.maximumBytes)) {
            try QRCode(bytes: Array(repeating: 65, count: 300))
        }
    }
}
