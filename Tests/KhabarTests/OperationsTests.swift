import Foundation
import Kafka
import Logging
import Testing

/// Scale-out, replay and observability as an SRE meets them: several `khabar` processes on one
/// `khabar broker`.
@Suite(.serialized) struct OperationsTests {
    static let partitions = 6

    static func startBroker(partitions: Int = partitions) async throws -> (KhabarProcess, String) {
        let broker = try KhabarProcess([
            "broker", "--brokers", "1", "--partitions", "\(partitions)", "--log-level", "warning",
        ])
        return (broker, try await broker.firstLine())
    }

    /// `khabar run` with an HTTP port; returns once `/healthz` answers.
    static func startWorker(_ bootstrap: String, group: String, clientID: String, extra: [String] = []) async throws
        -> (KhabarProcess, Int)
    {
        let port = HTTPProbe.freePort()
        let worker = try KhabarProcess(
            [
                "run", "--brokers", bootstrap, "--group", group, "--client-id", clientID, "--assignor", "range",
                "--http-port", "\(port)", "--log-level", "warning", "--kafka", "consumer.session.timeout.ms=6000",
                "--kafka", "consumer.heartbeat.interval.ms=500",
            ] + extra
        )
        try await HTTPProbe.waitForStatus(200, port: port, path: "/healthz", timeout: .seconds(30))
        return (worker, port)
    }

    static func records(_ checker: AnswerChecker) throws -> [[String: Any]] {
        try checker.answers.values.flatMap { $0 }.filter { $0.topic != "articles.dlq" }.map { answer in
            guard let object = try JSONSerialization.jsonObject(with: Data(answer.value)) as? [String: Any] else {
                throw TestFailure("record is not a JSON object")
            }
            return object
        }
    }

    @Test func threeWorkersShareTheTopicAndSurvivorsTakeOverAfterSIGKILL() async throws {
        let (broker, bootstrap) = try await Self.startBroker()
        defer { broker.signal(SIGTERM) }
        var workers: [(KhabarProcess, Int)] = []
        for index in 1...3 {
            workers.append(try await Self.startWorker(bootstrap, group: "scale", clientID: "worker-\(index)"))
        }
        defer { for (worker, _) in workers { worker.signal(SIGKILL) } }
        // Every worker gets partitions once the group settled.
        for (_, port) in workers {
            try await HTTPProbe.waitForStatus(200, port: port, path: "/readyz", timeout: .seconds(60))
        }
        let firstBatch = 600
        try EndToEndTests.produce(0..<firstBatch, to: bootstrap)
        let before = try await AnswerChecker.read(
            bootstrap: bootstrap,
            partitions: Self.partitions,
            expected: firstBatch,
            timeout: .seconds(60)
        )
        #expect(before.answers.count == firstBatch)
        let producers = Set(
            try Self.records(before).compactMap { ($0["provenance"] as? [String: Any])?["worker"] as? String })
        #expect(producers == ["worker-1", "worker-2", "worker-3"], "every instance produced records")

        // Kill one without warning, keep feeding: its partitions move to the survivors after the session timeout.
        workers[1].0.signal(SIGKILL)
        _ = try await workers[1].0.waitForExit()
        let total = 1200
        try EndToEndTests.produce(firstBatch..<total, to: bootstrap)
        let after = try await AnswerChecker.read(
            bootstrap: bootstrap,
            partitions: Self.partitions,
            expected: total,
            timeout: .seconds(90)
        )
        #expect(after.answers.count == total, "every input answered despite the SIGKILL")
        for index in [0, 2] {
            workers[index].0.signal(SIGTERM)
            #expect(try await workers[index].0.waitForExit() == 0)
        }
    }

