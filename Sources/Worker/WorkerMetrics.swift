import ArticleAnalysis
import Foundation
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
        uniqueKeysWithValues: Label.allCases.map {
            ($0, Counter(label: "khabar_labels_total", dimensions: [("label", $0.rawValue)]))
        }
    )
    private let deadLetters = Mutex<[String: Counter]>([:])
    private let lags = Mutex<[String: Gauge]>([:])
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

    /// Updates `khabar_consumer_lag{topic,partition}` from a librdkafka statistics document (its
    /// `topics.*.partitions.*.consumer_lag`, -1 when unknown, is skipped). Runs on the consumer thread
    /// every statistics interval, so parsing with Foundation is cheap enough.
    func updateLag(fromStatistics json: String) {
        guard let document = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            let topics = document["topics"] as? [String: Any]
        else { return }
        for (topic, value) in topics {
            guard let partitions = (value as? [String: Any])?["partitions"] as? [String: Any] else { continue }
            for (partition, stats) in partitions {
                // librdkafka lists an internal partition -1 (UA): not a real one.
                guard partition != "-1", let lag = (stats as? [String: Any])?["consumer_lag"] as? Int, lag >= 0 else {
                    continue
                }
                let gauge = lags.withLock { cache in
                    let key = "\(topic)/\(partition)"
                    if let gauge = cache[key] { return gauge }
                    let gauge = Gauge(
                        label: "khabar_consumer_lag", dimensions: [("topic", topic), ("partition", partition)])
                    cache[key] = gauge
                    return gauge
                }
                gauge.record(lag)
            }
        }
    }
}
