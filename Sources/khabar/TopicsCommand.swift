import ArgumentParser
import Kafka

/// `khabar topics`: topic administration against a real Kafka (or Kafka-compatible) cluster.
struct TopicsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "Administer khabar's topics on a Kafka cluster.",
        subcommands: [TopicsCreateCommand.self]
    )
}

/// `khabar topics create`: creates the standard topics; topics that already exist are left as they are.
struct TopicsCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create articles.raw, articles.enriched, articles.dlq and articles.fingerprints.",
        discussion: """
            Uses the Kafka admin API (CreateTopics), so it needs a real Kafka or a compatible broker such as \
            Tansu; the embedded mock cluster does not support it. articles.enriched is compacted (keyed by \
            article id); articles.fingerprints is compacted only with --compact-fingerprints. Existing topics \
            are not an error and are not changed.
            """
    )

    @Option(help: "Kafka bootstrap servers host:port[,...].")
    var brokers: String

    @Option(help: "Partitions of each topic.")
    var partitions = 6

    @Flag(help: "Make articles.fingerprints a compacted topic (the worker keys it by fingerprint).")
    var compactFingerprints = false

    @Option(help: "Seconds to wait for the cluster's answer.")
    var timeout = 30

    @Option(help: "Log level (trace, debug, info, notice, warning, error, critical).")
    var logLevel = "warning"

    /// The standard topics with their configuration.
    static func standardTopics(partitions: Int, compactFingerprints: Bool) -> [NewTopic] {
        let compact = ["cleanup.policy": "compact"]
        return [
            NewTopic(name: "articles.raw", partitions: partitions),
            NewTopic(name: "articles.enriched", partitions: partitions, config: compact),
            NewTopic(name: "articles.dlq", partitions: partitions),
            NewTopic(
                name: "articles.fingerprints", partitions: partitions, config: compactFingerprints ? compact : [:]),
        ]
    }

    func validate() throws {
        guard partitions >= 1 else { throw ValidationError("--partitions must be at least 1") }
        guard timeout >= 1 else { throw ValidationError("--timeout must be at least 1") }
    }

    func run() throws {
        let topics = Self.standardTopics(partitions: partitions, compactFingerprints: compactFingerprints)
        let logger = try LogSetup.bootstrap(level: logLevel)
        try KafkaAdmin(bootstrapServers: brokers, logger: logger).createTopics(topics, timeout: .seconds(timeout))
        for topic in topics {
            let policy = topic.config["cleanup.policy"].map { ", \($0)" } ?? ""
            print("\(topic.name): \(topic.partitions) partitions\(policy)")
        }
    }
}
