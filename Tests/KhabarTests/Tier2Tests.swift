import Foundation
import Kafka
import Logging
import Testing

/// The admin client against a real broker (the mock cluster has no admin API).
@Suite(.enabled(if: Tier2.enabled, "tier 2 needs KHABAR_TEST_BOOTSTRAP (scripts/tansu-tier.sh)"))
struct Tier2AdminTests {
    @Test func createTopicsMakesThePartitionsAndToleratesExistingTopics() throws {
        // Read by scripts/tansu-tier.sh: the library the tests really loaded.
        print("librdkafka at run time: \(KafkaAdmin.librdkafkaVersion)")
        let bootstrap = try Tier2.broker
        let admin = try KafkaAdmin(bootstrapServers: bootstrap)
        let name = "tier2-admin-\(UUID().uuidString.prefix(8).lowercased())"
        let topics = [
            NewTopic(name: name + ".a", partitions: 5),
            NewTopic(name: name + ".b", partitions: 2, config: ["cleanup.policy": "compact"]),
        ]
        try admin.createTopics(topics, timeout: .seconds(20))
        try admin.createTopics(topics, timeout: .seconds(20))  // TOPIC_ALREADY_EXISTS is not an error

        let probe = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(bootstrapServers: bootstrap, groupID: "tier2-admin-probe"),
            logger: Logger(label: "tier2-admin"))
        defer { try? probe.close() }
        #expect(try probe.partitionCount(topic: name + ".a", timeout: .seconds(10)) == 5)
        #expect(try probe.partitionCount(topic: name + ".b", timeout: .seconds(10)) == 2)
    }

    @Test func theTopicsCommandCreatesTheStandardTopics() async throws {
        let bootstrap = try Tier2.broker
        let command = try KhabarProcess(["topics", "create", "--brokers", bootstrap, "--partitions", "2"])
        #expect(try await command.waitForExit(timeout: .seconds(40)) == 0)
        #expect(command.lines.all.contains("articles.enriched: 2 partitions, compact"))
        let probe = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(bootstrapServers: bootstrap, groupID: "tier2-admin-probe"),
            logger: Logger(label: "tier2-admin"))
        defer { try? probe.close() }
        for topic in ["articles.raw", "articles.enriched", "articles.dlq", "articles.fingerprints"] {
            #expect(try probe.partitionCount(topic: topic, timeout: .seconds(10)) == 2, "\(topic)")
        }
    }
}

