import ArticleAnalysis
import Foundation
import Kafka
import Logging
import Synchronization
import Worker

/// Phase (b): the analysis stage alone — analyse and encode the JSON record — on one thread.
enum AnalysisPhase {
    /// What one analysis run did.
    struct Result: Sendable {
        /// Articles analysed (failures included: they cost the same work up to the failure).
        var articles: Int
        /// Articles the analyser rejected.
        var failures: Int
        /// Wall seconds.
        var seconds: Double
        /// CPU seconds of the analysing thread.
        var cpuSeconds: Double
        /// Peak RSS of the process during the run, MB.
        var rssPeakMB: Double

        /// Articles per second of wall time (lower than ``articlesPerCPUSecond`` when other processes
        /// compete for the core).
        var articlesPerSecond: Double { seconds > 0 ? Double(articles) / seconds : 0 }
        /// Articles per CPU second of the analysing thread: the single-core rate, robust on a shared machine.
        var articlesPerCPUSecond: Double { cpuSeconds > 0 ? Double(articles) / cpuSeconds : 0 }
    }

    /// Cycles over `payloads` for at least `minimumSeconds` on a dedicated thread.
    static func run(analyzer: ArticleAnalyzer, payloads: [[UInt8]], minimumSeconds: Double) async throws -> Result {
        try await onDedicatedThread("bench-analysis") {
            ResourceMeter.resetPeakRSS()
            let cpuStart = ResourceMeter.threadCPUSeconds()
            let start = ContinuousClock.now
            var articles = 0
            var failures = 0
            var encodedBytes = 0
            repeat {
                for payload in payloads {
                    do {
                        encodedBytes &+= try analyzer.analyze(payload).jsonBytes().count
                    } catch {
                        failures += 1
                    }
                    articles += 1
                }
            } while Stopwatch.seconds(ContinuousClock.now - start) < minimumSeconds
            let seconds = Stopwatch.seconds(ContinuousClock.now - start)
            guard encodedBytes > 0 else {
                throw BenchError(code: .zeroThroughput, message: "analysis produced no record")
            }
            return Result(
                articles: articles,
                failures: failures,
                seconds: seconds,
                cpuSeconds: ResourceMeter.threadCPUSeconds() - cpuStart,
                rssPeakMB: ResourceMeter.peakRSSMegabytes()
            )
        }
    }
}

/// Phase (c): the full worker (``ArticleWorker``, as `khabar run` runs it) in this process.
enum PipelinePhase {
    /// Topics of one pipeline run.
    struct Topics: Sendable {
        /// Raw articles.
        var input: String
        /// Enriched records.
        var output: String
        /// Dead letters.
        var deadLetter: String
        /// Fingerprints (each phase its own: a worker tails the whole topic before it is ready).
        var fingerprints: String
    }

    /// The worker configuration of a bench run: `khabar run`'s defaults (including its prefetch bound,
    /// see `ArticleWorker`), a fresh near-duplicate state file in `stateDirectory` as the deployed image
    /// has (`KHABAR_STATE_DB`), the eager `range` assignor (the mock cluster handles cooperative
    /// rebalances poorly) and a 5 ms `fetchWaitMax` (an empty fetch on the mock waits the full time even
    /// when data arrives; set on the input consumer only, so the producers log no property warnings).
    static func configuration(
        bootstrap: String,
        topics: Topics,
        stateDirectory: String,
        lanes: Int?,
        maxInFlight: Int?,
        kafkaProperties: [String: String] = [:]
    ) -> WorkerConfiguration {
        var configuration = WorkerConfiguration(bootstrapServers: bootstrap)
        configuration.inputTopic = topics.input
        configuration.outputTopic = topics.output
        configuration.deadLetterTopic = topics.deadLetter
        configuration.groupID = "khabar-bench-\(UUID().uuidString)"
        configuration.stateDatabasePath = stateDirectory + "/\(configuration.groupID).sqlite"
        configuration.fingerprintTopic = topics.fingerprints
        // A quarter of the deployed 200,000, so that a 100,000-message drain spends its second half in the
        // steady state of a full table, evicting one entry per article (the table then holds ~40 MB less
        // than a full deployed one: see docs/performance.md).
        configuration.fingerprintMaxEntries = 50_000
        configuration.partitionAssignmentStrategy = "range"
        configuration.fetchWaitMax = .milliseconds(5)
        configuration.kafkaProperties.merge(kafkaProperties) { $1 }
        if let lanes { configuration.lanes = lanes }
        if let maxInFlight { configuration.maxInFlight = maxInFlight }
        return configuration
    }

