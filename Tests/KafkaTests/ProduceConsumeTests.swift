import Foundation
import Kafka
import Testing

@Suite("Produce and consume against the embedded cluster")
struct ProduceConsumeTests {
    @Test("Round trip keeps keys, headers, per-partition order and matches delivery reports")
    func roundTrip() async throws {
        let topic = TestSupport.unique("round-trip")
        let cluster = try EmbeddedKafkaCluster(brokers: 3, topics: [(topic, 3)], logger: TestSupport.logger)
        let producer = try KafkaProducer(
            configuration: TestSupport.producerConfiguration(cluster),
            logger: TestSupport.logger
        )
        let total = 60
        let reports = Recorder<(Int, Result<KafkaDeliveryReport, KafkaError>)>()
        func message(_ sequence: Int) -> KafkaProducerMessage {
            KafkaProducerMessage(
                topic: topic,
                key: TestSupport.bytes("key-\(sequence % 6)"),
                value: TestSupport.bytes("value-\(sequence)"),
                headers: [
                    KafkaHeader(key: "seq", value: TestSupport.bytes(String(sequence))),
                    KafkaHeader(key: "null-header", value: nil),
                    KafkaHeader(key: "empty-header", value: []),
                ]
            )
        }
        for sequence in 0..<(total - 1) {
            try producer.send(message(sequence)) { reports.append((sequence, $0)) }
        }
        // The async variant for the last one.
        let lastReport = try await producer.send(message(total - 1))
        try await onDedicatedThread { try producer.flush(timeout: .seconds(10)) }
        #expect(producer.outstandingCount == 0)

        var delivered: [Int: KafkaDeliveryReport] = [total - 1: lastReport]
        for (sequence, result) in reports.all {
            delivered[sequence] = try result.get()
        }
        #expect(delivered.count == total)
        #expect(Set(delivered.values.map(\.partition)).count > 1, "keys should spread over partitions")

        let consumer = try KafkaConsumer(
            configuration: TestSupport.consumerConfiguration(cluster, group: TestSupport.unique("group")),
            logger: TestSupport.logger
        )
        try consumer.assign(
            (0..<3).map { TopicPartitionOffset(topic: topic, partition: $0, offset: KafkaOffset.beginning) })
        let messages = try await onDedicatedThread { try consume(consumer, count: total, timeout: .seconds(20)) }
        #expect(messages.count == total)

        var lastSequenceByPartition: [Int32: Int] = [:]
        var partitionByKey: [[UInt8]: Int32] = [:]
        for received in messages {
            let sequence = try #require(Int(TestSupport.text(received.headers.first?.value) ?? ""))
            #expect(received.topic == topic)
            #expect(received.key == TestSupport.bytes("key-\(sequence % 6)"))
            #expect(received.value == TestSupport.bytes("value-\(sequence)"))
            #expect(received.headers == message(sequence).headers)
            #expect(received.timestampMilliseconds != nil)
            let report = try #require(delivered[sequence])
            #expect(report.partition == received.partition && report.offset == received.offset)
            if let previous = lastSequenceByPartition[received.partition] {
                #expect(previous < sequence, "order within partition \(received.partition)")
            }
            lastSequenceByPartition[received.partition] = sequence
            if let key = received.key {
                #expect(partitionByKey[key, default: received.partition] == received.partition)
                partitionByKey[key] = received.partition
            }
        }
        try consumer.close()
        producer.close(timeout: .seconds(5))
    }

