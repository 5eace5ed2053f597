import ArgumentParser
import Foundation
import Kafka
import Logging
import ServiceLifecycle

/// `khabar broker`: an embedded Kafka-protocol cluster (librdkafka's mock cluster) for demos and tests.
struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Serve an embedded Kafka-protocol cluster until SIGTERM/SIGINT.",
        discussion: """
            Prints the bootstrap servers as the first line on stdout. Any Kafka client (khabar run, kcat) \
            can use it while this process lives. Data is kept in memory (about 5 MB per partition).
            """
    )

    @Option(help: "Number of brokers.")
    var brokers = 3

    @Option(help: "Partitions of each topic that names no count of its own.")
    var partitions = 6

    @Option(help: "Comma-separated topics to create, each `name` or `name:partitions`.")
    var topics = "articles.raw,articles.enriched,articles.dlq,articles.fingerprints"

    func validate() throws {
        _ = try topicSpecs()
    }

    /// The topics to create with their partition counts (``topics`` parsed, ``partitions`` where none is given).
    func topicSpecs() throws -> [(name: String, partitions: Int)] {
        try topics.split(separator: ",").compactMap { item in
            let spec = item.trimmingCharacters(in: .whitespaces)
            guard !spec.isEmpty else { return nil }
            guard let colon = spec.lastIndex(of: ":") else { return (spec, partitions) }
            let name = String(spec[..<colon])
            guard !name.isEmpty, let count = Int(spec[spec.index(after: colon)...]), count >= 1 else {
                throw ValidationError("--topics: `\(spec)` is not `name` or `name:partitions` (partitions >= 1)")
            }
            return (name, count)
        }
    }

    @Option(help: "Log level (trace, debug, info, notice, warning, error, critical).")
    var logLevel = "info"

    func run() async throws {
        let logger = try LogSetup.bootstrap(level: logLevel)
        let specs = try topicSpecs()
        let names = specs.map(\.name)
        let cluster = try EmbeddedKafkaCluster(brokers: brokers, topics: specs, logger: logger)
        FileHandle.standardOutput.write(Data((cluster.bootstrapServers + "\n").utf8))
        logger.info(
            "embedded cluster serving",
            metadata: ["bootstrap": "\(cluster.bootstrapServers)", "topics": "\(names.joined(separator: ","))"]
        )
        let group = ServiceGroup(
            services: [EmbeddedClusterService(cluster: cluster)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        try await group.run()
        logger.info("embedded cluster stopped")
    }
}

/// Keeps an embedded cluster alive until graceful shutdown, then closes it.
struct EmbeddedClusterService: Service {
    let cluster: EmbeddedKafkaCluster

    func run() async throws {
        try? await gracefulShutdown()
        cluster.close()
    }
}
