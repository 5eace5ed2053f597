import CRdKafka
import Logging
import Synchronization

/// A Kafka consumer over librdkafka, for a consumer group (``subscribe(topics:)``) or manual assignment
/// (``assign(_:)``).
///
/// ## Threading
/// - ``poll(timeout:)`` and ``poll(maxMessages:timeout:)`` BLOCK the calling thread for up to `timeout`.
///   Call them from a dedicated thread, never from the cooperative pool (unless with `timeout: .zero`).
///   Only one thread should poll a consumer at a time.
/// - The main queue is forwarded to the consumer queue (`rd_kafka_poll_set_consumer`), so rebalances,
///   errors and statistics are served inside `poll`, on the polling thread, through librdkafka callbacks
///   (file-scope `@convention(c)` functions that recover this consumer's context from the opaque pointer).
///   librdkafka's logs go to a log callback that may run on any librdkafka thread; they are passed to the
///   `Logger`.
/// - The rebalance handler runs synchronously inside `poll` (and inside ``close()``), BEFORE librdkafka
///   applies the change (assign/unassign; incremental ones for the COOPERATIVE protocol). On
///   ``RebalanceEvent/revoked(_:)`` the application can therefore finish the revoked partitions' work
///   and store + ``commit()`` their offsets synchronously; after the handler returns they are gone.
/// - All other methods may be called from any thread; those that talk to the broker (`commit`, `committed`,
///   `seek`, `watermarkOffsets`, `offsetsForTimes`, `partitionCount`, `close`) block for up to their timeout.
public final class KafkaConsumer: Sendable {
    private let handle: RDPointer
    private let consumerQueue: RDPointer
    /// Kept alive for the client's lifetime: librdkafka's callbacks reach it through the opaque pointer.
    private let context: ConsumerContext
    private let closed = Mutex(false)
    /// An error met by a batch poll after it already collected messages; thrown by the next poll.
    private let pendingError = Mutex<KafkaError?>(nil)
    /// Topic handles on this consumer for ``storeOffset(topic:partition:offset:)``, made on first use and
    /// destroyed with the consumer.
    private let topicHandles = Mutex<[String: RDPointer]>([:])

    /// Creates the consumer. `rebalanceHandler`, if given, is told about every assignment change (see the
    /// type's threading notes).
    public init(
        configuration: KafkaConsumerConfiguration,
        logger: Logger,
        rebalanceHandler: (@Sendable (RebalanceEvent) -> Void)? = nil
    ) throws(KafkaError) {
        let context = ConsumerContext(logger: logger, rebalanceHandler: rebalanceHandler)
        let conf = try makeConfiguration(configuration.librdkafkaProperties)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_rebalance_cb(conf, consumerRebalanceCallback)
        rd_kafka_conf_set_error_cb(conf, consumerErrorCallback)
        rd_kafka_conf_set_stats_cb(conf, consumerStatisticsCallback)
        rd_kafka_conf_set_log_cb(conf, consumerLogCallback)
        let handle = try makeClient(RD_KAFKA_CONSUMER, conf: conf)
        rd_kafka_poll_set_consumer(handle)
        self.handle = RDPointer(raw: handle)
        self.consumerQueue = RDPointer(raw: rd_kafka_queue_get_consumer(handle))
        self.context = context
    }

    deinit {
        for topicHandle in topicHandles.withLock({ $0.values }) { rd_kafka_topic_destroy(topicHandle.raw) }
        rd_kafka_queue_destroy(consumerQueue.raw)
        // rd_kafka_destroy closes the consumer (leaving the group) when `close()` was not called.
        rd_kafka_destroy(handle.raw)
    }

    /// Joins the group and subscribes to `topics` (replacing any previous subscription).
    public func subscribe(topics: [String]) throws(KafkaError) {
        let list = TopicPartitionList(capacity: topics.count)
        for topic in topics {
            list.add(topic: topic, partition: -1, offset: KafkaOffset.invalid)  // RD_KAFKA_PARTITION_UA
        }
        try KafkaError.check(rd_kafka_subscribe(handle.raw, list.pointer))
    }

