import EcoWaste
import Testing

@Suite("The European List of Waste shipped with the project")
struct LERCatalogueTests {
    let catalogue = LERCatalogue.shipped

    @Test("all 842 entries, 408 of them hazardous, in 20 chapters")
    func counts() {
        #expect(catalogue.entries.count == 842)
        #expect(catalogue.entries.values.filter(\.hazardous).count == 408)
        #expect(Set(catalogue.entries.values.map(\.chapter)).count == 20)
    }

    @Test("accepts 170504, 17 05 04 and 17 05 04* alike where the mark fits", arguments: ["170504", "17 05 04", " 17 05 04 "])
    func forms(text: String) throws {
        let entry = try catalogue.entry(for: text)
        #expect(entry.code == "170504" && !entry.hazardous && entry.display == "17 05 04")
        #expect(entry.chapter == "17" && entry.subChapter == "1705")
    }

    @Test("the hazardous flag comes from the list, not from the *")
    func hazardous() throws {
        let starred = try catalogue.entry(for: "17 05 03*")
        let plain = try catalogue.entry(for: "170503")
        #expect(starred.hazardous && plain.hazardous && plain.display == "17 05 03*")
        #expect(throws: LERCodeError.hazardMarkMismatch("17 05 04")) { try catalogue.entry(for: "17 05 04*") }
    }

    @Test("malformed and unknown codes are refused with their reason", arguments: ["", "17050", "1705044", "17-05-04", "abcdef", "١٧٠٥٠٤"])
    func malformed(text: String) {
        #expect(throws: LERCodeError.malformed(text)) { try catalogue.entry(for: text) }
    }

    @Test("a well-formed code that is not in the list is unknown")
    func unknown() {
        #expect(throws: LERCodeError.unknown("999999")) { try catalogue.entry(for: "99 99 99") }
    }
}
