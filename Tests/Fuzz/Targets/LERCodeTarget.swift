import EcoWaste
import Foundation

/// The List of Waste code parser, on any text a company types. Accepted codes are six ASCII digits
/// of the shipped list, and the hazardous flag comes from the list, never from the text.
enum LERCodeTarget {
    /// The target, as `FuzzTargets.all` lists it.
    static let target = FuzzTarget(name: "ler-code", about: "List of Waste codes (LERCatalogue.entry)") { data in
        let text = String(decoding: data, as: UTF8.self)
        let catalogue = LERCatalogue.shipped
        guard let entry = try? catalogue.entry(for: text) else { return }
        FuzzCheck.require(entry.code.count == 6 && entry.code.utf8.allSatisfy { (0x30...0x39).contains($0) }, "an accepted code is six ASCII digits")
        FuzzCheck.require(catalogue.entries[entry.code] == entry, "an accepted code is an entry of the shipped list")
        FuzzCheck.require((try? catalogue.entry(for: entry.display)) == entry, "an entry's display form reads back as the same entry")
        FuzzCheck.require(!text.contains("*") || entry.hazardous, "a starred code is hazardous")
    }
}
