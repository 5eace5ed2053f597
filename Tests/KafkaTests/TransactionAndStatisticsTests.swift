import Foundation
import Kafka
import Testing

@Suite("Transactions and statistics against the embedded cluster")
struct TransactionAndStatisticsTests {
    @Test("The transaction API flow runs: init, begin, send offsets, commit; begin, abort; begin, commit")
    func transactionFlow() async throws {
        let topic = TestSupport.unique("transactions")
        let cluster = try EmbeddedKafkaCluster(brokers: 3, topics: [(topic, 2)], logger: TestSupport.logger)
        var configuration = TestSupport.producerConfiguration(cluster)
        configuration.transactionalID = TestSupport.unique("txn")
        let producer = try KafkaProducer(configuration: configuration, logger: TestSupport.logger)
        let consumer = try KafkaConsumer(
            configuration: TestSupport.consumerConfiguration(cluster, group: TestSupport.unique("group")),
            logger: TestSupport.logger
        )
        let reports = Recorder<Result<KafkaDeliveryReport, KafkaError>>()
        try await onDedicatedThread {
            try producer.initTransactions(timeout: .seconds(10))

            try producer.beginTransaction()
            for index in 0..<5 {
                try producer.send(KafkaProducerMessage(topic: topic, value: TestSupport.bytes("committed-\(index)"))) {
                    reports.append($0)
                }
            }
            try producer.sendOffsetsToTransaction(
                [TopicPartitionOffset(topic: topic, partition: 0, offset: 5)],
                consumer: consumer,
                timeout: .seconds(10)
            )
            try producer.commitTransaction(timeout: .seconds(10))
            #expect(reports.all.count == 5, "commit flushes: every report arrived")
            #expect(reports.all.allSatisfy { (try? $0.get()) != nil })

            try producer.beginTransaction()
            try producer.send(KafkaProducerMessage(topic: topic, value: TestSupport.bytes("aborted"))) {
                reports.append($0)
            }
            try producer.abortTransaction(timeout: .seconds(10))

            try producer.beginTransaction()
            try producer.send(KafkaProducerMessage(topic: topic, value: TestSupport.bytes("after-abort"))) {
                reports.append($0)
            }
            try producer.commitTransaction(timeout: .seconds(10))
            try producer.flush(timeout: .seconds(5))
        }
        #expect(reports.all.count == 7, "every message got exactly one report")
        #expect((try? reports.all.last?.get()) != nil)
        try await onDedicatedThread { try consumer.close() }
        producer.close(timeout: .seconds(5))
    }

    @Test("Statistics JSON arrives for the producer and the consumer when enabled")
    func statistics() async throws {
        let topic = TestSupport.unique("statistics")
        let cluster = try EmbeddedKafkaCluster(brokers: 1, topics: [(topic, 1)], logger: TestSupport.logger)
        var producerConfiguration = TestSupport.producerConfiguration(cluster)
        producerConfiguration.statisticsIntervalMilliseconds = 100
        let producer = try KafkaProducer(configuration: producerConfiguration, logger: TestSupport.logger)
        #expect(producer.latestStatistics == nil)
        let received = Recorder<String>()
        producer.onStatistics = { received.append($0) }
        _ = try await producer.send(KafkaProducerMessage(topic: topic, value: TestSupport.bytes("x")))
        #expect(try await eventually(timeout: .seconds(5)) { received.all.count >= 2 })
        let producerStatistics = try #require(producer.latestStatistics)
        let producerJSON = try #require(
            try JSONSerialization.jsonObject(with: Data(producerStatistics.utf8)) as? [String: Any]
        )
        #expect(producerJSON["type"] as? String == "producer")
        #expect((producerJSON["txmsgs"] as? Int ?? 0) >= 1)

        var consumerConfiguration = TestSupport.consumerConfiguration(cluster, group: TestSupport.unique("group"))
        consumerConfiguration.statisticsIntervalMilliseconds = 100
        let consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: TestSupport.logger)
        try consumer.assign([TopicPartitionOffset(topic: topic, partition: 0, offset: KafkaOffset.beginning)])
        // Statistics are served inside poll.
        let consumerStatistics = try await onDedicatedThread { () -> String? in
            _ = try consume(consumer, count: 1, timeout: .seconds(5))
            _ = try consumer.poll(timeout: .milliseconds(300))
            return consumer.latestStatistics
        }
        let consumerText = try #require(consumerStatistics)
        let consumerJSON = try #require(
            try JSONSerialization.jsonObject(with: Data(consumerText.utf8)) as? [String: Any]
        )
        #expect(consumerJSON["type"] as? String == "consumer")
        try await onDedicatedThread { try consumer.close() }
        producer.close(timeout: .seconds(5))
    }

    @Test("The embedded cluster closes once and refuses calls afterwards")
    func clusterClose() throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: TestSupport.logger)
        #expect(cluster.bootstrapServers.hasPrefix("127.0.0.1:"))
        try cluster.createTopic(TestSupport.unique("topic"), partitions: 2)
        cluster.close()
        cluster.close()
        let error = #expect(throws: KafkaError.self) { try cluster.createTopic("late", partitions: 1) }
        #expect(error?.code == .state)
    }
}