    /// Lets the worker drain a backlog of `count` messages; the clock runs from the first finished message
    /// to the last (the group join before it is not the pipeline's speed).
    static func runThroughput(
        configuration: WorkerConfiguration,
        analyzer: ArticleAnalyzer,
        count: Int,
        logger: Logger
    ) async throws -> ThroughputResult {
        ResourceMeter.resetPeakRSS()
        let worker = ArticleWorker(configuration: configuration, analyzer: analyzer, logger: logger)
        let running = Task { try await worker.run() }
        let measured = try await onDedicatedThread("bench-monitor") { () throws -> ThroughputResult in
            defer { worker.requestStop() }
            let status = worker.status
            let joinDeadline = ContinuousClock.now + .seconds(60)
            while status.finishedCount == 0 {
                guard ContinuousClock.now < joinDeadline else {
                    throw BenchError(code: .zeroThroughput, message: "pipeline finished nothing within 60 s")
                }
                Thread.sleep(forTimeInterval: 0.001)
            }
            let stopwatch = Stopwatch()
            let threadsBefore = ThreadCPUSnapshot.take()
            let first = status.finishedCount
            var last = first
            var lastProgress = ContinuousClock.now
            while last < count, ContinuousClock.now - lastProgress < .seconds(30) {
                // This thread's CPU counts as the pipeline's: every 1 ms it took 1.4 % of the process's
                // samples (perf); every 10 ms ends the clock at most 10 ms late on a run of seconds.
                Thread.sleep(forTimeInterval: 0.01)
                let now = status.finishedCount
                if now != last {
                    last = now
                    lastProgress = .now
                }
            }
            let seconds = stopwatch.elapsedSeconds
            let cpuSeconds = stopwatch.cpuSeconds
            var groups = ThreadCPUSnapshot.take().seconds(since: threadsBefore, group: threadGroup)
            // Threads that ended during the drain are no longer listed: their time is the difference.
            groups["ended threads"] = max(0, cpuSeconds - groups.values.reduce(0, +))
            guard last == count else {
                throw BenchError(code: .lostMessages, message: "pipeline: \(last) of \(count) messages finished")
            }
            return ThroughputResult(
                messages: count - first,
                bytes: 0,
                seconds: seconds,
                cpuSeconds: cpuSeconds,
                rssPeakMB: 0,
                threadGroupCPUSeconds: groups
            )
        }
        try await running.value
        let deadLetters = worker.status.deadLetterCount
        if deadLetters > 0 {
            logger.warning("pipeline dead-lettered part of the backlog", metadata: ["count": "\(deadLetters)"])
        }
        var result = measured
        result.rssPeakMB = ResourceMeter.peakRSSMegabytes()
        return result
    }

    /// The groups of threads whose CPU the pipeline's report breaks down, by OS thread name: the worker's
    /// analysis lanes, librdkafka's threads (of all four clients: librdkafka names them alike), the
    /// producers' delivery-report threads, the input consumer's thread, the fingerprint tail, and the rest
    /// (the cooperative pool, the bench's monitor).
    static let threadGroups = [
        "analysis lanes", "librdkafka", "delivery reports", "consumer", "fingerprint tail", "other",
        "ended threads",
    ]

    /// The group (one of ``threadGroups``) of the thread named `name`.
    static func threadGroup(_ name: String) -> String {
        if name.hasPrefix("khabar-lane-") { return "analysis lanes" }
        if name.hasPrefix("rdk:") { return "librdkafka" }
        if name.hasPrefix("kp-") { return "delivery reports" }
        if name == "khabar-consumer" { return "consumer" }
        if name == "khabar-fp-tail" { return "fingerprint tail" }
        return "other"
    }

    /// End-to-end latency at a fixed offered load below saturation.
    struct LatencyResult: Sendable {
        /// Offered load, messages per second.
        var offeredPerSecond: Int
        /// Messages measured (after the warm-up).
        var measured: Int
        /// Median end-to-end latency, ms.
        var p50Milliseconds: Double
        /// 99th percentile end-to-end latency, ms.
        var p99Milliseconds: Double
        /// Largest end-to-end latency, ms.
        var maxMilliseconds: Double
        /// Peak RSS of the process during the run, MB.
        var rssPeakMB: Double
    }

