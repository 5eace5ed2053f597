import Foundation
import Kafka
import Logging
import Synchronization
import Testing

/// The parent of every fault suite: `.serialized` here makes the suites run one after the other, not
/// only their tests, since each starts broker-heavy worker processes on a 2-core machine.
@Suite(.serialized) enum FaultTests {}

/// Topics and the in-process cluster shared by the fault tests: the test owns the cluster (so it can
/// inject faults) while the workers run as child `khabar run` processes talking to it over TCP.
struct FaultCluster {
    static let partitions = 6
    static let input = "articles.raw"
    static let output = "articles.enriched"
    static let deadLetters = "articles.dlq"
    static let fingerprints = "articles.fingerprints"
    static let logger = Logger(label: "fault-tests")

    let cluster: EmbeddedKafkaCluster

    /// A 3-broker cluster (so one broker can go down while others serve) with the worker's topics and
    /// any `extraTopics`.
    init(extraTopics: [String] = []) throws {
        cluster = try EmbeddedKafkaCluster(
            brokers: 3,
            topics: ([Self.input, Self.output, Self.deadLetters, Self.fingerprints] + extraTopics)
                .map { (name: $0, partitions: Self.partitions) },
            logger: Self.logger
        )
    }

    var bootstrap: String { cluster.bootstrapServers }

    /// Starts `khabar run` against this cluster (eager `range` assignor, 6 s session timeout, short
    /// fetch waits) and waits until it answers `/readyz`. `ready: false` skips that wait (for a worker
    /// that cannot be assigned anything yet).
    func startWorker(group: String, arguments: [String] = [], ready: Bool = true) async throws -> FaultWorker {
        let port = HTTPProbe.freePort()
        let process = try KhabarProcess(
            [
                "run", "--brokers", bootstrap, "--group", group, "--assignor", "range", "--http-port", "\(port)",
                "--log-level", "warning", "--drain-timeout", "10",
                "--kafka", "consumer.session.timeout.ms=6000", "--kafka", "consumer.heartbeat.interval.ms=500",
                "--kafka", "consumer.fetch.wait.max.ms=10",
            ] + arguments
        )
        let worker = FaultWorker(process: process, port: port)
        if ready {
            try await HTTPProbe.waitForStatus(200, port: port, path: "/readyz", timeout: .seconds(40))
        }
        return worker
    }

    /// The offsets `group` has committed for the input topic's partitions (-1001 = none).
    func committedOffsets(group: String, topic: String = FaultCluster.input) throws -> [Int32: Int64] {
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(bootstrapServers: bootstrap, groupID: group),
            logger: Self.logger
        )
        defer { try? consumer.close() }
        let committed = try consumer.committed(
            (0..<Int32(Self.partitions)).map { TopicPartition(topic: topic, partition: $0) },
            timeout: .seconds(10)
        )
        return Dictionary(uniqueKeysWithValues: committed.map { ($0.partition, $0.offset) })
    }
}

extension FaultCluster {
    /// Waits until `group` has committed, on every input partition, the offset after the last of
    /// `inputs`; returns what it last saw when that does not happen within `timeout`.
    func waitForCommits(
        group: String,
        covering inputs: some Collection<TopicPartitionOffset>,
        timeout: Duration = .seconds(15)
    ) async throws -> (done: Bool, committed: [Int32: Int64]) {
        var ends: [Int32: Int64] = [:]
        for input in inputs { ends[input.partition] = max(ends[input.partition] ?? 0, input.offset + 1) }
        let deadline = ContinuousClock.now + timeout
        var committed: [Int32: Int64] = [:]
        while ContinuousClock.now < deadline {
            committed = try committedOffsets(group: group)
            if ends.allSatisfy({ committed[$0.key] == $0.value }) { return (true, committed) }
            try await Task.sleep(for: .milliseconds(250))
        }
        return (false, committed)
    }
}

/// A `khabar run` child process and its observability port.
struct FaultWorker {
    let process: KhabarProcess
    let port: Int

    /// A Prometheus counter's value from `/metrics` (the sum over lines starting with `series`), or 0.
    func metric(_ series: String) -> Double {
        guard let body = HTTPProbe.get(port: port, path: "/metrics")?.body else { return 0 }
        return body.split(separator: "\n").filter { $0.hasPrefix(series) }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }

    /// SIGTERM, then the exit status.
    func stop() async throws -> Int32 {
        process.signal(SIGTERM)
        return try await process.waitForExit(timeout: .seconds(40))
    }

    /// The last `count` lines the worker logged, for failure messages.
    func logTail(_ count: Int = 15) -> String { process.lines.all.suffix(count).joined(separator: "\n") }
}

