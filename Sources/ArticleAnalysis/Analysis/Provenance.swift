/// Where a record came from and who produced it. This is the only part of a record that may differ
/// between two analyses of the same input (see `docs/record-schema.md`).
public struct Provenance: Sendable, Hashable {
    /// Kafka topic the input was consumed from, if any.
    public var topic: String?
    /// Kafka partition of the input message, if any.
    public var partition: Int32?
    /// Kafka offset of the input message, if any.
    public var offset: Int64?
    /// Timestamp of the input message, milliseconds since the Unix epoch, if any.
    public var timestamp: Int64?
    /// Identifier of the worker instance that produced the record, if any.
    public var worker: String?
    /// When the record was produced, milliseconds since the Unix epoch, if known.
    public var processedAt: Int64?
    /// Whether this record comes from a replay of already processed input.
    public var replay: Bool

    /// Creates provenance; every field defaults to absent / `false`.
    public init(
        topic: String? = nil,
        partition: Int32? = nil,
        offset: Int64? = nil,
        timestamp: Int64? = nil,
        worker: String? = nil,
        processedAt: Int64? = nil,
        replay: Bool = false
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
        self.worker = worker
        self.processedAt = processedAt
        self.replay = replay
    }
}
