import Kafka

/// A bounded range of the input topic to reprocess: where each partition starts, and the offset at
/// which it ends (exclusive). A worker given a range assigns these partitions itself (no group
/// membership, so the live group's offsets are never touched) and stops when every partition
/// reached its end and every record was acknowledged.
public struct ReplayRange: Sendable, Hashable {
    /// First offset to read, per partition.
    public var start: [TopicPartitionOffset]
    /// First offset *not* to read, per partition.
    public var end: [TopicPartition: Int64]

    /// Creates a range.
    public init(start: [TopicPartitionOffset], end: [TopicPartition: Int64]) {
        self.start = start
        self.end = end
    }

    /// How many messages the range covers (offsets; compacted or transactional topics may hold fewer).
    public var total: Int64 {
        start.reduce(0) { sum, position in
            sum
                + max(
                    0,
                    (end[TopicPartition(topic: position.topic, partition: position.partition)] ?? 0) - position.offset)
        }
    }
}
