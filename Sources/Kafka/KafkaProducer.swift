import CRdKafka
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A Kafka producer over librdkafka.
///
/// ## Threading
/// - `send(_:completion:)` enqueues without blocking and may be called from any thread or task. It throws
///   at once when librdkafka refuses the message (e.g. ``KafkaError/Code/queueFull``: back off and retry).
/// - Delivery reports, errors, statistics and librdkafka's logs are *events* on the client's main queue
///   (`rd_kafka_conf_set_events` with `log.queue=true`). One dedicated OS thread per producer — never the
///   cooperative pool — drains that queue with `rd_kafka_queue_poll` and runs each message's `completion`
///   there. Completions must therefore be short and must not block, and should not call ``close(timeout:)``
///   (it cannot wait for the remaining reports from there). A completion may hold the producer's last
///   reference: the handle is then destroyed on the event thread once that iteration is over.
/// - The async `send(_:)` awaits the delivery report through a continuation resumed by that thread.
/// - `flush`, the transaction calls and `close` block the calling thread: call them from a dedicated thread
///   or accept blocking a cooperative thread for their duration.
public final class KafkaProducer: Sendable {
    private let handle: RDPointer
    private let mainQueue: RDPointer
    private let eventThread: EventThread
    private let statistics: StatisticsStore
    private let logger: Logger
    /// The closed flag (top bit, set once `close` starts) and the number of `send` calls between their check
    /// of that flag and the end of their enqueue (low bits). `close` sets the flag, then waits for those
    /// sends before its final flush, so no message is enqueued after it. A lock held across the enqueue
    /// did the same but serialised every sending thread on it (futex waits and context switches between
    /// the worker's lanes).
    private let gate = Atomic<UInt64>(0)
    private static let closedFlag: UInt64 = 1 << 63

    /// Creates the producer and starts its event thread.
    public init(configuration: KafkaProducerConfiguration, logger: Logger) throws(KafkaError) {
        let conf = try makeConfiguration(configuration.librdkafkaProperties)
        rd_kafka_conf_set_events(
            conf,
            Int32(RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR | RD_KAFKA_EVENT_STATS | RD_KAFKA_EVENT_LOG)
        )
        let handle = try makeClient(RD_KAFKA_PRODUCER, conf: conf)
        rd_kafka_set_log_queue(handle, nil)
        let mainQueue = RDPointer(raw: rd_kafka_queue_get_main(handle))
        let statistics = StatisticsStore()
        self.handle = RDPointer(raw: handle)
        self.mainQueue = mainQueue
        self.statistics = statistics
        self.logger = logger
        let client = self.handle
        eventThread = EventThread(name: Self.eventThreadName(clientID: configuration.clientID)) {
            Self.serveEvents(queue: mainQueue, client: client, statistics: statistics, logger: logger)
        }
    }

    /// The OS name of the event thread: "kp-" and the client id's last 12 characters (Linux keeps 15 bytes of a
    /// thread name). The end, not the start: a worker's two producers are "<instance>" and
    /// "<instance>-fingerprints", which share their start.
    static func eventThreadName(clientID: String) -> String {
        "kp-" + clientID.suffix(12)
    }

    deinit {
        close(timeout: .zero)
        // When a completion held the last reference, this runs on the event thread, inside an event that is
        // still in use: the handle is then destroyed after that iteration.
        let (mainQueue, handle) = (mainQueue, handle)
        eventThread.finish {
            rd_kafka_queue_destroy(mainQueue.raw)
            rd_kafka_destroy(handle.raw)
        }
    }

    /// Enqueues a message without blocking; `completion` runs on the producer's event thread with the
    /// delivery report, exactly once.
    ///
    /// Key and headers are copied by librdkafka before this returns. The value is not: librdkafka reads it in
    /// place until the delivery report, and the producer holds the array (unmodified, so its storage stays
    /// where it is) until then. A copy cost every record a heap allocation of its size and a `memcpy` on the
    /// sending thread, freed later on the event thread.
    /// Throws immediately when the message cannot be enqueued (then `completion` is never called), e.g.
    /// ``KafkaError/Code/queueFull`` — the caller backs off and retries — or ``KafkaError/Code/state``
    /// after ``close(timeout:)``.
    public func send(
        _ message: KafkaProducerMessage,
        completion: @escaping @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void
    ) throws(KafkaError) {
        let delivery = DeliveryBox(completion, value: message.value)
        let box = Unmanaged.passRetained(delivery).toOpaque()
        let gateBefore = gate.wrappingAdd(1, ordering: .acquiringAndReleasing).oldValue
        let error: KafkaError?
        if gateBefore & Self.closedFlag != 0 {
            error = KafkaError(rdkafkaCode: RD_KAFKA_RESP_ERR__STATE, message: "the producer is closed")
        } else {
            error = produce(message, value: delivery.value, opaque: box).map { KafkaError(consuming: $0) }
        }
        gate.wrappingSubtract(1, ordering: .releasing)
        if let error {
            Unmanaged<DeliveryBox>.fromOpaque(box).release()
            throw error
        }
    }

