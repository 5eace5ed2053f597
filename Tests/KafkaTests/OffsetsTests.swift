import Kafka
import Testing

@Suite("Offsets, seek, pause and resume against the embedded cluster")
struct OffsetsTests {
    @Test("Watermarks, stored-only commits, position, seek, pause/resume and metadata")
    func offsetsAndPositioning() async throws {
        let topic = TestSupport.unique("offsets")
        let cluster = try EmbeddedKafkaCluster(brokers: 1, topics: [(topic, 1)], logger: TestSupport.logger)
        let producer = try KafkaProducer(
            configuration: TestSupport.producerConfiguration(cluster),
            logger: TestSupport.logger
        )
        for index in 0..<10 {
            try producer.send(
                KafkaProducerMessage(topic: topic, partition: 0, value: TestSupport.bytes("m\(index)"))
            ) { _ in }
        }
        try await onDedicatedThread { try producer.flush(timeout: .seconds(10)) }
        let partition = TopicPartition(topic: topic, partition: 0)
        let consumer = try KafkaConsumer(
            configuration: TestSupport.consumerConfiguration(cluster, group: TestSupport.unique("group")),
            logger: TestSupport.logger
        )

        try await onDedicatedThread {
            let watermarks = try consumer.watermarkOffsets(topic: topic, partition: 0, timeout: .seconds(5))
            #expect(watermarks.low == 0 && watermarks.high == 10)
            #expect(try consumer.partitionCount(topic: topic, timeout: .seconds(5)) == 1)

            try consumer.assign([TopicPartitionOffset(topic: topic, partition: 0, offset: KafkaOffset.beginning)])
            #expect(try consumer.assignment() == [partition])
            let firstFive = try consume(consumer, count: 5, timeout: .seconds(10))
            #expect(firstFive.map(\.offset) == [0, 1, 2, 3, 4])
            #expect(try consumer.position([partition]).first?.offset == 5)

            // Only stored offsets are committed: three processed, five read.
            #expect(try consumer.committed([partition], timeout: .seconds(5)).first?.offset == KafkaOffset.invalid)
            try consumer.storeOffset(topic: topic, partition: 0, offset: 3)
            try consumer.commit()
            #expect(try consumer.committed([partition], timeout: .seconds(5)).first?.offset == 3)
            try consumer.commit()  // nothing new stored: not an error
            #expect(throws: KafkaError.self) {
                try consumer.storeOffset(topic: topic, partition: 7, offset: 1)  // not assigned
            }

            try consumer.seek(TopicPartitionOffset(topic: topic, partition: 0, offset: 1), timeout: .seconds(5))
            #expect(try consumer.poll(timeout: .seconds(5))?.offset == 1)

            try consumer.pause([partition])
            #expect(try consumer.poll(timeout: .seconds(1)) == nil, "a paused partition delivers nothing")
            try consumer.resume([partition])
            #expect(try consumer.poll(timeout: .seconds(5))?.offset == 2)

            // Batch poll returns the rest in order.
            var rest: [KafkaConsumerMessage] = []
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: .seconds(10))
            while rest.count < 7, clock.now < deadline {
                rest += try consumer.poll(maxMessages: 4, timeout: .milliseconds(200))
            }
            #expect(rest.map(\.offset) == Array(3..<10))
            #expect(rest.map(\.value) == (3..<10).map { TestSupport.bytes("m\($0)") })
            try consumer.close()
        }
        producer.close(timeout: .seconds(5))
    }
}
