/// What an account may do. One account can hold several roles.
public enum Role: String, Codable, Sendable, CaseIterable, Comparable {
    case customer
    case merchant
    case beneficiary
    case collector
    case association
    case municipality
    case admin

    /// Roles a person may take at sign-up. The others are granted: `beneficiary` by a verification
    /// from an association or an admin, `association`, `municipality` and `admin` by an admin.
    public static let selfAssignable: Set<Role> = [.customer, .merchant, .collector]

    /// Roles an admin may grant directly (`beneficiary` only comes from a verification).
    public static let grantable: Set<Role> = Set(allCases).subtracting([.beneficiary])

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rawValue < rhs.rawValue }
}
