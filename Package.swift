// swift-tools-version:6.0
import PackageDescription

/// EcoResupply: six services on a ZeroMQ bus, each with its own SQLite, plus the `ecoresupply` command line.
/// Shared libraries live under `Shared/`, each service under `Services/<name>/` with a thin `Main`
/// executable and a library that tests import.

let swiftSettings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let log = Target.Dependency.product(name: "Logging", package: "swift-log")
let metrics = Target.Dependency.product(name: "Metrics", package: "swift-metrics")
let grdb = Target.Dependency.product(name: "GRDB", package: "GRDB.swift")
let lifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let crypto = Target.Dependency.product(name: "Crypto", package: "swift-crypto")

/// A service: a library with its logic and a thin executable that reads config and runs it.
func service(_ executable: String, library: String, extra: [Target.Dependency] = [], exclude: [String] = [], resources: [Resource]? = nil) -> [Target] {
    [
        .target(
            name: library,
            dependencies: ["EcoRuntime", "EcoBus", "EcoStore", "EcoConfig", log, argumentParser] + extra,
            path: "Services/\(executable)/Sources",
            exclude: exclude,
            resources: resources,
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: executable,
            dependencies: [.target(name: library), "EcoRuntime", "EcoConfig", "EcoObservability", argumentParser] + extra,
            path: "Services/\(executable)/Main",
            swiftSettings: swiftSettings
        ),
    ]
}

let package = Package(
    name: "EcoResupply",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gateway", targets: ["gateway"]),
        .executable(name: "ingest", targets: ["ingest"]),
        .executable(name: "matcher", targets: ["matcher"]),
        .executable(name: "reporting", targets: ["reporting"]),
        .executable(name: "notifications", targets: ["notifications"]),
        .executable(name: "pickup-validator", targets: ["pickup-validator"]),
        .executable(name: "ecoresupply", targets: ["ecoresupply"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // MARK: Shared libraries
        .systemLibrary(
            name: "CZeroMQ",
            path: "Shared/CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            path: "Shared/COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(
            name: "ZeroMQ",
            dependencies: ["CZeroMQ"],
            path: "Shared/ZeroMQ",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "EcoConfig",
            dependencies: [argumentParser],
            path: "Shared/Config",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "EcoObservability",
            dependencies: [log, metrics, .product(name: "Prometheus", package: "swift-prometheus")],
            path: "Shared/Observability",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "EcoStore",
            dependencies: [grdb, log],
            path: "Shared/Store",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "EcoModel",
            dependencies: [],
            path: "Shared/Model",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "EcoBus",
            dependencies: [
                "ZeroMQ", "EcoStore", "EcoModel", grdb, log, metrics, lifecycle,
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            path: "Shared/Bus",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "EcoTerritory",
            dependencies: ["EcoModel", argumentParser],
            path: "Shared/Territory",
            resources: [.copy("Resources/territory.json")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "EcoWaste",
            dependencies: [],
            path: "Shared/Waste",
            exclude: ["Resources/ATTRIBUTION.md"],
            resources: [.copy("Resources/ler-codes.csv")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "EcoQRCode",
            dependencies: [],
            path: "Shared/QRCode",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "EcoRuntime",
            dependencies: [
                "EcoBus", "EcoStore", "EcoConfig", "EcoObservability", "EcoModel", grdb, log, metrics, lifecycle,
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Shared/Runtime",
            swiftSettings: swiftSettings
        ),

        // MARK: Command line
        .target(
            name: "EcoCLI",
            dependencies: [
                "EcoBus", "EcoRuntime", "EcoConfig", "EcoStore", "EcoObservability", "ZeroMQ", "CZeroMQ", "EcoModel", "IngestService", "MatcherService",
                grdb, log, lifecycle, argumentParser, .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Services/ecoresupply/Sources",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ecoresupply",
            dependencies: ["EcoCLI"],
            path: "Services/ecoresupply/Main",
            swiftSettings: swiftSettings
        ),

        // MARK: Tests
        // Fuzz targets (docs/reliability.md): libFuzzer under scripts/fuzz.sh, corpus replay otherwise.
        .executableTarget(
            name: "fuzz",
            dependencies: ["EcoBus", "EcoStore", "EcoModel", "EcoWaste", "EcoTerritory", "GatewayService", "PickupValidatorService", grdb],
            path: "Tests/Fuzz",
            exclude: ["Corpus", "Regressions"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BusTests",
            dependencies: ["EcoBus", "EcoStore", "EcoModel", "ZeroMQ", "EcoConfig", grdb],
            path: "Tests/BusTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["EcoBus", "EcoConfig", "EcoRuntime", "EcoModel", "ZeroMQ", "MatcherService", grdb, crypto],
            path: "Tests/IntegrationTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "GatewayService", "EcoBus", "EcoConfig", "EcoStore", "EcoModel", "EcoObservability", grdb, log, argumentParser,
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/GatewayTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IngestTests",
            dependencies: ["IngestService", "EcoModel", "EcoBus", "EcoWaste", "EcoTerritory", "EcoStore", grdb],
            path: "Tests/IngestTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "QRCodeTests",
            dependencies: ["EcoQRCode"],
            path: "Tests/QRCodeTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServiceLogicTests",
            dependencies: [
                "MatcherService", "PickupValidatorService", "NotificationsService", "ReportingService", "EcoBus", "EcoModel", "EcoStore", "EcoConfig", "EcoRuntime",
                grdb, log, crypto, argumentParser,
            ],
            path: "Tests/ServiceLogicTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WasteTests",
            dependencies: ["EcoWaste"],
            path: "Tests/WasteTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PrivacyTests",
            dependencies: [
                "GatewayService", "IngestService", "MatcherService", "ReportingService", "NotificationsService", "PickupValidatorService",
                "EcoRuntime", "EcoBus", "EcoStore", "EcoModel", grdb, log,
            ],
            path: "Tests/PrivacyTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["EcoCLI"],
            path: "Tests/CLITests",
            swiftSettings: swiftSettings
        ),
    ]
        + service("gateway", library: "GatewayService", extra: [
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HTTPTypes", package: "swift-http-types"),
            metrics, lifecycle, crypto, "EcoModel", "EcoQRCode",
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "JWTKit", package: "jwt-kit"),
        ], exclude: ["Resources/COMMON-PASSWORDS-ATTRIBUTION.md"], resources: [.copy("Resources/openapi.json"), .copy("Resources/common-passwords.txt")])
        + service("ingest", library: "IngestService", extra: ["EcoModel", "EcoWaste", "EcoTerritory", crypto])
        + service("matcher", library: "MatcherService", extra: ["EcoModel", grdb, lifecycle, crypto, metrics])
        + service("reporting", library: "ReportingService", extra: ["EcoModel", grdb])
        + service("notifications", library: "NotificationsService", extra: [
            "EcoModel", "EcoTerritory", "COpenSSL", grdb, lifecycle, metrics, crypto, .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ])
        + service("pickup-validator", library: "PickupValidatorService", extra: [crypto, "EcoModel", grdb, metrics])
)
