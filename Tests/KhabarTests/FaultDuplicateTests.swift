import Foundation
import Kafka
import Testing

extension FaultTests {
    /// Two `khabar run` processes with their own SQLite state files share near-duplicate knowledge
    /// through the fingerprint topic: each flags a near-copy of an article the other one published.
    @Suite(.serialized) struct FaultDuplicateTests {
        static let inputA = "articles.raw.a"
        static let inputB = "articles.raw.b"

        /// A long article; `edited` adds one sentence, so the copy is near-identical but not exact.
        static func article(id: String, seed: Int, edited: Bool = false) -> [UInt8] {
            var json = try! JSONSerialization.jsonObject(with: Data(FaultArticles.article(seed))) as! [String: Any]
            let text = json["text"] as! String
            json["id"] = id
            json["text"] =
                [text, text, text].joined(separator: " ") + (edited ? " The envoy declined to comment." : "")
            return Array(try! JSONSerialization.data(withJSONObject: json))
        }

        /// Waits until the output topic holds the record of `id` and returns it.
        static func record(id: String, bootstrap: String, timeout: Duration = .seconds(30)) async throws -> [String:
            Any]
        {
            var configuration = KafkaConsumerConfiguration(
                bootstrapServers: bootstrap, groupID: "fault-dup-reader-\(UUID())")
            configuration.fetchWaitMaxMilliseconds = 10
            let reader = try KafkaConsumer(configuration: configuration, logger: FaultCluster.logger)
            defer { try? reader.close() }
            try reader.assign(
                (0..<Int32(FaultCluster.partitions)).map {
                    TopicPartitionOffset(topic: FaultCluster.output, partition: $0, offset: 0)
                }
            )
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                for message in try reader.poll(maxMessages: 100, timeout: .milliseconds(50))
                where message.key == Array(id.utf8) {
                    return try #require(try JSONSerialization.jsonObject(with: Data(message.value)) as? [String: Any])
                }
            }
            throw TestFailure("no record for \(id) within \(timeout)")
        }

        @Test func twoWorkersWithTheirOwnStateFlagEachOthersNearDuplicates() async throws {
            let cluster = try FaultCluster(extraTopics: [Self.inputA, Self.inputB])
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("khabar-faults-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let inputs = try InputLog(bootstrap: cluster.bootstrap)
            func start(_ name: String, input: String) async throws -> FaultWorker {
                try await cluster.startWorker(
                    group: "fault-dup-\(name)",
                    arguments: [
                        "--input-topic", input, "--state-db", directory.appendingPathComponent("\(name).sqlite").path,
                    ]
                )
            }
            let workerA = try await start("a", input: Self.inputA)
            let workerB = try await start("b", input: Self.inputB)

            // X through A, then its near-copy X' through B.
            try inputs.send(index: 1, value: Self.article(id: "dup-x", seed: 101), topic: Self.inputA)
            let x = try await Self.record(id: "dup-x", bootstrap: cluster.bootstrap)
            #expect(x["duplicate_of"] is NSNull, "X is the original")
            try await Task.sleep(for: .seconds(2))  // B tails the fingerprint topic
            try inputs.send(index: 2, value: Self.article(id: "dup-x2", seed: 101, edited: true), topic: Self.inputB)
            let xCopy = try await Self.record(id: "dup-x2", bootstrap: cluster.bootstrap)
            #expect(xCopy["duplicate_of"] as? String == "dup-x", "B flags the near-copy of A's article")

            // Y through B, then its near-copy Y' through A.
            try inputs.send(index: 3, value: Self.article(id: "dup-y", seed: 202), topic: Self.inputB)
            let y = try await Self.record(id: "dup-y", bootstrap: cluster.bootstrap)
            #expect(y["duplicate_of"] is NSNull, "Y is unlike X")
            try await Task.sleep(for: .seconds(2))
            try inputs.send(index: 4, value: Self.article(id: "dup-y2", seed: 202, edited: true), topic: Self.inputA)
            let yCopy = try await Self.record(id: "dup-y2", bootstrap: cluster.bootstrap)
            #expect(yCopy["duplicate_of"] as? String == "dup-y", "A flags the near-copy of B's article")
            #expect(
                x["fingerprint"] as? [String: String] != xCopy["fingerprint"] as? [String: String], "near, not exact")

            #expect(try await workerA.stop() == 0, "\(workerA.logTail())")
            #expect(try await workerB.stop() == 0, "\(workerB.logTail())")
            for name in ["a", "b"] {
                #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("\(name).sqlite").path))
            }
        }
    }
}
