import GatewayService
import Testing

@Suite("Password rules")
struct CredentialRulesTests {
    @Test("12 characters at least, 72 bytes at most, and not a common password, each refusal naming the field")
    func passwords() throws {
        #expect(try CredentialRules.password("four unrelated words") == "four unrelated words")
        for weak in ["eleven char", "password1234", "Qwertyuiop123!", "1qaz2wsx3edc", "!!iloveyou2024!!", "aaaaaaaaaaaaaaaa", "abababababababab"] {
            #expect(throws: APIError.self, "\(weak)") { try CredentialRules.password(weak, field: "newPassword") }
            do {
                _ = try CredentialRules.password(weak, field: "newPassword")
            } catch {
                #expect(error.body.field == "newPassword")
            }
        }
        #expect(throws: APIError.self) { try CredentialRules.password(String(repeating: "é", count: 40)) }
    }

    @Test("the shipped list is loaded and large")
    func shippedList() {
        #expect(CommonPasswords.shipped.isCommon("sunshine1234"))
        #expect(!CommonPasswords.shipped.isCommon("violet tram umbrella"))
    }
}