    /// Enqueues a message (retrying ``KafkaError/Code/queueFull`` with a short backoff) and awaits its
    /// delivery report. The wait does not block a thread.
    public func send(_ message: KafkaProducerMessage) async throws(KafkaError) -> KafkaDeliveryReport {
        var backoff = Duration.milliseconds(1)
        while true {
            let result = await withCheckedContinuation {
                (continuation: CheckedContinuation<Result<KafkaDeliveryReport, KafkaError>, Never>) in
                do throws(KafkaError) {
                    try send(message) { continuation.resume(returning: $0) }
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            switch result {
            case .success(let report):
                return report
            case .failure(let error) where error.code == .queueFull:
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .milliseconds(100))
            case .failure(let error):
                throw error
            }
        }
    }

    /// Waits until every enqueued message got its delivery report (and its completion ran), or throws
    /// ``KafkaError/Code/timedOut``. Blocks the calling thread.
    public func flush(timeout: Duration) throws(KafkaError) {
        try KafkaError.check(rd_kafka_flush(handle.raw, timeout.rdkafkaMilliseconds))
    }

    /// Messages and requests not yet acknowledged, plus delivery reports not yet handled (`rd_kafka_outq_len`).
    public var outstandingCount: Int {
        Int(rd_kafka_outq_len(handle.raw))
    }

    /// The latest statistics JSON (when `statisticsIntervalMilliseconds` > 0), or `nil` before the first.
    public var latestStatistics: String? { statistics.latest }

    /// Called on the event thread with every statistics JSON document (when `statisticsIntervalMilliseconds`
    /// > 0). Default: nil.
    public var onStatistics: (@Sendable (String) -> Void)? {
        get { statistics.handler }
        set { statistics.handler = newValue }
    }

    // MARK: Transactions (only with `transactionalID`)

    /// Registers the transactional id with the coordinator and fences older instances. Call once.
    public func initTransactions(timeout: Duration) throws(KafkaError) {
        try KafkaError.check(rd_kafka_init_transactions(handle.raw, timeout.rdkafkaMilliseconds))
    }

    /// Starts a transaction: every message sent until commit or abort belongs to it.
    public func beginTransaction() throws(KafkaError) {
        try KafkaError.check(rd_kafka_begin_transaction(handle.raw))
    }

    /// Adds the consumer's offsets (the next offsets to read) to the current transaction, so that they
    /// are committed if and only if the transaction commits.
    public func sendOffsetsToTransaction(
        _ offsets: [TopicPartitionOffset],
        consumer: KafkaConsumer,
        timeout: Duration
    ) throws(KafkaError) {
        let list = TopicPartitionList(offsets)
        let metadata = try consumer.groupMetadata()
        defer { rd_kafka_consumer_group_metadata_destroy(metadata) }
        try KafkaError.check(
            rd_kafka_send_offsets_to_transaction(handle.raw, list.pointer, metadata, timeout.rdkafkaMilliseconds)
        )
    }

    /// Flushes and commits the current transaction.
    public func commitTransaction(timeout: Duration) throws(KafkaError) {
        try KafkaError.check(rd_kafka_commit_transaction(handle.raw, timeout.rdkafkaMilliseconds))
    }

    /// Aborts the current transaction; its undelivered messages fail with a purge error.
    public func abortTransaction(timeout: Duration) throws(KafkaError) {
        try KafkaError.check(rd_kafka_abort_transaction(handle.raw, timeout.rdkafkaMilliseconds))
    }

    /// Flushes for up to `timeout`, fails what is still undelivered (purge: completions get
    /// ``KafkaError/Code/purgeQueue`` or ``KafkaError/Code/purgeInflight``), then stops the event thread.
    /// Later `send` calls throw ``KafkaError/Code/state``. Idempotent; `deinit` calls it with a zero timeout.
    /// Blocks the calling thread. Called from a delivery completion, it cannot wait for the other reports
    /// (they are delivered by the very thread it blocks): it then fails the outstanding messages after at
    /// most `timeout` + 1 s.
    public func close(timeout: Duration) {
        let gateBefore = gate.bitwiseOr(Self.closedFlag, ordering: .acquiringAndReleasing).oldValue
        if gateBefore & Self.closedFlag != 0 { return }
        // Sends that passed the flag check before it was set finish their enqueue (microseconds).
        while gate.load(ordering: .acquiring) != Self.closedFlag { sched_yield() }
        if rd_kafka_flush(handle.raw, timeout.rdkafkaMilliseconds) != RD_KAFKA_RESP_ERR_NO_ERROR {
            rd_kafka_purge(handle.raw, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
            // Let the event thread hand the purged messages' reports to their completions.
            _ = rd_kafka_flush(handle.raw, 1000)
        }
        let remaining = outstandingCount
        if remaining > 0 {
            logger.warning("Kafka producer closed with undelivered messages", metadata: ["count": "\(remaining)"])
        }
        eventThread.stop()
    }

    // MARK: Internals

    /// Enqueues with `rd_kafka_produceva`; returns librdkafka's error, if any. Uses no heap memory of its own
    /// (temporary allocations, on the stack for a message with a few headers).
    ///
    /// `value` is `message.value` as held by the message's ``DeliveryBox`` (`opaque`), passed without
    /// `RD_KAFKA_MSG_F_COPY`: librdkafka keeps the pointer until the delivery report. It stays valid because
    /// the box keeps the array alive and never mutates it, and a native array's elements live in one heap
    /// buffer that does not move while the array exists (there is no bridged storage on Linux). librdkafka
    /// neither writes nor frees a payload passed without flags.
    private func produce(_ message: KafkaProducerMessage, value: [UInt8], opaque: UnsafeMutableRawPointer)
        -> OpaquePointer?
    {
        message.topic.withCString { topic in
            value.withUnsafeBytes { value in
                withOptionalBytes(message.key) { key in
                    withHeaderScratch(message.headers) { headerFields in
                        let capacity = 7 + headerFields.count
                        return withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: capacity) { fields in
                            var count = 0
                            func append(_ build: (inout rd_kafka_vu_t) -> Void) {
                                var field = rd_kafka_vu_t()
                                build(&field)
                                fields[count] = field
                                count += 1
                            }
                            append {
                                $0.vtype = RD_KAFKA_VTYPE_TOPIC
                                $0.u.cstr = topic
                            }
                            append {
                                $0.vtype = RD_KAFKA_VTYPE_PARTITION
                                $0.u.i32 = message.partition ?? -1  // RD_KAFKA_PARTITION_UA
                            }
                            append {
                                $0.vtype = RD_KAFKA_VTYPE_MSGFLAGS
                                $0.u.i = 0  // the value is read in place (see above); the key is always copied
                            }
                            append {
                                $0.vtype = RD_KAFKA_VTYPE_VALUE
                                $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress)
                                $0.u.mem.size = value.count
                            }
                            if let key {
                                append {
                                    $0.vtype = RD_KAFKA_VTYPE_KEY
                                    $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress)
                                    $0.u.mem.size = key.count
                                }
                            }
                            if let timestamp = message.timestampMilliseconds {
                                append {
                                    $0.vtype = RD_KAFKA_VTYPE_TIMESTAMP
                                    $0.u.i64 = timestamp
                                }
                            }
                            append {
                                $0.vtype = RD_KAFKA_VTYPE_OPAQUE
                                $0.u.ptr = opaque
                            }
                            for header in headerFields {
                                append {
                                    $0.vtype = RD_KAFKA_VTYPE_HEADER
                                    $0.u.header.name = header.name
                                    $0.u.header.val = header.value
                                    $0.u.header.size = header.size
                                }
                            }
                            return rd_kafka_produceva(handle.raw, fields.baseAddress, count)
                        }
                    }
                }
            }
        }
    }

    /// Drains the main queue for up to 100 ms: delivery reports, errors, statistics, logs.
    private static func serveEvents(queue: RDPointer, client: RDPointer, statistics: StatisticsStore, logger: Logger) {
        guard let event = rd_kafka_queue_poll(queue.raw, 100) else { return }
        defer { rd_kafka_event_destroy(event) }
        switch rd_kafka_event_type(event) {
        case Int32(RD_KAFKA_EVENT_DR):
            while let message = rd_kafka_event_message_next(event) {
                deliver(message)
            }
        case Int32(RD_KAFKA_EVENT_STATS):
            if let json = rd_kafka_event_stats(event) {
                statistics.publish(String(cString: json))
            }
        case Int32(RD_KAFKA_EVENT_ERROR):
            let code = rd_kafka_event_error(event)
            let text = String(cString: rd_kafka_event_error_string(event))
            if rd_kafka_event_error_is_fatal(event) != 0 {
                var detail = [CChar](repeating: 0, count: 512)
                let fatal = KafkaError(
                    rdkafkaCode: rd_kafka_fatal_error(client.raw, &detail, detail.count),
                    message: string(fromNulTerminated: detail),
                    isFatal: true
                )
                logger.critical("Kafka producer fatal error", metadata: ["error": "\(fatal)"])
            } else {
                let error = KafkaError(rdkafkaCode: code, message: text)
                logger.warning("Kafka producer error", metadata: ["error": "\(error)"])
            }
        case Int32(RD_KAFKA_EVENT_LOG):
            logLogEvent(event, to: logger)
        default:
            break
        }
    }

    /// Hands one delivery report to its message's completion and releases the completion box.
    private static func deliver(_ message: UnsafePointer<rd_kafka_message_t>) {
        guard let opaque = message.pointee._private else { return }
        let box = Unmanaged<DeliveryBox>.fromOpaque(opaque).takeRetainedValue()
        let error = message.pointee.err
        if error == RD_KAFKA_RESP_ERR_NO_ERROR {
            box.completion(
                .success(
                    KafkaDeliveryReport(
                        topic: String(cString: rd_kafka_topic_name(message.pointee.rkt)),
                        partition: message.pointee.partition,
                        offset: message.pointee.offset,
                        timestampMilliseconds: timestamp(of: message)
                    )
                )
            )
        } else {
            box.completion(.failure(KafkaError(rdkafkaCode: error)))
        }
    }
}

