// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "poster-decomposer",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "decomposer", targets: ["decomposer"]),
        .executable(name: "decomposer-bench", targets: ["Benchmarks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // The API's watch connections (NIOWebSocket) are NIO channel handlers.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-extras/swift-extras-base64", from: "1.2.0"),
        // The ZIP container of the PPTX and ZIP exports.
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        // Benchmark-only: what the own multipart parser is measured against (bench/RESULTS.md).
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        // Benchmark-only: its JSON reader (into Google_Protobuf_Struct) is the one other the mirrors offer.
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        // Test-only: reads the OpenAPI document (checked against the routes) and the Kubernetes manifests.
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // What every module shares: EINTR-retrying system calls and their one error type, blocking file
        // work off the concurrency pool, the CPU pool, the ms / lowercase-id conversions, the outboxes' retry backoff.
        // No dependencies.
        .target(name: "SystemSupport"),

        // C libraries, each behind one small Swift module.
        // No pkgConfig: hiredis's .pc adds -D_FILE_OFFSET_BITS=64, which SwiftPM
        // refuses with a warning; the headers are in /usr/include anyway.
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),
        // libpng + libjpeg-turbo (+ libdeflate and zlib for the layer integrity check) behind a C shim that owns every
        // setjmp, so a corrupt image becomes a Swift error and never longjmps across Swift frames or exit()s.
        .target(
            name: "CImageCodecs",
            linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("jpeg"), .linkedLibrary("z"), .linkedLibrary("deflate")]
        ),
        // Canonical base64 of prediction replies, with an AVX2 loop (C: vector intrinsics and a
        // per-CPU choice); 7× swift-extras-base64 here (bench/README.md, "Base64 of the layers").
        .target(name: "CBase64"),
        // Decode, probe, resize and encode posters and layers.
        .target(name: "ImageCodec", dependencies: ["CImageCodecs"]),

        // Designer-ready files of a completed job's layers: PSD (written by the project from Adobe's
        // specification), PPTX and ZIP (ZIPFoundation).
        .target(
            name: "Exports",
            dependencies: [
                "ImageCodec", "SystemSupport", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        // HTTP over libcurl's multi interface on a thread of its own.
        .target(name: "CurlHTTP", dependencies: ["CCurl", "SystemSupport"]),

        // Google credentials: service-account JWT (RS256 via swift-crypto), metadata server, static token.
        .target(
            name: "GoogleAuth",
            dependencies: ["CurlHTTP", .product(name: "_CryptoExtras", package: "swift-crypto")]
        ),

        // Google Cloud Storage: objects over the JSON API (libcurl), V4 signed URLs.
        .target(
            name: "CloudStorage",
            dependencies: [
                "CurlHTTP", "GoogleAuth", "SystemSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),

        // Redis over hiredis: connections on their own threads, callers await.
        .target(
            name: "Redis",
            dependencies: [
                "CHiredis", "SystemSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The job model, configuration and the Redis-backed job queue: the one writer of Redis.
        // Its Lua scripts are files (Queue/Lua), embedded in the binary.
        .target(
            name: "DecomposerCore",
            dependencies: [
                "Redis", "SystemSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.embedInCode("Queue/Lua")]
        ),

        // Where uploads and layers live: the one storage seam (a folder on disk or a Cloud Storage
        // bucket); no other module knows which backend is in use.
        .target(
            name: "Storage",
            dependencies: ["DecomposerCore", "CloudStorage", "CurlHTTP", "GoogleAuth", "SystemSupport"]
        ),

        // The Vertex AI prediction call: wire format, error classification, backoff.
        .target(
            name: "VertexClient",
            dependencies: [
                "CBase64", "CurlHTTP", "GoogleAuth", "ImageCodec",
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),

        // GPU cost attribution per request, per UTC day and per job.
        .target(name: "CostTracker", dependencies: ["DecomposerCore", "SystemSupport"]),

        // Cost alerts: delivers the alerts the queue decided (an outbox in Redis) to the operator's webhook.
        .target(
            name: "CostAlerts",
            dependencies: [
                "DecomposerCore", "CurlHTTP", "SystemSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        // Webhooks for integrators: the allowed-target rules (SSRF), Standard Webhooks signatures, and
        // the deliverer of the jobs' events (the outbox in Redis) the worker runs.
        .target(
            name: "Webhooks",
            dependencies: [
                "DecomposerCore", "CurlHTTP", "SystemSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        // `/healthz`, `/readyz`, `/metrics` and the queue-depth gauges, shared by the API and the worker.
        .target(
            name: "OperationalRoutes",
            dependencies: [
                "DecomposerCore", "Redis",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        // `decomposer worker`: bounded-concurrency job processing.
        .target(
            name: "Worker",
            dependencies: [
                "DecomposerCore", "Redis", "VertexClient", "CostTracker", "OperationalRoutes", "Storage", "SystemSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        // `decomposer api`: the HTTP + WebSocket contract the frontend and watchers use.
        .target(
            name: "API",
            dependencies: [
                "DecomposerCore", "Redis", "CostTracker", "Exports", "ImageCodec", "OperationalRoutes", "Storage", "SystemSupport",
                "Webhooks",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        // `decomposer endpoint`: a CPU-only, Vertex-compatible prediction server for laptops and tests.
        .target(
            name: "LocalEndpoint",
            dependencies: [
                "ImageCodec", "SystemSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // The one executable: `decomposer <subcommand>`.
        .executableTarget(
            name: "decomposer",
            dependencies: [
                "DecomposerCore",
                "Redis",
                "Worker",
                "API",
                "OperationalRoutes",
                "LocalEndpoint",
                "VertexClient",
                "CostTracker",
                "CostAlerts",
                "Webhooks",
                "CurlHTTP",
                "GoogleAuth",
                "Storage",
                "SystemSupport",
                "Exports",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ]
        ),

        // Linux's epoll for the bench's WebSocket client (Glibc's module leaves it out).
        .systemLibrary(name: "CEpoll"),

        // Benchmarks (bench/run.sh): figures as `name: value unit` lines, one case per process.
        .executableTarget(
            name: "Benchmarks",
            dependencies: [
                "CEpoll", "DecomposerCore", "Redis", "SystemSupport", "VertexClient", "Worker", "CostTracker", "CurlHTTP", "GoogleAuth", "ImageCodec",
                "LocalEndpoint", "TestSupport", "API", "Storage", "CloudStorage", "Exports",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            // The enqueue script before issue 23, the enqueue-script case's reference.
            resources: [.embedInCode("Reference")]
        ),

        // Test harness: a private redis-server per test process, fake-gcs-server for Cloud Storage.
        .target(
            name: "TestSupport",
            dependencies: ["Redis", "ImageCodec", "VertexClient", "CurlHTTP", "SystemSupport"],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "RedisTests",
            dependencies: ["Redis", "TestSupport"]
        ),
        .testTarget(
            name: "DecomposerCoreTests",
            dependencies: [
                "DecomposerCore", "Redis", "Storage", "SystemSupport", "TestSupport", "CloudStorage", "CurlHTTP", "GoogleAuth",
            ]
        ),
        .testTarget(
            name: "VertexClientTests",
            dependencies: [
                "VertexClient", "CurlHTTP", "GoogleAuth", "ImageCodec", "TestSupport", "SystemSupport",
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
            ]
        ),
        .testTarget(name: "ImageCodecTests", dependencies: ["ImageCodec"]),
        // The PSD writer read back by a reader of the tests' own, and (scripts/psd-test.sh) by psd-tools.
        .testTarget(name: "ExportsTests", dependencies: ["Exports", "ImageCodec", "SystemSupport", "TestSupport"]),
        .testTarget(
            name: "GoogleAuthTests",
            dependencies: ["GoogleAuth", "CurlHTTP", "TestSupport", .product(name: "_CryptoExtras", package: "swift-crypto")]
        ),
        .testTarget(name: "CloudStorageTests", dependencies: ["CloudStorage", "CurlHTTP", "GoogleAuth", "TestSupport"]),
        .testTarget(
            name: "CurlHTTPTests",
            dependencies: ["CurlHTTP", "TestSupport"]
        ),
        .testTarget(name: "CostTrackerTests", dependencies: ["CostTracker", "DecomposerCore", "Redis", "TestSupport"]),
        .testTarget(
            name: "CostAlertTests",
            dependencies: [
                "CostAlerts", "CostTracker", "DecomposerCore", "CurlHTTP", "Redis", "SystemSupport", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "WebhooksTests",
            dependencies: [
                "Webhooks", "DecomposerCore", "CurlHTTP", "Redis", "SystemSupport", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "WorkerTests",
            dependencies: [
                "Worker", "DecomposerCore", "Redis", "VertexClient", "CostTracker", "CostAlerts", "Webhooks", "CurlHTTP", "GoogleAuth",
                "ImageCodec", "LocalEndpoint", "Storage", "SystemSupport", "TestSupport", "decomposer",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "APITests",
            dependencies: [
                "API", "DecomposerCore", "Redis", "CostTracker", "CurlHTTP", "ImageCodec", "Storage", "SystemSupport", "TestSupport",
                "decomposer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "LocalEndpointTests",
            dependencies: [
                "LocalEndpoint", "ImageCodec", "VertexClient", "CurlHTTP", "GoogleAuth", "SystemSupport", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["decomposer", "CurlHTTP", "DecomposerCore", "SystemSupport", "TestSupport"]
        ),
        // deploy/kubernetes checked against the code: configuration keys, routes and ports, grace
        // periods, subcommands and flags, the KEDA metric and the queue's keys.
        .testTarget(
            name: "DeployTests",
            dependencies: [
                "decomposer", "API", "OperationalRoutes", "DecomposerCore", "TestSupport",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
