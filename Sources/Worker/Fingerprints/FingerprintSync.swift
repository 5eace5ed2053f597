import Foundation
import Kafka
import Logging
import Synchronization

/// Keeps the local ``FingerprintIndex`` in step with the fleet: tails the whole compacted fingerprint
/// topic into it (the global-table pattern of Kafka Streams) and publishes this worker's fingerprints.
///
/// The tail runs on its own dedicated thread with its own consumer, assigned to every partition of the
/// topic (no group, nothing committed: the resume position is the tail offsets stored in the index's
/// SQLite file with the entries they cover). ``isCaughtUp`` turns true once the tail reached the end
/// offsets the topic had when the worker started, which gates readiness.
///
/// Fingerprints travel in bulk, on a schedule of their own: the worker's records must not wait for them,
/// and one message per article on short timers cost as much as the rest of the plumbing. So they have
/// their own producer lingering ``publishLinger``, the tail fetches with ``tailFetchWait`` whatever
/// `--kafka` says, and once caught up it applies what it read to memory at most every
/// ``tailBatchInterval``. Together with the topic's round trip that is the window in which two workers can
/// miss each other's near-copies (docs/guarantees.md). The state file follows at most every
/// ``WorkerConfiguration/stateWriteInterval``, in one SQLite transaction.
final class FingerprintSync: Sendable {
    /// `linger.ms` of the fingerprint producer.
    static let publishLinger = 50
    /// `fetch.wait.max.ms` of the tail's consumer.
    static let tailFetchWait = 100
    /// Longest time the caught-up tail holds what it read before applying it.
    static let tailBatchInterval = Duration.milliseconds(200)
    /// Most entries the caught-up tail holds before applying them.
    static let tailBatchEntries = 5000

    let index: FingerprintIndex
    let topic: String
    private let producer: KafkaProducer
    private let bootstrapServers: String
    /// The tail consumer's share of the worker's extra librdkafka properties.
    private let properties: [String: String]
    private let instanceID: String
    private let logger: Logger
    private let status: WorkerStatus
    private let state = Mutex(State())
    private let stopped = DispatchSemaphore(value: 0)

    private struct State {
        var caughtUp = false
        var stopRequested = false
        var started = false
    }

