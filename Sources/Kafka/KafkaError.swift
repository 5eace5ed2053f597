import CRdKafka

/// An error reported by librdkafka (or by this module on top of it), with librdkafka's code, name and message.
///
/// Every librdkafka error code and `rd_kafka_error_t` becomes a `KafkaError` in exactly one place:
/// ``init(rdkafkaCode:message:isRetriable:isFatal:txnRequiresAbort:)``.
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// A librdkafka error code (`rd_kafka_resp_err_t`): negative values are local (client) errors,
    /// positive values are errors returned by the broker.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The numeric value of `rd_kafka_resp_err_t`.
        public let rawValue: Int32

        /// Wraps a raw `rd_kafka_resp_err_t` value.
        public init(rawValue: Int32) {
            self.rawValue = rawValue
        }

        init(_ code: rd_kafka_resp_err_t) {
            self.rawValue = code.rawValue
        }

        var rdkafkaValue: rd_kafka_resp_err_t {
            rd_kafka_resp_err_t(rawValue: rawValue)
        }

        /// librdkafka's symbolic name of the code (`rd_kafka_err2name`), e.g. `_MSG_TIMED_OUT`.
        public var description: String {
            String(cString: rd_kafka_err2name(rdkafkaValue))
        }

        /// Success (`RD_KAFKA_RESP_ERR_NO_ERROR`); never thrown.
        public static let noError = Code(RD_KAFKA_RESP_ERR_NO_ERROR)
        /// Local: the producer queue is full (`queue.buffering.max.*`); back off and retry.
        public static let queueFull = Code(RD_KAFKA_RESP_ERR__QUEUE_FULL)
        /// Local: the message was not delivered within `delivery.timeout.ms`.
        public static let msgTimedOut = Code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
        /// Local: broker transport failure.
        public static let transport = Code(RD_KAFKA_RESP_ERR__TRANSPORT)
        /// Local: all brokers are down.
        public static let allBrokersDown = Code(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        /// Local: the topic is not known.
        public static let unknownTopic = Code(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC)
        /// Local: the partition is not known.
        public static let unknownPartition = Code(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION)
        /// Broker: unknown topic or partition.
        public static let unknownTopicOrPartition = Code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        /// Local: the consumer reached the end of a partition (only with `enable.partition.eof`).
        public static let partitionEOF = Code(RD_KAFKA_RESP_ERR__PARTITION_EOF)
        /// Local: the operation timed out.
        public static let timedOut = Code(RD_KAFKA_RESP_ERR__TIMED_OUT)
        /// Local: this producer instance was fenced by a newer instance with the same transactional id.
        public static let fenced = Code(RD_KAFKA_RESP_ERR__FENCED)
        /// Local: the operation is not allowed in the current state (e.g. after `close`).
        public static let state = Code(RD_KAFKA_RESP_ERR__STATE)
        /// Broker: the group is rebalancing, the commit was rejected.
        public static let rebalanceInProgress = Code(RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS)
        /// Local: there was no offset to commit.
        public static let noOffset = Code(RD_KAFKA_RESP_ERR__NO_OFFSET)
        /// Local: an invalid argument or configuration.
        public static let invalidArgument = Code(RD_KAFKA_RESP_ERR__INVALID_ARG)
        /// Local: a fatal error was raised (see ``KafkaError/isFatal``).
        public static let fatal = Code(RD_KAFKA_RESP_ERR__FATAL)
        /// Local: the message was purged from the producer queue (e.g. on close).
        public static let purgeQueue = Code(RD_KAFKA_RESP_ERR__PURGE_QUEUE)
        /// Local: the in-flight message was purged (e.g. on close).
        public static let purgeInflight = Code(RD_KAFKA_RESP_ERR__PURGE_INFLIGHT)
        /// Local: the client was destroyed.
        public static let destroy = Code(RD_KAFKA_RESP_ERR__DESTROY)
        /// Local: the operation is not supported by this client or broker.
        public static let notImplemented = Code(RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED)
        /// Broker: the message is larger than the broker accepts.
        public static let msgSizeTooLarge = Code(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
        /// Broker: the client is not authorized to access the topic.
        public static let topicAuthorizationFailed = Code(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)
        /// Broker: the broker is not the leader of the partition.
        public static let notLeaderForPartition = Code(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION)
        /// Broker: the request timed out.
        public static let requestTimedOut = Code(RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT)
        /// Broker: not enough in-sync replicas.
        public static let notEnoughReplicas = Code(RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS)
        /// Broker: the broker is not the coordinator of the group.
        public static let notCoordinator = Code(RD_KAFKA_RESP_ERR_NOT_COORDINATOR)
        /// Broker: the requested offset is out of range.
        public static let offsetOutOfRange = Code(RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE)
        /// Broker: the producer was fenced by a newer producer epoch.
        public static let producerFenced = Code(RD_KAFKA_RESP_ERR_PRODUCER_FENCED)
        /// Broker: invalid transaction state.
        public static let invalidTransactionState = Code(RD_KAFKA_RESP_ERR_INVALID_TXN_STATE)

        /// Codes that are worth retrying when librdkafka gives only a bare code (no `rd_kafka_error_t`).
        static let retriable: Set<Code> = [
            .queueFull, .msgTimedOut, .transport, .allBrokersDown, .timedOut, .rebalanceInProgress,
            .notLeaderForPartition, .requestTimedOut, .notEnoughReplicas, .notCoordinator, .unknownTopicOrPartition,
            Code(RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE), Code(RD_KAFKA_RESP_ERR__WAIT_COORD),
            Code(RD_KAFKA_RESP_ERR__RETRY), Code(RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE),
            Code(RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION), Code(RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS),
            Code(RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE),
        ]
    }

    /// librdkafka's code.
    public var code: Code
    /// librdkafka's symbolic name of ``code`` (`rd_kafka_err2name`), e.g. `_QUEUE_FULL`.
    public var name: String
    /// The error string librdkafka gave, or `rd_kafka_err2str` of ``code`` when it gave none.
    public var message: String
    /// Whether retrying the same operation may succeed: `rd_kafka_error_is_retriable` when librdkafka
    /// returned an `rd_kafka_error_t` that says so, or (unless fatal) a code in a fixed list of transient
    /// codes (timeouts, transport, queue full, leader/coordinator changes, rebalance in progress).
    public var isRetriable: Bool
    /// Whether the client instance is unusable from now on (e.g. idempotence or transaction invariants broken).
    public var isFatal: Bool
    /// Whether the current transaction must be aborted (`rd_kafka_error_txn_requires_abort`).
    public var txnRequiresAbort: Bool

    /// "NAME (code): message", e.g. `_MSG_TIMED_OUT (-192): Local: Message timed out`.
    public var description: String {
        "\(name) (\(code.rawValue)): \(message)"
    }

    /// The one place that turns a librdkafka code into a `KafkaError`.
    init(
        rdkafkaCode: rd_kafka_resp_err_t,
        message: String? = nil,
        isRetriable: Bool? = nil,
        isFatal: Bool = false,
        txnRequiresAbort: Bool = false
    ) {
        let code = Code(rdkafkaCode)
        self.code = code
        self.name = String(cString: rd_kafka_err2name(rdkafkaCode))
        self.message = message ?? String(cString: rd_kafka_err2str(rdkafkaCode))
        self.isRetriable = isRetriable ?? Code.retriable.contains(code)
        self.isFatal = isFatal || code == .fatal
        self.txnRequiresAbort = txnRequiresAbort
    }

    /// Converts a `rd_kafka_error_t` and destroys it.
    init(consuming error: OpaquePointer) {
        defer { rd_kafka_error_destroy(error) }
        let code = rd_kafka_error_code(error)
        let isFatal = rd_kafka_error_is_fatal(error) != 0
        let txnRequiresAbort = rd_kafka_error_txn_requires_abort(error) != 0
        // librdkafka flags retriable errors only in some APIs (not e.g. `rd_kafka_produceva`'s _QUEUE_FULL).
        let transient = !isFatal && !txnRequiresAbort && Code.retriable.contains(Code(code))
        self.init(
            rdkafkaCode: code,
            message: rd_kafka_error_string(error).map { String(cString: $0) },
            isRetriable: rd_kafka_error_is_retriable(error) != 0 || transient,
            isFatal: isFatal,
            txnRequiresAbort: txnRequiresAbort
        )
    }

    /// Throws the converted error when librdkafka returned one.
    static func check(_ error: OpaquePointer?) throws(KafkaError) {
        if let error { throw KafkaError(consuming: error) }
    }

    /// Throws when `code` is not `RD_KAFKA_RESP_ERR_NO_ERROR`.
    static func check(_ code: rd_kafka_resp_err_t) throws(KafkaError) {
        if code != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(rdkafkaCode: code) }
    }
}