    /// Assigns exactly these partitions, starting at the given offsets (real or ``KafkaOffset``), without
    /// group management (e.g. to replay). An empty array clears the assignment.
    public func assign(_ partitions: [TopicPartitionOffset]) throws(KafkaError) {
        let list = TopicPartitionList(partitions)
        try KafkaError.check(rd_kafka_assign(handle.raw, partitions.isEmpty ? nil : list.pointer))
    }

    /// Waits up to `timeout` for one message and returns it, or `nil` on timeout. BLOCKS the calling thread;
    /// serves rebalances (running the rebalance handler) while waiting.
    ///
    /// Partition EOF events (only with `enable.partition.eof`) are skipped. Other per-message errors (e.g.
    /// an unknown topic or an offset out of range) throw.
    public func poll(timeout: Duration) throws(KafkaError) -> KafkaConsumerMessage? {
        if let error = pendingError.withLock({ $0.take() }) { throw error }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            let remaining = max(clock.now.duration(to: deadline), .zero)
            guard let message = rd_kafka_consumer_poll(handle.raw, remaining.rdkafkaMilliseconds) else {
                return nil
            }
            var topicNames = TopicNameCache()
            let converted = Self.convert(message, topicNames: &topicNames)
            rd_kafka_message_destroy(message)
            switch converted {
            case .success(.some(let message)):
                return message
            case .success(.none):
                if remaining == .zero { return nil }
            case .failure(let error):
                throw error
            }
        }
    }

    /// Waits up to `timeout` for at least one message and returns up to `maxMessages` messages
    /// (`rd_kafka_consume_batch_queue`); an empty array on timeout. BLOCKS like ``poll(timeout:)``.
    ///
    /// Returns as soon as one message is there: librdkafka 2.0.2's batch call waits for a full batch
    /// until the timeout (measured: p50 latency 71 ms with a 100 ms timeout at 500 msg/s), so this asks
    /// for what is queued without waiting first, then waits for one message only, then takes what came
    /// with it.
    ///
    /// When the batch holds an error besides messages, the messages are returned and the error is thrown
    /// by the next poll call.
    public func poll(maxMessages: Int, timeout: Duration) throws(KafkaError) -> [KafkaConsumerMessage] {
        if let error = pendingError.withLock({ $0.take() }) { throw error }
        let capacity = max(maxMessages, 1)
        var messages = try consumeBatch(capacity: capacity, timeout: .zero)
        if messages.isEmpty, timeout > .zero {
            messages = try consumeBatch(capacity: 1, timeout: timeout)
            if !messages.isEmpty, capacity > 1, pendingError.withLock({ $0 == nil }) {
                messages += try consumeBatch(capacity: capacity - 1, timeout: .zero)
            }
        }
        return messages
    }

    private func consumeBatch(capacity: Int, timeout: Duration) throws(KafkaError) -> [KafkaConsumerMessage] {
        let outcome = withUnsafeTemporaryAllocation(
            of: UnsafeMutablePointer<rd_kafka_message_t>?.self, capacity: capacity
        ) { buffer -> Result<[KafkaConsumerMessage], KafkaError> in
            let count = rd_kafka_consume_batch_queue(
                consumerQueue.raw,
                timeout.rdkafkaMilliseconds,
                buffer.baseAddress,
                capacity
            )
            if count < 0 {
                return .failure(KafkaError(rdkafkaCode: rd_kafka_last_error()))
            }
            var messages: [KafkaConsumerMessage] = []
            messages.reserveCapacity(count)
            var firstError: KafkaError?
            var topicNames = TopicNameCache()
            for index in 0..<count {
                guard let message = buffer[index] else { continue }
                switch Self.convert(message, topicNames: &topicNames) {
                case .success(.some(let converted)): messages.append(converted)
                case .success(.none): break
                case .failure(let error): firstError = firstError ?? error
                }
                rd_kafka_message_destroy(message)
            }
            if let firstError {
                if messages.isEmpty { return .failure(firstError) }
                pendingError.withLock { $0 = firstError }
            }
            return .success(messages)
        }
        return try outcome.get()
    }

    /// Stores `offset` (the NEXT offset to read, i.e. last processed + 1) for commit. Only stored offsets
    /// are committed (in the background, by ``commit()`` or on close). Fails for a partition not assigned.
    ///
    /// Called once per processed message (the worker stores after each delivery report), so it uses the
    /// per-partition `rd_kafka_offset_store` on a cached topic handle, as the C reference does, rather than
    /// building a partition list (three allocations and a topic-name copy) per call.
    public func storeOffset(topic: String, partition: Int32, offset: Int64) throws(KafkaError) {
        let topicHandle = try topicHandles.withLock { handles throws(KafkaError) -> RDPointer in
            if let existing = handles[topic] { return existing }
            guard let created = rd_kafka_topic_new(handle.raw, topic, nil) else {
                throw KafkaError(rdkafkaCode: rd_kafka_last_error(), message: "no topic handle for \(topic)")
            }
            handles[topic] = RDPointer(raw: created)
            return RDPointer(raw: created)
        }
        // `rd_kafka_offset_store` stores its argument + 1.
        try KafkaError.check(rd_kafka_offset_store(topicHandle.raw, partition, offset - 1))
    }

    /// Stores several offsets at once, like ``storeOffset(topic:partition:offset:)``.
    public func storeOffsets(_ offsets: [TopicPartitionOffset]) throws(KafkaError) {
        let list = TopicPartitionList(offsets)
        try KafkaError.check(rd_kafka_offsets_store(handle.raw, list.pointer))
        if let error = list.firstError() { throw error }
    }

    /// Commits the stored offsets synchronously. Nothing stored since the last commit is not an error.
    public func commit() throws(KafkaError) {
        let code = rd_kafka_commit(handle.raw, nil, 0)
        if code == RD_KAFKA_RESP_ERR__NO_OFFSET { return }
        try KafkaError.check(code)
    }

    /// Starts committing the stored offsets without waiting; failures are only logged by librdkafka.
    public func commitAsync() {
        _ = rd_kafka_commit(handle.raw, nil, 1)
    }

    /// Commits exactly these offsets (next offsets to read) synchronously.
    public func commit(_ offsets: [TopicPartitionOffset]) throws(KafkaError) {
        let list = TopicPartitionList(offsets)
        try KafkaError.check(rd_kafka_commit(handle.raw, list.pointer, 0))
        if let error = list.firstError() { throw error }
    }

    /// The group's committed offsets of `partitions` (``KafkaOffset/invalid`` where none is committed).
    public func committed(_ partitions: [TopicPartition], timeout: Duration) throws(KafkaError)
        -> [TopicPartitionOffset]
    {
        let list = TopicPartitionList(partitions)
        try KafkaError.check(rd_kafka_committed(handle.raw, list.pointer, timeout.rdkafkaMilliseconds))
        if let error = list.firstError() { throw error }
        return list.offsets
    }

    /// The consumer's positions (the next offset it will return) of `partitions`, ``KafkaOffset/invalid``
    /// where unknown. Local, does not block.
    public func position(_ partitions: [TopicPartition]) throws(KafkaError) -> [TopicPartitionOffset] {
        let list = TopicPartitionList(partitions)
        try KafkaError.check(rd_kafka_position(handle.raw, list.pointer))
        if let error = list.firstError() { throw error }
        return list.offsets
    }

    /// Moves an assigned partition's position to the given offset (real or ``KafkaOffset``); the next
    /// message polled from it is at that offset. Messages already prefetched are discarded.
    public func seek(_ target: TopicPartitionOffset, timeout: Duration) throws(KafkaError) {
        let list = TopicPartitionList([target])
        try KafkaError.check(rd_kafka_seek_partitions(handle.raw, list.pointer, timeout.rdkafkaMilliseconds))
        if let error = list.firstError() { throw error }
    }

    /// Stops fetching from these partitions until ``resume(_:)``. Note: librdkafka 2.0.2 takes ~1 s to
    /// fetch again after a resume; do not use rapid pause/resume cycles as back-pressure.
    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        let list = TopicPartitionList(partitions)
        try KafkaError.check(rd_kafka_pause_partitions(handle.raw, list.pointer))
        if let error = list.firstError() { throw error }
    }

    /// Resumes fetching from paused partitions.
    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        let list = TopicPartitionList(partitions)
        try KafkaError.check(rd_kafka_resume_partitions(handle.raw, list.pointer))
        if let error = list.firstError() { throw error }
    }

    /// The low (oldest) and high (next to be written) offsets of a partition, asked from its leader.
    public func watermarkOffsets(topic: String, partition: Int32, timeout: Duration) throws(KafkaError)
        -> (low: Int64, high: Int64)
    {
        var low: Int64 = 0
        var high: Int64 = 0
        try KafkaError.check(
            rd_kafka_query_watermark_offsets(handle.raw, topic, partition, &low, &high, timeout.rdkafkaMilliseconds)
        )
        return (low, high)
    }

    /// For each partition, the earliest offset whose timestamp is ≥ the given time (milliseconds since the
    /// epoch); ``KafkaOffset/end`` when there is none. (librdkafka's mock cluster answers -1 for every query.)
    public func offsetsForTimes(_ query: [TopicPartition: Int64], timeout: Duration) throws(KafkaError)
        -> [TopicPartitionOffset]
    {
        let list = TopicPartitionList(
            query.map { TopicPartitionOffset(topic: $0.key.topic, partition: $0.key.partition, offset: $0.value) })
        try KafkaError.check(rd_kafka_offsets_for_times(handle.raw, list.pointer, timeout.rdkafkaMilliseconds))
        if let error = list.firstError() { throw error }
        return list.offsets
    }

    /// The partitions currently assigned to this consumer.
    public func assignment() throws(KafkaError) -> [TopicPartition] {
        var pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        try KafkaError.check(rd_kafka_assignment(handle.raw, &pointer))
        guard let pointer else { return [] }
        return TopicPartitionList(adopting: pointer).partitions
    }

    /// The number of partitions of `topic`, from the cluster's metadata.
    public func partitionCount(topic: String, timeout: Duration) throws(KafkaError) -> Int {
        let topicHandle = rd_kafka_topic_new(handle.raw, topic, nil)
        defer { rd_kafka_topic_destroy(topicHandle) }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        try KafkaError.check(rd_kafka_metadata(handle.raw, 0, topicHandle, &metadata, timeout.rdkafkaMilliseconds))
        guard let metadata else { throw KafkaError(rdkafkaCode: RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) }
        defer { rd_kafka_metadata_destroy(metadata) }
        guard metadata.pointee.topic_cnt > 0, let described = metadata.pointee.topics else {
            throw KafkaError(rdkafkaCode: RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC)
        }
        try KafkaError.check(described.pointee.err)
        return Int(described.pointee.partition_cnt)
    }

    /// This member's id in the group ("" before the first join).
    public var memberID: String {
        guard let id = rd_kafka_memberid(handle.raw) else { return "" }
        defer { rd_kafka_mem_free(handle.raw, id) }
        return String(cString: id)
    }

    /// The latest statistics JSON (when `statisticsIntervalMilliseconds` > 0), or `nil` before the first.
    /// Statistics are produced while the consumer is polled.
    public var latestStatistics: String? { context.statistics.latest }

    /// Called on the polling thread with every statistics JSON document (when
    /// `statisticsIntervalMilliseconds` > 0). Default: nil.
    public var onStatistics: (@Sendable (String) -> Void)? {
        get { context.statistics.handler }
        set { context.statistics.handler = newValue }
    }

    /// Leaves the group cleanly (`rd_kafka_consumer_close`): revokes the assignment (running the rebalance
    /// handler), commits stored offsets, stops fetching, then lets go of the rebalance handler (which may
    /// hold what holds this consumer). Idempotent; BLOCKS until done.
    public func close() throws(KafkaError) {
        let alreadyClosed = closed.withLock { closed in
            defer { closed = true }
            return closed
        }
        if alreadyClosed { return }
        defer { context.releaseRebalanceHandler() }
        try KafkaError.check(rd_kafka_consumer_close(handle.raw))
    }

    /// The group metadata for `rd_kafka_send_offsets_to_transaction`; the caller destroys it.
    func groupMetadata() throws(KafkaError) -> OpaquePointer {
        guard let metadata = rd_kafka_consumer_group_metadata(handle.raw) else {
            throw KafkaError(rdkafkaCode: RD_KAFKA_RESP_ERR__STATE, message: "the consumer has no group metadata")
        }
        return metadata
    }

    /// Converts a consumed message: `.success(nil)` for a partition EOF event, `.failure` for other errors.
    /// Headers are decoded only when the record has some.
    private static func convert(
        _ message: UnsafeMutablePointer<rd_kafka_message_t>,
        topicNames: inout TopicNameCache
    ) -> Result<KafkaConsumerMessage?, KafkaError> {
        let raw = message.pointee
        if raw.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            if raw.err == RD_KAFKA_RESP_ERR__PARTITION_EOF { return .success(nil) }
            var text = String(cString: rd_kafka_message_errstr(message))
            if let topicHandle = raw.rkt {
                text = "\(String(cString: rd_kafka_topic_name(topicHandle)))[\(raw.partition)]: \(text)"
            }
            return .failure(KafkaError(rdkafkaCode: raw.err, message: text))
        }
        var headers: [KafkaHeader] = []
        var headerList: OpaquePointer?
        if rd_kafka_message_headers(message, &headerList) == RD_KAFKA_RESP_ERR_NO_ERROR, let headerList {
            let count = rd_kafka_header_cnt(headerList)
            headers.reserveCapacity(count)
            for index in 0..<count {
                var name: UnsafePointer<CChar>?
                var value: UnsafeRawPointer?
                var size = 0
                if rd_kafka_header_get_all(headerList, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR,
                    let name
                {
                    headers.append(KafkaHeader(key: String(cString: name), value: bytes(value, count: size)))
                }
            }
        }
        return .success(
            KafkaConsumerMessage(
                topic: topicNames.name(of: raw.rkt),
                partition: raw.partition,
                offset: raw.offset,
                key: bytes(raw.key, count: raw.key_len),
                value: bytes(raw.payload, count: raw.len) ?? [],
                headers: headers,
                timestampMilliseconds: timestamp(of: message)
            )
        )
    }
}