/// The completion of one produced message and the value librdkafka reads in place; retained at enqueue,
/// released by its delivery report (after which librdkafka no longer reads the value).
private final class DeliveryBox: Sendable {
    let completion: @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void
    /// The message's value, kept alive and unmodified until the delivery report.
    let value: [UInt8]

    init(_ completion: @escaping @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void, value: [UInt8]) {
        self.completion = completion
        self.value = value
    }
}

/// One header as `rd_kafka_vu_t` wants it: a C-string name and a value (`nil`, -1 size: null value).
private struct HeaderField {
    var name: UnsafePointer<CChar>
    var value: UnsafeRawPointer?
    var size: Int
}

/// Runs `body` with the key's bytes, or with `nil` for a null key.
private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}

/// Lays the headers' names (NUL-terminated) and values out in one scratch buffer for the call's duration.
/// Both the buffer and the fields are temporary allocations (on the stack for a few headers): a produced
/// message costs no heap memory here.
private func withHeaderScratch<R>(_ headers: [KafkaHeader], _ body: (UnsafeBufferPointer<HeaderField>) -> R) -> R {
    if headers.isEmpty { return body(UnsafeBufferPointer(start: nil, count: 0)) }
    var size = 0
    for header in headers {
        size += header.key.utf8.count + 1 + (header.value?.count ?? 0)
    }
    return withUnsafeTemporaryAllocation(byteCount: size, alignment: 1) { scratch in
        withUnsafeTemporaryAllocation(of: HeaderField.self, capacity: headers.count) { fields in
            // The names are read as C strings; the values as raw bytes.
            let characters = scratch.bindMemory(to: CChar.self)
            var position = 0
            // In bounds: `size` is the sum of what the loop writes (each key, its NUL, its value), and
            // `fields` has room for one field per header.
            for (index, header) in headers.enumerated() {
                let name = characters.baseAddress! + position
                for byte in header.key.utf8 {
                    scratch[position] = byte
                    position += 1
                }
                scratch[position] = 0
                position += 1
                var field = HeaderField(name: name, value: nil, size: -1)
                if let value = header.value {
                    value.withUnsafeBytes { source in
                        UnsafeMutableRawBufferPointer(rebasing: scratch[position..<position + source.count])
                            .copyMemory(from: source)
                    }
                    field.value = UnsafeRawPointer(scratch.baseAddress! + position)
                    field.size = value.count
                    position += value.count
                }
                (fields.baseAddress! + index).initialize(to: field)
            }
            return body(UnsafeBufferPointer(fields))
        }
    }
}
