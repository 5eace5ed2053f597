import Foundation
import Kafka
import Testing

extension FaultTests {
    /// Broker outages and injected request errors while a `khabar run` process works: it keeps going and
    /// every input is answered.
    @Suite(.serialized) struct FaultBrokerTests {
        @Test func brokersGoingDownAndUpDuringProduceAndCommitLoseNothing() async throws {
            let cluster = try FaultCluster()
            let inputs = try InputLog(bootstrap: cluster.bootstrap)
            try inputs.produceArticles(0..<300)
            let worker = try await cluster.startWorker(group: "fault-brokers")
            let producing = inputs.produceInBackground(from: 300, count: 2400, perSecond: 200)
            // Each broker in turn: it leads some input, output and fingerprint partitions (produce and
            // fetch stall there) and one of them is the group coordinator (commits fail meanwhile).
            let started = ContinuousClock.now
            for broker: Int32 in [1, 2, 3] {
                try await Task.sleep(for: .seconds(1))
                try cluster.cluster.setBrokerDown(broker)
                try await Task.sleep(for: .seconds(3))
                try cluster.cluster.setBrokerUp(broker)
            }
            try await producing.value
            #expect(inputs.failures == 0)
            let checker = try await FaultChecker.read(bootstrap: cluster.bootstrap, inputs: inputs.positions.keys)
            reportMeasurement(
                "broker down/up x3: \(inputs.positions.count) inputs, \(checker.duplicates) duplicates, "
                    + "done \(started.duration(to: .now)) after the first outage"
            )
            checker.expectComplete("broker outages")
            let commits = try await cluster.waitForCommits(group: "fault-brokers", covering: inputs.positions.keys)
            #expect(commits.done, "commits resume after the outages: \(commits.committed)")
            #expect(try await worker.stop() == 0, "\(worker.logTail())")
        }

        /// Retriable errors on Produce, Fetch and OffsetCommit with the worker's own producer settings
        /// (idempotent, 5 requests in flight).
        ///
        /// Known issue (issue 5), a defect of librdkafka's mock cluster, not of khabar: in some runs (4 of 15
        /// on 2026-11-29) 1-2 of the 1,500 inputs have no answer although the worker got a successful
        /// delivery report for it. The mock checks an idempotent producer's sequence numbers only for
        /// transactional producers (`rd_kafka_mock_validate_records`, `src/rdkafka_mock.c` line 229 in 2.0.2,
        /// the same in 2.16), so when a Produce request fails with an injected error the request pipelined
        /// behind it is appended although it skips the failed one's sequence numbers (a Kafka broker answers
        /// OUT_OF_ORDER_SEQUENCE_NUMBER). librdkafka then concludes, rightly for a real broker, that the
        /// failed request was persisted and reports its messages delivered ("implicitly acked", offset -1001)
        /// without resending them. Shown without khabar by `scripts/repro/` (plain C: 10 of 10 runs lose on
        /// 2.0.2, and on 2.16 as mock or client) and `Tests/KafkaTests/IdempotentRetryOnMockTests.swift`; the
        /// variant below with one request in flight is strict. See docs/guarantees.md, issue 5.
        @Test func retriableProduceFetchAndCommitErrorsAreRetried() async throws {
            let checker = try await runWithRetriableErrors(group: "fault-retriable", workerArguments: [])
            withKnownIssue(
                "librdkafka's mock appends idempotent batches that skip a failed one's sequence numbers (issue 5)",
                isIntermittent: true
            ) {
                #expect(
                    checker.missing.isEmpty, "\(checker.missing.count) inputs unanswered: \(checker.missing.prefix(5))")
            }
            #expect(checker.missing.count <= 5)
        }

        /// The same errors with one Produce request in flight per connection, so no request is ever pipelined
        /// behind a failed one and the mock's missing sequence check (issue 5) cannot matter: every input is
        /// answered. This is khabar's own bookkeeping (delivery report -> contiguous offset -> commit) under
        /// retried Produce, Fetch and OffsetCommit requests.
        @Test func retriableErrorsLoseNothingWithOneProduceRequestInFlight() async throws {
            let checker = try await runWithRetriableErrors(
                group: "fault-retriable-one-in-flight",
                workerArguments: ["--kafka", "max.in.flight.requests.per.connection=1"]
            )
            #expect(checker.missing.isEmpty, "\(checker.missing.count) inputs unanswered: \(checker.missing.prefix(5))")
        }

