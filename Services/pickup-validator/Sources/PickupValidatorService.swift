import EcoRuntime
import EcoStore

/// The pickup validator: issues and checks pickup codes (QR token + PIN) and enforces beneficiary quotas.
public enum PickupValidatorService {
    /// Named migrations of this service's own tables, in order. Never edit one that has shipped.
    public static let migrations: [Migration] = []

    /// The handlers, request handlers and services this process adds to the common runtime.
    public static func parts(runtime: ServiceRuntime) -> ServiceParts {
        ServiceParts()
    }
}
