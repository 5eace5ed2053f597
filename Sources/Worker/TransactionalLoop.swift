import Foundation
import Kafka
import Synchronization

/// Exactly-once consumption (`--guarantee exactly-once`): output records, dead letters and input
/// offsets commit in one Kafka transaction (KIP-447: `sendOffsetsToTransaction` with the consumer's
/// group metadata), batched by ``WorkerConfiguration/transactionMaxMessages`` and
/// ``WorkerConfiguration/transactionMaxDuration``.
///
/// On any failure inside a batch the transaction is aborted and every assigned partition is rewound
/// to its committed offset, so the batch is processed again from scratch; `read_committed`
/// consumers downstream never see the aborted attempt. An output record the broker rejects for good
/// is remembered and answered by a dead letter on the next attempt, so a poison record cannot abort
/// forever. A revocation in the middle of a batch aborts it: the new owner starts from the last
/// committed offsets.
extension ArticleWorker {
    /// State shared between the consumer thread and the delivery reports of one transaction.
    final class TransactionState: Sendable {
        private struct State {
            var failure: KafkaError?
            var rejectedOutputs: Set<TopicPartitionOffset> = []
            var abortedByRebalance = false
        }

        private let state = Mutex(State())

        func fail(_ error: KafkaError) { state.withLock { if $0.failure == nil { $0.failure = error } } }
        func reject(_ input: TopicPartitionOffset) { _ = state.withLock { $0.rejectedOutputs.insert(input) } }
        func isRejected(_ input: TopicPartitionOffset) -> Bool { state.withLock { $0.rejectedOutputs.contains(input) } }
        func markAbortedByRebalance() { state.withLock { $0.abortedByRebalance = true } }

        /// Returns and clears the batch's failure and rebalance flag.
        func takeOutcome() -> (failure: KafkaError?, abortedByRebalance: Bool) {
            state.withLock { state in
                defer {
                    state.failure = nil
                    state.abortedByRebalance = false
                }
                return (state.failure, state.abortedByRebalance)
            }
        }
    }

    func consumeLoopTransactional(_ clients: Clients, transaction: TransactionState) {
        do {
            try clients.producer.initTransactions(timeout: .seconds(30))
        } catch {
            fail(WorkerError(code: .fatalKafkaError, message: "init transactions: \(error)", kafkaError: error))
            shutDown(clients)
            return
        }
        while !stopRequested {
            var positions: [TopicPartition: Int64] = [:]
            var count = 0
            var open = false
            let deadline = ContinuousClock.now + configuration.transactionMaxDuration
            batching: while count < configuration.transactionMaxMessages, ContinuousClock.now < deadline || !open,
                !stopRequested
            {
                let batch: [KafkaConsumerMessage]
                do {
                    batch = try clients.consumer.poll(
                        maxMessages: min(256, configuration.transactionMaxMessages - count),
                        timeout: .milliseconds(open ? 5 : 100)
                    )
                } catch {
                    if error.isFatal {
                        fail(WorkerError(code: .fatalKafkaError, message: error.description, kafkaError: error))
                    }
                    continue
                }
                for message in batch {
                    if !open {
                        do {
                            try clients.producer.beginTransaction()
                            open = true
                        } catch {
                            fail(
                                WorkerError(
                                    code: .fatalKafkaError, message: "begin transaction: \(error)", kafkaError: error))
                            break batching
                        }
                    }
                    guard
                        clients.ledger.register(
                            topic: message.topic,
                            partition: message.partition,
                            offset: message.offset,
                            shouldStop: { false }
                        )
                    else { break batching }
                    metrics.consumed.increment()
                    positions[TopicPartition(topic: message.topic, partition: message.partition)] = message.offset + 1
                    count += 1
                    clients.lanes[Int(message.partition) % clients.lanes.count].enqueue(.process(message))
                }
            }
            guard open else { continue }
            finishTransaction(clients, transaction: transaction, positions: positions)
        }
        shutDown(clients)
    }

    private func finishTransaction(
        _ clients: Clients, transaction: TransactionState, positions: [TopicPartition: Int64]
    ) {
        let drained = clients.ledger.waitUntilDrained(deadline: .now + configuration.drainTimeout)
        let outcome = transaction.takeOutcome()
        if drained, outcome.failure == nil, !outcome.abortedByRebalance {
            do {
                try clients.producer.sendOffsetsToTransaction(
                    positions.map {
                        TopicPartitionOffset(topic: $0.key.topic, partition: $0.key.partition, offset: $0.value)
                    },
                    consumer: clients.consumer,
                    timeout: .seconds(30)
                )
                try clients.producer.commitTransaction(timeout: .seconds(60))
                metrics.transactionsCommitted.increment()
                return
            } catch {
                if error.isFatal {
                    fail(
                        WorkerError(code: .fatalKafkaError, message: "commit transaction: \(error)", kafkaError: error))
                    return
                }
                logger.warning("transaction commit failed, aborting: \(error)")
            }
        } else {
            let reason = outcome.failure.map { "\($0)" } ?? (outcome.abortedByRebalance ? "rebalance" : "drain timeout")
            logger.warning("aborting transaction: \(reason)")
        }
        abortAndRewind(clients)
    }

    /// Aborts the open transaction and seeks every assigned partition back to its committed offset.
    func abortAndRewind(_ clients: Clients) {
        _ = clients.ledger.waitUntilDrained(deadline: .now + configuration.drainTimeout)
        do {
            try clients.producer.abortTransaction(timeout: .seconds(30))
            metrics.transactionsAborted.increment()
            let assigned = try clients.consumer.assignment()
            let committed = try clients.consumer.committed(assigned, timeout: .seconds(10))
            for position in committed {
                // No committed offset yet: start again from the beginning of the partition.
                let offset = position.offset >= 0 ? position.offset : KafkaOffset.beginning
                try clients.consumer.seek(
                    TopicPartitionOffset(topic: position.topic, partition: position.partition, offset: offset),
                    timeout: .seconds(10)
                )
            }
            clients.ledger.remove(partitions: assigned.map { (topic: $0.topic, partition: $0.partition) })
        } catch {
            fail(WorkerError(code: .fatalKafkaError, message: "abort transaction: \(error)", kafkaError: error))
        }
    }
}
