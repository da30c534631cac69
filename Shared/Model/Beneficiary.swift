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
}

/// The pickup validator's bus request to verify a beneficiary (request kind `beneficiary.verify`).
public struct VerifyBeneficiaryCommand: Codable, Sendable, Equatable {
    public static let kind = "beneficiary.verify"

    public var accountID: String
    public var verifiedBy: String
    public var validUntil: Date

    public init(accountID: String, verifiedBy: String, validUntil: Date) {
        self.accountID = accountID
        self.verifiedBy = verifiedBy
        self.validUntil = validUntil
    }
}
