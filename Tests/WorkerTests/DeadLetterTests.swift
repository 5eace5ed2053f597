import ArticleAnalysis
import Foundation
import Kafka
import Logging
import Testing

@testable import Worker

/// The worker in-process against the embedded cluster: poison messages go to the dead-letter topic
/// with their reason and the partition keeps flowing.
@Suite(.serialized) struct DeadLetterTests {
    static let logger = Logger(label: "worker-tests")

    static func article(_ index: Int) -> [UInt8] {
        Array(
            """
            {"id": "good-\(index)", "lang": "ar", "title": "وزير الخارجية يلتقي نظيره في القاهرة \(index)",
             "text": "بحث وزير الخارجية مع نظيره المصري في القاهرة العلاقات الثنائية وسبل تعزيز التعاون بين البلدين."}
            """.utf8
        )
    }

    /// One of each bad input class, with the error class the worker must report.
    static let poison: [(name: String, value: [UInt8], errorClass: String)] = [
        ("invalid UTF-8", [0x7B, 0x22, 0xC3, 0x28, 0x22, 0x7D], "invalid_utf8"),
        ("empty", [], "empty"),
        ("whitespace", Array("   \n\t  ".utf8), "empty"),
        ("malformed JSON", Array("{\"title\": \"x\", ".utf8), "malformed_json"),
        ("wrong shape", Array("[1, 2, 3]".utf8), "wrong_shape"),
        ("wrong field type", Array("{\"title\": 42, \"text\": [\"a\"]}".utf8), "wrong_shape"),
        ("no text", Array("{\"id\": \"x\", \"title\": \"Only a title\"}".utf8), "no_text"),
        ("binary", (0..<512).map { UInt8($0 % 32) }, "binary"),
        ("too large", Array(repeating: UInt8(ascii: "a"), count: 300_000), "too_large"),
    ]

    @Test func poisonMessagesAreDeadLetteredWithTheirReasonAndGoodOnesFlow() async throws {
        let cluster = try EmbeddedKafkaCluster(
            brokers: 1,
            topics: [("articles.raw", 1), ("articles.enriched", 1), ("articles.dlq", 1)],
            logger: Self.logger
        )
        defer { cluster.close() }
        let producer = try KafkaProducer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers), logger: Self.logger)
        // All in one partition, poison interleaved with good articles: a stall would show at once.
        var expected: [Int64: String] = [:]  // input offset → expected error class ("" = record)
        var offset: Int64 = 0
        for (index, bad) in Self.poison.enumerated() {
            for message in [
                KafkaProducerMessage(
                    topic: "articles.raw", partition: 0, key: Array("good-\(index)".utf8), value: Self.article(index)),
                KafkaProducerMessage(
                    topic: "articles.raw",
                    partition: 0,
                    key: Array(bad.name.utf8),
                    value: bad.value,
                    headers: [KafkaHeader(key: "origin", value: Array("scraper-7".utf8))]
                ),
            ] {
                let report = try await producer.send(message)
                #expect(report.offset == offset)
                expected[offset] = message.key == Array(bad.name.utf8) ? bad.errorClass : ""
                offset += 1
            }
        }
        producer.close(timeout: .seconds(5))

        var configuration = WorkerConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.partitionAssignmentStrategy = "range"
        configuration.groupID = "dlq-test"
        configuration.maxMessageBytes = 200_000
        configuration.drainTimeout = .seconds(5)
        let worker = ArticleWorker(
            configuration: configuration,
            analyzer: ArticleAnalyzer(classifier: try Classifier.bundled()),
            logger: Self.logger
        )
        let running = Task { try await worker.run() }

        var reader = KafkaConsumerConfiguration(bootstrapServers: cluster.bootstrapServers, groupID: "dlq-test-reader")
        reader.fetchWaitMaxMilliseconds = 10
        let consumer = try KafkaConsumer(configuration: reader, logger: Self.logger)
        try consumer.assign([
            TopicPartitionOffset(topic: "articles.enriched", partition: 0, offset: 0),
            TopicPartitionOffset(topic: "articles.dlq", partition: 0, offset: 0),
        ])
        var answered: [Int64: String] = [:]
        let deadline = ContinuousClock.now + .seconds(60)
        while answered.count < expected.count, ContinuousClock.now < deadline {
            for message in try consumer.poll(maxMessages: 100, timeout: .zero) {
                let headers = Dictionary(
                    message.headers.map { ($0.key, $0.value.map { String(decoding: $0, as: UTF8.self) } ?? "") },
                    uniquingKeysWith: { first, _ in first }
                )
                let source = Int64(headers["khabar.source.offset"] ?? "") ?? -1
                if message.topic == "articles.dlq" {
                    answered[source] = headers["khabar.error.class"] ?? "?"
                    #expect(headers["origin"] == "scraper-7", "original headers kept")
                    #expect(headers["khabar.source.topic"] == "articles.raw")
                    #expect(headers["khabar.source.partition"] == "0")
                    #expect(!(headers["khabar.error.message"] ?? "").isEmpty)
                    #expect(headers["khabar.worker.version"] == KhabarVersion.string)
                    if let bad = Self.poison.first(where: { Array($0.name.utf8) == message.key }) {
                        #expect(message.value == bad.value, "original value kept for \(bad.name)")
                    }
                } else {
                    answered[source] = ""
                }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        try? consumer.close()
        worker.requestStop()
        try await running.value
        #expect(answered == expected)
        #expect(worker.status.deadLetterCount == Self.poison.count)
        #expect(worker.status.recordCount == Self.poison.count)
    }
}
