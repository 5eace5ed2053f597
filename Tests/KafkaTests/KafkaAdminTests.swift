import Kafka
import Testing

/// The admin client's local failures; its success paths need a real broker (tier 2, `Tier2AdminTests`).
@Suite struct KafkaAdminTests {
    @Test func anInvalidPartitionCountIsRejectedBeforeAnyRequest() throws {
        let admin = try KafkaAdmin(bootstrapServers: "127.0.0.1:1")
        let error = #expect(throws: KafkaError.self) {
            try admin.createTopics([(name: "bad", partitions: 1_000_000, config: [:])], timeout: .seconds(1))
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.hasPrefix("bad: ") == true)
    }

    @Test func anUnreachableClusterTimesOut() throws {
        let admin = try KafkaAdmin(bootstrapServers: "127.0.0.1:1")
        let clock = ContinuousClock()
        let start = clock.now
        let error = #expect(throws: KafkaError.self) {
            try admin.createTopics([NewTopic(name: "never", partitions: 1)], timeout: .seconds(1))
        }
        #expect(error?.code == .timedOut)
        #expect(clock.now - start < .seconds(5))
    }
}
