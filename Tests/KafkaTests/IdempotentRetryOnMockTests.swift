import Foundation
import Kafka
import Logging
import Synchronization
import Testing

/// Issue 5 without khabar's worker: with retriable errors injected on Produce, librdkafka 2.0.2's mock
/// cluster makes an idempotent producer report messages as delivered that were never written.
///
/// Cause (read in librdkafka 2.0.2's source; 2.16's mock behaves the same): the mock checks an idempotent
/// producer's sequence numbers only when the request carries a `transactional.id`
/// (`rd_kafka_mock_validate_records` in `src/rdkafka_mock.c` returns early otherwise), so when request R1
/// fails with an injected error, the next request R2 of the same partition — already in flight behind it
/// — is appended although its base sequence skips R1's records; a real broker answers
/// OUT_OF_ORDER_SEQUENCE_NUMBER. The client (`rd_kafka_handle_idempotent_Produce_success` in
/// `src/rdkafka_request.c`) rightly concludes from R2's success that R1 must have been persisted and
/// reports R1's messages, queued for their retry, as delivered ("implicitly acked"), offset unknown.
/// The repro in C (`scripts/repro/`) shows the same with no Swift code involved.
@Suite("Issue 5: idempotent retries on the mock cluster", .serialized)
struct IdempotentRetryOnMockTests {
    static let partitions = 6
    static let messageCount = 3000
    /// The fault test's mix (`FaultBrokerTests.retriableProduceFetchAndCommitErrorsAreRetried`).
    static let injected: [KafkaError.Code] = [
        .notLeaderForPartition, .requestTimedOut, .notEnoughReplicas, .notLeaderForPartition,
    ]

    /// What one run saw.
    struct Outcome {
        /// Messages whose delivery report succeeded.
        var acknowledged = 0
        /// Delivery reports that failed.
        var failed = 0
        /// Acknowledged messages that are not in the topic: index → reported offset.
        var absent: [Int: Int64] = [:]
        /// Messages librdkafka logged as "implicitly acked by subsequent batch success".
        var implicitlyAcknowledged = 0
    }

    /// Produces `messageCount` messages at ~3,000 msg/s with khabar's producer defaults plus `properties`,
    /// pushing `injected` onto the mock's Produce error stack every 300 messages, then reads the topic
    /// back.
    static func run(properties: [String: String]) async throws -> Outcome {
        let topic = TestSupport.unique("issue5")
        let implicitAcks = ImplicitAckCounter()
        let logger = Logger(label: "issue5") { _ in implicitAcks.handler }
        let cluster = try EmbeddedKafkaCluster(
            brokers: 3, topics: [(topic, partitions)], logger: TestSupport.logger)
        defer { cluster.close() }
        var configuration = KafkaProducerConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.properties = properties.merging(["acks": "all", "debug": "eos"]) { mine, _ in mine }
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        let reports = Recorder<(Int, Result<KafkaDeliveryReport, KafkaError>)>()
        try await onDedicatedThread {
            var value = [UInt8](repeating: UInt8(ascii: "x"), count: 1024)
            for index in 0..<messageCount {
                if index % 300 == 0 { try cluster.pushRequestErrors(apiKey: .produce, errors: injected) }
                value.replaceSubrange(0..<13, with: Array(String(format: "msg-%08d|", index).utf8))
                let message = KafkaProducerMessage(topic: topic, key: Array("k-\(index)".utf8), value: value)
                while true {
                    do throws(KafkaError) {
                        try producer.send(message) { reports.append((index, $0)) }
                        break
                    } catch {
                        // A full local queue clears as delivery reports arrive.
                        guard error.code == .queueFull else { throw error }
                        Thread.sleep(forTimeInterval: 0.002)
                    }
                }
                if index % 15 == 14 { Thread.sleep(forTimeInterval: 0.005) }
            }
            try producer.flush(timeout: .seconds(60))
        }
        producer.close(timeout: .seconds(5))

        var outcome = Outcome()
        var acknowledged: [Int: Int64] = [:]
        for (index, result) in reports.all {
            switch result {
            case .success(let report): acknowledged[index] = report.offset
            case .failure: outcome.failed += 1
            }
        }
        outcome.acknowledged = acknowledged.count
        let seen = try await onDedicatedThread { try readBack(topic: topic, cluster: cluster) }
        outcome.absent = acknowledged.filter { !seen.contains($0.key) }
        outcome.implicitlyAcknowledged = implicitAcks.count
        return outcome
    }