/// Deterministic test articles. Texts are drawn from a word list by a per-index generator, so no
/// two articles are near-duplicates of each other and `duplicate_of` stays empty unless a test wants it.
enum FaultArticles {
    static let words: [String] = {
        let stems = [
            "minister", "parliament", "border", "ceasefire", "embassy", "election", "treaty", "summit", "army",
            "protest", "budget", "sanctions", "envoy", "militia", "court", "governor", "refugees", "talks",
            "airstrike", "coalition", "harbour", "pipeline", "wheat", "drought", "bank", "currency", "school",
            "hospital", "railway", "festival", "museum", "satellite", "vaccine", "strike", "union", "reform",
            "council", "mayor", "village", "river", "desert", "convoy", "patrol", "ministry", "decree", "senate",
        ]
        return stems.flatMap { stem in ["", "s", "al", "ist", "ing"].map { stem + $0 } }
    }()

    /// A JSON article `prefix-index` whose text is unlike every other index's.
    static func article(_ index: Int, prefix: String = "fa") -> [UInt8] {
        var state = UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15 &+ 0x1234_5678
        var text: [String] = []
        text.reserveCapacity(90)
        for position in 0..<90 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            text.append(words[Int(state % UInt64(words.count))])
            if position % 15 == 14 { text[text.count - 1] += "." }
        }
        return Array(
            """
            {"id": "\(prefix)-\(index)", "lang": "en", "title": "Report \(index) on \(text[3]) and \(text[7])", \
            "text": "\(text.joined(separator: " "))"}
            """.utf8
        )
    }

    /// Poison inputs of different classes (the error class is what the dead letter must say).
    static let poison: [(value: [UInt8], errorClass: String)] = [
        ([0x7B, 0x22, 0xC3, 0x28, 0x22, 0x7D], "invalid_utf8"),
        (Array("{\"id\": 12, \"title\": [".utf8), "malformed_json"),
        ([], "empty"),
        (Array("[1, 2, 3]".utf8), "wrong_shape"),
        (Array("{\"id\": \"x\", \"title\": \"Only a title\"}".utf8), "no_text"),
    ]
}

/// Produces inputs and remembers where each landed (from the delivery reports).
final class InputLog: Sendable {
    private let state = Mutex<(positions: [TopicPartitionOffset: Int], failures: Int)>(([:], 0))
    let producer: KafkaProducer

    init(bootstrap: String) throws {
        producer = try KafkaProducer(configuration: .init(bootstrapServers: bootstrap), logger: FaultCluster.logger)
    }

    /// Every produced input's position → the index it was produced with.
    var positions: [TopicPartitionOffset: Int] { state.withLock { $0.positions } }
    /// Inputs whose production failed (a test error, not a worker one).
    var failures: Int { state.withLock { $0.failures } }

    /// Enqueues `value` (keyed by index, spread over partitions by key) and records its position once
    /// delivered.
    func send(index: Int, value: [UInt8], topic: String = FaultCluster.input, partition: Int32? = nil) throws {
        let message = KafkaProducerMessage(
            topic: topic, partition: partition, key: Array("in-\(index)".utf8), value: value)
        while true {
            do {
                try producer.send(message) { [self] result in self.record(result, index: index) }
                return
            } catch {
                // A full local queue (the only error `send` throws here) clears as reports arrive.
                guard error.code == .queueFull else { throw error }
                Thread.sleep(forTimeInterval: 0.002)
            }
        }
    }

    private func record(_ result: Result<KafkaDeliveryReport, KafkaError>, index: Int) {
        state.withLock { state in
            switch result {
            case .success(let report):
                let position = TopicPartitionOffset(
                    topic: report.topic, partition: report.partition, offset: report.offset)
                state.positions[position] = index
            case .failure:
                state.failures += 1
            }
        }
    }

    /// Produces articles `range` and waits for all delivery reports.
    func produceArticles(_ range: Range<Int>) throws {
        for index in range { try send(index: index, value: FaultArticles.article(index)) }
        try producer.flush(timeout: .seconds(30))
    }

    /// Produces `count` articles at about `perSecond` in the background, starting at index `start`.
    func produceInBackground(from start: Int, count: Int, perSecond: Int) -> Task<Void, any Error> {
        let log = self
        return Task { try await log.produceSlowly(from: start, count: count, perSecond: perSecond) }
    }

