import ArgumentParser
import ArticleAnalysis
import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Worker

/// `khabar replay`: reprocess a bounded range of the input topic with the current (or another) lexicon.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Reprocess a bounded range of the input topic, then print a summary and exit.",
        discussion: """
            Reads with its own consumer group and explicit partition assignment, so the live group's committed \
            offsets are never touched. Records carry provenance.replay = true and keep the article id as key.
            """
    )

    @OptionGroup var options: WorkerOptions

    @Option(help: "Where to start: earliest, an ISO-8601 time, or partition:offset[,partition:offset...].")
    var from = "earliest"

    @Option(help: "Where to stop (exclusive): latest (the end when the replay starts) or an ISO-8601 time.")
    var to = "latest"

    @Option(help: "Group id of the replay's own consumer. Default: khabar-replay-<unix time>.")
    var replayGroup: String?

    func run() async throws {
        let logger = try LogSetup.bootstrap(level: options.resolvedLogLevel)
        var configuration = try options.workerConfiguration()
        guard !configuration.bootstrapServers.isEmpty else {
            throw ValidationError("--brokers (or KHABAR_BROKERS) is required")
        }
        configuration.groupID = replayGroup ?? "khabar-replay-\(Int(Date().timeIntervalSince1970))"
        let range = try resolveRange(configuration, logger: logger)
        configuration.replay = range
        let total = range.total
        logger.info("replay range resolved", metadata: ["messages": "\(total)", "group": "\(configuration.groupID)"])

        let worker = ArticleWorker(
            configuration: configuration,
            analyzer: ArticleAnalyzer(classifier: try options.classifier()),
            logger: logger
        )
        let progress = Task { await ProgressReporter(total: total, status: worker.status).run() }
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: worker, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
        progress.cancel()
        await progress.value
        let status = worker.status
        var summary = "replay done: read \(status.finishedCount) of \(total), written \(status.recordCount), "
        summary += "dead-lettered \(status.deadLetterCount)"
        for label in Label.allCases { summary += ", \(label.rawValue) \(status.labelCounts[label] ?? 0)" }
        print(summary)
    }

    private func resolveRange(_ configuration: WorkerConfiguration, logger: Logger) throws -> ReplayRange {
        var probeConfiguration = KafkaConsumerConfiguration(
            bootstrapServers: configuration.bootstrapServers,
            groupID: configuration.groupID
        )
        probeConfiguration.properties = configuration.kafkaProperties(for: .consumer)
        let probe = try KafkaConsumer(configuration: probeConfiguration, logger: logger)
        defer { try? probe.close() }
        let topic = configuration.inputTopic
        let count = try probe.partitionCount(topic: topic, timeout: .seconds(10))
        let partitions = (0..<Int32(count)).map { TopicPartition(topic: topic, partition: $0) }
        var watermarks: [TopicPartition: (low: Int64, high: Int64)] = [:]
        for partition in partitions {
            watermarks[partition] = try probe.watermarkOffsets(
                topic: topic, partition: partition.partition, timeout: .seconds(10))
        }

        func offsets(at time: Date) throws -> [TopicPartition: Int64] {
            let millis = Int64(time.timeIntervalSince1970 * 1000)
            let found = try probe.offsetsForTimes(
                Dictionary(uniqueKeysWithValues: partitions.map { ($0, millis) }),
                timeout: .seconds(10)
            )
            var result: [TopicPartition: Int64] = [:]
            for position in found {
                let partition = TopicPartition(topic: position.topic, partition: position.partition)
                // -1: no message at or after the time, i.e. the end of the partition.
                result[partition] = position.offset < 0 ? watermarks[partition]!.high : position.offset
            }
            return result
        }

        var start: [TopicPartition: Int64]
        if from == "earliest" {
            start = watermarks.mapValues(\.low)
        } else if let time = Self.parseTime(from) {
            start = try offsets(at: time)
        } else {
            start = [:]
            for item in from.split(separator: ",") {
                let parts = item.split(separator: ":")
                guard parts.count == 2, let partition = Int32(parts[0]), let offset = Int64(parts[1]), partition < count
                else {
                    throw ValidationError(
                        "--from takes earliest, an ISO-8601 time, or partition:offset,...; got '\(from)'")
                }
                start[TopicPartition(topic: topic, partition: partition)] = offset
            }
        }
        let end: [TopicPartition: Int64]
        if to == "latest" {
            end = watermarks.mapValues(\.high)
        } else if let time = Self.parseTime(to) {
            end = try offsets(at: time)
        } else {
            throw ValidationError("--to takes latest or an ISO-8601 time; got '\(to)'")
        }
        return ReplayRange(
            start: start.sorted { $0.key.partition < $1.key.partition }
                .map { TopicPartitionOffset(topic: topic, partition: $0.key.partition, offset: $0.value) },
            end: end
        )
    }

    /// Parses `2025-01-31T12:00:00Z`, with or without fractional seconds, or a plain date `2025-01-31` (UTC).
    static func parseTime(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) {
            return date
        }
        return try? Date(text, strategy: Date.ISO8601FormatStyle().year().month().day())
    }
}

/// Shows replay progress: a live bar on a terminal, a log line every few seconds otherwise.
struct ProgressReporter {
    let total: Int64
    let status: WorkerStatus

    func run() async {
        let terminal = isatty(STDERR_FILENO) == 1
        let started = ContinuousClock.now
        var lastLine = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(terminal ? 200 : 1000))
            let done = Int64(status.finishedCount)
            let elapsed = Double(started.duration(to: .now).components.seconds) + 0.001
            let rate = Double(done) / elapsed
            let eta = rate > 0 ? Double(max(0, total - done)) / rate : 0
            if terminal {
                let width = 30
                let filled = total > 0 ? Int(Double(width) * Double(done) / Double(total)) : width
                let bar =
                    String(repeating: "█", count: min(width, filled))
                    + String(repeating: "░", count: max(0, width - filled))
                let line = "\r\(bar) \(done)/\(total) \(Int(rate)) msg/s ETA \(Int(eta)) s"
                FileHandle.standardError.write(Data(line.utf8))
            } else if lastLine.duration(to: .now) >= .seconds(5) {
                lastLine = .now
                FileHandle.standardError.write(
                    Data("replay progress: \(done)/\(total), \(Int(rate)) msg/s, ETA \(Int(eta)) s\n".utf8))
            }
        }
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
