import Foundation

/// How the worker trades throughput for duplicate-freedom.
public enum DeliveryGuarantee: String, Sendable, CaseIterable {
    /// Every input yields at least one output or dead-letter record; a crash may repeat up to the
    /// in-flight window, and repeats are identical but for `provenance`.
    case atLeastOnce = "at-least-once"
    /// Output records and input offsets commit in one Kafka transaction (needs a real Kafka cluster
    /// for the isolation guarantees; see `docs/guarantees.md`).
    case exactlyOnce = "exactly-once"
}

/// Everything the worker needs to know to run. All fields have documented defaults except the
/// bootstrap servers.
public struct WorkerConfiguration: Sendable {
    /// Kafka bootstrap servers, `host:port[,host:port...]`.
    public var bootstrapServers: String
    /// The topic raw articles are read from. Default: `articles.raw`.
    public var inputTopic = "articles.raw"
    /// The topic enriched records are written to, keyed by article id. Default: `articles.enriched`.
    public var outputTopic = "articles.enriched"
    /// The dead-letter topic for inputs that cannot be processed. Default: `articles.dlq`.
    public var deadLetterTopic = "articles.dlq"
    /// The compacted topic every worker publishes article fingerprints to and tails into its
    /// near-duplicate table; empty disables duplicate detection. Default: `articles.fingerprints`.
    public var fingerprintTopic = "articles.fingerprints"
    /// The SQLite file holding the near-duplicate table across restarts (WAL mode); `nil` keeps it in
    /// memory only and rebuilds it from the topic at every start. Default: `nil`.
    public var stateDatabasePath: String?
    /// The shortest time between two writes of ``stateDatabasePath`` (see
    /// ``FingerprintIndexConfiguration/writeInterval``): the table applies what the tail reads at once, and
    /// the file gets it in one transaction this often. A crash loses at most this much of the file, which
    /// the tail reads again from the topic at the next start. Default: 1 s.
    public var stateWriteInterval = Duration.seconds(1)
    /// Bound on the near-duplicate table's size (about 56 MB); the oldest entries go first. Default: 200,000.
    public var fingerprintMaxEntries = 200_000
    /// Entries older than this (relative to the newest) leave the near-duplicate table. Default: 7 days.
    public var fingerprintMaxAge = Duration.seconds(7 * 24 * 3600)
    /// The consumer group id shared by all instances of one deployment. Default: `khabar`.
    public var groupID = "khabar"
    /// This instance's name: the Kafka `client.id` and the record's `provenance.worker`.
    /// Default: `khabar-<hostname>-<pid>`.
    public var instanceID = WorkerConfiguration.defaultInstanceID()
    /// The delivery guarantee. Default: ``DeliveryGuarantee/atLeastOnce``.
    public var guarantee = DeliveryGuarantee.atLeastOnce
    /// Upper bound on input messages polled but not yet acknowledged downstream; it also bounds the
    /// duplicates a crash can cause in at-least-once mode. Default: 1000.
    public var maxInFlight = 1000
    /// Number of analysis lanes (threads); the partitions are spread over them, each partition stays
    /// in order on one lane. Default: the number of active processors.
    public var lanes = ProcessInfo.processInfo.activeProcessorCount
    /// How long a graceful shutdown (or a revocation) may wait for in-flight records before giving up
    /// on them (they are then redelivered, not lost). Default: 20 s.
    public var drainTimeout = Duration.seconds(20)
    /// Inputs larger than this go to the dead-letter topic unread. Default: 1 MiB.
    public var maxMessageBytes = 1_048_576
    /// Consumer partition assignment strategy. Default: `cooperative-sticky` (use `range` against
    /// librdkafka's mock cluster, which handles cooperative rebalances poorly).
    public var partitionAssignmentStrategy = "cooperative-sticky"
    /// Consumer session timeout: how soon a crashed instance's partitions move. Default: 10 s.
    public var sessionTimeout = Duration.seconds(10)
    /// How often stored offsets are committed in the background. Default: 1 s.
    public var commitInterval = Duration.seconds(1)
    /// How many input messages one exactly-once transaction covers at most. Default: 500.
    public var transactionMaxMessages = 500
    /// How long one exactly-once transaction stays open at most. Default: 100 ms.
    public var transactionMaxDuration = Duration.milliseconds(100)
    /// `fetch.wait.max.ms` of the input consumer: how long the broker may hold a fetch that finds too
    /// little data. Lower values cut latency at a low rate at the cost of more fetch requests; the
    /// fingerprint tail keeps its own. Default: 100 ms.
    public var fetchWaitMax = Duration.milliseconds(100)
    /// librdkafka statistics interval feeding lag metrics; zero disables. Default: 5 s.
    public var statisticsInterval = Duration.seconds(5)
    /// A bounded range to reprocess instead of following the group's partitions (`khabar replay`).
    /// Records then carry `provenance.replay = true`. Default: `nil` (live consumption).
    public var replay: ReplayRange?
    /// Extra librdkafka properties, applied last (they win). A key applies to every client of the worker
    /// (its input consumer, record producer, fingerprint producer and tail), a key prefixed `consumer.` or
    /// `producer.` only to the clients of that kind, without the prefix (no librdkafka property starts
    /// with either): `producer.linger.ms=20`. See ``kafkaProperties(for:)``. Default: none.
    public var kafkaProperties: [String: String] = [:]

    /// The kinds of Kafka client a worker runs, for scoping ``kafkaProperties``.
    public enum ClientKind: String, Sendable, CaseIterable {
        /// The input consumer, the fingerprint tail and the replay probe.
        case consumer
        /// The record producer and the fingerprint producer.
        case producer
    }

    /// ``kafkaProperties`` for one kind of client: the unprefixed keys, and the keys prefixed with that kind
    /// (`consumer.`, `producer.`) without their prefix, which win over the same unprefixed key. Keys with the
    /// other kind's prefix are left out, so a consumer-only property does not reach the producers (where
    /// librdkafka would ignore it with a warning).
    public func kafkaProperties(for kind: ClientKind) -> [String: String] {
        var properties: [String: String] = [:]
        var scoped: [String: String] = [:]
        for (key, value) in kafkaProperties {
            if let kindPrefix = ClientKind.allCases.first(where: { key.hasPrefix("\($0.rawValue).") }) {
                if kindPrefix == kind { scoped[String(key.dropFirst(kind.rawValue.count + 1))] = value }
            } else {
                properties[key] = value
            }
        }
        return properties.merging(scoped) { $1 }
    }

    /// Creates a configuration for the given bootstrap servers with every other field at its default.
    public init(bootstrapServers: String) {
        self.bootstrapServers = bootstrapServers
    }

    /// `khabar-<hostname>-<pid>`: unique per process, stable for its lifetime.
    public static func defaultInstanceID() -> String {
        "khabar-\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }
}
