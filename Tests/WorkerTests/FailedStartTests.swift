import ArticleAnalysis
import Kafka
import Logging
import Testing

@testable import Worker

/// A worker whose start fails after its clients exist (lanes running) stops and says why.
@Suite struct FailedStartTests {
    static let logger = Logger(label: "failed-start-test")

    /// librdkafka rejects an input topic that is an invalid regular expression at `subscribe`, after the
    /// worker created its clients and started its lanes.
    @Test func invalidInputTopicRegexFailsWithASetupError() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, topics: [], logger: Self.logger)
        defer { cluster.close() }
        var configuration = WorkerConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.inputTopic = "^["
        configuration.fingerprintTopic = ""
        let worker = ArticleWorker(
            configuration: configuration,
            analyzer: ArticleAnalyzer(classifier: try Classifier.bundled()),
            logger: Self.logger
        )
        let failure = await #expect(throws: WorkerError.self) { try await worker.run() }
        #expect(failure?.code == .setup)
        #expect(failure?.message.contains("subscribe to ^[") == true, "\(String(describing: failure))")
        #expect(failure?.kafkaError?.code == .invalidArgument, "\(String(describing: failure))")
    }
}
