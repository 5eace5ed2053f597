import Foundation
import Testing

/// The contract of issue 2's "done when": any Kafka client can drive khabar.
@Suite(.serialized) struct OutsideClientTests {
    static let kcat = ["/usr/bin/kcat", "/usr/local/bin/kcat"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Runs kcat to its end on a dedicated thread (it may wait seconds for records).
    static func runKcat(_ arguments: [String], input: Data? = nil) async throws -> Data {
        try await onDedicatedThread { try runKcatBlocking(arguments, input: input) }
    }

    private static func runKcatBlocking(_ arguments: [String], input: Data?) throws -> Data {
        let process = Process()
        // `timeout` bounds a kcat that waits for records that never come.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["90", kcat!] + arguments
        let stdout = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardInput = stdin
        process.standardError = FileHandle.nullDevice
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("kcat \(arguments) exited \(process.terminationStatus)")
        }
        return output
    }

    @Test(.enabled(if: kcat != nil, "kcat is not installed (apt-get install kcat)"))
    func kcatProducesAndReadsThroughKhabar() async throws {
        let broker = try KhabarProcess(["broker", "--log-level", "warning"])
        defer { broker.signal(SIGTERM) }
        let bootstrap = try await broker.firstLine()
        let lines = (0..<200).map { index in
            #"{"id": "kcat-\#(index)", "title": "Parliament votes on budget \#(index)", "text": "MPs voted on the budget bill after a long debate in parliament. The opposition leader criticised the government."}"#
        }
        _ = try await Self.runKcat(
            ["-P", "-b", bootstrap, "-t", "articles.raw"], input: Data((lines.joined(separator: "\n") + "\n").utf8))
        let worker = try KhabarProcess(
            ["run", "--brokers", bootstrap, "--assignor", "range", "--http-port", "0", "--log-level", "warning"]
        )
        defer { worker.signal(SIGTERM) }
        let output = try await Self.runKcat(
            ["-C", "-b", bootstrap, "-t", "articles.enriched", "-o", "beginning", "-c", "200", "-q", "-f", "%k\\n"]
        )
        let keys = Set(String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init))
        #expect(keys == Set((0..<200).map { "kcat-\($0)" }))
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0)
    }

    @Test func demoPrintsARecordForEveryBundledSample() async throws {
        let demo = try KhabarProcess(["demo"])
        #expect(try await demo.waitForExit(timeout: .seconds(90)) == 0)
        let records = demo.lines.all.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(records.count == 7)
        #expect(records.allSatisfy { $0["schema_version"] != nil && $0["labels"] is [Any] })
    }

    @Test(.enabled(if: kcat != nil, "kcat is not installed (apt-get install kcat)"))
    func brokerCreatesEachTopicWithItsPartitionCount() async throws {
        let broker = try KhabarProcess(
            ["broker", "--partitions", "2", "--topics", "spec.default,spec.seven:7", "--log-level", "warning"])
        defer { broker.signal(SIGTERM) }
        let bootstrap = try await broker.firstLine()
        let metadata = try await Self.runKcat(["-L", "-J", "-b", bootstrap])
        let object = try JSONSerialization.jsonObject(with: metadata) as? [String: Any]
        let topics = try #require(object?["topics"] as? [[String: Any]])
        var counts: [String: Int] = [:]
        for topic in topics {
            if let name = topic["topic"] as? String, let partitions = topic["partitions"] as? [Any] {
                counts[name] = partitions.count
            }
        }
        #expect(counts["spec.default"] == 2)
        #expect(counts["spec.seven"] == 7)
    }

    @Test(arguments: ["spec:0", "spec:x", ":3"])
    func brokerRejectsABadTopicSpec(_ spec: String) async throws {
        let broker = try KhabarProcess(["broker", "--topics", spec])
        #expect(try await broker.waitForExit(timeout: .seconds(30)) != 0)
    }
}