    /// Starts a worker, waits for its assignment, sends `warmup` messages and waits for their records,
    /// then offers `rate` messages per second for `seconds` from a feeder thread while a reader thread
    /// reads the output topic. Latency = read back from the output − input sent (same process clock).
    static func runLatency(
        configuration: WorkerConfiguration,
        analyzer: ArticleAnalyzer,
        partitions: Int,
        outputPartitions: Int,
        payloads: [[UInt8]],
        rate: Int,
        seconds: Double,
        warmup: Int,
        logger: Logger
    ) async throws -> LatencyResult {
        ResourceMeter.resetPeakRSS()
        let worker = ArticleWorker(configuration: configuration, analyzer: analyzer, logger: logger)
        let running = Task { try await worker.run() }
        let book = LatencyBook()
        let reading = BenchFlag(true)
        let outcome = await withTaskGroup(of: Swift.Result<Void, any Error>.self) { group in
            group.addTask {
                await capture {
                    try await onDedicatedThread("bench-reader") {
                        try readBack(
                            bootstrap: configuration.bootstrapServers,
                            topic: configuration.outputTopic,
                            partitions: outputPartitions,
                            book: book,
                            keepReading: { reading.isSet },
                            logger: logger
                        )
                    }
                }
            }
            group.addTask {
                let fed = await capture {
                    try await onDedicatedThread("bench-feeder") {
                        try feed(
                            worker: worker,
                            bootstrap: configuration.bootstrapServers,
                            partitions: partitions,
                            topic: configuration.inputTopic,
                            payloads: payloads,
                            rate: rate,
                            seconds: seconds,
                            warmup: warmup,
                            book: book,
                            logger: logger
                        )
                    }
                }
                reading.set(false)
                return fed
            }
            var outcome = Swift.Result<Void, any Error>.success(())
            for await result in group {
                if case .failure = result, case .success = outcome { outcome = result }
            }
            return outcome
        }
        worker.requestStop()
        try await running.value
        try outcome.get()
        let latencies = book.measuredLatencies.sorted()
        return LatencyResult(
            offeredPerSecond: rate,
            measured: latencies.count,
            p50Milliseconds: percentile(latencies, 0.50),
            p99Milliseconds: percentile(latencies, 0.99),
            maxMilliseconds: latencies.last ?? 0,
            rssPeakMB: ResourceMeter.peakRSSMegabytes()
        )
    }

    /// The outcome of `body` as a value, so that a task group can collect the first failure.
    private static func capture(_ body: () async throws -> Void) async -> Swift.Result<Void, any Error> {
        do {
            try await body()
            return .success(())
        } catch {
            return .failure(error)
        }
    }

