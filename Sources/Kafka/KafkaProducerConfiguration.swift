/// Configuration of a ``KafkaProducer``. Each field maps to one librdkafka property (named in its doc);
/// ``properties`` passes anything else through and is applied last, so it overrides the typed fields.
public struct KafkaProducerConfiguration: Sendable {
    /// `bootstrap.servers`: "host:port,host:port". Default: "" (must be set).
    public var bootstrapServers: String
    /// `client.id`. Default: "khabar".
    public var clientID: String
    /// `enable.idempotence`: no duplicates or reordering from producer retries. Default: true.
    public var idempotence: Bool
    /// `linger.ms`: how long to wait to fill a batch. Default: 5.
    public var lingerMilliseconds: Int
    /// `delivery.timeout.ms` (alias `message.timeout.ms`): time allowed to deliver a message, retries
    /// included; the delivery report fails with ``KafkaError/Code/msgTimedOut`` after it. Default: 30000.
    public var messageTimeoutMilliseconds: Int
    /// `queue.buffering.max.messages`: messages waiting for delivery before `send` throws
    /// ``KafkaError/Code/queueFull``. Default: 100_000.
    public var queueBufferingMaxMessages: Int
    /// `queue.buffering.max.kbytes`: bytes (KiB) waiting for delivery before `send` throws
    /// ``KafkaError/Code/queueFull``. Default: 262_144 (256 MiB; librdkafka's own default is 1 GiB).
    public var queueBufferingMaxKilobytes: Int
    /// `compression.codec`: none, gzip, snappy, lz4 or zstd (as built into librdkafka). Default: "none".
    public var compression: String
    /// `transactional.id`; setting it enables the transaction API (and idempotence). Default: nil.
    public var transactionalID: String?
    /// `statistics.interval.ms`: how often librdkafka emits its statistics JSON; 0 disables. Default: 0.
    public var statisticsIntervalMilliseconds: Int
    /// Any librdkafka property, applied after the fields above. Default: [:].
    public var properties: [String: String]

    /// Creates a configuration with the defaults documented on each field.
    public init(
        bootstrapServers: String = "",
        clientID: String = "khabar",
        idempotence: Bool = true,
        lingerMilliseconds: Int = 5,
        messageTimeoutMilliseconds: Int = 30000,
        queueBufferingMaxMessages: Int = 100_000,
        queueBufferingMaxKilobytes: Int = 262_144,
        compression: String = "none",
        transactionalID: String? = nil,
        statisticsIntervalMilliseconds: Int = 0,
        properties: [String: String] = [:]
    ) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.idempotence = idempotence
        self.lingerMilliseconds = lingerMilliseconds
        self.messageTimeoutMilliseconds = messageTimeoutMilliseconds
        self.queueBufferingMaxMessages = queueBufferingMaxMessages
        self.queueBufferingMaxKilobytes = queueBufferingMaxKilobytes
        self.compression = compression
        self.transactionalID = transactionalID
        self.statisticsIntervalMilliseconds = statisticsIntervalMilliseconds
        self.properties = properties
    }

    /// The librdkafka properties, in the order they are applied.
    var librdkafkaProperties: [(String, String)] {
        var settings: [(String, String)] = [
            ("bootstrap.servers", bootstrapServers),
            ("client.id", clientID),
            ("enable.idempotence", idempotence ? "true" : "false"),
            ("linger.ms", String(lingerMilliseconds)),
            ("delivery.timeout.ms", String(messageTimeoutMilliseconds)),
            ("queue.buffering.max.messages", String(queueBufferingMaxMessages)),
            ("queue.buffering.max.kbytes", String(queueBufferingMaxKilobytes)),
            ("compression.codec", compression),
            ("statistics.interval.ms", String(statisticsIntervalMilliseconds)),
        ]
        if let transactionalID {
            settings.append(("transactional.id", transactionalID))
        }
        settings += properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        // Logs are routed to the event queue drained by the producer's event thread.
        settings.append(("log.queue", "true"))
        return settings
    }
}
