import Foundation
import Kafka
import Logging
import Testing

/// The `khabar` executable built next to the test bundle.
enum KhabarBinary {
    static let url: URL = {
        let candidates = [
            Bundle.main.executableURL?.deletingLastPathComponent(),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/debug")
                .standardized,
        ]
        for case let directory? in candidates {
            let binary = directory.appendingPathComponent("khabar")
            if FileManager.default.isExecutableFile(atPath: binary.path) { return binary }
        }
        fatalError("khabar executable not found next to the tests; run `swift build` first")
    }()
}

/// A child process running `khabar`, with its stdout lines collected.
final class KhabarProcess: Sendable {
    let process: Process
    /// Everything the process wrote to stdout, by line.
    let lines = LineCollector()

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process = Process()
        process.executableURL = KhabarBinary.url
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        let collector = lines
        try process.run()
        PipeReader.start(stdout.fileHandleForReading) { collector.append($0) }
    }

    /// Waits for the first stdout line (e.g. the broker's bootstrap servers).
    func firstLine(timeout: Duration = .seconds(20)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = lines.first { return line }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("no output from khabar \(process.arguments ?? [])")
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for exit and returns the status, killing the process after `timeout`.
    func waitForExit(timeout: Duration = .seconds(60)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                throw TestFailure("khabar \(process.arguments ?? []) did not exit within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Reads the answer topics and accounts every input offset for.
struct AnswerChecker {
    struct Answer: Hashable {
        var topic: String
        var key: [UInt8]?
        var value: [UInt8]
    }

    /// Source (partition, offset) → answers seen for it.
    var answers: [TopicPartitionOffset: [Answer]] = [:]

    /// Reads `topics` from the beginning until `expected` inputs are answered or `timeout` passes.
    static func read(
        bootstrap: String,
        topics: [String] = ["articles.enriched", "articles.dlq"],
        partitions: Int,
        inputTopic: String = "articles.raw",
        expected: Int,
        timeout: Duration
    ) async throws -> AnswerChecker {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: bootstrap, groupID: "checker-\(UUID())")
        configuration.fetchWaitMaxMilliseconds = 10
        let reader = try KafkaConsumer(configuration: configuration, logger: Logger(label: "checker"))
        defer { try? reader.close() }
        try reader.assign(
            topics.flatMap { topic in
                (0..<Int32(partitions)).map { TopicPartitionOffset(topic: topic, partition: $0, offset: 0) }
            }
        )
        var checker = AnswerChecker()
        let deadline = ContinuousClock.now + timeout
        while checker.answers.count < expected, ContinuousClock.now < deadline {
            let batch = try reader.poll(maxMessages: 500, timeout: .zero)
            if batch.isEmpty {
                try await Task.sleep(for: .milliseconds(20))
                continue
            }
            for message in batch {
                func header(_ name: String) -> String? {
                    message.headers.first { $0.key == name }?.value.map { String(decoding: $0, as: UTF8.self) }
                }
                guard header("khabar.source.topic") == inputTopic,
                    let partition = header("khabar.source.partition").flatMap(Int32.init),
                    let offset = header("khabar.source.offset").flatMap(Int64.init)
                else {
                    throw TestFailure("answer without source headers on \(message.topic)@\(message.offset)")
                }
                checker.answers[
                    TopicPartitionOffset(topic: inputTopic, partition: partition, offset: offset), default: []
                ]
                .append(Answer(topic: message.topic, key: message.key, value: message.value))
            }
        }
        return checker
    }

    /// Number of answers beyond the first per input.
    var duplicates: Int { answers.values.reduce(0) { $0 + $1.count - 1 } }
}

/// Plain HTTP/1.0 GETs against a local port, for probing khabar's observability listener.
enum HTTPProbe {
    /// A TCP port that was free a moment ago (bind to port 0, read it back, close).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The status code and body of `GET path`, or nil when nothing listens.
    static func get(port: Int, path: String) -> (status: Int, body: String)? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard send(fd, request, request.count, 0) == request.count else { return nil }
        var response = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            response += buffer[0..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let statusLine = text.split(separator: "\r\n").first,
            let status = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (status, body)
    }

    /// Polls until `GET path` answers `status`.
    static func waitForStatus(_ status: Int, port: Int, path: String, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if get(port: port, path: path)?.status == status { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("GET \(path) on port \(port) did not answer \(status) within \(timeout)")
    }
}
