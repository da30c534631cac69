import EcoBus
import EcoConfig
import EcoRuntime
import Hummingbird
import Logging
import Prometheus

/// Builds the gateway's HTTP application over a running service runtime.
public func buildApplication(
    runtime: ServiceRuntime, config: GatewayConfig, registry: PrometheusCollectorRegistry, dependencies: GatewayDependencies
) throws -> some ApplicationProtocol {
    let router = Router(context: GatewayRequestContext.self)
    var httpLogger = runtime.logger
    httpLogger[metadataKey: "component"] = "http"
    // Outermost first: the trace covers everything after it; the access log and the HTTP metrics
    // see the status the error middleware gives.
    router.add(middleware: TraceMiddleware())
    router.add(middleware: AccessLogMiddleware(logger: httpLogger))
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: SecurityHeadersMiddleware())
    let openAPIDocument = try OpenAPIDocument.load()
    router.add(middleware: ErrorMiddleware(routes: try RouteMethods(openAPI: openAPIDocument)))
    router.add(middleware: ClientAddressMiddleware(proxies: config.trustedProxies))
    let resolver = PrincipalResolver(accounts: dependencies.store, sessions: dependencies.store, keys: dependencies.store, tokens: dependencies.tokens)
    router.add(middleware: AuthenticationMiddleware(resolver: resolver))
    let topology = runtime.config.topology
    let peers = BusTopology.instances(matchers: runtime.config.matcherCount)
        .filter { $0 != runtime.config.instance }
        .map { (name: $0.name, endpoint: topology.routerEndpoint(of: $0)) }
    OperationsRoutes(
        instance: runtime.config.instance.name,
        directory: runtime.directory,
        readiness: Readiness(gatewayInstance: runtime.config.instance.name),
        registry: registry,
        loop: runtime.loop,
        ownStats: runtime.stats,
        peers: peers,
        openAPIDocument: openAPIDocument
    ).register(on: router)
    AuthRoutes(auth: dependencies.auth).register(on: router)
    AccountRoutes(accounts: dependencies.store).register(on: router)
    LifecycleRoutes(lifecycle: dependencies.lifecycle).register(on: router)
    ConsentRoutes(store: dependencies.store, termsVersion: config.termsVersion).register(on: router)
    PrivacyRoutes(
        export: PersonalDataExport(database: runtime.database, services: ServiceCaller(loop: runtime.loop, topology: topology), matcherCount: runtime.config.matcherCount),
        erasures: dependencies.erasures, lifecycle: dependencies.lifecycle
    ).register(on: router)
    OrganisationRoutes(accounts: dependencies.store).register(on: router)
    APIKeyRoutes(accounts: dependencies.store, keys: dependencies.store).register(on: router)
    BeneficiaryRoutes(
        accounts: dependencies.store, records: dependencies.store, bus: runtime.loop,
        pickupValidator: topology.routerEndpoint(of: ServiceInstance(.pickupValidator)),
        codes: VerificationCodes(database: runtime.database)
    ).register(on: router)
    let services = ServiceCaller(loop: runtime.loop, topology: topology)
    LotRoutes(accounts: dependencies.store, services: services).register(on: router)
    MyLotRoutes(accounts: dependencies.store, services: services, holders: dependencies.lotHolders).register(on: router)
    PhotoRoutes(accounts: dependencies.store, services: services).register(on: router)
    ListingRoutes(accounts: dependencies.store, services: services).register(on: router)
    let membership = MatcherMembership(directory: runtime.directory)
    ProposalRoutes(accounts: dependencies.store, services: services, matcherCount: runtime.config.matcherCount, heardWorkers: { membership.heard() })
        .register(on: router)
    ReservationRoutes(
        accounts: dependencies.store, index: ReservationIndex(database: runtime.database), services: services, holders: dependencies.lotHolders
    ).register(on: router)
    QRCodeRoutes(index: ReservationIndex(database: runtime.database), services: services).register(on: router)
    MissionRoutes(
        index: MissionIndex(database: runtime.database), services: services, holders: dependencies.lotHolders
    ).register(on: router)
    ImpactRoutes(services: services).register(on: router)
    NotificationRoutes(services: services).register(on: router)
    SubscriptionRoutes(services: services).register(on: router)
    let filings = FilingRateLimit(perAccount: config.filingsPerHourByAccount, perAddress: config.filingsPerHourByAddress)
    ReportRoutes(accounts: dependencies.store, services: services, filings: filings).register(on: router)
    WebhookRoutes(accounts: dependencies.store, services: services).register(on: router)
    Open311Routes(services: services).register(on: router)
    CatalogueRoutes(services: services).register(on: router)
    Open311RequestRoutes(
        services: services, resolver: resolver, filings: filings, origin: PublicOrigin(configured: config.publicURL, proxies: config.trustedProxies)
    ).register(on: router)
    StreamRoutes(
        accounts: dependencies.store, services: services,
        source: BusReportEventSource(loop: runtime.loop, endpoint: topology.routerEndpoint(of: ServiceInstance(.ingest))),
        signal: dependencies.reportSignal, keepAlive: .seconds(15), logger: runtime.logger
    ).register(on: router)
    return Application(
        router: router,
        configuration: ApplicationConfiguration(
            address: .hostname(config.httpHost, port: config.httpPort),
            serverName: "ecoresupply-gateway"),
        logger: httpLogger)
}
