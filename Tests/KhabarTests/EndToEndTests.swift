import Foundation
import Kafka
import Logging
import Testing

/// The worker as users run it: separate `khabar broker` and `khabar run` processes, talking Kafka over TCP.
@Suite(.serialized) struct EndToEndTests {
    static let partitions = 3

    /// A JSON envelope article whose id is `id`; every fifth one is a poison message instead.
    static func payload(_ index: Int) -> [UInt8] {
        switch index % 25 {
        case 7: return [0xFF, 0xFE, 0x00, 0x41]  // invalid UTF-8
        case 14: return Array("{\"id\": 12, \"title\": [".utf8)  // malformed JSON
        case 21: return []  // empty
        default:
            let body = "The foreign minister met his counterpart in Geneva on day \(index) to discuss a ceasefire. "
            return Array(
                """
                {"id": "e2e-\(index)", "lang": "en", "title": "Talks \(index)", "text": "\(String(repeating: body, count: 4))"}
                """.utf8
            )
        }
    }

    static func produce(_ range: Range<Int>, to bootstrap: String) throws {
        let producer = try KafkaProducer(
            configuration: .init(bootstrapServers: bootstrap), logger: Logger(label: "test"))
        defer { producer.close(timeout: .seconds(10)) }
        for index in range {
            let message = KafkaProducerMessage(
                topic: "articles.raw", key: Array("in-\(index)".utf8), value: payload(index))
            while true {
                do {
                    try producer.send(message) { result in
                        if case .failure(let error) = result { Issue.record("produce \(index): \(error)") }
                    }
                    break
                } catch {
                    guard error.code == .queueFull else { throw error }
                    Thread.sleep(forTimeInterval: 0.005)
                }
            }
        }
        try producer.flush(timeout: .seconds(30))
    }

    static func startBroker() async throws -> (KhabarProcess, String) {
        let broker = try KhabarProcess([
            "broker", "--brokers", "1", "--partitions", "\(partitions)", "--log-level", "warning",
        ])
        let bootstrap = try await broker.firstLine()
        #expect(bootstrap.contains(":"))
        return (broker, bootstrap)
    }

    /// Starts `khabar run` and waits until it answers `/readyz` (partitions assigned): signals sent
    /// earlier would meet a process that has not installed its handlers yet.
    static func startWorker(_ bootstrap: String, group: String) async throws -> KhabarProcess {
        let port = HTTPProbe.freePort()
        let worker = try KhabarProcess(
            ["run", "--assignor", "range", "--log-level", "warning"],
            environment: ["KHABAR_BROKERS": bootstrap, "KHABAR_GROUP": group, "KHABAR_HTTP_PORT": "\(port)"]
        )
        try await HTTPProbe.waitForStatus(200, port: port, path: "/readyz", timeout: .seconds(30))
        return worker
    }

    @Test func everyInputIsAnsweredOnceByRecordOrDeadLetter() async throws {
        let (broker, bootstrap) = try await Self.startBroker()
        defer { broker.signal(SIGTERM) }
        let count = 200
        try Self.produce(0..<count, to: bootstrap)
        let worker = try await Self.startWorker(bootstrap, group: "e2e-once")
        let checker = try await AnswerChecker.read(
            bootstrap: bootstrap,
            partitions: Self.partitions,
            expected: count,
            timeout: .seconds(60)
        )
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0)
        #expect(checker.answers.count == count)
        #expect(checker.duplicates == 0)
        let deadLetters = checker.answers.values.filter { $0[0].topic == "articles.dlq" }.count
        #expect(deadLetters == (0..<count).filter { [7, 14, 21].contains($0 % 25) }.count)
        broker.signal(SIGTERM)
        #expect(try await broker.waitForExit() == 0)
    }

    @Test func sigtermUnderLoadLosesNothingAndTheNextRunResumes() async throws {
        let (broker, bootstrap) = try await Self.startBroker()
        defer { broker.signal(SIGTERM) }
        let count = 4000
        try Self.produce(0..<count, to: bootstrap)
        let first = try await Self.startWorker(bootstrap, group: "e2e-sigterm")
        // Let it get going, then stop it mid-stream.
        _ = try await AnswerChecker.read(
            bootstrap: bootstrap,
            partitions: Self.partitions,
            expected: 100,
            timeout: .seconds(60)
        )
        first.signal(SIGTERM)
        #expect(try await first.waitForExit() == 0)
        let afterFirst = try await AnswerChecker.read(
            bootstrap: bootstrap,
            partitions: Self.partitions,
            expected: count,
            timeout: .seconds(2)
        )
        #expect(afterFirst.answers.count < count, "the first worker was stopped mid-stream")
        let second = try await Self.startWorker(bootstrap, group: "e2e-sigterm")
        let checker = try await AnswerChecker.read(
            bootstrap: bootstrap,
            partitions: Self.partitions,
            expected: count,
            timeout: .seconds(90)
        )
        second.signal(SIGTERM)
        #expect(try await second.waitForExit() == 0)
        #expect(checker.answers.count == count, "every input offset answered")
        // A graceful stop commits what it finished: the second run repeats nothing.
        #expect(checker.duplicates == 0)
    }
}