    /// Produces `count` articles from index `start` in bursts every 50 ms, then waits for delivery.
    func produceSlowly(from start: Int, count: Int, perSecond: Int) async throws {
        let burst = max(1, perSecond / 20)
        for first in stride(from: start, to: start + count, by: burst) {
            for index in first..<min(first + burst, start + count) {
                try send(index: index, value: FaultArticles.article(index))
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        try producer.flush(timeout: .seconds(30))
    }

    deinit { producer.close(timeout: .seconds(5)) }
}

/// Reads the output and dead-letter topics and accounts every input offset for: each must be
/// answered (output ∪ dead letters, matched through the `khabar.source.*` headers), and every repeat
/// must equal its first answer outside `provenance`.
struct FaultChecker {
    /// One answer to an input.
    struct Answer {
        var topic: String
        var value: [UInt8]
        var headers: [String: String]
        /// The record as JSON without `provenance` (sorted keys), or the raw value plus error class for
        /// a dead letter: what must repeat identically.
        var comparable: Data
    }

    /// Input position → its answers in the order read.
    var answers: [TopicPartitionOffset: [Answer]] = [:]
    /// Input positions that got no answer.
    var missing: [TopicPartitionOffset] = []
    /// Repeats that differ from their first answer, described.
    var mismatches: [String] = []

    /// Answers beyond the first per input.
    var duplicates: Int { answers.values.reduce(0) { $0 + $1.count - 1 } }
    /// Inputs answered only by a dead letter of `errorClass`.
    func deadLettered(_ errorClass: String) -> [TopicPartitionOffset] {
        answers.filter { $0.value.contains { $0.headers["khabar.error.class"] == errorClass } }.map(\.key)
    }

    /// Reads from the beginning of `topics` until every one of `inputs` is answered (or `timeout`
    /// passes), then until the topics stay quiet for `quiet`, to count late repeats too.
    static func read(
        bootstrap: String,
        inputs: some Collection<TopicPartitionOffset>,
        topics: [String] = [FaultCluster.output, FaultCluster.deadLetters],
        timeout: Duration = .seconds(60),
        quiet: Duration = .seconds(1)
    ) async throws -> FaultChecker {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: bootstrap, groupID: "fault-checker-\(UUID())")
        configuration.fetchWaitMaxMilliseconds = 10
        let reader = try KafkaConsumer(configuration: configuration, logger: FaultCluster.logger)
        defer { try? reader.close() }
        try reader.assign(
            topics.flatMap { topic in
                (0..<Int32(FaultCluster.partitions)).map {
                    TopicPartitionOffset(topic: topic, partition: $0, offset: 0)
                }
            }
        )
        let expected = Set(inputs)
        let inputTopics = Set(expected.map(\.topic))
        var checker = FaultChecker()
        var answered = 0
        let deadline = ContinuousClock.now + timeout
        var lastMessage = ContinuousClock.now
        while ContinuousClock.now < deadline {
            let batch = try reader.poll(maxMessages: 500, timeout: .milliseconds(50))
            if batch.isEmpty {
                if answered == expected.count, lastMessage.duration(to: .now) >= quiet { break }
                continue
            }
            lastMessage = .now
            for message in batch {
                let headers = Dictionary(
                    message.headers.map { ($0.key, $0.value.map { String(decoding: $0, as: UTF8.self) } ?? "") },
                    uniquingKeysWith: { first, _ in first }
                )
                guard let topic = headers["khabar.source.topic"],
                    let partition = headers["khabar.source.partition"].flatMap(Int32.init),
                    let offset = headers["khabar.source.offset"].flatMap(Int64.init)
                else {
                    checker.mismatches.append("answer without source headers: \(message.topic)@\(message.offset)")
                    continue
                }
                // Other input topics may share these output topics (e.g. the near-duplicate test).
                guard inputTopics.contains(topic) else { continue }
                let source = TopicPartitionOffset(topic: topic, partition: partition, offset: offset)
                guard expected.contains(source) else {
                    checker.mismatches.append("answer for an input never produced: \(source)")
                    continue
                }
                let answer = Answer(
                    topic: message.topic,
                    value: message.value,
                    headers: headers,
                    comparable: comparable(topic: message.topic, value: message.value, headers: headers)
                )
                if let first = checker.answers[source]?.first {
                    if first.topic != answer.topic || first.comparable != answer.comparable {
                        checker.mismatches.append(
                            "\(source): repeat on \(answer.topic) differs from first answer on \(first.topic): "
                                + "\(String(decoding: first.comparable, as: UTF8.self).prefix(300)) vs "
                                + "\(String(decoding: answer.comparable, as: UTF8.self).prefix(300))"
                        )
                    }
                } else {
                    answered += 1
                }
                checker.answers[source, default: []].append(answer)
            }
        }
        checker.missing = expected.filter { checker.answers[$0] == nil }.sorted {
            ($0.partition, $0.offset) < ($1.partition, $1.offset)
        }
        return checker
    }

    /// What must be identical between repeats: a record's JSON without `provenance`, re-serialised with
    /// sorted keys; a dead letter's value and error class.
    static func comparable(topic: String, value: [UInt8], headers: [String: String]) -> Data {
        if topic == FaultCluster.deadLetters {
            return Data(Array((headers["khabar.error.class"] ?? "").utf8) + [0] + value)
        }
        guard var object = try? JSONSerialization.jsonObject(with: Data(value)) as? [String: Any] else {
            return Data("unparseable: ".utf8) + Data(value)
        }
        object["provenance"] = nil
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }

    /// Records an issue for each missing input and each differing repeat; returns `self` for chaining.
    func expectComplete(_ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(
            missing.isEmpty, "\(context): \(missing.count) inputs unanswered, first \(missing.prefix(5))",
            sourceLocation: sourceLocation)
        #expect(
            mismatches.isEmpty, "\(context): \(mismatches.count) bad answers: \(mismatches.prefix(3))",
            sourceLocation: sourceLocation)
    }
}

/// Prints a measurement so the test log carries it (the final report quotes these lines).
func reportMeasurement(_ text: String) {
    print("[fault-measurement] \(text)")
}
