import ArticleAnalysis
import Foundation
import Kafka
import Logging
import Testing

@testable import Worker

/// The hostile input battery through an in-process worker on the embedded cluster: every input ends in
/// the dead-letter topic with an expected error class or as a valid record, the worker keeps going, and
/// memory stays bounded.
@Suite(.serialized) struct HostileBatteryTests {
    static let logger = Logger(label: "hostile-battery")
    static let partitions: Int32 = 8
    /// Lets the 1.5 MB input through producer and broker so that the worker's own size gate answers it.
    static let kafkaProperties = ["message.max.bytes": "4000000"]

    /// `VmHWM` and `VmRSS` of this process in kB (from /proc/self/status; zero where unavailable).
    static func memory() -> (peak: Int, resident: Int) {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return (field("VmHWM"), field("VmRSS"))
    }

    static func good(_ index: Int) -> [UInt8] {
        HostileInputs.envelope(title: "وزير الخارجية يلتقي نظيره \(index)", text: HostileInputs.sentence)
    }

    @Test func everyHostileInputIsDeadLetteredOrARecordAndTheWorkerKeepsGoing() async throws {
        let before = Self.memory()
        let cluster = try EmbeddedKafkaCluster(
            brokers: 1,
            topics: [
                ("articles.raw", Int(Self.partitions)), ("articles.enriched", 12), ("articles.dlq", 12),
            ],
            logger: Self.logger
        )
        defer { cluster.close() }
        var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: cluster.bootstrapServers)
        producerConfiguration.properties = Self.kafkaProperties
        let producer = try KafkaProducer(configuration: producerConfiguration, logger: Self.logger)
        // Spread the bytes over the partitions (largest first onto the lightest): the mock keeps only about
        // 5 MB per partition. Then a good article on every partition, to show that none of them stalled.
        var load = [Int](repeating: 0, count: Int(Self.partitions))
        var expected: [String: (name: String, allowed: Set<String>)] = [:]  // "partition/offset" → input
        for input in HostileInputs.carried.sorted(by: { $0.bytes.count > $1.bytes.count }) {
            let partition = load.indices.min { load[$0] < load[$1] }!
            load[partition] += input.bytes.count
            let message = KafkaProducerMessage(
                topic: "articles.raw", partition: Int32(partition), key: Array(input.name.utf8), value: input.bytes
            )
            let report = try await producer.send(message)
            expected["\(partition)/\(report.offset)"] = (input.name, input.allowed)
        }
        for partition in 0..<Self.partitions {
            let name = "good-\(partition)"
            let message = KafkaProducerMessage(
                topic: "articles.raw", partition: partition, key: Array(name.utf8), value: Self.good(Int(partition))
            )
            let report = try await producer.send(message)
            expected["\(partition)/\(report.offset)"] = (name, [HostileInputs.record])
        }
        producer.close(timeout: .seconds(5))

        var configuration = WorkerConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.partitionAssignmentStrategy = "range"
        configuration.groupID = "hostile-battery"
        configuration.drainTimeout = .seconds(5)
        configuration.kafkaProperties = Self.kafkaProperties
        let worker = ArticleWorker(
            configuration: configuration,
            analyzer: ArticleAnalyzer(classifier: try Classifier.bundled()),
            logger: Self.logger
        )
        let running = Task { try await worker.run() }

        var reader = KafkaConsumerConfiguration(bootstrapServers: cluster.bootstrapServers, groupID: "hostile-reader")
        reader.fetchWaitMaxMilliseconds = 10
        reader.properties = Self.kafkaProperties
        let consumer = try KafkaConsumer(configuration: reader, logger: Self.logger)
        try consumer.assign(
            (0..<12).flatMap { partition in
                ["articles.enriched", "articles.dlq"].map {
                    TopicPartitionOffset(topic: $0, partition: partition, offset: 0)
                }
            }
        )
        var answered: [String: String] = [:]  // "partition/offset" → "record" or the dead-letter error class
        let started = ContinuousClock.now
        while answered.count < expected.count, ContinuousClock.now - started < .seconds(60) {
            for message in try consumer.poll(maxMessages: 100, timeout: .zero) {
                let headers = Dictionary(
                    message.headers.map { ($0.key, $0.value.map { String(decoding: $0, as: UTF8.self) } ?? "") },
                    uniquingKeysWith: { first, _ in first }
                )
                let position = "\(headers["khabar.source.partition"] ?? "?")/\(headers["khabar.source.offset"] ?? "?")"
                let name = expected[position]?.name ?? "unknown \(position)"
                if message.topic == "articles.dlq" {
                    answered[position] = headers["khabar.error.class"] ?? "?"
                    let input = HostileInputs.carried.first { $0.name == name }
                    #expect(message.value == input?.bytes, "\(name): the original value is kept")
                } else {
                    let object = try? JSONSerialization.jsonObject(with: Data(message.value)) as? [String: Any]
                    #expect(object?["id"] is String, "\(name): the record is valid JSON")
                    answered[position] = HostileInputs.record
                }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let seconds = Double((ContinuousClock.now - started).components.seconds)
        try? consumer.close()
        worker.requestStop()
        try await running.value
        let after = Self.memory()

        for (position, input) in expected.sorted(by: { $0.key < $1.key }) {
            let outcome = answered[position] ?? "no answer"
            #expect(input.allowed.contains(outcome), "\(input.name) at \(position): \(outcome)")
        }
        #expect(answered.count == expected.count)
        #expect(worker.status.recordCount + worker.status.deadLetterCount == expected.count)
        let growth = (after.peak - before.resident) / 1024
        print(
            "hostile battery: \(expected.count) inputs answered in ~\(seconds) s; VmRSS \(before.resident / 1024) MB"
                + " before, \(after.resident / 1024) MB after; VmHWM \(before.peak / 1024) → \(after.peak / 1024) MB"
                + " (peak growth \(growth) MB)"
        )
        #expect(growth < 400, "peak memory grew by \(growth) MB")
    }

    /// Inputs too big for the embedded cluster (10 MB, 5 MB JSON string, 3 MB of tags, 50 MB binary)
    /// go straight to the worker's message processor: its size gate dead-letters them unread.
    @Test func oversizedInputsAreDeadLetteredByTheSizeGate() throws {
        let processor = RecordProcessor(
            analyzer: ArticleAnalyzer(classifier: try Classifier.bundled()),
            inputTopic: "articles.raw",
            outputTopic: "articles.enriched",
            deadLetterTopic: "articles.dlq",
            maxMessageBytes: WorkerConfiguration(bootstrapServers: "").maxMessageBytes,
            instanceID: "hostile",
            replay: false
        )
        for (offset, input) in HostileInputs.oversized.enumerated() {
            let message = KafkaConsumerMessage(
                topic: "articles.raw", partition: 0, offset: Int64(offset), key: Array(input.name.utf8),
                value: input.bytes,
                headers: [], timestampMilliseconds: nil
            )
            let clock = ContinuousClock()
            let start = clock.now
            let (answer, outcome) = processor.process(message, fingerprints: nil)
            #expect(clock.now - start < .milliseconds(500), "\(input.name): answered unread")
            guard case .deadLetter(let errorClass) = outcome else {
                Issue.record("\(input.name) was not dead-lettered")
                continue
            }
            #expect(errorClass == AnalysisError.Code.tooLarge.rawValue)
            #expect(answer.topic == "articles.dlq" && answer.value.count == input.bytes.count)
        }
    }
}
