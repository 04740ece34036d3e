// swift-tools-version: 6.2
// tcly: a shell, a batch engine and a local engine for the Transcodely video-transcoding job API.
import PackageDescription

/// Settings every target shares: Swift 6 language mode is the package default; these add the
/// upcoming features the anchors (Hummingbird, swift-nio) build with.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "tcly",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tcly", targets: ["tcly"]),
        .executable(name: "tcly-bench", targets: ["tcly-bench"]),
        .library(name: "TranscodelyAPI", targets: ["TranscodelyAPI"]),
        .library(name: "TranscodelyEngine", targets: ["TranscodelyEngine"]),
        .library(name: "TranscodelyServer", targets: ["TranscodelyServer"]),
        .library(name: "TranscodelyClient", targets: ["TranscodelyClient"]),
        .library(name: "BatchKit", targets: ["BatchKit"]),
        .library(name: "ShellKit", targets: ["ShellKit"]),
        .library(name: "ShellKitTesting", targets: ["ShellKitTesting"]),
        .library(name: "PostgresStore", targets: ["PostgresStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        // TLS for the server (through HummingbirdTLS) and the client's CA trust: already in the
        // graph through AsyncHTTPClient and Hummingbird, so naming it costs no resolution.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // The PostgreSQL store (issue 14): the wire protocol, a connection pool, LISTEN/NOTIFY.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // Wire types and the JSON rules of API.md. No I/O.
        .target(name: "TranscodelyAPI", dependencies: [.product(name: "Crypto", package: "swift-crypto")], swiftSettings: strict),
        // The one clock: a `Clock` to sleep on and measure by, with the wall-clock `Timestamp` to
        // store, and a test clock that moves only when told. Depends on TranscodelyAPI alone.
        .target(name: "Timekeeping", dependencies: ["TranscodelyAPI"], swiftSettings: strict),
        // Why an HTTP exchange broke, by the error's type: shared by the API client and the
        // engine's webhook dispatcher.
        .target(
            name: "NetworkFailures",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        // The local engine: store, idempotency, rate limits, orgs/apps/keys, origins, scheduler, encoders.
        .target(
            name: "TranscodelyEngine",
            dependencies: [
                "TranscodelyAPI", "Timekeeping", "NetworkFailures",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // PostgreSQL for engines on several nodes (issue 14, docs/scale-out.md): the engine's store
        // (JobStore, CredentialStore, WebhookOutbox, RateLimiting) shared by every node, with leases,
        // fencing and rescue; the schema's versions applied once under an advisory lock.
        .target(
            name: "PostgresStore",
            dependencies: [
                "TranscodelyEngine", "TranscodelyAPI", "Timekeeping",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The API's clients over HTTP (AsyncHTTPClient): auth, Connect errors, safe retries.
        .target(
            name: "TranscodelyClient",
            dependencies: [
                "TranscodelyAPI", "NetworkFailures", "Timekeeping",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        // Bind-and-wait for servers in this process (the engine's HTTP server, the shell's webhook
        // listener): services run until one has bound, or a typed error says why not.
        .target(
            name: "Listening",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The batch engine: pacing, key templates, outcomes, retry-failed, the job monitor.
        .target(
            name: "BatchKit",
            dependencies: [
                "TranscodelyAPI", "TranscodelyClient", "Timekeeping",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // libedit (the system library) and fixed-arity shims for its variadic functions.
        .systemLibrary(name: "CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        // The shell, domain-free and embeddable: language, commands, interpreter, line editing.
        .target(
            name: "ShellKit",
            dependencies: ["CEditLine", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict
        ),
        // The transcoding commands over ShellKit, TranscodelyClient and BatchKit; the session.
        .target(
            name: "TranscodelyShell",
            dependencies: [
                "ShellKit", "BatchKit", "TranscodelyClient", "TranscodelyAPI", "Listening", "Timekeeping",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                // IOError, to know "address in use" by its errno rather than its words.
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The engine over HTTP: Connect routes, auth, errors, metrics, health, OpenAPI document.
        .target(
            name: "TranscodelyServer",
            dependencies: [
                "TranscodelyAPI", "TranscodelyEngine", "Listening", "Timekeeping", "PostgresStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources/openapi.yaml")],
            swiftSettings: strict
        ),
        // The front door: `tcly serve`, `tcly admin`.
        .executableTarget(
            name: "tcly",
            dependencies: [
                "TranscodelyAPI", "TranscodelyEngine", "TranscodelyServer", "TranscodelyShell", "ShellKit", "TranscodelyClient",
                "PostgresStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Measurements for scripts/bench/batch (not shipped to users).
        .executableTarget(
            name: "tcly-bench",
            dependencies: [
                "BatchKit", "TranscodelyClient", "TranscodelyAPI", "TranscodelyShell", "ShellKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // Helpers the test targets share: an API caller over real HTTP, temporary folders.
        .target(
            name: "TranscodelyTestSupport",
            dependencies: [
                "TranscodelyAPI", "TranscodelyClient", "Listening", "PostgresStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: strict
        ),
        .testTarget(name: "TranscodelyAPITests", dependencies: ["TranscodelyAPI", "TranscodelyTestSupport", .product(name: "Crypto", package: "swift-crypto")],
                    swiftSettings: strict),
        .testTarget(name: "TimekeepingTests", dependencies: ["Timekeeping", "TranscodelyAPI"], swiftSettings: strict),
        .testTarget(
            name: "TranscodelyEngineTests",
            dependencies: ["TranscodelyEngine", "TranscodelyAPI", "TranscodelyTestSupport", "Timekeeping"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TranscodelyServerTests",
            dependencies: [
                "TranscodelyServer", "TranscodelyEngine", "TranscodelyAPI", "TranscodelyTestSupport", "Listening", "Timekeeping",
                "PostgresStore", .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // A testing helper for hosts of ShellKit: scripts checked as transcripts.
        .target(name: "ShellKitTesting", dependencies: ["ShellKit"], swiftSettings: strict),
        .testTarget(name: "ShellKitTests", dependencies: ["ShellKit", "ShellKitTesting", "TranscodelyTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "TranscodelyShellTests",
            dependencies: [
                "TranscodelyShell", "ShellKit", "ShellKitTesting", "BatchKit", "TranscodelyClient", "TranscodelyAPI", "TranscodelyServer",
                "TranscodelyEngine", "TranscodelyTestSupport", "Timekeeping",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BatchKitTests",
            dependencies: [
                "BatchKit", "TranscodelyClient", "TranscodelyAPI", "TranscodelyServer", "TranscodelyEngine",
                "TranscodelyTestSupport", "Timekeeping", "NetworkFailures",
            ],
            swiftSettings: strict
        ),
        // Against a real PostgreSQL: the cluster scripts/test starts (TCLY_TEST_POSTGRES_URL).
        .testTarget(name: "PostgresStoreTests", dependencies: ["PostgresStore", "TranscodelyEngine", "TranscodelyAPI", "TranscodelyTestSupport",
                                                               "Timekeeping", .product(name: "PostgresNIO", package: "postgres-nio"),
                                                               .product(name: "Logging", package: "swift-log")],
                    swiftSettings: strict),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["TranscodelyAPI", "TranscodelyTestSupport", "PostgresStore", .product(name: "PostgresNIO", package: "postgres-nio")],
            swiftSettings: strict
        ),
        // The embedding example (docs/embedding.md): a key-value store's shell on ShellKit, and its
        // transcript test, so CI keeps the example building and true.
        .executableTarget(name: "kvshell", dependencies: ["ShellKit", .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Examples/KVShell", swiftSettings: strict),
        .testTarget(name: "KVShellTests", dependencies: ["kvshell", "ShellKit", "ShellKitTesting"],
                    path: "Examples/KVShellTests", swiftSettings: strict),
    ]
)
