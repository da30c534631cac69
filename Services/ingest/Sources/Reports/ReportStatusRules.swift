import EcoBus
import EcoModel

/// How a report may move: its authority moves it forward (open → acknowledged → in_progress →
/// closed, steps may be skipped), closing needs a reason, and only an admin reopens a closed report.
public enum ReportStatusRules {
    public static let reasonLimit = 500

    static let order: [ReportStatus] = [.open, .acknowledged, .inProgress, .closed]

    /// Checks a change; returns the reason as it will be kept (trimmed, nil when empty).
    public static func check(from current: ReportStatus, to next: ReportStatus, reason: String?, isAdmin: Bool) throws(RemoteError) -> String? {
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        if let reason, reason.count > reasonLimit { throw .invalid("reason", "reason may have at most \(reasonLimit) characters") }
        guard next != current else { throw RemoteError(code: "conflict", message: "the report is already \(current.rawValue)") }
        if current == .closed {
            guard next == .open, isAdmin else {
                throw RemoteError(code: "conflict", message: "a closed report can only be reopened, by an admin")
            }
            return reason
        }
        guard let from = order.firstIndex(of: current), let to = order.firstIndex(of: next), to > from else {
            throw RemoteError(code: "conflict", message: "a report moves forward: open, acknowledged, in_progress, closed")
        }
        if next == .closed, reason == nil { throw .invalid("reason", "closing a report needs a reason") }
        return reason
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