        /// Produces 1,500 inputs, starts a worker (with `workerArguments`), injects retriable errors on Produce,
        /// Fetch and OffsetCommit three times, reads the answers back and checks everything but completeness
        /// (which the callers expect each in their way): no differing repeats, nothing dead-lettered, commits
        /// catch up, clean exit.
        private func runWithRetriableErrors(group: String, workerArguments: [String]) async throws -> FaultChecker {
            let cluster = try FaultCluster()
            let inputs = try InputLog(bootstrap: cluster.bootstrap)
            // All inputs first: injected errors hit the next requests of ANY client, the test's producer
            // included (whose retried messages then report no offset).
            try inputs.produceArticles(0..<1500)
            let worker = try await cluster.startWorker(group: group, arguments: workerArguments)
            // Errors librdkafka retries by itself (refreshing metadata or the coordinator first).
            for _ in 0..<3 {
                try cluster.cluster.pushRequestErrors(
                    apiKey: .produce,
                    errors: [.notLeaderForPartition, .requestTimedOut, .notEnoughReplicas, .notLeaderForPartition]
                )
                try cluster.cluster.pushRequestErrors(
                    apiKey: .fetch, errors: [.notLeaderForPartition, .requestTimedOut])
                try cluster.cluster.pushRequestErrors(
                    apiKey: .offsetCommit,
                    errors: [.notCoordinator, .requestTimedOut, .notCoordinator]
                )
                try await Task.sleep(for: .seconds(2))
            }
            let checker = try await FaultChecker.read(
                bootstrap: cluster.bootstrap,
                inputs: inputs.positions.keys,
                timeout: .seconds(25)
            )
            reportMeasurement(
                "retriable request errors (\(workerArguments.isEmpty ? "worker defaults" : "\(workerArguments)")): "
                    + "\(inputs.positions.count) inputs, \(checker.missing.count) unanswered, "
                    + "\(checker.duplicates) duplicates")
            #expect(checker.mismatches.isEmpty, "\(checker.mismatches.prefix(3))")
            #expect(checker.deadLettered("output_rejected").isEmpty, "a retriable error must never dead-letter")
            let commits = try await cluster.waitForCommits(group: group, covering: inputs.positions.keys)
            #expect(commits.done, "commits succeed after the OffsetCommit errors: \(commits.committed)")
            #expect(try await worker.stop() == 0, "\(worker.logTail())")
            return checker
        }

        /// A Produce error librdkafka does not retry (MESSAGE_TOO_LARGE) on the output records: the inputs
        /// of the rejected request go to the dead-letter topic as `output_rejected`; the rest flow.
        @Test func aNonRetriableOutputRejectionDeadLettersThoseInputs() async throws {
            let cluster = try FaultCluster()
            let inputs = try InputLog(bootstrap: cluster.bootstrap)
            try inputs.produceArticles(0..<600)
            // Fingerprints off, and only good inputs: the worker's first Produce requests carry output
            // records only.
            try cluster.cluster.pushRequestErrors(apiKey: .produce, errors: [.msgSizeTooLarge, .msgSizeTooLarge])
            let worker = try await cluster.startWorker(group: "fault-rejected", arguments: ["--fingerprint-topic", ""])
            let checker = try await FaultChecker.read(bootstrap: cluster.bootstrap, inputs: inputs.positions.keys)
            let rejected = checker.deadLettered("output_rejected")
            reportMeasurement(
                "MESSAGE_TOO_LARGE x2 on Produce: \(rejected.count) of \(inputs.positions.count) inputs dead-lettered as "
                    + "output_rejected, \(checker.duplicates) duplicates"
            )
            checker.expectComplete("output rejected")
            #expect(!rejected.isEmpty, "the rejected output records' inputs are dead-lettered")
            #expect(rejected.count < inputs.positions.count, "the others still flow")
            for position in rejected {
                let answer = try #require(checker.answers[position]?.first)
                #expect(answer.topic == FaultCluster.deadLetters)
                #expect(
                    answer.headers["khabar.error.message"]?.contains("MSG_SIZE_TOO_LARGE") == true,
                    "only the refused records")
                #expect(
                    answer.value == FaultArticles.article(try #require(inputs.positions[position])), "the input is kept"
                )
            }
            #expect(try await worker.stop() == 0, "\(worker.logTail())")
        }
    }
}