/// Reuses the topic name of consecutive messages of the same topic handle (one `String` per batch, not per
/// message).
private struct TopicNameCache {
    private var handle: OpaquePointer?
    private var name = ""

    mutating func name(of topicHandle: OpaquePointer) -> String {
        if topicHandle != handle {
            handle = topicHandle
            name = String(cString: rd_kafka_topic_name(topicHandle))
        }
        return name
    }
}

/// What librdkafka's callbacks need, reached through the client's opaque pointer.
private final class ConsumerContext: Sendable {
    let logger: Logger
    /// Set until ``releaseRebalanceHandler()``; read on the polling thread inside `poll` and `close`.
    private let rebalanceHandler: Mutex<(@Sendable (RebalanceEvent) -> Void)?>
    let statistics = StatisticsStore()

    init(logger: Logger, rebalanceHandler: (@Sendable (RebalanceEvent) -> Void)?) {
        self.logger = logger
        self.rebalanceHandler = Mutex(rebalanceHandler)
    }

    /// Drops the handler once the consumer has closed: no rebalance can follow.
    func releaseRebalanceHandler() {
        rebalanceHandler.withLock { $0 = nil }
    }

    /// Runs the handler, then applies the change (incrementally for the COOPERATIVE protocol).
    func rebalance(
        _ handle: OpaquePointer,
        _ code: rd_kafka_resp_err_t,
        _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
    ) {
        let changed = partitions.map(topicPartitions(of:)) ?? []
        let rebalanceHandler = self.rebalanceHandler.withLock { $0 }
        let cooperative = String(cString: rd_kafka_rebalance_protocol(handle)) == "COOPERATIVE"
        var failure: KafkaError?
        switch code {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            logger.info("Kafka partitions assigned", metadata: ["partitions": "\(changed)"])
            rebalanceHandler?(.assigned(changed))
            if cooperative {
                failure = rd_kafka_incremental_assign(handle, partitions).map { KafkaError(consuming: $0) }
            } else {
                failure = apply(rd_kafka_assign(handle, partitions))
            }
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let lost = rd_kafka_assignment_lost(handle) != 0
            logger.info(
                lost ? "Kafka partitions lost" : "Kafka partitions revoked",
                metadata: ["partitions": "\(changed)"]
            )
            rebalanceHandler?(lost ? .lost(changed) : .revoked(changed))
            if cooperative {
                failure = rd_kafka_incremental_unassign(handle, partitions).map { KafkaError(consuming: $0) }
            } else {
                failure = apply(rd_kafka_assign(handle, nil))
            }
        default:
            logger.error("Kafka rebalance error", metadata: ["error": "\(KafkaError(rdkafkaCode: code))"])
            failure = apply(rd_kafka_assign(handle, nil))
        }
        if let failure {
            logger.error("Kafka could not apply the rebalance", metadata: ["error": "\(failure)"])
        }
    }