    @Test("A non-retriable produce error reaches the completion as a KafkaError")
    func injectedProduceError() async throws {
        let topic = TestSupport.unique("produce-error")
        let cluster = try EmbeddedKafkaCluster(brokers: 1, topics: [(topic, 1)], logger: TestSupport.logger)
        var configuration = TestSupport.producerConfiguration(cluster)
        configuration.idempotence = false
        let producer = try KafkaProducer(configuration: configuration, logger: TestSupport.logger)
        // Warm up: metadata and a first delivery, so the injected error hits the next Produce request.
        _ = try await producer.send(KafkaProducerMessage(topic: topic, value: TestSupport.bytes("ok")))
        try cluster.pushRequestErrors(apiKey: .produce, errors: [.msgSizeTooLarge])
        let error = await #expect(throws: KafkaError.self) {
            try await producer.send(KafkaProducerMessage(topic: topic, value: TestSupport.bytes("refused")))
        }
        #expect(error?.code == .msgSizeTooLarge)
        #expect(error?.name == "MSG_SIZE_TOO_LARGE")
        #expect(error?.message == "Broker: Message size too large")
        #expect(error?.isRetriable == false)
        // The producer keeps working after the failure.
        let report = try await producer.send(KafkaProducerMessage(topic: topic, value: TestSupport.bytes("again")))
        #expect(report.offset >= 1)
        producer.close(timeout: .seconds(5))
    }

    @Test("Brokers down: enqueue fails with queue full, delivery fails with message timed out")
    func brokersDown() async throws {
        let topic = TestSupport.unique("brokers-down")
        let cluster = try EmbeddedKafkaCluster(brokers: 1, topics: [(topic, 1)], logger: TestSupport.logger)
        try cluster.setBrokerDown(1)
        var configuration = TestSupport.producerConfiguration(cluster)
        configuration.messageTimeoutMilliseconds = 1000
        configuration.queueBufferingMaxMessages = 1
        let producer = try KafkaProducer(configuration: configuration, logger: TestSupport.logger)
        let outcome = Recorder<Result<KafkaDeliveryReport, KafkaError>>()
        try producer.send(KafkaProducerMessage(topic: topic, value: TestSupport.bytes("first"))) {
            outcome.append($0)
        }
        let queueFull = #expect(throws: KafkaError.self) {
            try producer.send(KafkaProducerMessage(topic: topic, value: TestSupport.bytes("second"))) { _ in
                Issue.record("the completion of a refused message must never run")
            }
        }
        #expect(queueFull?.code == .queueFull)
        #expect(queueFull?.name == "_QUEUE_FULL")
        #expect(queueFull?.isRetriable == true)

        #expect(try await eventually(timeout: .seconds(10)) { !outcome.all.isEmpty })
        let failure = try #require(outcome.all.first)
        guard case .failure(let error) = failure else {
            Issue.record("delivery should fail with all brokers down, got \(failure)")
            return
        }
        #expect(error.code == .msgTimedOut)
        #expect(error.name == "_MSG_TIMED_OUT")
        #expect(error.message == "Local: Message timed out")
        #expect(error.isRetriable)
        producer.close(timeout: .zero)
        #expect(throws: KafkaError.self) {
            try producer.send(KafkaProducerMessage(topic: topic, value: [])) { _ in }
        }
    }

    @Test("A completion may hold the producer's last reference")
    func lastReferenceReleasedInCompletion() async throws {
        let topic = TestSupport.unique("last-reference")
        let cluster = try EmbeddedKafkaCluster(brokers: 1, topics: [(topic, 1)], logger: TestSupport.logger)
        let outcome = Recorder<Int64>()
        weak var weakProducer: KafkaProducer?
        var configuration = TestSupport.producerConfiguration(cluster)
        configuration.clientID = TestSupport.unique("lr")
        // The producer's event thread is named "kp-" and the client id's last 12 characters.
        let threadName = "kp-" + configuration.clientID.suffix(12)
        do {
            let producer = try KafkaProducer(configuration: configuration, logger: TestSupport.logger)
            #expect(try await eventually(timeout: .seconds(5)) { threadNames().contains(threadName) })
            weakProducer = producer
            try producer.send(KafkaProducerMessage(topic: topic, value: TestSupport.bytes("x"))) { result in
                // The producer is released on the event thread when this closure is.
                withExtendedLifetime(producer) { outcome.append((try? result.get().offset) ?? -1) }
            }
        }
        #expect(try await eventually(timeout: .seconds(10)) { outcome.all == [0] })
        #expect(try await eventually(timeout: .seconds(5)) { weakProducer == nil })
        #expect(try await eventually(timeout: .seconds(5)) { !threadNames().contains(threadName) }, "thread ended")
        // The same cluster still serves a new producer.
        let next = try KafkaProducer(
            configuration: TestSupport.producerConfiguration(cluster), logger: TestSupport.logger)
        #expect(try await next.send(KafkaProducerMessage(topic: topic, value: [])).offset == 1)
        next.close(timeout: .seconds(5))
    }

    @Test("A value is read in place: the producer keeps it alive after the caller let go of it")
    func valueOutlivesTheCaller() async throws {
        let topic = TestSupport.unique("in-place")
        let cluster = try EmbeddedKafkaCluster(brokers: 1, topics: [(topic, 1)], logger: TestSupport.logger)
        var configuration = TestSupport.producerConfiguration(cluster)
        configuration.lingerMilliseconds = 300  // the messages wait in librdkafka's queue meanwhile
        let producer = try KafkaProducer(configuration: configuration, logger: TestSupport.logger)
        let total = 200
        let size = 10_000
        func value(_ sequence: Int) -> [UInt8] {
            (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ sequence) }
        }
        for sequence in 0..<total {
            // The only other reference to the array is the message, gone when this iteration ends.
            try producer.send(KafkaProducerMessage(topic: topic, key: nil, value: value(sequence))) { _ in }
        }
        // Allocations of the same size, overwritten, take the memory of any value freed meanwhile.
        var churn: [[UInt8]] = []
        for _ in 0..<(2 * total) { churn.append([UInt8](repeating: 0xEE, count: size)) }
        try await onDedicatedThread { try producer.flush(timeout: .seconds(10)) }
        #expect(churn.count == 2 * total)

        let consumer = try KafkaConsumer(
            configuration: TestSupport.consumerConfiguration(cluster, group: TestSupport.unique("group")),
            logger: TestSupport.logger
        )
        try consumer.assign([TopicPartitionOffset(topic: topic, partition: 0, offset: KafkaOffset.beginning)])
        let messages = try await onDedicatedThread { try consume(consumer, count: total, timeout: .seconds(20)) }
        #expect(messages.count == total)
        // A count, not the values: a failure would print 200 arrays of 10,000 bytes.
        let altered = messages.enumerated().filter { $0.element.value != value($0.offset) }.map(\.offset)
        #expect(altered.isEmpty, "values changed after the send: messages \(altered.prefix(10))…")
        try consumer.close()
        producer.close(timeout: .seconds(5))
    }

    @Test("A worker's two producers, \"<instance>\" and \"<instance>-fingerprints\", name their threads apart")
    func eventThreadNamesTellProducersApart() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: TestSupport.logger)
        // Longer than a thread name (15 bytes on Linux): the start the two ids share is cut off.
        let instance = TestSupport.unique("khabar-worker-on-a-long-host-name")
        var configuration = TestSupport.producerConfiguration(cluster)
        configuration.clientID = instance
        let records = try KafkaProducer(configuration: configuration, logger: TestSupport.logger)
        configuration.clientID = instance + "-fingerprints"
        let fingerprints = try KafkaProducer(configuration: configuration, logger: TestSupport.logger)
        let expected: Set = ["kp-" + instance.suffix(12), "kp-fingerprints"]
        #expect(try await eventually(timeout: .seconds(5)) { threadNames().isSuperset(of: expected) })
        records.close(timeout: .seconds(5))
        fingerprints.close(timeout: .seconds(5))
    }

    @Test("An unknown librdkafka property is rejected with its name")
    func invalidConfiguration() throws {
        var configuration = KafkaProducerConfiguration(bootstrapServers: "127.0.0.1:1")
        configuration.properties["no.such.property"] = "1"
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(configuration: configuration, logger: TestSupport.logger)
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("no.such.property") == true)
    }
}

/// The names of this process's threads (Linux).
private func threadNames() -> Set<String> {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    return Set(
        tasks.compactMap {
            (try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
    )
}
