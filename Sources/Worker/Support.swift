import Kafka
import Synchronization

/// Forwards rebalance events to a handler installed after the consumer exists (the handler needs the
/// consumer to commit, and the consumer needs the relay at creation).
final class RebalanceRelay: Sendable {
    private let handler = Mutex<(@Sendable (RebalanceEvent) -> Void)?>(nil)

    /// Installs the handler.
    func set(_ handler: @escaping @Sendable (RebalanceEvent) -> Void) {
        self.handler.withLock { $0 = handler }
    }

    /// Runs on the consumer thread, inside `poll`.
    func handle(_ event: RebalanceEvent) {
        handler.withLock { $0 }?(event)
    }
}

extension KafkaError {
    /// Errors that heal by themselves (broker unavailable, queue full, timeouts): retried with
    /// backoff, never dead-lettered.
    var isTransient: Bool {
        isRetriable
            || [.queueFull, .msgTimedOut, .timedOut, .transport, .allBrokersDown, .unknownTopicOrPartition]
                .contains(code)
    }
}

extension KafkaError {
    /// Whether the broker refused this very record for good (e.g. MESSAGE_TOO_LARGE), as opposed to
    /// a local failure of the whole producer or transaction: a record purged by an abort
    /// (`_PURGE_QUEUE`, `_PURGE_INFLIGHT`) or refused because the transaction already needs an abort
    /// (`_STATE`) was never judged and must be sent again, not dead-lettered.
    var isRecordRejection: Bool {
        code.rawValue > 0 && !isTransient && !isFatal && !txnRequiresAbort && code != .invalidTransactionState
    }
}

extension Duration {
    /// The duration in whole milliseconds.
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }

    /// The duration in whole nanoseconds.
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
