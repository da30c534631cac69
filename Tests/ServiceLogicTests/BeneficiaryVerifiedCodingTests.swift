import EcoBus
import EcoModel
import Foundation
import Testing

@Suite("beneficiary.verified says accountId, and events stored with accountID still decode")
struct BeneficiaryVerifiedCodingTests {
    @Test("encodes accountId; decodes accountId or the legacy accountID")
    func coding() throws {
        let verified = BeneficiaryVerified(
            accountID: "a1", code: "2026-BEN-ABCDE", verifiedBy: "assoc", verifiedAt: Date(timeIntervalSince1970: 1_800_000_000),
            validUntil: Date(timeIntervalSince1970: 1_810_000_000))
        let json = try #require(try JSONSerialization.jsonObject(with: EventCodec.encoder.encode(verified)) as? [String: Any])
        #expect(json["accountId"] as? String == "a1" && json["accountID"] == nil)
        let legacy = #"{"accountID":"a1","code":"2026-BEN-ABCDE","verifiedBy":"assoc","verifiedAt":"2027-01-15T08:00:00.000Z","validUntil":"2027-05-11T01:46:40.000Z"}"#
        let decoded = try EventCodec.decoder.decode(BeneficiaryVerified.self, from: Data(legacy.utf8))
        #expect(decoded.accountID == "a1" && decoded.code == "2026-BEN-ABCDE")
        #expect(try EventCodec.decoder.decode(BeneficiaryVerified.self, from: EventCodec.encoder.encode(verified)) == verified)
    }
}
