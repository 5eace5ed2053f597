import ArticleAnalysis
import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Synchronization

/// The khabar worker: consumes raw articles, analyses them and publishes one record per input.
///
/// ## Delivery (at-least-once, the default)
/// An input's offset is stored for commit only after its output record — or its dead-letter
/// record — was acknowledged by the broker, and only as part of the contiguous finished prefix of its
/// partition (``OffsetLedger``). librdkafka commits stored offsets every ``WorkerConfiguration/commitInterval``;
/// the worker also commits synchronously when partitions are revoked and at shutdown.
///
/// ## Threads
/// - the *consumer thread* (dedicated) polls librdkafka, runs rebalance handling inside the poll, and
///   registers each message in the ledger (blocking while ``WorkerConfiguration/maxInFlight`` is reached);
/// - *lanes* (dedicated threads, ``WorkerConfiguration/lanes``) analyse and hand records to the producer;
///   a partition always maps to the same lane, so it stays in order;
/// - the producer's *event thread* (inside ``KafkaProducer``) runs delivery reports: it finishes
///   ledger entries and stores offsets, or hands transient failures back to the lane for a retry;
/// - with duplicate detection, ``FingerprintSync``'s *tail thread* applies the fleet's fingerprints to the
///   index, and its own producer publishes this worker's (in bulk, apart from the records).
/// Swift concurrency only awaits the end of the consumer thread and relays graceful shutdown.
public final class ArticleWorker: Service, Sendable {
    let configuration: WorkerConfiguration
    private let processor: RecordProcessor
    let logger: Logger
    let metrics: WorkerMetrics
    private let shared = Mutex(SharedState())
    /// Readiness and progress, for probes and tests.
    public let status = WorkerStatus()

    private struct SharedState {
        var stopRequested = false
        var fatal: WorkerError?
    }

    /// Creates a worker; nothing connects until ``run()``.
    public init(configuration: WorkerConfiguration, analyzer: ArticleAnalyzer, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.metrics = WorkerMetrics()
        self.processor = RecordProcessor(
            analyzer: analyzer,
            inputTopic: configuration.inputTopic,
            outputTopic: configuration.outputTopic,
            deadLetterTopic: configuration.deadLetterTopic,
            maxMessageBytes: configuration.maxMessageBytes,
            instanceID: configuration.instanceID,
            replay: configuration.replay != nil
        )
    }

