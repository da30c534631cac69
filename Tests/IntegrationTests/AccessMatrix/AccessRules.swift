/// What each `x-roles` entry of the OpenAPI document means for the matrix's identities, given the
/// resources `MatrixWorld` fills the paths with. An entry this table does not know fails the test,
/// so that a new kind of access is defined here when it is documented.
enum AccessRules {
    typealias Identity = MatrixWorld.Identity

    /// Who an entry admits; whether it is about the path's resource (then an admitted identity never
    /// gets 404: the resource exists and is theirs); whether refusing it hides the resource (404, so
    /// that the answer does not tell that it exists) rather than saying 403; and, for
    /// "role (relation)" entries, the role that is checked first (those without it may get 403).
    struct Rule {
        let admits: Set<Identity>
        var resource = false
        var hides = false
        var role: Set<Identity> = []
        /// Those it refuses who may see the resource anyway: they are told 403.
        var knownTo: Set<Identity> = []
    }

    static let signedIn = Set(Identity.allCases).subtracting([.anonymous])
    static let merchants: Set<Identity> = [.merchant, .otherMerchant]

    static let rules: [String: Rule] = [
        "public": Rule(admits: Set(Identity.allCases)),
        "any signed-in account": Rule(admits: signedIn),
        "any signed-in account (its own)": Rule(admits: signedIn),
        "admin": Rule(admits: [.admin]),
        "admin (for any account)": Rule(admits: [.admin]),
        "customer": Rule(admits: [.customer, .beneficiary, .association, .municipality]),
        "beneficiary": Rule(admits: [.beneficiary]),
        "merchant": Rule(admits: merchants),
        "collector": Rule(admits: [.collector]),
        "association": Rule(admits: [.association]),
        "municipality": Rule(admits: [.municipality]),
        // Open311 filing takes an API key; nobody in the matrix signs in with one.
        "api-key": Rule(admits: []),
        "authority": Rule(admits: [.municipality], resource: true),
        "the taker": Rule(admits: [.customer], resource: true, hides: true),
        "the lot's merchant or organisation": Rule(admits: [.merchant], resource: true, hides: true),
        // Lots are public and listings visible to every signed-in account: refusing says 403.
        "merchant (its own or its organisation's)": Rule(admits: [.merchant], resource: true),
        // Another merchant's lot is hidden (404); the merchant role is checked first (403 without it).
        "merchant (the lot's own, or a member of its organisation)": Rule(admits: [.merchant], resource: true, hides: true, role: merchants),
        "merchant (the listing's publisher, or a member of its organisation)": Rule(admits: [.merchant], resource: true),
        // Which reservation is in the body: with an empty body, any merchant gets past the check.
        "merchant (the reservation's, or a member of its organisation)": Rule(admits: merchants),
        "the key's account": Rule(admits: [.merchant], resource: true, hides: true),
        // The matrix's association verified the person the path names; the role comes first (403 without it).
        "the association that verified the person": Rule(admits: [.association], resource: true, hides: true, role: [.association]),
        "member of the organisation bound to the jurisdiction": Rule(admits: [.municipality], resource: true),
        "members of the organisation bound to the report's jurisdiction": Rule(admits: [.municipality], resource: true),
        "members of the organisation": Rule(admits: [.merchant], resource: true, hides: true),
        "owners of the organisation": Rule(admits: [.merchant], resource: true, hides: true),
        "the mission's association or collector": Rule(admits: [.association, .collector], resource: true, hides: true),
        "the mission's collector or association": Rule(admits: [.association, .collector], resource: true, hides: true),
        // The mission's association sees its mission, so it is told 403 rather than 404.
        "the mission's collector": Rule(admits: [.collector], resource: true, hides: true, knownTo: [.association]),
        // The collector who accepted the mission sees it, so it is told 403 rather than 404.
        "the mission's association": Rule(admits: [.association], resource: true, hides: true, knownTo: [.collector]),
        // The matrix's mission was accepted before it runs: it no longer waits.
        "collectors while it waits": Rule(admits: [], resource: true, hides: true),
        "the proposal's giver or taker (or their organisations)": Rule(admits: [.merchant, .association], resource: true, hides: true),
    ]

    /// The statuses an identity may get from an operation documented with `roles`; nil when an
    /// entry is unknown.
    static func expected(_ roles: [String], for identity: Identity) -> Expectation? {
        let entries = roles.map { rules[$0] }
        guard entries.allSatisfy({ $0 != nil }) else { return nil }
        let known = entries.compactMap { $0 }
        if let admitting = known.first(where: { $0.admits.contains(identity) }) {
            return .admitted(ownResource: admitting.resource)
        }
        // Open311 answers a filing without its api_key 403, as the specification says.
        if identity == .anonymous { return .refused(roles == ["api-key"] ? [403] : [401]) }
        // An admin may read everything: refusing one what it may not do hides nothing.
        if identity == .admin { return .refused([403, 404]) }
        let hiding = known.filter(\.hides)
        guard !hiding.isEmpty else { return .refused([403]) }
        if hiding.contains(where: { $0.knownTo.contains(identity) }) { return .refused([403]) }
        let lacksRole = hiding.contains { !$0.role.isEmpty && !$0.role.contains(identity) }
        return .refused(lacksRole ? [403, 404] : [404])
    }

    /// The codes of a 401 or 403 that judge what the caller sent, not who the caller is.
    static let credentialRefusals: Set<String> = ["invalid_credentials", "invalid_refresh", "refresh_reused", "wrong_password"]

    static func refusesAccess(_ status: Int, code: String?) -> Bool {
        [401, 403].contains(status) && !(code.map(credentialRefusals.contains) ?? false)
    }

    enum Expectation: Equatable {
        /// Past the access check: neither 401 nor 403 (and not 404 when the resource is the identity's).
        case admitted(ownResource: Bool)
        case refused(Set<Int>)

        /// Whether a reply fits. An admitted caller may still be refused for what it sent (a wrong
        /// password, an unknown refresh token): those refusals have their own codes.
        func accepts(_ status: Int, code: String?) -> Bool {
            switch self {
            case .admitted(let own): status < 500 && !AccessRules.refusesAccess(status, code: code) && !(own && status == 404)
            case .refused(let statuses): statuses.contains(status)
            }
        }
    }
}
