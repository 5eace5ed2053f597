import CRdKafka
import Logging
import Synchronization

/// A librdkafka object pointer that may cross threads.
///
/// Safe because it only ever wraps objects librdkafka documents as thread-safe: the client handle
/// `rd_kafka_t` (all its API calls may be made from any thread), queues `rd_kafka_queue_t`, and the mock
/// cluster (`rd_kafka_mock_*` calls are posted as operations to the cluster's own thread). The owning
/// Swift class controls the lifetime: the pointer is destroyed only in its `deinit`/`close`, after every
/// thread that uses it has stopped.
struct RDPointer: @unchecked Sendable {
    let raw: OpaquePointer
}

/// The statistics JSON of a client: the latest document and an optional handler, both lock-protected.
final class StatisticsStore: Sendable {
    private struct State {
        var latest: String?
        var handler: (@Sendable (String) -> Void)?
    }
    private let state = Mutex(State())

    var latest: String? { state.withLock { $0.latest } }

    var handler: (@Sendable (String) -> Void)? {
        get { state.withLock { $0.handler } }
        set { state.withLock { $0.handler = newValue } }
    }

    func publish(_ json: String) {
        let handler = state.withLock { state in
            state.latest = json
            return state.handler
        }
        handler?(json)
    }
}

extension Duration {
    /// Whole milliseconds for librdkafka's `int timeout_ms`, rounded up, clamped to `0...Int32.max`.
    var rdkafkaMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        if seconds >= Int64(Int32.max) / 1000 { return Int32.max }
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: max(0, milliseconds))
    }
}

extension Logger.Level {
    /// Maps a syslog level (librdkafka's log levels) to a swift-log level.
    init(syslogLevel: Int32) {
        switch syslogLevel {
        case ...2: self = .critical
        case 3: self = .error
        case 4: self = .warning
        case 5: self = .notice
        case 6: self = .info
        default: self = .debug
        }
    }
}

/// Creates a `rd_kafka_conf_t` holding `settings` in order (later ones win). The caller owns the result.
func makeConfiguration(_ settings: [(String, String)]) throws(KafkaError) -> OpaquePointer {
    let conf = rd_kafka_conf_new()!
    for (key, value) in settings {
        var errorText = [CChar](repeating: 0, count: 512)
        let result = rd_kafka_conf_set(conf, key, value, &errorText, errorText.count)
        if result != RD_KAFKA_CONF_OK {
            rd_kafka_conf_destroy(conf)
            let detail = string(fromNulTerminated: errorText)
            throw KafkaError(rdkafkaCode: RD_KAFKA_RESP_ERR__INVALID_ARG, message: "\(key)=\(value): \(detail)")
        }
    }
    return conf
}

/// Creates a client handle; takes ownership of `conf` (destroyed on failure too).
func makeClient(_ type: rd_kafka_type_t, conf: OpaquePointer) throws(KafkaError) -> OpaquePointer {
    var errorText = [CChar](repeating: 0, count: 512)
    guard let handle = rd_kafka_new(type, conf, &errorText, errorText.count) else {
        rd_kafka_conf_destroy(conf)
        let detail = string(fromNulTerminated: errorText)
        throw KafkaError(rdkafkaCode: RD_KAFKA_RESP_ERR__INVALID_ARG, message: detail)
    }
    return handle
}

/// An owned `rd_kafka_topic_partition_list_t`, destroyed with the value.
struct TopicPartitionList: ~Copyable {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(capacity: Int) {
        pointer = rd_kafka_topic_partition_list_new(Int32(clamping: max(capacity, 1)))
    }

    /// Takes ownership of a list librdkafka allocated.
    init(adopting pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        self.pointer = pointer
    }

    init(_ partitions: [TopicPartition], offset: Int64 = KafkaOffset.invalid) {
        self.init(capacity: partitions.count)
        for partition in partitions {
            add(topic: partition.topic, partition: partition.partition, offset: offset)
        }
    }

    init(_ offsets: [TopicPartitionOffset]) {
        self.init(capacity: offsets.count)
        for offset in offsets {
            add(topic: offset.topic, partition: offset.partition, offset: offset.offset)
        }
    }

    deinit {
        rd_kafka_topic_partition_list_destroy(pointer)
    }

    func add(topic: String, partition: Int32, offset: Int64) {
        let element = rd_kafka_topic_partition_list_add(pointer, topic, partition)!
        element.pointee.offset = offset
    }

    private var elements: UnsafeMutableBufferPointer<rd_kafka_topic_partition_t> {
        UnsafeMutableBufferPointer(start: pointer.pointee.elems, count: Int(pointer.pointee.cnt))
    }

    var offsets: [TopicPartitionOffset] {
        elements.map {
            TopicPartitionOffset(topic: String(cString: $0.topic), partition: $0.partition, offset: $0.offset)
        }
    }

    var partitions: [TopicPartition] {
        elements.map { TopicPartition(topic: String(cString: $0.topic), partition: $0.partition) }
    }

    /// The first per-partition error, if any.
    func firstError() -> KafkaError? {
        for element in elements where element.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            let partition = "\(String(cString: element.topic))[\(element.partition)]"
            return KafkaError(
                rdkafkaCode: element.err,
                message: "\(partition): \(String(cString: rd_kafka_err2str(element.err)))"
            )
        }
        return nil
    }
}

/// Copies `count` bytes at `pointer` into an array (`nil` pointer: `nil`).
@inline(__always)
func bytes(_ pointer: UnsafeRawPointer?, count: Int) -> [UInt8]? {
    guard let pointer else { return nil }
    return Array(UnsafeRawBufferPointer(start: pointer, count: count))
}

/// Reads the message timestamp; `nil` when the message has none.
@inline(__always)
func timestamp(of message: UnsafePointer<rd_kafka_message_t>) -> Int64? {
    var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
    let value = rd_kafka_message_timestamp(message, &type)
    return type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : value
}

/// Decodes the NUL-terminated text librdkafka wrote into `buffer` (an `errstr` buffer).
func string(fromNulTerminated buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Passes a librdkafka `RD_KAFKA_EVENT_LOG` event (from a client with `log.queue=true`) to `logger`.
func logLogEvent(_ event: OpaquePointer, to logger: Logger) {
    var facility: UnsafePointer<CChar>?
    var text: UnsafePointer<CChar>?
    var level: Int32 = 0
    guard rd_kafka_event_log(event, &facility, &text, &level) == 0, let text else { return }
    logger.log(
        level: Logger.Level(syslogLevel: level),
        "\(String(cString: text))",
        metadata: ["facility": "\(facility.map { String(cString: $0) } ?? "")"]
    )
}