    /// Runs until graceful shutdown (SIGTERM/SIGINT through swift-service-lifecycle, or task
    /// cancellation), then drains in-flight records, commits, leaves the group and returns.
    /// Throws ``WorkerError`` after a fatal Kafka error, once what was finished is committed.
    public func run() async throws {
        let clients = try makeClients()
        let finished = AsyncStream<Void>.makeStream()
        clients.fingerprints?.start()
        let thread = Thread { [self] in
            nameCurrentThread("khabar-consumer")
            if let transaction = clients.transaction {
                self.consumeLoopTransactional(clients, transaction: transaction)
            } else {
                self.consumeLoop(clients)
            }
            finished.continuation.finish()
        }
        thread.start()
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                for await _ in finished.stream {}
            } onGracefulShutdown: {
                self.requestStop()
            }
        } onCancel: {
            self.requestStop()
        }
        if let fatal = shared.withLock({ $0.fatal }) { throw fatal }
    }

    /// Asks the worker to stop: stop fetching, drain, commit, leave the group.
    public func requestStop() {
        shared.withLock { $0.stopRequested = true }
    }

    var stopRequested: Bool { shared.withLock { $0.stopRequested } }

    func fail(_ error: WorkerError) {
        logger.critical("stopping: \(error)")
        shared.withLock {
            if $0.fatal == nil { $0.fatal = error }
            $0.stopRequested = true
        }
    }

    // MARK: - Clients

    struct Clients: Sendable {
        let consumer: KafkaConsumer
        let producer: KafkaProducer
        let ledger: OffsetLedger
        let lanes: [Lane<LaneJob>]
        /// Present in exactly-once mode only.
        let transaction: TransactionState?
        /// Present when duplicate detection is on.
        let fingerprints: FingerprintSync?
    }

    enum LaneJob: Sendable {
        case process(KafkaConsumerMessage)
        case resend(KafkaProducerMessage, source: KafkaConsumerMessage, outcome: RecordProcessor.Outcome, attempt: Int)
    }

    private func makeClients() throws -> Clients {
        var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: configuration.bootstrapServers)
        producerConfiguration.clientID = configuration.instanceID
        producerConfiguration.idempotence = true
        producerConfiguration.statisticsIntervalMilliseconds = 0
        producerConfiguration.properties = configuration.kafkaProperties(for: .producer)
        let exactlyOnce = configuration.guarantee == .exactlyOnce
        if exactlyOnce {
            // Stable across restarts when --client-id is stable (e.g. the pod name): a restarted instance
            // then fences its own zombie.
            producerConfiguration.transactionalID = "\(configuration.groupID)-\(configuration.instanceID)"
        }
        let producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)

        var consumerConfiguration = KafkaConsumerConfiguration(
            bootstrapServers: configuration.bootstrapServers,
            groupID: configuration.groupID
        )
        consumerConfiguration.clientID = configuration.instanceID
        consumerConfiguration.partitionAssignmentStrategy = configuration.partitionAssignmentStrategy
        consumerConfiguration.sessionTimeoutMilliseconds = Int(configuration.sessionTimeout.milliseconds)
        consumerConfiguration.autoCommitIntervalMilliseconds = Int(configuration.commitInterval.milliseconds)
        consumerConfiguration.statisticsIntervalMilliseconds = Int(configuration.statisticsInterval.milliseconds)
        consumerConfiguration.fetchWaitMaxMilliseconds = Int(configuration.fetchWaitMax.milliseconds)
        // Bound the prefetch, but let it hold more than one second of the pipeline's throughput. In librdkafka
        // 2.0.2 each partition's fetch queue is forwarded to the one consumer queue, so both limits apply to
        // that shared queue (every partition reads its length), not per partition; once either is reached,
        // the broker threads stop fetching and look again only when their 1 s I/O wait ends — nothing wakes
        // them when the queue drains. So the pipeline idles for whatever is left of that second once it has
        // drained the prefetch: with 500 messages / 8 MiB it ran 2,383 msg/s on 0.58 cores (fetch debug log:
        // "1657/500 msgs ... not fetchable: queued.min.messages exceeded", fetchable again 1.0 s later); with
        // 5,000 / 24 MiB, once the analysis was faster, 7,090-8,306 msg/s on 1.05-1.44 of 2 cores (release,
        // 30,000 backlog); with 12,000 / 48 MiB, 11,021 msg/s on 1.71 cores, and with a 100,000 backlog over
        // 164 partitions 9,742 msg/s at a peak RSS of 271 MB. (librdkafka's defaults, 100,000 / 64 MiB, took
        // 348-482 MB.) At 4 KB articles the two limits agree; operators can override both with --kafka.
        consumerConfiguration.properties = ["queued.min.messages": "12000", "queued.max.messages.kbytes": "49152"]
            .merging(configuration.kafkaProperties(for: .consumer)) { $1 }
        if exactlyOnce {
            // Offsets commit inside the transactions; read only committed upstream data.
            consumerConfiguration.isolationLevel = .readCommitted
            consumerConfiguration.properties["enable.auto.commit"] = "false"
        }
        let ledger = OffsetLedger(maxInFlight: configuration.maxInFlight)
        let rebalance = RebalanceRelay()
        let consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: logger) { event in
            rebalance.handle(event)
        }
        if configuration.statisticsInterval > .zero {
            consumer.onStatistics = { [metrics] json in metrics.updateLag(fromStatistics: json) }
        }
        let lanes = (0..<max(1, configuration.lanes)).map { _ in Lane<LaneJob>() }
        let clients = Clients(
            consumer: consumer,
            producer: producer,
            ledger: ledger,
            lanes: lanes,
            transaction: exactlyOnce ? TransactionState() : nil,
            fingerprints: try makeFingerprintSync()
        )
        for (index, lane) in lanes.enumerated() {
            lane.start(name: "khabar-lane-\(index)") { [self] job in self.handle(job, lane: index, clients: clients) }
        }
        rebalance.set { [self] event in self.rebalanced(event, clients: clients) }
        do throws(KafkaError) {
            if let replay = configuration.replay {
                try consumer.assign(replay.start)
                status.set(assigned: replay.start.map { TopicPartition(topic: $0.topic, partition: $0.partition) })
            } else {
                try consumer.subscribe(topics: [configuration.inputTopic])
            }
        } catch {
            // The lanes' handlers and the rebalance handler hold the clients: release them, or the clients
            // (consumer, producers) outlive this failed start.
            for lane in lanes { lane.stop() }
            rebalance.set { _ in }
            let what =
                configuration.replay == nil ? "subscribe to \(configuration.inputTopic)" : "assign the replay range"
            throw WorkerError(code: .setup, message: "cannot \(what): \(error)", kafkaError: error)
        }
        return clients
    }

    private func makeFingerprintSync() throws -> FingerprintSync? {
        guard !configuration.fingerprintTopic.isEmpty else { return nil }
        let index = try FingerprintIndex(
            configuration: FingerprintIndexConfiguration(
                path: configuration.stateDatabasePath,
                maxEntries: configuration.fingerprintMaxEntries,
                maxAge: configuration.fingerprintMaxAge,
                writeInterval: configuration.stateWriteInterval
            )
        )
        if index.wasRebuilt {
            logger.warning("state database was unreadable and was recreated; rebuilding it from the fingerprint topic")
        }
        return try FingerprintSync(
            index: index,
            topic: configuration.fingerprintTopic,
            configuration: configuration,
            status: status,
            logger: logger
        )
    }

    // MARK: - Consumer thread

    private func consumeLoop(_ clients: Clients) {
        let stop = { [self] in self.stopRequested }
        // Replay only: partitions not yet at their end offset.
        var unfinished = configuration.replay.map { range in
            Set(
                range.start.filter {
                    $0.offset < range.end[TopicPartition(topic: $0.topic, partition: $0.partition)] ?? 0
                }
                .map { TopicPartition(topic: $0.topic, partition: $0.partition) }
            )
        }
        polling: while !stop() {
            if unfinished?.isEmpty == true { break }
            let batch: [KafkaConsumerMessage]
            do {
                batch = try clients.consumer.poll(maxMessages: 256, timeout: .milliseconds(100))
            } catch {
                if error.isFatal {
                    fail(WorkerError(code: .fatalKafkaError, message: error.description, kafkaError: error))
                } else {
                    logger.warning("consumer: \(error)")
                }
                continue
            }
            for message in batch {
                if let range = configuration.replay {
                    let partition = TopicPartition(topic: message.topic, partition: message.partition)
                    let end = range.end[partition] ?? 0
                    if message.offset + 1 >= end, unfinished?.remove(partition) != nil {
                        try? clients.consumer.pause([partition])
                    }
                    if message.offset >= end { continue }
                }
                guard
                    clients.ledger.register(
                        topic: message.topic,
                        partition: message.partition,
                        offset: message.offset,
                        shouldStop: stop
                    )
                else { break polling }
                metrics.consumed.increment()
                clients.lanes[Int(message.partition) % clients.lanes.count].enqueue(.process(message))
            }
        }
        shutDown(clients)
    }

    func shutDown(_ clients: Clients) {
        let deadline = ContinuousClock.now + configuration.drainTimeout
        logger.info("draining \(clients.ledger.inFlight) in-flight records")
        if !clients.ledger.waitUntilDrained(deadline: deadline) {
            logger.warning("drain timeout: \(clients.ledger.inFlight) records left for redelivery")
        }
        for lane in clients.lanes { lane.stop() }
        do {
            try clients.producer.flush(timeout: max(.milliseconds(100), ContinuousClock.now.duration(to: deadline)))
        } catch {
            logger.warning("flush at shutdown: \(error)")
        }
        commitStored(clients.consumer, reason: "shutdown")
        do {
            try clients.consumer.close()
        } catch {
            logger.warning("leaving the group: \(error)")
        }
        clients.producer.close(timeout: .seconds(5))
        // Best effort, within what is left of the drain timeout (Kubernetes' grace period is counted).
        clients.fingerprints?.stop(flushTimeout: max(.milliseconds(100), ContinuousClock.now.duration(to: deadline)))
        status.set(assigned: [])
        logger.info("worker stopped")
    }

    private func commitStored(_ consumer: KafkaConsumer, reason: String) {
        do {
            try consumer.commit()  // nothing stored since the last commit counts as success
        } catch {
            metrics.commitFailures.increment()
            logger.warning("commit on \(reason) failed: \(error)")
        }
    }

    /// Runs on the consumer thread, inside `poll`, before librdkafka applies the new assignment.
    private func rebalanced(_ event: RebalanceEvent, clients: Clients) {
        switch event {
        case .assigned(let partitions):
            metrics.rebalances(kind: "assigned").increment()
            status.add(assigned: partitions)
            logger.info("assigned \(partitions.map { "\($0.topic)[\($0.partition)]" }.joined(separator: ","))")
        case .revoked(let partitions):
            metrics.rebalances(kind: "revoked").increment()
            let keys = partitions.map { (topic: $0.topic, partition: $0.partition) }
            let deadline = ContinuousClock.now + configuration.drainTimeout
            if !clients.ledger.waitUntilDrained(partitions: keys, deadline: deadline) {
                logger.warning("revocation: in-flight records of revoked partitions left for redelivery")
            }
            if let transaction = clients.transaction {
                // The open transaction spans the revoked partitions: abort it; the new owners resume
                // from the last committed offsets.
                transaction.markAbortedByRebalance()
            } else {
                commitStored(clients.consumer, reason: "revoke")
            }
            clients.ledger.remove(partitions: keys)
            status.remove(assigned: partitions)
            logger.info("revoked \(partitions.map { "\($0.topic)[\($0.partition)]" }.joined(separator: ","))")
        case .lost(let partitions):
            metrics.rebalances(kind: "lost").increment()
            clients.ledger.remove(partitions: partitions.map { (topic: $0.topic, partition: $0.partition) })
            status.remove(assigned: partitions)
            logger.warning("lost \(partitions.map { "\($0.topic)[\($0.partition)]" }.joined(separator: ","))")
        }
    }

    // MARK: - Lanes and delivery

    private func handle(_ job: LaneJob, lane: Int, clients: Clients) {
        switch job {
        case .process(let input):
            let started = ContinuousClock.now
            let position = TopicPartitionOffset(topic: input.topic, partition: input.partition, offset: input.offset)
            let (output, outcome) =
                clients.transaction?.isRejected(position) == true
                ? processor.deadLetter(input, errorClass: "output_rejected", reason: "the broker rejected its record")
                : processor.process(input, fingerprints: clients.fingerprints)
            metrics.processing.recordNanoseconds(started.duration(to: .now).nanoseconds)
            send(output, source: input, outcome: outcome, attempt: 0, lane: lane, clients: clients)
        case .resend(let output, let input, let outcome, let attempt):
            Thread.sleep(forTimeInterval: Self.backoff(attempt: attempt))
            send(output, source: input, outcome: outcome, attempt: attempt, lane: lane, clients: clients)
        }
    }

    /// Exponential backoff for transient failures: 50 ms doubling to 5 s.
    static func backoff(attempt: Int) -> TimeInterval {
        min(5.0, 0.05 * pow(2.0, Double(min(attempt, 10))))
    }

    /// Enqueues `output` with librdkafka, retrying a full queue; runs on a lane thread.
    private func send(
        _ output: KafkaProducerMessage,
        source input: KafkaConsumerMessage,
        outcome: RecordProcessor.Outcome,
        attempt: Int,
        lane: Int,
        clients: Clients
    ) {
        var queueFullSpins = 0
        while true {
            do {
                try clients.producer.send(output) { [self] result in
                    self.delivered(
                        result, output: output, source: input, outcome: outcome, attempt: attempt, lane: lane,
                        clients: clients)
                }
                return
            } catch {
                // Not `catch where`: with typed throws it crashes swiftc 6.3 in -O builds.
                guard error.code == .queueFull else {
                    handleFailure(
                        error, output: output, source: input, outcome: outcome, attempt: attempt, lane: lane,
                        clients: clients)
                    return
                }
                // librdkafka's queue is the buffer: wait for delivery reports to make room.
                queueFullSpins += 1
                if queueFullSpins % 1000 == 0 { logger.debug("producer queue full") }
                Thread.sleep(forTimeInterval: 0.002)
            }
        }
    }

    /// Runs on the producer's event thread.
    private func delivered(
        _ result: Result<KafkaDeliveryReport, KafkaError>,
        output: KafkaProducerMessage,
        source input: KafkaConsumerMessage,
        outcome: RecordProcessor.Outcome,
        attempt: Int,
        lane: Int,
        clients: Clients
    ) {
        switch result {
        case .success:
            switch outcome {
            case .record(let labels):
                metrics.produced.increment()
                for label in labels { metrics.label(label).increment() }
            case .deadLetter(let errorClass):
                metrics.deadLettered(errorClass).increment()
            }
            if let timestamp = input.timestampMilliseconds {
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                metrics.endToEnd.recordMilliseconds(max(0, now - timestamp))
            }
            status.recordFinished(outcome)
            let next = clients.ledger.finish(topic: input.topic, partition: input.partition, offset: input.offset)
            if clients.transaction == nil, let next {
                do {
                    try clients.consumer.storeOffset(topic: input.topic, partition: input.partition, offset: next)
                } catch {
                    // The partition was revoked meanwhile: its new owner redelivers from the last commit.
                    logger.debug("store offset \(input.topic)[\(input.partition)]@\(next): \(error)")
                }
            }
        case .failure(let error):
            handleFailure(
                error, output: output, source: input, outcome: outcome, attempt: attempt, lane: lane, clients: clients)
        }
    }

    /// Transient errors are retried with backoff; a permanent rejection of an output record sends the
    /// input to the dead-letter topic; a rejected dead letter or a fatal error stops the worker.
    private func handleFailure(
        _ error: KafkaError,
        output: KafkaProducerMessage,
        source input: KafkaConsumerMessage,
        outcome: RecordProcessor.Outcome,
        attempt: Int,
        lane: Int,
        clients: Clients
    ) {
        if error.isFatal {
            fail(WorkerError(code: .fatalKafkaError, message: error.description, kafkaError: error))
            return
        }
        if let transaction = clients.transaction {
            // Exactly-once: the whole transaction aborts and is redone; a record rejected for good is
            // dead-lettered on the next attempt.
            transaction.fail(error)
            if error.isRecordRejection, case .record = outcome {
                transaction.reject(
                    TopicPartitionOffset(topic: input.topic, partition: input.partition, offset: input.offset))
            }
            _ = clients.ledger.finish(topic: input.topic, partition: input.partition, offset: input.offset)
            return
        }
        if error.isTransient {
            metrics.retries.increment()
            if attempt % 10 == 0 {
                logger.warning("transient produce failure (attempt \(attempt + 1)), retrying: \(error)")
            }
            clients.lanes[lane].enqueue(.resend(output, source: input, outcome: outcome, attempt: attempt + 1))
            return
        }
        switch outcome {
        case .record:
            logger.error("output record for \(input.topic)[\(input.partition)]@\(input.offset) rejected: \(error)")
            let (dlq, dlqOutcome) = processor.deadLetter(
                input, errorClass: "output_rejected", reason: error.description)
            clients.lanes[lane].enqueue(.resend(dlq, source: input, outcome: dlqOutcome, attempt: 0))
        case .deadLetter:
            fail(
                WorkerError(
                    code: .deadLetterRejected,
                    message: "dead letter for \(input.topic)[\(input.partition)]@\(input.offset) rejected: \(error)",
                    kafkaError: error
                )
            )
        }
    }
}
