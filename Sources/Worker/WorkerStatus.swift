import ArticleAnalysis
import Kafka
import Synchronization

/// Live state of a worker for readiness probes, progress reports and tests.
public final class WorkerStatus: Sendable {
    private struct State {
        var assigned: Set<TopicPartition> = []
        var records = 0
        var deadLetters = 0
        var labels: [Label: Int] = [:]
        var fingerprintsCaughtUp = true
    }

    private let state = Mutex(State())

    /// Creates an empty status: nothing assigned, nothing finished.
    public init() {}

    /// The input partitions this instance owns now.
    public var assignedPartitions: Set<TopicPartition> { state.withLock { $0.assigned } }

    /// How many inputs have been answered (record or dead letter acknowledged) since start.
    public var finishedCount: Int { state.withLock { $0.records + $0.deadLetters } }

    /// How many enriched records were acknowledged since start.
    public var recordCount: Int { state.withLock { $0.records } }

    /// How many dead-letter records were acknowledged since start.
    public var deadLetterCount: Int { state.withLock { $0.deadLetters } }

    /// Acknowledged records per assigned label since start.
    public var labelCounts: [Label: Int] { state.withLock { $0.labels } }

    /// Whether the near-duplicate table has caught up with the fingerprint topic (true when off).
    public var fingerprintsCaughtUp: Bool { state.withLock { $0.fingerprintsCaughtUp } }

    /// Ready means: the group gave this instance at least one partition, and the near-duplicate table
    /// caught up with the fingerprint topic.
    public var isReady: Bool { state.withLock { !$0.assigned.isEmpty && $0.fingerprintsCaughtUp } }

    func setFingerprintsCaughtUp(_ value: Bool) {
        state.withLock { $0.fingerprintsCaughtUp = value }
    }

    func add(assigned partitions: [TopicPartition]) {
        state.withLock { $0.assigned.formUnion(partitions) }
    }

    func remove(assigned partitions: [TopicPartition]) {
        state.withLock { $0.assigned.subtract(partitions) }
    }

    func set(assigned partitions: [TopicPartition]) {
        state.withLock { $0.assigned = Set(partitions) }
    }

    func recordFinished(_ outcome: RecordProcessor.Outcome) {
        state.withLock { state in
            switch outcome {
            case .record(let labels):
                state.records += 1
                for label in labels { state.labels[label, default: 0] += 1 }
            case .deadLetter:
                state.deadLetters += 1
            }
        }
    }
}
