/// Why the account store refused an operation.
public enum AccountStoreError: Error, Equatable, CustomStringConvertible {
    case emailTaken
    case notFound(String)
    case alreadyMember
    case lastOwner
    case invalidCursor

    public var description: String {
        switch self {
        case .emailTaken: "an account with this email exists"
        case .notFound(let what): "\(what) not found"
        case .alreadyMember: "already a member"
        case .lastOwner: "an organisation keeps at least one owner"
        case .invalidCursor: "cursor is not one this API gave"
        }
    }
}