    /// The message indices in `topic`, read from the beginning to the end of every partition.
    static func readBack(topic: String, cluster: EmbeddedKafkaCluster) throws -> Set<Int> {
        let consumer = try KafkaConsumer(
            configuration: TestSupport.consumerConfiguration(cluster, group: TestSupport.unique("issue5-reader")),
            logger: TestSupport.logger
        )
        defer { try? consumer.close() }
        var total: Int64 = 0
        for partition in 0..<Int32(partitions) {
            let marks = try consumer.watermarkOffsets(topic: topic, partition: partition, timeout: .seconds(10))
            total += marks.high - marks.low
        }
        try consumer.assign(
            (0..<Int32(partitions)).map {
                TopicPartitionOffset(topic: topic, partition: $0, offset: KafkaOffset.beginning)
            }
        )
        let messages = try consume(consumer, count: Int(total), timeout: .seconds(30))
        return Set(messages.compactMap { Int(String(decoding: $0.value.prefix(12).dropFirst(4), as: UTF8.self)) })
    }

    @Test(
        "Idempotent, 5 requests in flight (khabar's settings): acknowledged messages go missing, all implicitly acked")
    func idempotentPipelinedRetriesLoseImplicitlyAckedMessages() async throws {
        // Up to 3 runs: a run loses nothing when no failed request had another one in flight behind it.
        var outcome = Outcome()
        for _ in 0..<3 {
            outcome = try await Self.run(properties: ["max.in.flight.requests.per.connection": "5"])
            if !outcome.absent.isEmpty { break }
        }
        print(
            "[issue5] idempotent, in flight 5: \(outcome.acknowledged) acknowledged, \(outcome.absent.count) absent, "
                + "\(outcome.implicitlyAcknowledged) implicitly acked, offsets of the absent: "
                + "\(Set(outcome.absent.values).sorted())")
        #expect(outcome.failed == 0)
        // The defect needs a failed request with another one in flight behind it, which timing decides: three
        // runs in a row without a loss happened once in a full-suite run on a loaded machine (scripts/repro
        // shows it in 10 of 10 runs of 3,000 messages). Whether it showed is recorded, not required; if it
        // never shows any more, the mock (or client) was fixed: make the fault test strict.
        withKnownIssue("the mock's defect does not show in every run", isIntermittent: true) {
            #expect(!outcome.absent.isEmpty, "the 2.0.2 mock should acknowledge unwritten idempotent batches")
        }
        // The mechanism: every absent message is one librdkafka reported as implicitly acked — no offset
        // (a real report names its offset; none of those is missing, so the mock drops no written batch).
        #expect(outcome.absent.values.allSatisfy { $0 == KafkaOffset.invalid }, "\(outcome.absent.prefix(5))")
        #expect(outcome.absent.count <= outcome.implicitlyAcknowledged)
    }

    @Test(
        "Controls: one request in flight, or idempotence off, lose nothing under the same errors",
        arguments: [
            ["max.in.flight.requests.per.connection": "1"],
            ["enable.idempotence": "false", "max.in.flight.requests.per.connection": "5"],
        ]
    )
    func withoutPipelinedIdempotentRetriesNothingIsLost(properties: [String: String]) async throws {
        let outcome = try await Self.run(properties: properties)
        print("[issue5] \(properties): \(outcome.acknowledged) acknowledged, \(outcome.absent.count) absent")
        #expect(outcome.failed == 0)
        #expect(outcome.acknowledged == Self.messageCount)
        #expect(outcome.absent.isEmpty, "\(outcome.absent.prefix(5))")
        #expect(outcome.implicitlyAcknowledged == 0)
    }
}

/// Counts the messages librdkafka reports as "N message(s) implicitly acked by subsequent batch success"
/// (facility IMPLICITACK, logged with `debug=eos`).
final class ImplicitAckCounter: Sendable {
    private let total = Atomic<Int>(0)

    /// Messages counted so far.
    var count: Int { total.load(ordering: .relaxed) }

    /// A log handler feeding this counter; it drops every line.
    var handler: Handler { Handler(counter: self) }

    struct Handler: LogHandler {
        let counter: ImplicitAckCounter
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            guard case .string(let facility)? = event.metadata?["facility"], facility == "IMPLICITACK" else { return }
            // "... repro [3] 2 message(s) implicitly acked by subsequent batch success (...)"
            let text = event.message.description
            guard let bracket = text.range(of: "] ") else { return }
            let count = Int(text[bracket.upperBound...].prefix { $0.isNumber }) ?? 0
            counter.total.add(count, ordering: .relaxed)
        }
    }
}
