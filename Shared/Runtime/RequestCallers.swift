import EcoBus
import EcoConfig
import EcoModel

/// Who may ask the bus requests that are not every process's business, once the bus is secured
/// (CURVE names each sender; on plain TCP nobody is named and nothing here applies). A kind not
/// listed is open to every process of the deployment; subscriber keys are narrower still
/// (`BusSecurity.admission`).
public enum RequestCallers {
    /// One who asks: the operator's command line (`ecoresupply …`), or a process of one service.
    public enum Caller: Hashable, Sendable {
        case commandLine
        case service(ServiceKind)
    }

    /// The kinds with a closed list of callers. A new kind that only the command line, or only one
    /// service, may ask is added here.
    public static let allowed: [String: Set<Caller>] = [
        KeyRequests.rotate: [.commandLine],
        LotReleaseRequests.release: [.commandLine],
        PickupRequests.unlockCodes: [.commandLine],
        PickupRequests.deliveryCode: [.service(.matcher)],
        PickupRequests.checkDelivery: [.service(.matcher)],
    ]

    /// Who `sender` (a CURVE identity: `cli`, `matcher-1`, …) is; nil for any other name.
    static func caller(named sender: String) -> Caller? {
        if sender == BusKeyDirectory.cliName { return .commandLine }
        return ServiceInstance(name: sender).map { .service($0.kind) }
    }

    /// nil when `sender` may ask `kind`; otherwise the refusal, which names who may.
    public static func refusal(of kind: String, from sender: String) -> RemoteError? {
        guard let callers = allowed[kind] else { return nil }
        if let caller = caller(named: sender), callers.contains(caller) { return nil }
        let who = callers.map { caller -> String in
            switch caller {
            case .commandLine: "the operator's command line"
            case .service(let kind): "the \(kind.rawValue) service"
            }
        }.sorted().joined(separator: " or ")
        return .forbidden("only \(who) may ask \(kind)")
    }
}
