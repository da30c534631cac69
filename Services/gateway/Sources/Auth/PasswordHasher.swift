import Dispatch
import HummingbirdBcrypt

/// Hashes and checks passwords. Routes depend on the protocol; tests may use a cheap cost.
public protocol PasswordHasher: Sendable {
    func hash(_ password: String) async -> String
    func verify(_ password: String, hash: String) async -> Bool
}

/// bcrypt (HummingbirdBcrypt), run on a global dispatch queue so that its deliberate slowness never
/// holds one of the few threads that serve requests.
public struct BcryptPasswordHasher: PasswordHasher {
    public static let defaultCost: UInt8 = 12
    /// The lowest cost a deployment may use, and the highest.
    public static let costFloor = 12
    public static let costCeiling = 16
    /// The lowest cost a test deployment may use (`--weak-bcrypt-for-tests`).
    public static let testCostFloor = 4

    public let cost: UInt8

    public init(cost: UInt8 = BcryptPasswordHasher.defaultCost) {
        self.cost = cost
    }

    public func hash(_ password: String) async -> String {
        let cost = self.cost
        return await offload { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async -> Bool {
        await offload { Bcrypt.verify(password, hash: hash) }
    }

    private func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(returning: work()) }
        }
    }
}
