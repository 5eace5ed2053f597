import ArgumentParser
import ArticleAnalysis
import Foundation
import Kafka
import LexiconStore
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import Worker

/// `khabar run`: the worker.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Consume raw articles, publish enriched records (the worker).",
        discussion: """
            Every option can also come from KHABAR_<OPTION> (e.g. KHABAR_BROKERS, KHABAR_INPUT_TOPIC, \
            KHABAR_KAFKA as comma-separated key=value pairs). Without brokers, an embedded cluster is started \
            in this process and its bootstrap address is logged.
            """
    )

    @OptionGroup var options: WorkerOptions

    @Option(help: "Port of /healthz, /readyz and /metrics; 0 disables (KHABAR_HTTP_PORT). Default: 8080.")
    var httpPort: Int?

    func run() async throws {
        let logger = try LogSetup.bootstrap(level: options.resolvedLogLevel)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let httpPort = try Environment.resolveInt(httpPort, option: "http-port", fallback: 8080)
        guard (0...65535).contains(httpPort) else { throw ValidationError("--http-port must be 0...65535") }
        var embedded: EmbeddedKafkaCluster?
        var configuration = try options.workerConfiguration()
        if configuration.bootstrapServers.isEmpty {
            let cluster = try EmbeddedKafkaCluster(
                brokers: 3,
                topics: [
                    configuration.inputTopic, configuration.outputTopic, configuration.deadLetterTopic,
                    configuration.fingerprintTopic,
                ]
                .filter { !$0.isEmpty }.map { (name: $0, partitions: 6) },
                logger: logger
            )
            embedded = cluster
            configuration.bootstrapServers = cluster.bootstrapServers
            // The mock cluster handles cooperative rebalances poorly (see docs/kafka-threading.md).
            configuration.partitionAssignmentStrategy = "range"
            logger.info(
                "no --brokers given: embedded cluster started", metadata: ["bootstrap": "\(cluster.bootstrapServers)"])
        }
        let analyzer = ArticleAnalyzer(classifier: try options.classifier())
        let worker = ArticleWorker(configuration: configuration, analyzer: analyzer, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if httpPort != 0 {
            // First in the list, so it shuts down last: probes answer while the worker drains.
            services.append(
                .init(
                    service: ObservabilityServer(
                        port: UInt16(httpPort), status: worker.status, registry: registry, logger: logger)
                )
            )
        }
        services.append(.init(service: worker, successTerminationBehavior: .gracefullyShutdownGroup))
        let group = ServiceGroup(
            configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        defer { embedded?.close() }
        try await group.run()
    }
}

/// The worker's options, shared by `run` and its relatives.
struct WorkerOptions: ParsableArguments {
    @Option(help: "Kafka bootstrap servers host:port[,...] (KHABAR_BROKERS). Default: an embedded cluster.")
    var brokers: String?

    @Option(help: "Topic of raw articles (KHABAR_INPUT_TOPIC). Default: articles.raw.")
    var inputTopic: String?

    @Option(help: "Topic of enriched records (KHABAR_OUTPUT_TOPIC). Default: articles.enriched.")
    var outputTopic: String?

    @Option(help: "Dead-letter topic (KHABAR_DLQ_TOPIC). Default: articles.dlq.")
    var dlqTopic: String?

    @Option(
        help: "Compacted fingerprint topic for fleet-wide near-duplicates; empty disables (KHABAR_FINGERPRINT_TOPIC).")
    var fingerprintTopic: String?

    @Option(help: "SQLite file of the near-duplicate table (KHABAR_STATE_DB). Default: in memory, rebuilt at start.")
    var stateDb: String?

    @Option(help: "Consumer group id (KHABAR_GROUP). Default: khabar.")
    var group: String?

    @Option(help: "Client id and provenance.worker (KHABAR_CLIENT_ID). Default: khabar-<host>-<pid>.")
    var clientId: String?

    @Option(
        help: """
            Extra librdkafka property key=value, repeatable, for every Kafka client; prefix the key with \
            consumer. or producer. for one kind only (KHABAR_KAFKA: comma-separated).
            """)
    var kafka: [String] = []

    @Option(help: "at-least-once or exactly-once (KHABAR_GUARANTEE). Default: at-least-once.")
    var guarantee: String?

    @Option(help: "Partition assignment strategy (KHABAR_ASSIGNOR). Default: cooperative-sticky.")
    var assignor: String?

    @Option(help: "Classifier lexicon database built by `khabar lexicon build` (KHABAR_LEXICON). Default: bundled.")
    var lexicon: String?

    @Option(help: "Largest input accepted; larger ones are dead-lettered (KHABAR_MAX_MESSAGE_BYTES). Default: 1048576.")
    var maxMessageBytes: Int?

    @Option(help: "Bound on in-flight input messages (KHABAR_MAX_IN_FLIGHT). Default: 1000.")
    var maxInFlight: Int?

    @Option(help: "Analysis threads (KHABAR_LANES). Default: number of cores.")
    var lanes: Int?

    @Option(help: "Seconds a shutdown may take to drain in-flight records (KHABAR_DRAIN_TIMEOUT). Default: 20.")
    var drainTimeout: Int?

    @Option(help: "Log level (KHABAR_LOG_LEVEL). Default: info.")
    var logLevel: String?

    var resolvedLogLevel: String { Environment.resolve(logLevel, option: "log-level", fallback: "info") }

    /// The worker configuration from options, environment and defaults. Empty bootstrap servers mean
    /// "start an embedded cluster".
    func workerConfiguration() throws -> WorkerConfiguration {
        var configuration = WorkerConfiguration(
            bootstrapServers: Environment.resolve(brokers, option: "brokers", fallback: ""))
        if let value = Environment.resolve(inputTopic, option: "input-topic") { configuration.inputTopic = value }
        if let value = Environment.resolve(outputTopic, option: "output-topic") { configuration.outputTopic = value }
        if let value = Environment.resolve(dlqTopic, option: "dlq-topic") { configuration.deadLetterTopic = value }
        if let value = Environment.resolve(group, option: "group") { configuration.groupID = value }
        if let value = fingerprintTopic ?? ProcessInfo.processInfo.environment["KHABAR_FINGERPRINT_TOPIC"] {
            configuration.fingerprintTopic = value  // empty is meaningful here: it disables detection
        }
        configuration.stateDatabasePath = Environment.resolve(stateDb, option: "state-db")
        if let value = Environment.resolve(clientId, option: "client-id") { configuration.instanceID = value }
        if let value = Environment.resolve(assignor, option: "assignor") {
            configuration.partitionAssignmentStrategy = value
        }
        if let value = Environment.resolve(guarantee, option: "guarantee") {
            guard let parsed = DeliveryGuarantee(rawValue: value) else {
                throw ValidationError("--guarantee takes at-least-once or exactly-once, got '\(value)'")
            }
            configuration.guarantee = parsed
        }
        configuration.maxMessageBytes = try Environment.resolveInt(
            maxMessageBytes, option: "max-message-bytes", fallback: configuration.maxMessageBytes)
        configuration.maxInFlight = try Environment.resolveInt(
            maxInFlight, option: "max-in-flight", fallback: configuration.maxInFlight)
        configuration.lanes = try Environment.resolveInt(lanes, option: "lanes", fallback: configuration.lanes)
        configuration.drainTimeout = .seconds(
            try Environment.resolveInt(
                drainTimeout, option: "drain-timeout", fallback: Int(configuration.drainTimeout.components.seconds)))
        let pairs =
            kafka.isEmpty ? (Environment.value(for: "kafka")?.split(separator: ",").map(String.init) ?? []) : kafka
        configuration.kafkaProperties.merge(try Environment.kafkaProperties(pairs)) { $1 }
        guard configuration.maxInFlight > 0, configuration.lanes > 0, configuration.maxMessageBytes > 0 else {
            throw ValidationError("--max-in-flight, --lanes and --max-message-bytes must be positive")
        }
        return configuration
    }

    /// The classifier: the lexicon database given, or the bundled lexicon.
    func classifier() throws -> Classifier {
        if let path = Environment.resolve(lexicon, option: "lexicon") {
            return Classifier(lexicon: try LexiconLoader.load(from: URL(fileURLWithPath: path)))
        }
        return try Classifier.bundled()
    }
}