    /// The feeder thread: waits for the worker's assignment, warms up, then offers the fixed load and
    /// waits until every record was read back (or throws after 30 s without progress).
    private static func feed(
        worker: ArticleWorker,
        bootstrap: String,
        partitions: Int,
        topic: String,
        payloads: [[UInt8]],
        rate: Int,
        seconds: Double,
        warmup: Int,
        book: LatencyBook,
        logger: Logger
    ) throws {
        let joinDeadline = ContinuousClock.now + .seconds(60)
        while !worker.status.isReady {
            guard ContinuousClock.now < joinDeadline else {
                throw BenchError(code: .zeroThroughput, message: "latency: the worker got no partitions within 60 s")
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        var configuration = KafkaProducerConfiguration(bootstrapServers: bootstrap)
        configuration.clientID = "khabar-bench-feeder"
        configuration.lingerMilliseconds = 1
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        defer { producer.close(timeout: .seconds(10)) }
        let interval = Duration.seconds(1) / rate
        // Articles numbered on from the warm-up's, so the measured ones are new to the worker's table.
        var next = 0
        func offer(_ count: Int, measured: Bool) throws {
            let start = ContinuousClock.now
            defer { next += count }
            for index in 0..<count {
                let due = start + interval * index
                let now = ContinuousClock.now
                if due > now { Thread.sleep(forTimeInterval: Stopwatch.seconds(due - now)) }
                let sent = ContinuousClock.now
                let message = KafkaProducerMessage(
                    topic: topic,
                    partition: Int32((next + index) % partitions),
                    value: distinctArticle(payloads, next + index),
                    timestampMilliseconds: Int64(Date().timeIntervalSince1970 * 1000)
                )
                try sendRetryingQueueFull(producer, message) { result in
                    if case .success(let report) = result {
                        book.sent(partition: report.partition, offset: report.offset, at: sent, measured: measured)
                    } else {
                        book.failedToSend()
                    }
                }
            }
        }
        func awaitReadBack(_ total: Int) throws {
            var last = book.receivedCount
            var lastProgress = ContinuousClock.now
            while book.receivedCount + book.sendFailures < total {
                Thread.sleep(forTimeInterval: 0.005)
                let now = book.receivedCount
                if now != last {
                    last = now
                    lastProgress = .now
                } else if ContinuousClock.now - lastProgress > .seconds(30) {
                    break
                }
            }
            guard book.sendFailures == 0, book.receivedCount >= total else {
                throw BenchError(
                    code: .lostMessages,
                    message:
                        "latency: \(book.receivedCount) of \(total) records read back, \(book.sendFailures) sends failed"
                )
            }
        }
        try offer(warmup, measured: false)
        try awaitReadBack(warmup)
        let measuredCount = Int(Double(rate) * seconds)
        try offer(measuredCount, measured: true)
        try producer.flush(timeout: .seconds(30))
        try awaitReadBack(warmup + measuredCount)
    }

    /// The reader thread: reads the output topic from the beginning of every partition and hands each
    /// record's source position (headers `khabar.source.partition` / `khabar.source.offset`) to the book.
    private static func readBack(
        bootstrap: String,
        topic: String,
        partitions: Int,
        book: LatencyBook,
        keepReading: () -> Bool,
        logger: Logger
    ) throws {
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: bootstrap,
            groupID: "khabar-bench-reader-\(UUID().uuidString)"
        )
        configuration.clientID = "khabar-bench-reader"
        configuration.fetchWaitMaxMilliseconds = 5
        let reader = try KafkaConsumer(configuration: configuration, logger: logger)
        defer { try? reader.close() }
        try reader.assign(
            (0..<partitions).map {
                TopicPartitionOffset(topic: topic, partition: Int32($0), offset: KafkaOffset.beginning)
            }
        )
        let partitionKey = Array("khabar.source.partition".utf8)
        let offsetKey = Array("khabar.source.offset".utf8)
        func number(_ header: KafkaHeader?) -> Int64? {
            header?.value.flatMap { Int64(String(decoding: $0, as: UTF8.self)) }
        }
        while keepReading() {
            let batch = try reader.poll(maxMessages: 500, timeout: .milliseconds(5))
            let now = ContinuousClock.now
            for message in batch {
                let partition = number(message.headers.first { $0.key.utf8.elementsEqual(partitionKey) })
                let offset = number(message.headers.first { $0.key.utf8.elementsEqual(offsetKey) })
                guard let partition, let offset else { continue }
                book.received(partition: Int32(partition), offset: offset, at: now)
            }
        }
    }
}

/// Matches sent inputs with their records read back, whichever is seen first (a delivery report can in
/// principle arrive after the record was already read back).
final class LatencyBook: Sendable {
    private struct State {
        var sent: [Int64: (at: ContinuousClock.Instant, measured: Bool)] = [:]
        var arrived: [Int64: ContinuousClock.Instant] = [:]
        var matched: Set<Int64> = []
        var latencies: [Double] = []
        var sendFailures = 0
    }

    private let state = Mutex(State())

    private static func key(_ partition: Int32, _ offset: Int64) -> Int64 { Int64(partition) << 40 | offset }

    /// Records an input's delivery (its position) and when it was sent.
    func sent(partition: Int32, offset: Int64, at instant: ContinuousClock.Instant, measured: Bool) {
        let key = Self.key(partition, offset)
        state.withLock { state in
            state.sent[key] = (instant, measured)
            if let arrival = state.arrived.removeValue(forKey: key) { Self.match(key, arrival, &state) }
        }
    }

    /// Records an input that could not be sent.
    func failedToSend() {
        state.withLock { $0.sendFailures += 1 }
    }

    /// Records a record read back for the input at this position (duplicates are ignored).
    func received(partition: Int32, offset: Int64, at instant: ContinuousClock.Instant) {
        let key = Self.key(partition, offset)
        state.withLock { state in
            guard !state.matched.contains(key) else { return }
            if state.sent[key] != nil { Self.match(key, instant, &state) } else { state.arrived[key] = instant }
        }
    }

    private static func match(_ key: Int64, _ arrival: ContinuousClock.Instant, _ state: inout State) {
        guard let sent = state.sent[key], state.matched.insert(key).inserted else { return }
        if sent.measured { state.latencies.append(Stopwatch.seconds(arrival - sent.at) * 1000) }
    }

    /// Distinct inputs whose record was read back and matched.
    var receivedCount: Int { state.withLock { $0.matched.count } }
    /// Inputs that could not be sent.
    var sendFailures: Int { state.withLock { $0.sendFailures } }
    /// Latencies of the measured inputs, ms.
    var measuredLatencies: [Double] { state.withLock { $0.latencies } }
}
