import CRdKafka
import Logging

/// A topic to create with ``KafkaAdmin/createTopics(_:timeout:)``.
public struct NewTopic: Sendable, Hashable {
    /// The topic name.
    public var name: String
    /// Number of partitions (at least 1).
    public var partitions: Int
    /// Topic configuration entries, e.g. `["cleanup.policy": "compact"]`. Default: empty (broker defaults).
    public var config: [String: String]

    /// Describes a topic to create.
    public init(name: String, partitions: Int, config: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.config = config
    }
}

/// A small Kafka admin client over librdkafka's admin API.
///
/// Works against real Kafka and Kafka-compatible brokers such as Tansu. librdkafka's mock cluster
/// (``EmbeddedKafkaCluster``) does **not** support admin APIs: create its topics with the cluster instead.
///
/// ## Threading
/// Every admin call is **blocking**: it posts the request, then waits on a private librdkafka result
/// queue (`rd_kafka_queue_new`, served by librdkafka's background threads) for at most the given timeout.
/// Call it from a dedicated thread, or accept blocking a cooperative thread for that long. The client
/// itself may be used from any thread.
///
/// librdkafka's logs and client errors are events on the client's main queue, passed to the `Logger` by the
/// calling thread at the end of each admin call (and when the client is released).
public final class KafkaAdmin: Sendable {
    private let handle: RDPointer
    private let mainQueue: RDPointer
    private let logger: Logger

    /// Connects an admin client to `bootstrapServers`; `properties` are extra librdkafka settings.
    public init(
        bootstrapServers: String,
        properties: [String: String] = [:],
        logger: Logger = Logger(label: "kafka-admin")
    ) throws(KafkaError) {
        let settings =
            [("bootstrap.servers", bootstrapServers), ("log.queue", "true")]
            + properties.sorted { $0.key < $1.key }
        let conf = try makeConfiguration(settings)
        rd_kafka_conf_set_events(conf, Int32(RD_KAFKA_EVENT_ERROR | RD_KAFKA_EVENT_LOG))
        let handle = try makeClient(RD_KAFKA_PRODUCER, conf: conf)
        rd_kafka_set_log_queue(handle, nil)
        self.handle = RDPointer(raw: handle)
        self.mainQueue = RDPointer(raw: rd_kafka_queue_get_main(handle))
        self.logger = logger
    }

    deinit {
        drainEvents()
        rd_kafka_queue_destroy(mainQueue.raw)
        rd_kafka_destroy(handle.raw)
    }

    /// Passes the logs and client errors waiting on the main queue to the logger, without waiting.
    private func drainEvents() {
        while let event = rd_kafka_queue_poll(mainQueue.raw, 0) {
            defer { rd_kafka_event_destroy(event) }
            switch rd_kafka_event_type(event) {
            case Int32(RD_KAFKA_EVENT_ERROR):
                let error = KafkaError(
                    rdkafkaCode: rd_kafka_event_error(event),
                    message: String(cString: rd_kafka_event_error_string(event)))
                logger.warning("Kafka admin client error", metadata: ["error": "\(error)"])
            case Int32(RD_KAFKA_EVENT_LOG):
                logLogEvent(event, to: logger)
            default:
                break
            }
        }
    }

    /// The version of the librdkafka library loaded at run time (`rd_kafka_version_str`), e.g. `2.16.0`.
    ///
    /// This may differ from the headers the module was built against when `LD_LIBRARY_PATH` points to
    /// another (ABI-compatible) librdkafka.
    public static var librdkafkaVersion: String {
        String(cString: rd_kafka_version_str())
    }

    /// Creates topics given as `(name, partitions, config)` tuples; see the `[NewTopic]` variant.
    public func createTopics(
        _ topics: [(name: String, partitions: Int, config: [String: String])],
        timeout: Duration = .seconds(30)
    ) throws(KafkaError) {
        try createTopics(
            topics.map { NewTopic(name: $0.name, partitions: $0.partitions, config: $0.config) }, timeout: timeout)
    }

    /// Creates `topics` and waits for the broker's answer (blocking, see the type's threading notes).
    ///
    /// A topic that already exists is not an error. Throws the first other per-topic error, or
    /// ``KafkaError/Code/timedOut`` when no answer arrived within `timeout`.
    public func createTopics(_ topics: [NewTopic], timeout: Duration = .seconds(30)) throws(KafkaError) {
        guard !topics.isEmpty else { return }
        defer { drainEvents() }
        var newTopics: [OpaquePointer?] = []
        defer { for newTopic in newTopics { rd_kafka_NewTopic_destroy(newTopic) } }
        for topic in topics {
            var errorText = [CChar](repeating: 0, count: 512)
            guard
                let newTopic = rd_kafka_NewTopic_new(
                    topic.name, Int32(clamping: topic.partitions), -1, &errorText, errorText.count)
            else {
                let detail = string(fromNulTerminated: errorText)
                throw KafkaError(rdkafkaCode: RD_KAFKA_RESP_ERR__INVALID_ARG, message: "\(topic.name): \(detail)")
            }
            newTopics.append(newTopic)
            for (key, value) in topic.config.sorted(by: { $0.key < $1.key }) {
                try KafkaError.check(rd_kafka_NewTopic_set_config(newTopic, key, value))
            }
        }

        let queue = rd_kafka_queue_new(handle.raw)!
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(handle.raw, RD_KAFKA_ADMIN_OP_CREATETOPICS)!
        defer { rd_kafka_AdminOptions_destroy(options) }
        var errorText = [CChar](repeating: 0, count: 512)
        try KafkaError.check(
            rd_kafka_AdminOptions_set_request_timeout(options, timeout.rdkafkaMilliseconds, &errorText, errorText.count)
        )
        try KafkaError.check(
            rd_kafka_AdminOptions_set_operation_timeout(
                options, timeout.rdkafkaMilliseconds, &errorText, errorText.count)
        )

        newTopics.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_CreateTopics(handle.raw, buffer.baseAddress, buffer.count, options, queue)
        }
        // librdkafka enforces the request timeout itself; the extra second lets its timeout result arrive.
        guard let event = rd_kafka_queue_poll(queue, timeout.rdkafkaMilliseconds &+ 1000) else {
            throw KafkaError(rdkafkaCode: RD_KAFKA_RESP_ERR__TIMED_OUT, message: "CreateTopics: no answer")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventCode = rd_kafka_event_error(event)
        if eventCode != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(
                rdkafkaCode: eventCode, message: rd_kafka_event_error_string(event).map { String(cString: $0) })
        }
        guard let result = rd_kafka_event_CreateTopics_result(event) else {
            throw KafkaError(rdkafkaCode: RD_KAFKA_RESP_ERR__FAIL, message: "CreateTopics: unexpected event")
        }
        var count = 0
        guard let results = rd_kafka_CreateTopics_result_topics(result, &count) else { return }
        for index in 0..<count {
            let topicResult = results[index]
            let code = rd_kafka_topic_result_error(topicResult)
            if code == RD_KAFKA_RESP_ERR_NO_ERROR || code == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS { continue }
            let name = String(cString: rd_kafka_topic_result_name(topicResult))
            let detail = rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) }
            throw KafkaError(
                rdkafkaCode: code, message: "\(name): \(detail ?? String(cString: rd_kafka_err2str(code)))")
        }
    }
}
