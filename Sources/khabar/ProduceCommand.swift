import ArgumentParser
import Foundation
import Kafka
import Logging
import Synchronization

/// `khabar produce`: feeds article files (or the bundled samples) into a topic.
struct ProduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Produce article files (text, HTML, JSON envelope, or JSONL: one per line) to a topic.",
        discussion: "With no files, produces the sample articles bundled with khabar."
    )

    @Option(help: "Kafka bootstrap servers (KHABAR_BROKERS).")
    var brokers: String?

    @Option(help: "Topic to produce to.")
    var topic = "articles.raw"

    @Option(help: "Log level.")
    var logLevel = "warning"

    @Argument(help: "Article files; '-' reads standard input.")
    var files: [String] = []

    func run() async throws {
        let logger = try LogSetup.bootstrap(level: logLevel)
        guard let bootstrap = Environment.resolve(brokers, option: "brokers") else {
            throw ValidationError("--brokers (or KHABAR_BROKERS) is required")
        }
        let payloads = files.isEmpty ? try Articles.samples() : try Articles.read(paths: files)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: bootstrap), logger: logger)
        defer { producer.close(timeout: .seconds(10)) }
        let failures = try ArticleFeeder.produce(payloads, topic: topic, producer: producer)
        print("produced \(payloads.count - failures.count) of \(payloads.count) articles to \(topic)")
        for failure in failures { print("failed: \(failure)") }
        if !failures.isEmpty { throw ExitCode.failure }
    }
}

/// Produces raw payloads and waits for every delivery report.
enum ArticleFeeder {
    /// Sends all payloads (no key: the partitioner spreads them), flushes, and returns the failures.
    static func produce(_ payloads: [Articles.Payload], topic: String, producer: KafkaProducer) throws -> [String] {
        let failures = Mutex<[String]>([])
        for payload in payloads {
            let origin = payload.origin
            try send(KafkaProducerMessage(topic: topic, value: payload.bytes), producer: producer) { error in
                failures.withLock { $0.append("\(origin): \(error)") }
            }
        }
        try producer.flush(timeout: .seconds(60))
        return failures.withLock { $0 }
    }

    /// Enqueues `message`, waiting while librdkafka's queue is full; `onFailure` hears of a failed delivery.
    static func send(
        _ message: KafkaProducerMessage,
        producer: KafkaProducer,
        onFailure: @escaping @Sendable (KafkaError) -> Void
    ) throws(KafkaError) {
        while true {
            do {
                try producer.send(message) { result in
                    if case .failure(let error) = result { onFailure(error) }
                }
                return
            } catch {
                guard error.code == .queueFull else { throw error }
                Thread.sleep(forTimeInterval: 0.005)
            }
        }
    }
}
