import CRdKafka
import Logging
import Synchronization

/// A Kafka request type, for fault injection into an ``EmbeddedKafkaCluster`` (the protocol's ApiKey).
public struct KafkaAPIKey: Hashable, Sendable {
    /// The protocol's ApiKey number.
    public let rawValue: Int16

    /// Wraps a protocol ApiKey number.
    public init(rawValue: Int16) {
        self.rawValue = rawValue
    }

    /// Produce (0).
    public static let produce = KafkaAPIKey(rawValue: 0)
    /// Fetch (1).
    public static let fetch = KafkaAPIKey(rawValue: 1)
    /// ListOffsets (2).
    public static let listOffsets = KafkaAPIKey(rawValue: 2)
    /// Metadata (3).
    public static let metadata = KafkaAPIKey(rawValue: 3)
    /// OffsetCommit (8).
    public static let offsetCommit = KafkaAPIKey(rawValue: 8)
    /// OffsetFetch (9).
    public static let offsetFetch = KafkaAPIKey(rawValue: 9)
    /// FindCoordinator (10).
    public static let findCoordinator = KafkaAPIKey(rawValue: 10)
    /// JoinGroup (11).
    public static let joinGroup = KafkaAPIKey(rawValue: 11)
    /// Heartbeat (12).
    public static let heartbeat = KafkaAPIKey(rawValue: 12)
    /// LeaveGroup (13).
    public static let leaveGroup = KafkaAPIKey(rawValue: 13)
    /// SyncGroup (14).
    public static let syncGroup = KafkaAPIKey(rawValue: 14)
    /// InitProducerId (22).
    public static let initProducerID = KafkaAPIKey(rawValue: 22)
    /// AddPartitionsToTxn (24).
    public static let addPartitionsToTransaction = KafkaAPIKey(rawValue: 24)
    /// AddOffsetsToTxn (25).
    public static let addOffsetsToTransaction = KafkaAPIKey(rawValue: 25)
    /// EndTxn (26).
    public static let endTransaction = KafkaAPIKey(rawValue: 26)
    /// TxnOffsetCommit (28).
    public static let transactionOffsetCommit = KafkaAPIKey(rawValue: 28)
}

/// An in-process Kafka cluster: librdkafka's mock cluster (`rdkafka_mock.h`), serving the real Kafka
/// protocol over TCP on loopback to any client in any process (kcat included) while this object lives.
///
/// The cluster runs on its own librdkafka thread and needs an `rd_kafka_t`: a producer handle without
/// brokers, kept for the cluster's lifetime. All methods may be called from any thread.
///
/// Limits of the mock (librdkafka 2.0.2; see docs/kafka-threading.md): ~5 MB retention per partition,
/// offsets-for-times answers -1, transactions have no semantics (no control records; offsets sent to a
/// transaction are discarded), any metadata request for an unknown topic creates it with 4 partitions,
/// no admin APIs, the `cooperative-sticky` assignor is degraded.
public final class EmbeddedKafkaCluster: Sendable {
    /// `nil` once closed. librdkafka's mock calls are thread-safe; the lock orders them against `close`.
    private let handles: Mutex<RDPointerPair?>

    /// The cluster's bootstrap servers, "127.0.0.1:port,…".
    public let bootstrapServers: String

    /// Starts a cluster of `brokers` brokers and creates `topics` (replication factor 1).
    public init(
        brokers: Int = 3,
        topics: [(name: String, partitions: Int)] = [],
        logger: Logger
    ) throws(KafkaError) {
        // log_level 4: no notice that this broker-less client has no `bootstrap.servers`.
        let conf = try makeConfiguration([("client.id", "khabar-embedded-cluster"), ("log_level", "4")])
        let client = try makeClient(RD_KAFKA_PRODUCER, conf: conf)
        guard let cluster = rd_kafka_mock_cluster_new(client, Int32(clamping: brokers)) else {
            rd_kafka_destroy(client)
            throw KafkaError(rdkafkaCode: RD_KAFKA_RESP_ERR__FAIL, message: "could not create the mock cluster")
        }
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        handles = Mutex(RDPointerPair(client: RDPointer(raw: client), cluster: RDPointer(raw: cluster)))
        logger.debug("Embedded Kafka cluster started", metadata: ["bootstrap": "\(bootstrapServers)"])
        for topic in topics {
            try createTopic(topic.name, partitions: topic.partitions)
        }
    }

    deinit {
        close()
    }

    /// Creates a topic (it must not exist yet).
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        let code = try withCluster { cluster in
            rd_kafka_mock_topic_create(
                cluster,
                name,
                Int32(clamping: partitions),
                Int32(clamping: replicationFactor)
            )
        }
        try KafkaError.check(code)
    }

    /// Takes a broker down: its connections close and it refuses new ones until ``setBrokerUp(_:)``.
    /// Broker ids are 1...brokers.
    public func setBrokerDown(_ id: Int32) throws(KafkaError) {
        try KafkaError.check(try withCluster { rd_kafka_mock_broker_set_down($0, id) })
    }

    /// Brings a broker back up.
    public func setBrokerUp(_ id: Int32) throws(KafkaError) {
        try KafkaError.check(try withCluster { rd_kafka_mock_broker_set_up($0, id) })
    }

    /// Makes the next `errors.count` requests of type `apiKey` (to any broker) fail with these codes, in
    /// order.
    public func pushRequestErrors(apiKey: KafkaAPIKey, errors: [KafkaError.Code]) throws(KafkaError) {
        let codes = errors.map(\.rdkafkaValue)
        try withCluster { cluster in
            codes.withUnsafeBufferPointer {
                rd_kafka_mock_push_request_errors_array(cluster, apiKey.rawValue, $0.count, $0.baseAddress)
            }
        }
    }

    /// Delays every response of a broker by `milliseconds`.
    public func setRoundTripTime(broker: Int32, milliseconds: Int) throws(KafkaError) {
        try KafkaError.check(
            try withCluster { rd_kafka_mock_broker_set_rtt($0, broker, Int32(clamping: milliseconds)) }
        )
    }

    /// Stops the cluster (its clients lose their connections). Idempotent; `deinit` calls it.
    public func close() {
        guard let closing = handles.withLock({ $0.take() }) else { return }
        rd_kafka_mock_cluster_destroy(closing.cluster.raw)
        rd_kafka_destroy(closing.client.raw)
    }

    private func withCluster<R: Sendable>(_ body: (OpaquePointer) -> R) throws(KafkaError) -> R {
        let result = handles.withLock { handles in handles.map { body($0.cluster.raw) } }
        guard let result else {
            throw KafkaError(rdkafkaCode: RD_KAFKA_RESP_ERR__STATE, message: "the embedded cluster is closed")
        }
        return result
    }
}

/// The mock cluster and the client that hosts it.
private struct RDPointerPair: Sendable {
    var client: RDPointer
    var cluster: RDPointer
}
