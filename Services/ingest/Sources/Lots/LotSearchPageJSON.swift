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

    /// The page, closed with its cursor to the next one (null on the last).
    mutating func finish(nextCursor: String?) throws -> Data {
        bytes.append(contentsOf: #"],"nextCursor":"#.utf8)
        bytes.append(try nextCursor.map { try EventCodec.encoder.encode($0) } ?? Data("null".utf8))
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }
}
