import Foundation
import Kafka
import Logging
import Synchronization

/// Shared helpers of the Kafka tests. Every test starts its own embedded cluster (real Kafka protocol over
/// TCP on loopback), so tests are independent and may run in parallel.
enum TestSupport {
    static let logger: Logger = {
        var logger = Logger(label: "khabar.kafka-tests")
        logger.logLevel = .critical
        return logger
    }()

    /// A name unique to this run, e.g. for topics and groups.
    static func unique(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    static func producerConfiguration(_ cluster: EmbeddedKafkaCluster) -> KafkaProducerConfiguration {
        KafkaProducerConfiguration(bootstrapServers: cluster.bootstrapServers, lingerMilliseconds: 2)
    }

    /// Settings for the mock cluster: small fetch wait, short session, eager `range` assignor.
    static func consumerConfiguration(_ cluster: EmbeddedKafkaCluster, group: String) -> KafkaConsumerConfiguration {
        KafkaConsumerConfiguration(
            bootstrapServers: cluster.bootstrapServers,
            groupID: group,
            partitionAssignmentStrategy: "range",
            sessionTimeoutMilliseconds: 6000,
            autoCommitIntervalMilliseconds: 200,
            fetchWaitMaxMilliseconds: 10
        )
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }
}

/// Polls until `count` messages arrived or `timeout` passed (blocking; use on a dedicated thread).
func consume(_ consumer: KafkaConsumer, count: Int, timeout: Duration) throws -> [KafkaConsumerMessage] {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    var messages: [KafkaConsumerMessage] = []
    while messages.count < count, clock.now < deadline {
        if let message = try consumer.poll(timeout: .milliseconds(100)) {
            messages.append(message)
        }
    }
    return messages
}

/// Checks `condition` every 50 ms until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration, _ condition: () throws -> Bool) async throws -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while clock.now < deadline {
        if try condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try condition()
}

/// Polls a consumer on its own thread until stopped, recording messages and rebalance events.
final class BackgroundPoller: Sendable {
    let consumer: KafkaConsumer
    private let stopRequested = Atomic<Bool>(false)
    private let state = Mutex<(messages: [KafkaConsumerMessage], errors: [KafkaError], running: Bool)>(
        ([], [], true)
    )

    init(consumer: KafkaConsumer) {
        self.consumer = consumer
        Thread { [self] in
            while !stopRequested.load(ordering: .acquiring) {
                do throws(KafkaError) {
                    if let message = try consumer.poll(timeout: .milliseconds(100)) {
                        state.withLock { $0.messages.append(message) }
                    }
                } catch {
                    state.withLock { $0.errors.append(error) }
                }
            }
            state.withLock { $0.running = false }
        }.start()
    }

    var messages: [KafkaConsumerMessage] { state.withLock { $0.messages } }
    var errors: [KafkaError] { state.withLock { $0.errors } }

    /// Stops polling and waits for the thread to finish its last poll.
    func stop() async throws {
        stopRequested.store(true, ordering: .releasing)
        _ = try await eventually(timeout: .seconds(5)) { !state.withLock { $0.running } }
    }
}

/// A thread-safe list, for completions and rebalance handlers.
final class Recorder<Element: Sendable>: Sendable {
    private let items = Mutex<[Element]>([])

    func append(_ item: Element) { items.withLock { $0.append(item) } }
    var all: [Element] { items.withLock { $0 } }
}
