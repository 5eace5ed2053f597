import Foundation
import Kafka
import Logging
import Testing

/// Tier 2: a real, standalone Kafka-compatible broker named by `KHABAR_TEST_BOOTSTRAP` (Tansu in
/// `scripts/tansu-tier.sh`). Suites of this tier are disabled when the variable is not set.
enum Tier2 {
    /// The broker's bootstrap servers, or nil when tier 2 does not run.
    static let bootstrap: String? = ProcessInfo.processInfo.environment["KHABAR_TEST_BOOTSTRAP"]
        .flatMap { $0.isEmpty ? nil : $0 }

    /// Whether tier 2 runs (for `.enabled(if:)`).
    static var enabled: Bool { bootstrap != nil }

    /// The broker address; only called from enabled suites.
    static var broker: String {
        get throws {
            guard let bootstrap else { throw TestFailure("KHABAR_TEST_BOOTSTRAP is not set") }
            return bootstrap
        }
    }

    /// Partitions of every tier-2 topic.
    static let partitions = 3

    /// librdkafka settings for every worker: Tansu's first group join takes about half the session timeout.
    static let workerKafkaSettings = [
        "--kafka", "consumer.session.timeout.ms=6000", "--kafka", "consumer.fetch.wait.max.ms=50",
    ]
}

/// A set of uniquely named worker topics, created on the tier-2 broker with ``KafkaAdmin``.
struct Tier2Topics {
    let input: String
    let output: String
    let deadLetter: String
    let fingerprint: String

    /// Creates `<prefix>-<uuid>.{raw,enriched,dlq,fingerprints}` (plus `extra` outputs) on the broker.
    init(_ prefix: String, extraOutputs: [String] = []) throws {
        let base = "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
        input = "\(base).raw"
        output = "\(base).enriched"
        deadLetter = "\(base).dlq"
        fingerprint = "\(base).fingerprints"
        let names = [input, output, deadLetter, fingerprint] + extraOutputs
        try KafkaAdmin(bootstrapServers: try Tier2.broker).createTopics(
            names.map { NewTopic(name: $0, partitions: Tier2.partitions) }, timeout: .seconds(20))
    }

    /// The `khabar run`/`replay` topic options.
    var arguments: [String] {
        [
            "--input-topic", input, "--output-topic", output, "--dlq-topic", deadLetter, "--fingerprint-topic",
            fingerprint,
        ]
    }

    /// Reads the answer topics (output and DLQ) until `expected` inputs are answered or `timeout` passes.
    func answers(expected: Int, timeout: Duration, outputs: [String]? = nil) async throws -> AnswerChecker {
        try await AnswerChecker.read(
            bootstrap: try Tier2.broker,
            topics: outputs ?? [output, deadLetter],
            partitions: Tier2.partitions,
            inputTopic: input,
            expected: expected,
            timeout: timeout
        )
    }

    /// Produces ``EndToEndTests/payload(_:)`` for every index of `range` to the input topic, round-robin over
    /// the partitions, and returns the delivery reports in order.
    ///
    /// `singleMessageBatches` sends one message per produce request (`linger.ms=0`, awaiting each delivery):
    /// Tansu's high watermark is wrong after multi-message batches, and `khabar replay --to latest` reads it.
    @discardableResult
    func produce(_ range: Range<Int>, singleMessageBatches: Bool = false) async throws -> [KafkaDeliveryReport] {
        var configuration = KafkaProducerConfiguration(bootstrapServers: try Tier2.broker)
        if singleMessageBatches { configuration.lingerMilliseconds = 0 }
        let producer = try KafkaProducer(configuration: configuration, logger: Logger(label: "tier2-producer"))
        defer { producer.close(timeout: .seconds(10)) }
        func message(_ index: Int) -> KafkaProducerMessage {
            KafkaProducerMessage(
                topic: input, partition: Int32(index % Tier2.partitions), key: Array("in-\(index)".utf8),
                value: EndToEndTests.payload(index))
        }
        if singleMessageBatches {
            var reports: [KafkaDeliveryReport] = []
            for index in range { reports.append(try await producer.send(message(index))) }
            return reports
        }
        let reports = try await withThrowingTaskGroup(of: KafkaDeliveryReport.self) { group in
            for index in range {
                let item = message(index)
                group.addTask { try await producer.send(item) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        try producer.flush(timeout: .seconds(30))
        return reports
    }

    /// Starts `khabar run` on these topics and waits until it answers `/readyz` (partitions assigned).
    func startWorker(group: String) async throws -> KhabarProcess {
        let port = HTTPProbe.freePort()
        let worker = try KhabarProcess(
            [
                "run", "--brokers", try Tier2.broker, "--group", group, "--assignor", "range", "--http-port", "\(port)",
                "--log-level", "warning",
            ] + arguments + Tier2.workerKafkaSettings
        )
        try await HTTPProbe.waitForStatus(200, port: port, path: "/readyz", timeout: .seconds(40))
        return worker
    }

    /// Number of inputs of `range` that ``EndToEndTests/payload(_:)`` makes poison.
    static func poisonCount(_ range: Range<Int>) -> Int {
        range.filter { [7, 14, 21].contains($0 % 25) }.count
    }
}
