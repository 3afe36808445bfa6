// swift-tools-version: 6.1
import PackageDescription

// One package, one executable per service. Services share code only through the libraries in
// Shared/ and data only through messages (see docs/ARCHITECTURE.md).

let services: [(product: String, target: String, dependencies: [Target.Dependency])] = [
    (
        "gateway", "Gateway",
        [
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "MultipartKit", package: "multipart-kit"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "Tracing", package: "swift-distributed-tracing"),
        ]
    ),
    (
        "auth", "Auth",
        [
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]
    ),
    ("loans", "Loans", [.product(name: "PostgresNIO", package: "postgres-nio")]),
    ("approvals", "Approvals", [.product(name: "PostgresNIO", package: "postgres-nio")]),
    (
        "analysis-worker", "AnalysisWorker",
        [
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]
    ),
    (
        "notifications", "Notifications",
        [
            .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Crypto", package: "swift-crypto"),
            "CCurl", .product(name: "NIOPosix", package: "swift-nio"),
        ]
    ),
    ("analytics", "Analytics", [.product(name: "PostgresNIO", package: "postgres-nio")]),
]

let serviceKit: Target.Dependency = "ServiceKit"

let package = Package(
    name: "lending-platform",
    platforms: [.macOS(.v15)],
    products: services.map { .executable(name: $0.product, targets: [$0.target]) } + [
        .executable(name: "rpc-bench", targets: ["RPCBench"]),
        .executable(name: "worker-bench", targets: ["WorkerBench"]),
        .executable(name: "http-bench", targets: ["HTTPBench"]),
        .executable(name: "pipeline-bench", targets: ["PipelineBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // OTLP export of spans and metrics, over HTTP only: the gRPC exporter would add grpc-swift to every build.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        // Only for `swift package generate-documentation` (the DocC catalogues in Shared/).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin.git", from: "1.5.0"),
        // Only for APIContractTests (no service links it). Without its default trait,
        // ExternalLoading: the document's references are all local, and the trait builds slower.
        .package(url: "https://github.com/mattpolzin/OpenAPIKit.git", from: "6.4.0", traits: []),
    ],
    targets: [
        // C libraries from Debian packages.
        .systemLibrary(
            name: "CRabbitMQ", path: "Shared/CRabbitMQ", pkgConfig: "librabbitmq",
            providers: [.apt(["librabbitmq-dev"])]),
        .systemLibrary(
            name: "CHiredis", path: "Shared/CHiredis", pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(
            name: "CCurl", path: "Shared/CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CMalloc", path: "Shared/CMalloc"),

        // Shared libraries.
        .target(
            name: "Messaging",
            dependencies: [
                "CRabbitMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ], path: "Shared/Messaging"),
        .target(
            name: "Redis",
            dependencies: [
                "CHiredis",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ], path: "Shared/Redis"),
        .target(
            name: "Persistence",
            dependencies: [
                "Messaging", "Contracts",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ], path: "Shared/Persistence"),
        .target(name: "Contracts", path: "Shared/Contracts"),
        .target(
            name: "ServiceKit",
            dependencies: [
                "Messaging", "Redis", "Persistence", "Contracts",
                .target(name: "CMalloc", condition: .when(platforms: [.linux])),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ], path: "Shared/ServiceKit"),
    ]
        + services.map {
            .executableTarget(
                name: $0.target, dependencies: [serviceKit] + $0.dependencies, path: "Services/\($0.target)",
                // auth's list of common passwords is compiled in by the plugin, not shipped as a file.
                exclude: $0.target == "Auth" ? ["Data"] : [],
                resources: $0.target == "Gateway" ? [.copy("Resources/openapi.json")] : nil,
                plugins: $0.target == "Auth" ? [.plugin(name: "CommonPasswordsPlugin")] : nil)
        }
        + [
            // Build tools.
            .executableTarget(name: "CommonPasswordsTable", path: "Tools/CommonPasswordsTable"),
            .plugin(
                name: "CommonPasswordsPlugin", capability: .buildTool(), dependencies: ["CommonPasswordsTable"],
                path: "Plugins/CommonPasswordsPlugin"),
        ]
        + [
            .target(
                name: "BenchSupport",
                dependencies: [
                    .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOHTTP1", package: "swift-nio"),
                ],
                path: "Benchmarks/BenchSupport"),
            .executableTarget(name: "RPCBench", dependencies: [serviceKit, "BenchSupport"], path: "Benchmarks/RPCBench"),
            .executableTarget(
                name: "HTTPBench", dependencies: ["BenchSupport", .product(name: "AsyncHTTPClient", package: "async-http-client")],
                path: "Benchmarks/HTTPBench"),
            .executableTarget(
                name: "PipelineBench", dependencies: ["BenchSupport", .product(name: "NIOHTTP1", package: "swift-nio")],
                path: "Benchmarks/PipelineBench"),
            .executableTarget(
                name: "WorkerBench", dependencies: [serviceKit, .product(name: "Hummingbird", package: "hummingbird")],
                path: "Benchmarks/WorkerBench"),
            .target(
                name: "TestSupport",
                dependencies: [
                    "Messaging", "Persistence", "ServiceKit", "Contracts", .product(name: "Hummingbird", package: "hummingbird"),
                    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                    .product(name: "PostgresNIO", package: "postgres-nio"),
                ], path: "Tests/TestSupport"),
            .testTarget(name: "MessagingTests", dependencies: ["Messaging", "TestSupport"]),
            .testTarget(name: "RedisTests", dependencies: ["Redis"]),
            .testTarget(name: "PersistenceTests", dependencies: ["Persistence", "ServiceKit", "Messaging", "Contracts", "TestSupport"]),
            .testTarget(name: "ContractsTests", dependencies: ["Contracts"]),
            .testTarget(
                name: "AuthTests",
                dependencies: [
                    "Auth", "Contracts", "ServiceKit", .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
                    .product(name: "JWTKit", package: "jwt-kit"), .product(name: "Crypto", package: "swift-crypto"),
                ]),
            .testTarget(name: "LoansTests", dependencies: ["Loans", "Contracts", "ServiceKit", "Persistence", "TestSupport"]),
            .testTarget(name: "ApprovalsTests", dependencies: ["Approvals", "Contracts", "ServiceKit", "Persistence", "TestSupport"]),
            .testTarget(
                name: "NotificationsTests",
                dependencies: [
                    "Notifications", "Contracts", "ServiceKit", "Persistence", "TestSupport",
                    .product(name: "Crypto", package: "swift-crypto"),
                    .product(name: "Hummingbird", package: "hummingbird"),
                ]),
            .testTarget(
                name: "AnalyticsTests", dependencies: ["Analytics", "Contracts", "Messaging", "ServiceKit", "Persistence", "TestSupport"]),
            .testTarget(
                name: "AnalysisWorkerTests",
                dependencies: [
                    "AnalysisWorker", "Contracts", "TestSupport", .product(name: "Hummingbird", package: "hummingbird"),
                ]),
            .testTarget(
                name: "GatewayTests",
                dependencies: [
                    "Gateway", "Contracts", "ServiceKit", "Redis", "TestSupport", .product(name: "Hummingbird", package: "hummingbird"),
                    .product(name: "HummingbirdTesting", package: "hummingbird"),
                ]),
            .testTarget(
                name: "APIContractTests",
                dependencies: [
                    "Gateway", "Contracts", "ServiceKit", "Messaging", "Redis", "TestSupport",
                    .product(name: "Hummingbird", package: "hummingbird"), .product(name: "OpenAPIKit", package: "OpenAPIKit"),
                ]),
            .testTarget(
                name: "ObservabilityTests",
                dependencies: [
                    "Gateway", "ServiceKit", "Messaging", "Persistence", "Contracts", "TestSupport",
                    .product(name: "OTel", package: "swift-otel"), .product(name: "Tracing", package: "swift-distributed-tracing"),
                    .product(name: "Configuration", package: "swift-configuration"),
                    .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird"),
                ]),
            .testTarget(
                name: "SystemTests",
                dependencies: [
                    "Messaging", "TestSupport", "ServiceKit", "Contracts", "Redis",
                    .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
                    .product(name: "JWTKit", package: "jwt-kit"),
                    .product(name: "PostgresNIO", package: "postgres-nio"),
                    .product(name: "AsyncHTTPClient", package: "async-http-client"),
                    .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                    .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Crypto", package: "swift-crypto"),
                ]),
        ],
    swiftLanguageModes: [.v6]
)
