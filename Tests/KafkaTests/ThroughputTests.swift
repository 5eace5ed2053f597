import Foundation
import Kafka
import Testing

/// A rough throughput measurement, run only when `KHABAR_KAFKA_THROUGHPUT=1` (it is a measurement, not a
/// unit test). Stays under the mock's ~5 MB retention per partition: 6 × 2,000 messages of 2 KB.
@Suite(
    "Throughput on the embedded cluster",
    .enabled(if: ProcessInfo.processInfo.environment["KHABAR_KAFKA_THROUGHPUT"] == "1"))
struct ThroughputTests {
    @Test("Produce then batch-consume 12,000 messages of 2 KB")
    func produceAndConsume() async throws {
        let topic = TestSupport.unique("throughput")
        let cluster = try EmbeddedKafkaCluster(brokers: 3, topics: [(topic, 6)], logger: TestSupport.logger)
        let producer = try KafkaProducer(
            configuration: TestSupport.producerConfiguration(cluster),
            logger: TestSupport.logger
        )
        let total = 12_000
        let payload = [UInt8](repeating: 0x61, count: 2048)
        let clock = ContinuousClock()
        let (enqueueTime, produceTime) = try await onDedicatedThread {
            var enqueueTime = Duration.zero
            let produceTime = try clock.measure {
                let start = clock.now
                for index in 0..<total {
                    let message = KafkaProducerMessage(
                        topic: topic,
                        key: Array(String(index).utf8),
                        value: payload,
                        headers: [KafkaHeader(key: "id", value: Array(String(index).utf8))]
                    )
                    try producer.send(message) { _ in }
                }
                enqueueTime = start.duration(to: clock.now)
                try producer.flush(timeout: .seconds(30))
            }
            return (enqueueTime, produceTime)
        }
        let consumer = try KafkaConsumer(
            configuration: TestSupport.consumerConfiguration(cluster, group: TestSupport.unique("group")),
            logger: TestSupport.logger
        )
        try consumer.assign(
            (0..<6).map { TopicPartitionOffset(topic: topic, partition: $0, offset: KafkaOffset.beginning) })
        let (count, consumeTime) = try await onDedicatedThread {
            // The clock starts at the first message: connecting and the first fetch are not throughput.
            var count = 0
            while count == 0 {
                count += try consumer.poll(maxMessages: 1000, timeout: .milliseconds(100)).count
            }
            let time = try clock.measure {
                let deadline = clock.now.advanced(by: .seconds(60))
                while count < total, clock.now < deadline {
                    count += try consumer.poll(maxMessages: 1000, timeout: .milliseconds(100)).count
                }
            }
            return (count, time)
        }
        #expect(count == total)
        func rate(_ duration: Duration) -> Int {
            Int(Double(total) / (Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18))
        }
        print(
            "Kafka throughput: enqueue \(rate(enqueueTime)) msg/s, produce+flush \(rate(produceTime)) msg/s,",
            "batch consume \(rate(consumeTime)) msg/s"
        )
        try consumer.close()
        producer.close(timeout: .seconds(5))
    }
}
