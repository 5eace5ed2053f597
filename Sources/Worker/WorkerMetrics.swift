import ArticleAnalysis
import Metrics
import Synchronization

/// The worker's metrics, through swift-metrics (the CLI bootstraps a Prometheus backend).
///
/// Handles are created once and cached: creating a metric with dimensions on every message would
/// cost a registry lookup each time.
final class WorkerMetrics: Sendable {
    let consumed = Counter(label: "khabar_messages_consumed_total")
    let produced = Counter(label: "khabar_messages_produced_total")
    let retries = Counter(label: "khabar_produce_retries_total")
    let commitFailures = Counter(label: "khabar_commit_failures_total")
    let transactionsCommitted = Counter(label: "khabar_transactions_total", dimensions: [("outcome", "committed")])
    let transactionsAborted = Counter(label: "khabar_transactions_total", dimensions: [("outcome", "aborted")])
    let processing = Timer(label: "khabar_processing_duration_seconds", preferredDisplayUnit: .seconds)
    let endToEnd = Timer(label: "khabar_end_to_end_latency_seconds", preferredDisplayUnit: .seconds)
    private let labels: [Label: Counter] = Dictionary(
        uniqueKeysWithValues: Label.allCases.map { ($0, Counter(label: "khabar_labels_total", dimensions: [("label", $0.rawValue)])) }
    )
    private let deadLetters = Mutex<[String: Counter]>([:])
    private let rebalanceCounters = Mutex<[String: Counter]>([:])

    func label(_ label: Label) -> Counter {
        labels[label]!
    }

    func deadLettered(_ errorClass: String) -> Counter {
        deadLetters.withLock { cache in
            if let counter = cache[errorClass] { return counter }
            let counter = Counter(label: "khabar_messages_dead_lettered_total", dimensions: [("class", errorClass)])
            cache[errorClass] = counter
            return counter
        }
    }

    func rebalances(kind: String) -> Counter {
        rebalanceCounters.withLock { cache in
            if let counter = cache[kind] { return counter }
            let counter = Counter(label: "khabar_rebalances_total", dimensions: [("event", kind)])
            cache[kind] = counter
            return counter
        }
    }
}
