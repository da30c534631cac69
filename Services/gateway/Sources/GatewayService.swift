import EcoBus
import EcoModel
import EcoConfig
import EcoRuntime
import EcoStore
import Logging
import Prometheus
import ServiceLifecycle

/// The gateway: HTTP in, bus commands and queries out. Owns accounts, sessions and API keys.
public enum GatewayService {
    /// The gateway's own tables, in order. Never edit one that has shipped.
    public static let migrations: [Migration] = GatewaySchema.migrations + ReservationIndex.migrations + MissionIndex.migrations
        + ErasureDesk.migrations + SigningSecret.migrations + VerificationCodes.migrations

    /// What the gateway holds about people (exported and erased with the other services').
    static let personalData: [any PersonalDataHolder] = [GatewayPersonalData()]

    public static func parts(runtime: ServiceRuntime, config: GatewayConfig, registry: PrometheusCollectorRegistry) async throws -> ServiceParts {
        let dependencies = try await GatewayDependencies.make(runtime: runtime, config: config)
        if let email = config.adminEmail, let password = config.adminPassword {
            try await AdminBootstrap.ensure(email: email, password: password, accounts: dependencies.store, hasher: dependencies.hasher, logger: runtime.logger)
        }
        return ServiceParts(
            handlers: [
                BeneficiaryProjection(), ReservationIndexProjection(), MissionIndexProjection(), ReportStreamWakeup(signal: dependencies.reportSignal),
                ErasureProgressProjection(), LotHolderProjection(directory: dependencies.lotHolders),
            ],
            requestHandlers: [KeyRequests.rotate: rotateSigningKey(dependencies.tokens, runtime: runtime)],
            services: [
                try buildApplication(runtime: runtime, config: config, registry: registry, dependencies: dependencies),
                ReportStreamCloser(signal: dependencies.reportSignal),
            ],
            personalData: personalData,
            retention: [SessionRetention(), AccountSnapshots(outbox: runtime.outbox)])
    }
}

extension GatewayService {
    /// `keys.rotate`: a newest signing key for access tokens (`ecoresupply keys rotate`).
    static func rotateSigningKey(_ tokens: TokenService, runtime: ServiceRuntime) -> RequestHandler {
        { _ in
            let (key, retiring) = try await tokens.rotate(runtime.database)
            runtime.logger.notice("token signing key rotated", metadata: ["key.id": "\(key.id)"])
            return [try EventCodec.encoder.encode(KeyRequests.Rotated(purpose: "access tokens", keyId: key.id, previousRetireAt: retiring))]
        }
    }
}

/// What the routes are built from: the stores behind their protocols, hashing and tokens.
public struct GatewayDependencies: Sendable {
    public let store: SQLiteAccountStore
    public let hasher: any PasswordHasher
    public let tokens: TokenService
    public let auth: AuthService
    public let lifecycle: AccountLifecycle
    public let erasures: ErasureDesk
    /// Wakes open report streams when report events arrive.
    public let reportSignal: ReportStreamSignal
    /// The matcher worker that holds each food lot, from ingest's ticks.
    public let lotHolders: LotHolderDirectory

    public static func make(runtime: ServiceRuntime, config: GatewayConfig) async throws -> GatewayDependencies {
        let store = SQLiteAccountStore(database: runtime.database, outbox: runtime.outbox)
        let hasher = BcryptPasswordHasher(cost: UInt8(config.bcryptCost))
        let tokens = await TokenService(keys: try SigningSecret.loadOrCreate(runtime.database))
        let throttle = LoginThrottle()
        let auth = await AuthService(accounts: store, sessions: store, hasher: hasher, tokens: tokens, throttle: throttle, termsVersion: config.termsVersion)
        let lifecycle = AccountLifecycle(
            accounts: store, store: store, hasher: hasher,
            mailer: BusLifecycleMailer(services: ServiceCaller(loop: runtime.loop, topology: runtime.config.topology)),
            throttle: throttle, logger: runtime.logger)
        let erasures = ErasureDesk(database: runtime.database, outbox: runtime.outbox, matcherCount: runtime.config.matcherCount, logger: runtime.logger)
        return GatewayDependencies(
            store: store, hasher: hasher, tokens: tokens, auth: auth, lifecycle: lifecycle, erasures: erasures, reportSignal: ReportStreamSignal(),
            lotHolders: LotHolderDirectory(configured: runtime.config.matcherCount))
    }
}
