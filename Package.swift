// swift-tools-version:6.1
import PackageDescription

// Layers, bottom up (see README "Architecture"):
//   CRdKafka / CSQLite  — system libraries (Debian's librdkafka-dev, libsqlite3-dev)
//   Kafka               — Swift client over librdkafka: producer, consumer, embedded mock cluster
//   SQLite              — a thin Swift wrapper over libsqlite3
//   ArticleAnalysis     — parse, normalise, enrich, classify, encode records (no Kafka, no SQLite)
//   LexiconStore        — compiles the classifier's lexicon sources into SQLite and loads them back
//   Worker              — the pipeline: delivery guarantees, dead letters, shared state, metrics
//   khabar              — the command-line tool
let package = Package(
    name: "khabar",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "khabar", targets: ["khabar"]),
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "ArticleAnalysis", targets: ["ArticleAnalysis"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(
            name: "Kafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "SQLite", dependencies: ["CSQLite"]),
        .target(
            name: "ArticleAnalysis",
            resources: [.copy("Resources")]
        ),
        .target(name: "LexiconStore", dependencies: ["ArticleAnalysis", "SQLite"]),
        .target(
            name: "Worker",
            dependencies: [
                "Kafka",
                "ArticleAnalysis",
                "LexiconStore",
                "SQLite",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "khabar",
            dependencies: [
                "Worker",
                "Kafka",
                "ArticleAnalysis",
                "LexiconStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "FlyingFox", package: "FlyingFox"),
            ],
            resources: [.copy("Samples")]
        ),
        // The C reference passthrough that `khabar bench` runs as a child process (docs/performance.md).
        .executableTarget(name: "CPassthrough", linkerSettings: [.linkedLibrary("rdkafka")]),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka"]),
        .testTarget(name: "ArticleAnalysisTests", dependencies: ["ArticleAnalysis"]),
        .testTarget(name: "LexiconStoreTests", dependencies: ["LexiconStore", "ArticleAnalysis", "SQLite"]),
        .testTarget(name: "WorkerTests", dependencies: ["Worker", "Kafka", "ArticleAnalysis"]),
        .testTarget(name: "KhabarTests", dependencies: ["Kafka"]),
    ],
    swiftLanguageModes: [.v6]
)
