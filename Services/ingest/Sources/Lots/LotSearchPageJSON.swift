import EcoBus
import EcoModel
import Foundation

/// Writes the JSON of a `LotRequests.SearchPage` around lots' stored JSON bodies, which go in as
/// they are: a page of lots near a point decodes and encodes no lot (docs/benchmarks.md, "Gateway").
/// A body is what `LotStore` encoded with `EventCodec.encoder`, so it is one JSON object.
struct LotSearchPageJSON {
    private var bytes = Data(#"{"items":["#.utf8)
    private var count = 0

    /// Adds one hit: `lot` is the lot's stored JSON body.
    mutating func append(lot: Data, distanceKm: Double, basketsLeft: Int) {
        if count > 0 { bytes.append(UInt8(ascii: ",")) }
        count += 1
        // A distance is finite; Swift writes it in a form JSON reads (e.g. 1.25, 3e-05).
        bytes.append(contentsOf: #"{"basketsLeft":\#(basketsLeft),"distanceKm":\#(distanceKm.isFinite ? distanceKm : 0),"lot":"#.utf8)
        bytes.append(lot)
        bytes.append(UInt8(ascii: "}"))
    }

    /// The page, closed with its cursor to the next one; the last page has no `nextCursor` member,
    /// as an encoder leaves out a nil (the API's document gives it as a string, never null).
    mutating func finish(nextCursor: String?) throws -> Data {
        bytes.append(UInt8(ascii: "]"))
        if let nextCursor {
            bytes.append(contentsOf: #","nextCursor":"#.utf8)
            bytes.append(try EventCodec.encoder.encode(nextCursor))
        }
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }
}
