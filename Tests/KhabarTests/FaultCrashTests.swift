import Foundation
import Kafka
import Testing

extension FaultTests {
    /// Crashes, rebalances and poison under load, with `khabar run` processes: nothing is missing and
    /// repeats are bounded and identical but for `provenance`.
    @Suite(.serialized) struct FaultCrashTests {
        @Test func aWorkerKilledMidBatchLosesNothingAndRepeatsAtMostTheInFlightWindow() async throws {
            let cluster = try FaultCluster()
            let inputs = try InputLog(bootstrap: cluster.bootstrap)
            let count = 4000
            try inputs.produceArticles(0..<count)
            let maxInFlight = 1000
            let first = try await cluster.startWorker(
                group: "fault-kill", arguments: ["--max-in-flight", "\(maxInFlight)"])
            // Kill it once it is well under way but far from done.
            let deadline = ContinuousClock.now + .seconds(30)
            while first.metric("khabar_messages_produced_total") < 500, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            first.process.signal(SIGKILL)
            _ = try await first.process.waitForExit()
            let beforeKill = try await FaultChecker.read(
                bootstrap: cluster.bootstrap,
                inputs: inputs.positions.keys,
                timeout: .seconds(3)
            )
            #expect(beforeKill.missing.count > 0, "the worker was killed mid-stream")
            let restarted = ContinuousClock.now
            let second = try await cluster.startWorker(
                group: "fault-kill", arguments: ["--max-in-flight", "\(maxInFlight)"])
            let checker = try await FaultChecker.read(bootstrap: cluster.bootstrap, inputs: inputs.positions.keys)
            reportMeasurement(
                "SIGKILL: \(count - beforeKill.missing.count) of \(count) answered before the kill, \(checker.duplicates) "
                    + "duplicates after restart (max-in-flight \(maxInFlight)), all answered \(restarted.duration(to: .now)) "
                    + "after the restart"
            )
            checker.expectComplete("after SIGKILL")
            // Repeats: what was in flight (≤ maxInFlight) plus what was finished but not yet committed
            // (the auto-commit interval, 1 s).
            #expect(checker.duplicates <= 2 * maxInFlight)
            #expect(try await second.stop() == 0, "\(second.logTail())")
        }

        @Test func aSecondWorkerJoiningAndLeavingMidStreamLosesNothing() async throws {
            let cluster = try FaultCluster()
            let inputs = try InputLog(bootstrap: cluster.bootstrap)
            try inputs.produceArticles(0..<300)
            let first = try await cluster.startWorker(group: "fault-rebalance")
            let producing = inputs.produceInBackground(from: 300, count: 3000, perSecond: 200)
            try await Task.sleep(for: .seconds(2))
            let second = try await cluster.startWorker(group: "fault-rebalance")
            try await Task.sleep(for: .seconds(4))
            #expect(try await second.stop() == 0, "\(second.logTail())")
            try await producing.value
            let checker = try await FaultChecker.read(bootstrap: cluster.bootstrap, inputs: inputs.positions.keys)
            let workers = Set(
                checker.answers.values.compactMap { answers -> String? in
                    guard let json = try? JSONSerialization.jsonObject(with: Data(answers[0].value)) as? [String: Any]
                    else {
                        return nil
                    }
                    return (json["provenance"] as? [String: Any])?["worker"] as? String
                }
            )
            reportMeasurement(
                "join + leave: \(inputs.positions.count) inputs, \(checker.duplicates) duplicates, \(workers.count) workers answered"
            )
            checker.expectComplete("rebalance")
            #expect(workers.count == 2, "both workers took part")
            #expect(try await first.stop() == 0, "\(first.logTail())")
        }

        @Test func poisonAcrossPartitionsUnderLoadIsDeadLetteredAndNoPartitionStalls() async throws {
            let cluster = try FaultCluster()
            let inputs = try InputLog(bootstrap: cluster.bootstrap)
            let worker = try await cluster.startWorker(group: "fault-poison")
            // Every partition gets poison interleaved with good articles, produced while the worker runs.
            var poisonIndices: [Int: String] = [:]
            for index in 0..<3000 {
                let partition = Int32(index % FaultCluster.partitions)
                if index % 10 == 3 {
                    let poison = FaultArticles.poison[(index / 10) % FaultArticles.poison.count]
                    poisonIndices[index] = poison.errorClass
                    try inputs.send(index: index, value: poison.value, partition: partition)
                } else {
                    try inputs.send(index: index, value: FaultArticles.article(index), partition: partition)
                }
                if index % 100 == 99 { try await Task.sleep(for: .milliseconds(20)) }
            }
            try inputs.producer.flush(timeout: .seconds(30))
            let checker = try await FaultChecker.read(bootstrap: cluster.bootstrap, inputs: inputs.positions.keys)
            checker.expectComplete("poison")
            var deadLettered = 0
            for (position, index) in inputs.positions {
                guard let answer = checker.answers[position]?.first else { continue }
                if let errorClass = poisonIndices[index] {
                    deadLettered += 1
                    #expect(answer.topic == FaultCluster.deadLetters, "poison \(index) dead-lettered")
                    #expect(answer.headers["khabar.error.class"] == errorClass)
                    #expect(answer.headers["khabar.source.partition"] == "\(position.partition)")
                    #expect(answer.headers["khabar.source.offset"] == "\(position.offset)")
                } else {
                    #expect(answer.topic == FaultCluster.output, "good article \(index) published")
                }
            }
            #expect(deadLettered == poisonIndices.count)
            #expect(Set(inputs.positions.keys.map(\.partition)).count == FaultCluster.partitions)
            reportMeasurement(
                "poison: \(deadLettered) dead letters over \(FaultCluster.partitions) partitions, \(checker.duplicates) duplicates"
            )
            #expect(try await worker.stop() == 0, "\(worker.logTail())")
        }
    }
}
