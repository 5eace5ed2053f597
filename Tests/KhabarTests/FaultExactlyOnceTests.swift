import Foundation
import Kafka
import Testing

extension FaultTests {
    /// `--guarantee exactly-once` on librdkafka's mock cluster. The mock runs the transaction API but
    /// gives it no semantics: no control records (read_committed readers see aborted records) and the
    /// offsets sent with `send_offsets_to_transaction` are discarded. What can be shown here: the
    /// transactional flow answers every input, the worker commits no offsets outside transactions, and a
    /// failed batch is aborted and redone (the rejected record's input is dead-lettered on the redo).
    @Suite(.serialized) struct FaultExactlyOnceTests {
        @Test func theTransactionalFlowAnswersEveryInputAndCommitsNothingOutsideTransactions() async throws {
            let cluster = try FaultCluster()
            let inputs = try InputLog(bootstrap: cluster.bootstrap)
            try inputs.produceArticles(0..<1200)
            let worker = try await cluster.startWorker(group: "fault-eos", arguments: ["--guarantee", "exactly-once"])
            let checker = try await FaultChecker.read(bootstrap: cluster.bootstrap, inputs: inputs.positions.keys)
            let committedTransactions = worker.metric("khabar_transactions_total{outcome=\"committed\"}")
            let aborted = worker.metric("khabar_transactions_total{outcome=\"aborted\"}")
            #expect(try await worker.stop() == 0, "\(worker.logTail())")
            let committed = try cluster.committedOffsets(group: "fault-eos")
            reportMeasurement(
                "exactly-once: \(inputs.positions.count) inputs, \(committedTransactions) transactions committed, "
                    + "\(aborted) aborted, \(checker.duplicates) duplicates, group offsets after stop \(committed.sorted { $0.key < $1.key })"
            )
            checker.expectComplete("exactly-once")
            #expect(checker.duplicates == 0)
            #expect(committedTransactions > 0)
            #expect(aborted == 0)
            // The mock drops transactional offsets; a worker that also committed outside the transaction
            // (auto-commit, commit on shutdown) would show offsets here.
            #expect(committed.values.allSatisfy { $0 < 0 }, "no offsets committed outside transactions")
        }

        @Test func aRejectedRecordAbortsItsTransactionWhichIsRedone() async throws {
            let cluster = try FaultCluster()
            let inputs = try InputLog(bootstrap: cluster.bootstrap)
            try inputs.produceArticles(0..<1200)
            // Fingerprints off: the first transactional Produce request carries output records only.
            try cluster.cluster.pushRequestErrors(apiKey: .produce, errors: [.msgSizeTooLarge])
            let worker = try await cluster.startWorker(
                group: "fault-eos-abort",
                arguments: ["--guarantee", "exactly-once", "--fingerprint-topic", ""]
            )
            let checker = try await FaultChecker.read(bootstrap: cluster.bootstrap, inputs: inputs.positions.keys)
            let aborted = worker.metric("khabar_transactions_total{outcome=\"aborted\"}")
            let committedTransactions = worker.metric("khabar_transactions_total{outcome=\"committed\"}")
            #expect(try await worker.stop() == 0, "\(worker.logTail())")
            let committed = try cluster.committedOffsets(group: "fault-eos-abort")
            let rejected = checker.deadLettered("output_rejected")
            reportMeasurement(
                "exactly-once abort: \(aborted) aborted, \(committedTransactions) committed transactions, \(rejected.count) "
                    + "inputs dead-lettered as output_rejected, \(checker.duplicates) duplicates (aborted records the mock "
                    + "keeps visible), group offsets \(committed.sorted { $0.key < $1.key })"
            )
            #expect(aborted >= 1, "the failed batch was aborted")
            #expect(!rejected.isEmpty, "the rejected record's input is dead-lettered on the redo")
            // Only the records of the refused request: those purged by the abort, or refused by librdkafka
            // while the transaction awaited it, are sent again (a transaction covers at most 500 inputs).
            #expect(rejected.count <= 500, "only records the broker refused are dead-lettered")
            checker.expectComplete("exactly-once redo")
            #expect(committed.values.allSatisfy { $0 < 0 }, "nothing committed outside transactions")
        }
    }
}
