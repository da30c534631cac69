import Foundation
import Synchronization

/// Caps how many reports one client files per hour, so that an open, anonymous form cannot flood
/// authorities: signed-in accounts and API keys (an app filing for many citizens) by account,
/// anonymous citizens by network address. Kept in memory: a restart forgets it.
public final class FilingRateLimit: Sendable {
    /// Who is filing: an account (session or API key) or, anonymously, an address.
    public enum Client: Hashable, Sendable {
        case account(String)
        case address(String)
    }

    public let perAccount: Int
    public let perAddress: Int
    public let window: TimeInterval
    private let filings = Mutex<[Client: [Date]]>([:])
    /// Clients remembered at most; past it, the oldest windows are forgotten first.
    static let maximumClients = 100_000

    public init(perAccount: Int, perAddress: Int, window: TimeInterval = 3600) {
        self.perAccount = perAccount
        self.perAddress = perAddress
        self.window = window
    }

    /// Counts a filing and returns nil when it is allowed; otherwise the seconds until the client may file again.
    public func admit(_ client: Client, now: Date = Date()) -> TimeInterval? {
        let limit: Int
        switch client {
        case .account: limit = perAccount
        case .address: limit = perAddress
        }
        let window = self.window
        return filings.withLock { filings in
            let recent = (filings[client] ?? []).filter { now.timeIntervalSince($0) < window }
            if recent.count >= limit, let oldest = recent.first {
                filings[client] = recent
                return max(1, window - now.timeIntervalSince(oldest))
            }
            if filings.count >= Self.maximumClients, filings[client] == nil {
                filings = filings.filter { $0.value.contains { now.timeIntervalSince($0) < window } }
                if filings.count >= Self.maximumClients { filings.removeAll() }
            }
            filings[client] = recent + [now]
            return nil
        }
    }
}