    /// Creates the fingerprint producer; the tail starts with ``start()``.
    init(
        index: FingerprintIndex, topic: String, configuration: WorkerConfiguration, status: WorkerStatus, logger: Logger
    ) throws(KafkaError) {
        var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: configuration.bootstrapServers)
        producerConfiguration.clientID = "\(configuration.instanceID)-fingerprints"
        producerConfiguration.statisticsIntervalMilliseconds = 0
        producerConfiguration.properties = configuration.kafkaProperties(for: .producer)
        producerConfiguration.properties["linger.ms"] = String(Self.publishLinger)
        self.producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
        self.status = status
        self.index = index
        self.topic = topic
        self.bootstrapServers = configuration.bootstrapServers
        self.properties = configuration.kafkaProperties(for: .consumer)
        self.instanceID = configuration.instanceID
        self.logger = logger
    }

    /// Whether the tail has reached the topic's end as of start.
    var isCaughtUp: Bool { state.withLock { $0.caughtUp } }

    /// Starts the tail thread.
    func start() {
        state.withLock { $0.started = true }
        status.setFingerprintsCaughtUp(false)
        let thread = Thread { [self] in
            nameCurrentThread("khabar-fp-tail")
            self.tail()
            self.stopped.signal()
        }
        thread.start()
    }

    /// Delivers what was published (for up to `flushTimeout`), then stops the tail thread and waits for it.
    func stop(flushTimeout: Duration) {
        producer.close(timeout: flushTimeout)
        let started = state.withLock { state in
            state.stopRequested = true
            return state.started
        }
        if started { stopped.wait() }
    }

    private var stopRequested: Bool { state.withLock { $0.stopRequested } }

    /// Publishes `entry` to the fingerprint topic, keyed by article id. Best effort: librdkafka retries
    /// until `delivery.timeout.ms`; a lost fingerprint only weakens duplicate detection elsewhere (the
    /// local index holds it in memory until a restart), it never loses an article.
    func publish(_ entry: FingerprintEntry) {
        let message = KafkaProducerMessage(
            topic: topic,
            key: FingerprintRecord.key(for: entry),
            value: FingerprintRecord.value(for: entry)
        )
        do {
            try producer.send(message) { [logger] result in
                if case .failure(let error) = result {
                    logger.warning("fingerprint of \(entry.id) not published: \(error)")
                }
            }
        } catch {
            logger.warning("fingerprint of \(entry.id) not published: \(error)")
        }
    }

    /// Runs on the tail thread.
    private func tail() {
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: bootstrapServers, groupID: "\(instanceID)-fingerprints")
        configuration.clientID = "\(instanceID)-fingerprints"
        // Fingerprint messages are ~200 bytes: 16 MiB of prefetch (librdkafka's default is 64 MiB) is ~80,000
        // of them, enough that a catching-up tail rarely waits out librdkafka 2.0.2's 1 s refetch stall (see
        // ArticleWorker), and it bounds what a lagging tail holds.
        configuration.properties = ["queued.max.messages.kbytes": "16384"].merging(properties) { $1 }
        configuration.properties["enable.auto.commit"] = "false"
        configuration.properties["fetch.wait.max.ms"] = String(Self.tailFetchWait)
        let consumer: KafkaConsumer
        do {
            consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        } catch {
            logger.error("fingerprint tail: \(error)")
            return
        }
        defer { try? consumer.close() }
        // Wait for the topic (it may be created after the worker starts).
        var partitions = 0
        while partitions == 0, !stopRequested {
            partitions = (try? consumer.partitionCount(topic: topic, timeout: .seconds(5))) ?? 0
            if partitions == 0 { Thread.sleep(forTimeInterval: 1) }
        }
        if stopRequested { return }
        let stored = index.tailOffsets()
        var next: [Int32: Int64] = [:]
        var end: [Int32: Int64] = [:]
        var start: [TopicPartitionOffset] = []
        for partition in 0..<Int32(partitions) {
            let marks =
                (try? consumer.watermarkOffsets(topic: topic, partition: partition, timeout: .seconds(10))) ?? (
                    low: 0, high: 0
                )
            let from = max(stored[partition] ?? marks.low, marks.low)
            next[partition] = from
            end[partition] = marks.high
            start.append(TopicPartitionOffset(topic: topic, partition: partition, offset: from))
        }
        do {
            try consumer.assign(start)
        } catch {
            logger.error("fingerprint tail: \(error)")
            return
        }
        logger.info(
            "fingerprint tail started", metadata: ["entries": "\(index.count)", "rebuilt": "\(index.wasRebuilt)"])
        var caughtUp = false
        // Read but not yet applied (with `next`, the offsets that cover them), since `pendingSince`: nil
        // when nothing was read since the last apply.
        var pending: [FingerprintEntry] = []
        var pendingSince: ContinuousClock.Instant?
        func apply() {
            index.insert(contentsOf: pending, tailOffsets: next)
            pending.removeAll(keepingCapacity: true)
            pendingSince = nil
        }
        while !stopRequested {
            // Caught up counts what was applied, so nothing is pending until then.
            if !caughtUp, next.allSatisfy({ $0.value >= end[$0.key] ?? 0 }) {
                caughtUp = true
                state.withLock { $0.caughtUp = true }
                status.setFingerprintsCaughtUp(true)
                logger.info("fingerprint table caught up", metadata: ["entries": "\(index.count)"])
            }
            let batch: [KafkaConsumerMessage]
            do {
                batch = try consumer.poll(maxMessages: 1000, timeout: .milliseconds(100))
            } catch {
                logger.warning("fingerprint tail: \(error)")
                continue
            }
            for message in batch {
                next[message.partition] = message.offset + 1
                if let entry = FingerprintRecord.decode(key: message.key, value: message.value) {
                    pending.append(entry)
                }
            }
            if !batch.isEmpty, pendingSince == nil { pendingSince = .now }
            guard let since = pendingSince else { continue }
            let full = pending.count >= Self.tailBatchEntries
            if !caughtUp || full || since.duration(to: .now) >= Self.tailBatchInterval { apply() }
        }
        // What was read, and the deletions of what admit() evicted since the last write, written now.
        apply()
        index.flush()
    }
}