/// The worker as users run it, against a standalone broker: separate `khabar run` processes over TCP.
@Suite(.serialized, .enabled(if: Tier2.enabled, "tier 2 needs KHABAR_TEST_BOOTSTRAP (scripts/tansu-tier.sh)"))
struct Tier2EndToEndTests {
    @Test func everyInputIsAnsweredOnceByRecordOrDeadLetter() async throws {
        let topics = try Tier2Topics("tier2-once")
        let count = 200
        try await topics.produce(0..<count)
        let worker = try await topics.startWorker(group: "tier2-once-\(UUID())")
        let checker = try await topics.answers(expected: count, timeout: .seconds(60))
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0)
        #expect(checker.answers.count == count)
        #expect(checker.duplicates == 0)
        let deadLetters = checker.answers.values.filter { $0[0].topic == topics.deadLetter }.count
        #expect(deadLetters == Tier2Topics.poisonCount(0..<count))
    }

    @Test func sigtermUnderLoadLosesNothingAndTheNextRunResumes() async throws {
        let topics = try Tier2Topics("tier2-sigterm")
        let group = "tier2-sigterm-\(UUID())"
        let count = 3000
        try await topics.produce(0..<count)
        let first = try await topics.startWorker(group: group)
        _ = try await topics.answers(expected: 100, timeout: .seconds(60))
        first.signal(SIGTERM)
        #expect(try await first.waitForExit() == 0)
        let afterFirst = try await topics.answers(expected: count, timeout: .seconds(3))
        #expect(afterFirst.answers.count < count, "the first worker was stopped mid-stream")
        #expect(afterFirst.duplicates == 0)

        let second = try await topics.startWorker(group: group)
        let checker = try await topics.answers(expected: count, timeout: .seconds(90))
        second.signal(SIGTERM)
        #expect(try await second.waitForExit() == 0)
        #expect(checker.answers.count == count, "every input offset answered, no gap")
        // A graceful stop commits what it finished: the second run repeats nothing.
        #expect(checker.duplicates == 0)
    }

    @Test func sigkillMidStreamLosesNoInput() async throws {
        let topics = try Tier2Topics("tier2-sigkill")
        let group = "tier2-sigkill-\(UUID())"
        let count = 3000
        try await topics.produce(0..<count)
        let first = try await topics.startWorker(group: group)
        _ = try await topics.answers(expected: 100, timeout: .seconds(60))
        first.signal(SIGKILL)
        _ = try await first.waitForExit()
        let afterFirst = try await topics.answers(expected: count, timeout: .seconds(3))
        #expect(afterFirst.answers.count < count, "the first worker was killed mid-stream")

        let second = try await topics.startWorker(group: group)
        let checker = try await topics.answers(expected: count, timeout: .seconds(90))
        second.signal(SIGTERM)
        #expect(try await second.waitForExit() == 0)
        // At least once: a kill may repeat what was not committed yet, but never skips an input.
        #expect(checker.answers.count == count, "every input offset answered")
        let deadLetters = checker.answers.values.filter { $0.contains { $0.topic == topics.deadLetter } }.count
        #expect(deadLetters == Tier2Topics.poisonCount(0..<count))
    }
}

/// Replay from a point in time: needs offsets-for-times, which the mock cluster cannot answer.
@Suite(.enabled(if: Tier2.enabled, "tier 2 needs KHABAR_TEST_BOOTSTRAP (scripts/tansu-tier.sh)"))
struct Tier2ReplayTests {
    @Test func replayFromATimestampStartsAtTheRightOffsets() async throws {
        let replayed = "tier2-replayed-\(UUID().uuidString.prefix(8).lowercased())"
        let topics = try Tier2Topics("tier2-replay", extraOutputs: [replayed])
        // One message per produce request: `--to latest` reads the high watermark, which Tansu gets wrong
        // after multi-message batches.
        let batchA = try await topics.produce(0..<30, singleMessageBatches: true)
        try await Task.sleep(for: .milliseconds(600))
        // T lies inside the log (batch B follows on every partition): Tansu answers offsets-for-times
        // wrongly only for a time after the last message.
        let time = Date()
        try await Task.sleep(for: .milliseconds(600))
        let batchB = try await topics.produce(30..<75, singleMessageBatches: true)
        #expect(Set(batchB.map(\.partition)).count == Tier2.partitions)

        let from = time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        let replay = try KhabarProcess(
            [
                "replay", "--brokers", try Tier2.broker, "--from", from, "--to", "latest", "--log-level", "warning",
            ] + topics.arguments.map { $0 == topics.output ? replayed : $0 } + Tier2.workerKafkaSettings
        )
        #expect(try await replay.waitForExit(timeout: .seconds(90)) == 0)
        #expect(
            replay.lines.all.last?.hasPrefix("replay done: read \(batchB.count) of \(batchB.count)") == true,
            "\(replay.lines.all.last ?? "no summary")")

        let checker = try await topics.answers(
            expected: batchB.count, timeout: .seconds(30), outputs: [replayed, topics.deadLetter])
        let answered = Set(checker.answers.keys)
        let expected = Set(
            batchB.map { TopicPartitionOffset(topic: $0.topic, partition: $0.partition, offset: $0.offset) })
        #expect(answered == expected, "exactly batch B is replayed")
        let batchAOffsets = Set(
            batchA.map { TopicPartitionOffset(topic: $0.topic, partition: $0.partition, offset: $0.offset) })
        #expect(answered.isDisjoint(with: batchAOffsets))
        #expect(checker.duplicates == 0)
    }
}
