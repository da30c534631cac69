/// A QR code (ISO/IEC 18004) in byte mode at error correction level M, versions 1 to 10 (up to
/// 213 bytes): enough for pickup tokens. No listed library makes QR codes, so this one is written
/// here, after the standard's algorithm: Reed–Solomon blocks, function patterns, zigzag placement,
/// and the mask with the lowest penalty.
public struct QRCode: Sendable, Equatable {
    /// Modules per side: 17 + 4 × version.
    public let size: Int
    public let version: Int
    /// `modules[y][x]`: true is dark.
    public let modules: [[Bool]]

    public enum EncodingError: Error, Equatable {
        case tooLong(bytes: Int, maximum: Int)
    }

    // Level M, per version 1…10: error correction codewords per block, number of blocks, total codewords.
    static let eccPerBlock = [10, 16, 26, 18, 24, 16, 18, 22, 22, 26]
    static let blockCount = [1, 1, 1, 2, 2, 4, 4, 4, 5, 5]
    static let totalCodewords = [26, 44, 70, 100, 134, 172, 196, 242, 292, 346]
    static let alignmentPositions: [[Int]] = [[], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]]

    static func dataCodewords(_ version: Int) -> Int {
        totalCodewords[version - 1] - eccPerBlock[version - 1] * blockCount[version - 1]
    }

    /// The largest byte string the supported versions hold.
    public static let maximumBytes = dataCodewords(10) - 3

    public init(bytes: [UInt8]) throws(EncodingError) {
        // Mode (4 bits) + count (8 bits up to version 9, 16 from 10) + data.
        guard let version = (1...10).first(where: { version in
            let countBits = version < 10 ? 8 : 16
            return 4 + countBits + bytes.count * 8 <= Self.dataCodewords(version) * 8
        }) else { throw .tooLong(bytes: bytes.count, maximum: Self.maximumBytes) }
        self.version = version
        size = 17 + 4 * version

        var bits = BitBuffer()
        bits.append(0b0100, count: 4)
        bits.append(bytes.count, count: version < 10 ? 8 : 16)
        for byte in bytes { bits.append(Int(byte), count: 8) }
        let capacity = Self.dataCodewords(version) * 8
        bits.append(0, count: min(4, capacity - bits.count))
        bits.append(0, count: (8 - bits.count % 8) % 8)
        var data = bits.bytes
        var pad: UInt8 = 0xEC
        while data.count < Self.dataCodewords(version) {
            data.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        let codewords = Self.interleave(data, version: version)

        var grid = ModuleGrid(size: size)
        grid.drawFunctionPatterns(version: version, alignment: Self.alignmentPositions[version - 1])
        grid.placeData(codewords)
        var best: [[Bool]] = []
        var bestPenalty = Int.max
        for mask in 0..<8 {
            var candidate = grid
            candidate.applyMask(mask)
            candidate.drawFormatBits(mask: mask)
            let penalty = candidate.penalty()
            if penalty < bestPenalty {
                bestPenalty = penalty
                best = candidate.modules
            }
        }
        modules = best
    }

    public init(text: String) throws(EncodingError) {
        try self.init(bytes: Array(text.utf8))
    }

    /// Splits the data into blocks, appends each block's Reed–Solomon codewords, and interleaves.
    static func interleave(_ data: [UInt8], version: Int) -> [UInt8] {
        let blocks = blockCount[version - 1], ecc = eccPerBlock[version - 1]
        let raw = totalCodewords[version - 1]
        let shortBlocks = blocks - raw % blocks
        let shortLength = raw / blocks
        let divisor = ReedSolomon.divisor(degree: ecc)
        var split: [[UInt8]] = []
        var offset = 0
        for index in 0..<blocks {
            let length = shortLength - ecc + (index < shortBlocks ? 0 : 1)
            var block = Array(data[offset..<offset + length])
            offset += length
            let parity = ReedSolomon.remainder(block, divisor: divisor)
            if index < shortBlocks { block.append(0) }  // placeholder, skipped below
            split.append(block + parity)
        }
        var result: [UInt8] = []
        for i in 0..<split[0].count {
            for (j, block) in split.enumerated() where i != shortLength - ecc || j >= shortBlocks {
                result.append(block[i])
            }
        }
        return result
    }
}

/// Bits appended most significant first.
struct BitBuffer {
    private(set) var bits: [Bool] = []
    var count: Int { bits.count }

    mutating func append(_ value: Int, count: Int) {
        for shift in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> shift) & 1 == 1) }
    }

    var bytes: [UInt8] {
        stride(from: 0, to: bits.count, by: 8).map { start in
            (0..<8).reduce(UInt8(0)) { byte, i in byte << 1 | (start + i < bits.count && bits[start + i] ? 1 : 0) }
        }
    }
}

/// Reed–Solomon over GF(2^8) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1.
enum ReedSolomon {
    static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var z = 0
        for i in stride(from: 7, through: 0, by: -1) {
            z = (z << 1) ^ ((z >> 7) * 0x11D)
            z ^= ((Int(y) >> i) & 1) * Int(x)
        }
        return UInt8(z & 0xFF)
    }

    static func divisor(degree: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: degree)
        result[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            for j in 0..<degree {
                result[j] = multiply(result[j], root)
                if j + 1 < degree { result[j] ^= result[j + 1] }
            }
            root = multiply(root, 0x02)
        }
        return result
    }

    static func remainder(_ data: [UInt8], divisor: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: divisor.count)
        for byte in data {
            let factor = byte ^ result.removeFirst()
            result.append(0)
            for i in 0..<result.count { result[i] ^= multiply(divisor[i], factor) }
        }
        return result
    }
}
