import EcoBus
import EcoModel
import IngestService
import Testing

@Suite("ReportStatusRules: how a report moves")
struct ReportStatusRulesTests {
    func code(_ from: ReportStatus, _ to: ReportStatus, reason: String? = nil, admin: Bool = false) -> String? {
        do {
            _ = try ReportStatusRules.check(from: from, to: to, reason: reason, isAdmin: admin)
            return nil
        } catch {
            return error.field ?? error.code
        }
    }

    @Test("forward, steps may be skipped; closing needs a reason; only an admin reopens")
    func transitions() {
        #expect(code(.open, .acknowledged) == nil)
        #expect(code(.open, .inProgress) == nil)
        #expect(code(.acknowledged, .inProgress) == nil)
        #expect(code(.inProgress, .closed) == "reason")
        #expect(code(.inProgress, .closed, reason: "  ") == "reason")
        #expect(code(.inProgress, .closed, reason: "cleared on 12 May") == nil)
        #expect(code(.inProgress, .acknowledged) == "conflict", "never backwards")
        #expect(code(.acknowledged, .acknowledged) == "conflict")
        #expect(code(.closed, .open) == "conflict", "an authority does not reopen")
        #expect(code(.closed, .open, admin: true) == nil)
        #expect(code(.closed, .inProgress, admin: true) == "conflict", "reopening goes back to open")
        #expect(code(.open, .closed, reason: String(repeating: "x", count: 501)) == "reason")
    }
}