    @Test func replayReprocessesTheRangeOnceAndLeavesTheLiveGroupAlone() async throws {
        let (broker, bootstrap) = try await Self.startBroker(partitions: 3)
        defer { broker.signal(SIGTERM) }
        let count = 300
        try EndToEndTests.produce(0..<count, to: bootstrap)
        // The live group processes everything and commits.
        let (live, _) = try await Self.startWorker(bootstrap, group: "live", clientID: "live-1")
        _ = try await AnswerChecker.read(
            bootstrap: bootstrap,
            partitions: 3,
            expected: count,
            timeout: .seconds(60)
        )
        live.signal(SIGTERM)
        #expect(try await live.waitForExit() == 0)
        let committedBefore = try Self.committed(group: "live", bootstrap: bootstrap, partitions: 3)
        #expect(committedBefore.map(\.offset).reduce(0, +) == Int64(count))

        let replay = try KhabarProcess(
            [
                "replay", "--brokers", bootstrap, "--from", "earliest", "--output-topic", "articles.replayed",
                "--log-level", "warning",
            ]
        )
        #expect(try await replay.waitForExit(timeout: .seconds(90)) == 0)
        #expect(replay.lines.all.last?.hasPrefix("replay done: read \(count) of \(count)") == true)
        let replayed = try await AnswerChecker.read(
            bootstrap: bootstrap,
            topics: ["articles.replayed", "articles.dlq"],
            partitions: 4,  // the mock auto-creates articles.replayed with 4 partitions
            expected: count * 2,  // the DLQ holds the live run's dead letters as well
            timeout: .seconds(5)
        )
        let replayedRecords = replayed.answers.values.flatMap { $0 }.filter { $0.topic == "articles.replayed" }
        let deadLetters = (0..<count).filter { [7, 14, 21].contains($0 % 25) }.count
        #expect(replayedRecords.count == count - deadLetters, "exactly one record per good input")
        let flags = try replayedRecords.map { answer in
            let object = try JSONSerialization.jsonObject(with: Data(answer.value)) as? [String: Any]
            return (object?["provenance"] as? [String: Any])?["replay"] as? Bool
        }
        #expect(flags.allSatisfy { $0 == true })
        #expect(try Self.committed(group: "live", bootstrap: bootstrap, partitions: 3) == committedBefore)
    }

    @Test func probesAndMetricsTellTheTruth() async throws {
        let (broker, bootstrap) = try await Self.startBroker(partitions: 3)
        defer { broker.signal(SIGTERM) }
        let (worker, port) = try await Self.startWorker(bootstrap, group: "observed", clientID: "observed-1")
        defer { worker.signal(SIGKILL) }
        // The first join takes seconds on the mock: alive at once, ready only after assignment.
        #expect(HTTPProbe.get(port: port, path: "/readyz")?.status == 503)
        try await HTTPProbe.waitForStatus(200, port: port, path: "/readyz", timeout: .seconds(30))
        let count = 100
        try EndToEndTests.produce(0..<count, to: bootstrap)
        _ = try await AnswerChecker.read(
            bootstrap: bootstrap,
            partitions: 3,
            expected: count,
            timeout: .seconds(60)
        )
        func value(_ series: String, in metrics: String) -> Double? {
            metrics.split(separator: "\n").first { $0.hasPrefix(series + " ") }
                .flatMap { Double($0.split(separator: " ").last ?? "") }
        }
        let deadLetters = Double((0..<count).filter { [7, 14, 21].contains($0 % 25) }.count)
        // A reader can see a record before the worker's delivery report for it has run (that is where the
        // counters move): scrape until the last report is in, for a few seconds at most.
        var metrics = ""
        let deadline = ContinuousClock.now + .seconds(10)
        repeat {
            metrics = try #require(HTTPProbe.get(port: port, path: "/metrics")).body
            if value("khabar_messages_produced_total", in: metrics) == Double(count) - deadLetters,
                metrics.contains("khabar_messages_dead_lettered_total{class=")
            {
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        } while ContinuousClock.now < deadline
        func value(_ series: String) -> Double? { value(series, in: metrics) }
        #expect(value("khabar_messages_consumed_total") == Double(count))
        #expect(value("khabar_messages_produced_total") == Double(count) - deadLetters)
        #expect(metrics.contains("khabar_messages_dead_lettered_total{class="))
        #expect(metrics.contains("khabar_labels_total{label=\"diplomacy\"}"))
        #expect(value("khabar_processing_duration_seconds_count") == Double(count))
        #expect(metrics.contains("khabar_end_to_end_latency_seconds_bucket"))
        #expect(metrics.contains("khabar_rebalances_total{event=\"assigned\"}"))
        let started = ContinuousClock.now
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit(timeout: .seconds(25)) == 0)
        #expect(started.duration(to: .now) < .seconds(20), "SIGTERM drains within the default drain timeout")
    }

    static func committed(group: String, bootstrap: String, partitions: Int) throws -> [TopicPartitionOffset] {
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(bootstrapServers: bootstrap, groupID: group),
            logger: Logger(label: "committed")
        )
        defer { try? consumer.close() }
        return try consumer.committed(
            (0..<Int32(partitions)).map { TopicPartition(topic: "articles.raw", partition: $0) },
            timeout: .seconds(10)
        )
        .sorted { $0.partition < $1.partition }
    }
}
