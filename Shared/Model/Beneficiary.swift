import Foundation

/// `beneficiary.verified`: an association or an admin verified a person as a beneficiary until a
/// date. No evidence document is kept anywhere: only who verified, when, and until when.
public struct BeneficiaryVerified: Codable, Sendable, Equatable {
    public static let topic = "beneficiary.verified"

    public var accountID: String
    /// `YYYY-BEN-XXXXX`: the year of verification and five random characters.
    public var code: String
    public var verifiedBy: String
    public var verifiedAt: Date
    public var validUntil: Date

    public init(accountID: String, code: String, verifiedBy: String, verifiedAt: Date, validUntil: Date) {
        self.accountID = accountID
        self.code = code
        self.verifiedBy = verifiedBy
        self.verifiedAt = verifiedAt
        self.validUntil = validUntil
    }

    /// JSON says `accountId`, as every other payload; events stored before said `accountID`, and still decode.
    enum CodingKeys: String, CodingKey {
        case accountId, code, verifiedBy, verifiedAt, validUntil
        case legacyAccountID = "accountID"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        accountID = try container.decodeIfPresent(String.self, forKey: .accountId) ?? container.decode(String.self, forKey: .legacyAccountID)
        code = try container.decode(String.self, forKey: .code)
        verifiedBy = try container.decode(String.self, forKey: .verifiedBy)
        verifiedAt = try container.decode(Date.self, forKey: .verifiedAt)
        validUntil = try container.decode(Date.self, forKey: .validUntil)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(accountID, forKey: .accountId)
        try container.encode(code, forKey: .code)
        try container.encode(verifiedBy, forKey: .verifiedBy)
        try container.encode(verifiedAt, forKey: .verifiedAt)
        try container.encode(validUntil, forKey: .validUntil)
    }
}

/// The pickup validator's bus request to verify a beneficiary (request kind `beneficiary.verify`).
public struct VerifyBeneficiaryCommand: Codable, Sendable, Equatable {
    public static let kind = "beneficiary.verify"
    /// How far ahead a verification may run (the pickup validator enforces it).
    public static let maximumValidityDays = 400

    public var accountID: String
    public var verifiedBy: String
    public var validUntil: Date

    public init(accountID: String, verifiedBy: String, validUntil: Date) {
        self.accountID = accountID
        self.verifiedBy = verifiedBy
        self.validUntil = validUntil
    }
}
