import ArgumentParser
import ArticleAnalysis
import Foundation
import Kafka
import Logging
import Worker

/// `khabar demo`: one full trip through Kafka on an embedded cluster.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Produce articles to an embedded cluster, run the worker, print the enriched records.",
        discussion: """
            With no files, uses the sample articles bundled with khabar. Records go to stdout as JSON Lines; \
            a one-line summary per article and any dead letters go to stderr.
            """
    )

    @Option(help: "Classifier lexicon database. Default: bundled.")
    var lexicon: String?

    @Option(help: "Seconds to wait for all records before giving up.")
    var timeout = 60

    @Option(help: "Log level.")
    var logLevel = "warning"

    @Argument(help: "Article files (text, HTML, JSON envelope, JSONL).")
    var files: [String] = []

    static let partitions = 3

    func run() async throws {
        let logger = try LogSetup.bootstrap(level: logLevel)
        let payloads = files.isEmpty ? try Articles.samples() : try Articles.read(paths: files)
        var configuration = WorkerConfiguration(bootstrapServers: "")
        let cluster = try EmbeddedKafkaCluster(
            brokers: 1,
            topics: [
                configuration.inputTopic, configuration.outputTopic, configuration.deadLetterTopic,
                configuration.fingerprintTopic,
            ]
            .map { (name: $0, partitions: Self.partitions) },
            logger: logger
        )
        defer { cluster.close() }
        configuration.bootstrapServers = cluster.bootstrapServers
        configuration.partitionAssignmentStrategy = "range"
        configuration.groupID = "khabar-demo"

        let producer = try KafkaProducer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers), logger: logger)
        let failures = try ArticleFeeder.produce(payloads, topic: configuration.inputTopic, producer: producer)
        producer.close(timeout: .seconds(5))
        guard failures.isEmpty else { throw ValidationError("could not produce: \(failures.joined(separator: "; "))") }
        note("produced \(payloads.count) articles to \(configuration.inputTopic) on \(cluster.bootstrapServers)")

        var options = try WorkerOptions.parse([])
        options.lexicon = lexicon
        let worker = ArticleWorker(
            configuration: configuration,
            analyzer: ArticleAnalyzer(classifier: try options.classifier()),
            logger: logger
        )
        let running = Task { try await worker.run() }
        defer { running.cancel() }

        let received = try await readAnswers(count: payloads.count, configuration: configuration, logger: logger)
        worker.requestStop()
        try await running.value
        note("\(received) of \(payloads.count) articles answered through Kafka")
        if received < payloads.count { throw ExitCode.failure }
    }

    /// Reads the output and dead-letter topics from the beginning until `count` answers arrived.
    private func readAnswers(count: Int, configuration: WorkerConfiguration, logger: Logger) async throws -> Int {
        var readerConfiguration = KafkaConsumerConfiguration(
            bootstrapServers: configuration.bootstrapServers,
            groupID: "khabar-demo-reader"
        )
        readerConfiguration.fetchWaitMaxMilliseconds = 10
        let reader = try KafkaConsumer(configuration: readerConfiguration, logger: logger)
        defer { try? reader.close() }
        try reader.assign(
            [configuration.outputTopic, configuration.deadLetterTopic].flatMap { topic in
                (0..<Int32(Self.partitions)).map { TopicPartitionOffset(topic: topic, partition: $0, offset: 0) }
            }
        )
        let deadline = ContinuousClock.now + .seconds(timeout)
        var received = 0
        while received < count, ContinuousClock.now < deadline {
            let batch = try reader.poll(maxMessages: 64, timeout: .zero)
            if batch.isEmpty {
                try await Task.sleep(for: .milliseconds(20))
                continue
            }
            for message in batch {
                received += 1
                if message.topic == configuration.deadLetterTopic {
                    let reason = message.headers.first { $0.key == "khabar.error.class" }?.value.map {
                        String(decoding: $0, as: UTF8.self)
                    }
                    note("dead-lettered: \(reason ?? "?") (\(message.value.count) bytes)")
                } else {
                    FileHandle.standardOutput.write(Data(message.value + [UInt8(ascii: "\n")]))
                    let labels = message.headers.first { $0.key == "khabar.labels" }?.value.map {
                        String(decoding: $0, as: UTF8.self)
                    }
                    note("record \(String(decoding: message.key ?? [], as: UTF8.self)) labels=[\(labels ?? "")]")
                }
            }
        }
        return received
    }

    private func note(_ text: String) {
        FileHandle.standardError.write(Data("khabar demo: \(text)\n".utf8))
    }
}
