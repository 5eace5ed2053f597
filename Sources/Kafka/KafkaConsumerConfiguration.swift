/// Configuration of a ``KafkaConsumer``. Each field maps to one librdkafka property (named in its doc);
/// ``properties`` passes anything else through and is applied after the typed fields.
///
/// Offsets: `enable.auto.commit=true` and `enable.auto.offset.store=false` are ALWAYS set (after
/// ``properties``): only offsets the application stored with ``KafkaConsumer/storeOffset(topic:partition:offset:)``
/// are committed, in the background every ``autoCommitIntervalMilliseconds``, on ``KafkaConsumer/commit()``
/// and on close.
public struct KafkaConsumerConfiguration: Sendable {
    /// What to do when the group has no committed offset for a partition (`auto.offset.reset`).
    public enum AutoOffsetReset: String, Sendable {
        /// Start at the oldest message.
        case earliest
        /// Start at the end: only new messages.
        case latest
        /// Fail: the consumer gets an error for the partition.
        case error
    }

    /// Which messages of transactional producers are visible (`isolation.level`).
    public enum IsolationLevel: String, Sendable {
        /// Only committed transactional messages (and all non-transactional ones).
        case readCommitted = "read_committed"
        /// Every message, including those of open or aborted transactions.
        case readUncommitted = "read_uncommitted"
    }

    /// `bootstrap.servers`: "host:port,host:port". Default: "" (must be set).
    public var bootstrapServers: String
    /// `group.id`: the consumer group. Default: "" (must be set).
    public var groupID: String
    /// `client.id`. Default: "khabar".
    public var clientID: String
    /// `auto.offset.reset`. Default: `.earliest`.
    public var autoOffsetReset: AutoOffsetReset
    /// `partition.assignment.strategy`. Default: "range,roundrobin" (eager: every rebalance revokes all
    /// partitions, then assigns). "cooperative-sticky" is supported (incremental assign/unassign) and is the
    /// better choice on a real cluster with many members; on librdkafka's mock cluster it is degraded
    /// (every rebalance reported as lost, slow convergence), hence the eager default.
    public var partitionAssignmentStrategy: String
    /// `session.timeout.ms`: a member silent for this long is evicted. Default: 45000 (Kafka's default;
    /// tests use ~6000).
    public var sessionTimeoutMilliseconds: Int
    /// `max.poll.interval.ms`: the longest allowed gap between two polls before the member leaves the
    /// group. Default: 300000.
    public var maxPollIntervalMilliseconds: Int
    /// `auto.commit.interval.ms`: how often stored offsets are committed in the background. Default: 1000.
    public var autoCommitIntervalMilliseconds: Int
    /// `fetch.wait.max.ms`: how long a broker may hold a fetch for data. Default: 100 (librdkafka's 500
    /// makes the mock cluster crawl: an empty fetch waits the full time even when data arrives).
    public var fetchWaitMaxMilliseconds: Int
    /// `queued.max.messages.kbytes`: the prefetch memory bound per client (KiB). Default: 65536 (64 MiB).
    public var queuedMaxMessagesKilobytes: Int
    /// `isolation.level`. Default: `.readCommitted`.
    public var isolationLevel: IsolationLevel
    /// `statistics.interval.ms`: how often librdkafka emits its statistics JSON; 0 disables. Default: 0.
    public var statisticsIntervalMilliseconds: Int
    /// Any librdkafka property, applied after the fields above (but before the two fixed offset settings).
    /// Default: [:].
    public var properties: [String: String]

    /// Creates a configuration with the defaults documented on each field.
    public init(
        bootstrapServers: String = "",
        groupID: String = "",
        clientID: String = "khabar",
        autoOffsetReset: AutoOffsetReset = .earliest,
        partitionAssignmentStrategy: String = "range,roundrobin",
        sessionTimeoutMilliseconds: Int = 45000,
        maxPollIntervalMilliseconds: Int = 300_000,
        autoCommitIntervalMilliseconds: Int = 1000,
        fetchWaitMaxMilliseconds: Int = 100,
        queuedMaxMessagesKilobytes: Int = 65536,
        isolationLevel: IsolationLevel = .readCommitted,
        statisticsIntervalMilliseconds: Int = 0,
        properties: [String: String] = [:]
    ) {
        self.bootstrapServers = bootstrapServers
        self.groupID = groupID
        self.clientID = clientID
        self.autoOffsetReset = autoOffsetReset
        self.partitionAssignmentStrategy = partitionAssignmentStrategy
        self.sessionTimeoutMilliseconds = sessionTimeoutMilliseconds
        self.maxPollIntervalMilliseconds = maxPollIntervalMilliseconds
        self.autoCommitIntervalMilliseconds = autoCommitIntervalMilliseconds
        self.fetchWaitMaxMilliseconds = fetchWaitMaxMilliseconds
        self.queuedMaxMessagesKilobytes = queuedMaxMessagesKilobytes
        self.isolationLevel = isolationLevel
        self.statisticsIntervalMilliseconds = statisticsIntervalMilliseconds
        self.properties = properties
    }

    /// The librdkafka properties, in the order they are applied.
    var librdkafkaProperties: [(String, String)] {
        var settings: [(String, String)] = [
            ("bootstrap.servers", bootstrapServers),
            ("group.id", groupID),
            ("client.id", clientID),
            ("auto.offset.reset", autoOffsetReset.rawValue),
            ("partition.assignment.strategy", partitionAssignmentStrategy),
            ("session.timeout.ms", String(sessionTimeoutMilliseconds)),
            ("max.poll.interval.ms", String(maxPollIntervalMilliseconds)),
            ("auto.commit.interval.ms", String(autoCommitIntervalMilliseconds)),
            ("fetch.wait.max.ms", String(fetchWaitMaxMilliseconds)),
            ("queued.max.messages.kbytes", String(queuedMaxMessagesKilobytes)),
            ("isolation.level", isolationLevel.rawValue),
            ("statistics.interval.ms", String(statisticsIntervalMilliseconds)),
        ]
        settings += properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        settings.append(("enable.auto.commit", "true"))
        settings.append(("enable.auto.offset.store", "false"))
        return settings
    }
}
