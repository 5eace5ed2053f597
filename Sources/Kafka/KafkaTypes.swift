/// One record header: a key and an optional (possibly null) value.
public struct KafkaHeader: Sendable, Hashable {
    /// The header key.
    public var key: String
    /// The header value; `nil` is Kafka's null value (distinct from an empty value).
    public var value: [UInt8]?

    /// Creates a header.
    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }
}

/// A topic partition.
public struct TopicPartition: Sendable, Hashable, CustomStringConvertible {
    /// The topic name.
    public var topic: String
    /// The partition number.
    public var partition: Int32

    /// Creates a topic partition.
    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    /// `topic[partition]`.
    public var description: String { "\(topic)[\(partition)]" }
}

/// A topic partition with an offset (a position, a committed offset or a seek target).
///
/// Besides real offsets (≥ 0) librdkafka knows the logical offsets in ``KafkaOffset``.
public struct TopicPartitionOffset: Sendable, Hashable, CustomStringConvertible {
    /// The topic name.
    public var topic: String
    /// The partition number.
    public var partition: Int32
    /// The offset, or one of the logical offsets in ``KafkaOffset``.
    public var offset: Int64

    /// Creates a topic partition offset.
    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }

    /// The topic partition without the offset.
    public var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }

    /// `topic[partition]@offset`.
    public var description: String { "\(topic)[\(partition)]@\(offset)" }
}

/// librdkafka's logical offsets, usable wherever an offset is expected (assign, seek).
public enum KafkaOffset {
    /// The oldest offset still in the log (`RD_KAFKA_OFFSET_BEGINNING`).
    public static let beginning: Int64 = -2
    /// The end of the log: only messages produced from now on (`RD_KAFKA_OFFSET_END`).
    public static let end: Int64 = -1
    /// The group's committed offset, falling back to `auto.offset.reset` (`RD_KAFKA_OFFSET_STORED`).
    public static let stored: Int64 = -1000
    /// No offset (`RD_KAFKA_OFFSET_INVALID`), e.g. nothing committed yet.
    public static let invalid: Int64 = -1001
}

/// A message to produce.
public struct KafkaProducerMessage: Sendable {
    /// The target topic.
    public var topic: String
    /// The target partition; `nil` lets the partitioner choose (by key hash, `consistent_random` by default).
    public var partition: Int32?
    /// The key; `nil` is Kafka's null key.
    public var key: [UInt8]?
    /// The value (payload).
    public var value: [UInt8]
    /// The record headers, in order.
    public var headers: [KafkaHeader]
    /// The create time in milliseconds since the epoch; `nil` lets librdkafka use the current time.
    public var timestampMilliseconds: Int64?

    /// Creates a message.
    public init(
        topic: String,
        partition: Int32? = nil,
        key: [UInt8]? = nil,
        value: [UInt8],
        headers: [KafkaHeader] = [],
        timestampMilliseconds: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
    }
}

/// The successful delivery of one produced message.
public struct KafkaDeliveryReport: Sendable, Hashable {
    /// The topic the message was written to.
    public var topic: String
    /// The partition the message was written to.
    public var partition: Int32
    /// The offset the message got in the partition.
    public var offset: Int64
    /// The message timestamp in milliseconds since the epoch, if known.
    public var timestampMilliseconds: Int64?

    /// Creates a delivery report.
    public init(topic: String, partition: Int32, offset: Int64, timestampMilliseconds: Int64?) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestampMilliseconds = timestampMilliseconds
    }
}

/// A consumed message.
public struct KafkaConsumerMessage: Sendable, Hashable {
    /// The topic it was read from.
    public var topic: String
    /// The partition it was read from.
    public var partition: Int32
    /// Its offset; the offset to store after processing it is `offset + 1`.
    public var offset: Int64
    /// The key; `nil` for a null key.
    public var key: [UInt8]?
    /// The value (empty for a null value).
    public var value: [UInt8]
    /// The record headers, in order (decoded only when the record has any).
    public var headers: [KafkaHeader]
    /// The timestamp in milliseconds since the epoch, if the record has one.
    public var timestampMilliseconds: Int64?

    /// Creates a consumer message (useful for tests of code that processes messages).
    public init(
        topic: String,
        partition: Int32,
        offset: Int64,
        key: [UInt8]?,
        value: [UInt8],
        headers: [KafkaHeader],
        timestampMilliseconds: Int64?
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
    }
}

/// A change of the consumer's partition assignment, delivered to the rebalance handler.
public enum RebalanceEvent: Sendable, Hashable {
    /// These partitions are being assigned (incrementally for the cooperative protocol).
    case assigned([TopicPartition])
    /// These partitions are being revoked: finish their work and commit now, it is the last chance.
    case revoked([TopicPartition])
    /// These partitions were lost (e.g. session timeout): another member may already own them,
    /// commits for them will fail.
    case lost([TopicPartition])
}