    private func apply(_ code: rd_kafka_resp_err_t) -> KafkaError? {
        code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(rdkafkaCode: code)
    }
}

/// The partitions of a list librdkafka owns.
private func topicPartitions(of list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> [TopicPartition] {
    UnsafeMutableBufferPointer(start: list.pointee.elems, count: Int(list.pointee.cnt)).map {
        TopicPartition(topic: String(cString: $0.topic), partition: $0.partition)
    }
}

private func consumerContext(_ opaque: UnsafeMutableRawPointer?) -> ConsumerContext? {
    opaque.map { Unmanaged<ConsumerContext>.fromOpaque($0).takeUnretainedValue() }
}

// librdkafka callbacks: file-scope functions (no captures), context from the opaque pointer.

private func consumerRebalanceCallback(
    _ handle: OpaquePointer?,
    _ code: rd_kafka_resp_err_t,
    _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
    _ opaque: UnsafeMutableRawPointer?
) {
    guard let handle, let context = consumerContext(opaque) else { return }
    context.rebalance(handle, code, partitions)
}

private func consumerErrorCallback(
    _ handle: OpaquePointer?,
    _ code: Int32,
    _ reason: UnsafePointer<CChar>?,
    _ opaque: UnsafeMutableRawPointer?
) {
    guard let context = consumerContext(opaque) else { return }
    let error = KafkaError(
        rdkafkaCode: rd_kafka_resp_err_t(rawValue: code),
        message: reason.map { String(cString: $0) }
    )
    context.logger.warning("Kafka consumer error", metadata: ["error": "\(error)"])
}

private func consumerStatisticsCallback(
    _ handle: OpaquePointer?,
    _ json: UnsafeMutablePointer<CChar>?,
    _ length: Int,
    _ opaque: UnsafeMutableRawPointer?
) -> Int32 {
    guard let json, let context = consumerContext(opaque) else { return 0 }
    context.statistics.publish(
        String(decoding: UnsafeRawBufferPointer(start: json, count: length), as: UTF8.self)
    )
    return 0  // librdkafka frees the JSON
}

private func consumerLogCallback(
    _ handle: OpaquePointer?,
    _ level: Int32,
    _ facility: UnsafePointer<CChar>?,
    _ text: UnsafePointer<CChar>?
) {
    guard let handle, let text, let context = consumerContext(rd_kafka_opaque(handle)) else { return }
    context.logger.log(
        level: Logger.Level(syslogLevel: level),
        "\(String(cString: text))",
        metadata: ["facility": "\(facility.map { String(cString: $0) } ?? "")"]
    )
}
