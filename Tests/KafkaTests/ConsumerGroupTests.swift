import Foundation
import Kafka
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Consumer groups against the embedded cluster")
struct ConsumerGroupTests {
    @Test("After commit and close, the next member resumes right after the last committed offset")
    func commitCloseRestart() async throws {
        let topic = TestSupport.unique("restart")
        let group = TestSupport.unique("group")
        let cluster = try EmbeddedKafkaCluster(brokers: 3, topics: [(topic, 2)], logger: TestSupport.logger)
        let producer = try KafkaProducer(
            configuration: TestSupport.producerConfiguration(cluster),
            logger: TestSupport.logger
        )
        let total = 40
        for index in 0..<total {
            try producer.send(
                KafkaProducerMessage(topic: topic, partition: Int32(index % 2), value: TestSupport.bytes("m\(index)"))
            ) { _ in }
        }
        try await onDedicatedThread { try producer.flush(timeout: .seconds(10)) }

        let configuration = TestSupport.consumerConfiguration(cluster, group: group)
        let firstRun = try await onDedicatedThread {
            let consumer = try KafkaConsumer(configuration: configuration, logger: TestSupport.logger)
            try consumer.subscribe(topics: [topic])
            let messages = try consume(consumer, count: 15, timeout: .seconds(20))
            for message in messages {
                try consumer.storeOffset(topic: message.topic, partition: message.partition, offset: message.offset + 1)
            }
            try consumer.commit()
            try consumer.close()
            try consumer.close()  // idempotent
            return messages
        }
        #expect(firstRun.count == 15)

        let (committed, secondRun) = try await onDedicatedThread {
            let consumer = try KafkaConsumer(configuration: configuration, logger: TestSupport.logger)
            let committed = try consumer.committed(
                [TopicPartition(topic: topic, partition: 0), TopicPartition(topic: topic, partition: 1)],
                timeout: .seconds(5)
            )
            try consumer.subscribe(topics: [topic])
            var messages = try consume(consumer, count: total - firstRun.count, timeout: .seconds(20))
            // Anything beyond the expected count would be a redelivery.
            messages += try consume(consumer, count: 1, timeout: .milliseconds(500))
            try consumer.close()
            return (committed, messages)
        }

        for partition: Int32 in [0, 1] {
            let first = firstRun.filter { $0.partition == partition }.map(\.offset)
            let second = secondRun.filter { $0.partition == partition }.map(\.offset)
            let next = (first.max() ?? -1) + 1
            #expect(
                committed.first { $0.partition == partition }?.offset == (first.isEmpty ? KafkaOffset.invalid : next))
            #expect(first == Array(0..<next), "first run reads partition \(partition) from the start, in order")
            #expect(second == Array(next..<Int64(total / 2)), "no gap, no redelivery on partition \(partition)")
        }
        producer.close(timeout: .seconds(5))
    }

    @Test("The revoke handler runs before unassign: offsets it stores are committed by close")
    func revokeHandlerStoresBeforeUnassign() async throws {
        let topic = TestSupport.unique("revoke")
        let group = TestSupport.unique("group")
        let cluster = try EmbeddedKafkaCluster(brokers: 1, topics: [(topic, 2)], logger: TestSupport.logger)
        let producer = try KafkaProducer(
            configuration: TestSupport.producerConfiguration(cluster),
            logger: TestSupport.logger
        )
        for index in 0..<10 {
            try producer.send(
                KafkaProducerMessage(topic: topic, partition: Int32(index % 2), value: TestSupport.bytes("m\(index)"))
            ) { _ in }
        }
        try await onDedicatedThread { try producer.flush(timeout: .seconds(10)) }

        // The handler needs the consumer: the application keeps it in a box filled after init.
        let box = Mutex<KafkaConsumer?>(nil)
        let processed = Mutex<[TopicPartition: Int64]>([:])
        let duringRevoke = Recorder<(assignment: Set<TopicPartition>, stored: Bool)>()
        let configuration = TestSupport.consumerConfiguration(cluster, group: group)
        let consumer = try KafkaConsumer(configuration: configuration, logger: TestSupport.logger) { event in
            guard case .revoked(let partitions) = event, let consumer = box.withLock({ $0 }) else { return }
            let assignment = Set((try? consumer.assignment()) ?? [])
            let offsets = processed.withLock { processed in
                partitions.compactMap { partition in
                    processed[partition].map {
                        TopicPartitionOffset(topic: partition.topic, partition: partition.partition, offset: $0 + 1)
                    }
                }
            }
            let stored = (try? consumer.storeOffsets(offsets)) != nil
            duringRevoke.append((assignment, stored))
        }
        box.withLock { $0 = consumer }
        try consumer.subscribe(topics: [topic])
        let read = try await onDedicatedThread {
            let messages = try consume(consumer, count: 6, timeout: .seconds(20))
            for message in messages {
                processed.withLock {
                    $0[TopicPartition(topic: message.topic, partition: message.partition)] = message.offset
                }
            }
            try consumer.close()  // revokes: the handler stores, close commits
            return messages
        }
        box.withLock { $0 = nil }
        #expect(read.count == 6)
        let allPartitions = Set((0..<2).map { TopicPartition(topic: topic, partition: Int32($0)) })
        let revoke = try #require(duringRevoke.all.first)
        #expect(revoke.assignment == allPartitions, "partitions are still assigned inside the handler")
        #expect(revoke.stored)

        let checker = try KafkaConsumer(configuration: configuration, logger: TestSupport.logger)
        let committed = try await onDedicatedThread {
            try checker.committed(Array(allPartitions), timeout: .seconds(5))
        }
        #expect(committed.count == 2)
        for offset in committed {
            let last = read.filter { $0.partition == offset.partition }.map(\.offset).max()
            #expect(offset.offset == (last.map { $0 + 1 } ?? KafkaOffset.invalid))
        }
        producer.close(timeout: .seconds(5))
    }

    @Test("cooperative-sticky: two members converge and every message is read (incremental assign)")
    func cooperativeStickyConverges() async throws {
        let topic = TestSupport.unique("cooperative")
        let group = TestSupport.unique("group")
        let cluster = try EmbeddedKafkaCluster(brokers: 3, topics: [(topic, 4)], logger: TestSupport.logger)
        var configuration = TestSupport.consumerConfiguration(cluster, group: group)
        configuration.partitionAssignmentStrategy = "cooperative-sticky"
        let firstEvents = Recorder<RebalanceEvent>()
        let first = try KafkaConsumer(configuration: configuration, logger: TestSupport.logger) {
            firstEvents.append($0)
        }
        try first.subscribe(topics: [topic])
        let firstPoller = BackgroundPoller(consumer: first)
        #expect(try await eventually(timeout: .seconds(20)) { try first.assignment().count == 4 })

        let second = try KafkaConsumer(configuration: configuration, logger: TestSupport.logger)
        try second.subscribe(topics: [topic])
        let secondPoller = BackgroundPoller(consumer: second)
        #expect(
            try await eventually(timeout: .seconds(40)) {
                try first.assignment().count == 2 && second.assignment().count == 2
            }
        )
        // Incremental: the first member never had all partitions revoked at once.
        // Incremental: the first member gives up only the two partitions that move (eager would revoke all 4).
        let revokedOrLost = firstEvents.all.compactMap { event -> Int? in
            switch event {
            case .revoked(let partitions), .lost(let partitions): partitions.count
            case .assigned: nil
            }
        }
        #expect(revokedOrLost.contains(2) && !revokedOrLost.contains(4), "\(firstEvents.all)")

        let producer = try KafkaProducer(
            configuration: TestSupport.producerConfiguration(cluster),
            logger: TestSupport.logger
        )
        let total = 40
        for index in 0..<total {
            try producer.send(
                KafkaProducerMessage(topic: topic, partition: Int32(index % 4), value: TestSupport.bytes("m\(index)"))
            ) { _ in }
        }
        try await onDedicatedThread { try producer.flush(timeout: .seconds(10)) }
        func read() -> Set<[UInt8]> { Set((firstPoller.messages + secondPoller.messages).map(\.value)) }
        #expect(try await eventually(timeout: .seconds(20)) { read().count == total }, "no message lost")
        #expect(!firstPoller.messages.isEmpty && !secondPoller.messages.isEmpty, "both members did work")

        try await firstPoller.stop()
        try await secondPoller.stop()
        try await onDedicatedThread {
            try first.close()
            try second.close()
        }
        producer.close(timeout: .seconds(5))
    }

    /// What a handler captures may hold the consumer (a worker's clients do): `close` must let go of it,
    /// after running it for the final revocation.
    @Test("close runs the rebalance handler for the revocation, then releases it")
    func closeReleasesTheRebalanceHandler() throws {
        final class Captured: Sendable {
            let events = Recorder<RebalanceEvent>()
        }
        let topic = TestSupport.unique("release")
        let cluster = try EmbeddedKafkaCluster(brokers: 1, topics: [(topic, 1)], logger: TestSupport.logger)
        defer { cluster.close() }
        weak var released: Captured?
        let consumer: KafkaConsumer
        let events: Recorder<RebalanceEvent>
        do {
            let captured = Captured()
            released = captured
            events = captured.events
            consumer = try KafkaConsumer(
                configuration: TestSupport.consumerConfiguration(cluster, group: TestSupport.unique("group")),
                logger: TestSupport.logger,
                rebalanceHandler: { captured.events.append($0) }
            )
        }
        try consumer.subscribe(topics: [topic])
        let deadline = ContinuousClock.now + .seconds(20)
        while events.all.isEmpty, ContinuousClock.now < deadline {
            _ = try consumer.poll(maxMessages: 10, timeout: .milliseconds(100))
        }
        #expect(released != nil, "the open consumer's handler holds what it captured")
        try consumer.close()
        guard case .revoked = events.all.last else {
            Issue.record("no revocation inside close: \(events.all)")
            return
        }
        #expect(released == nil, "the closed consumer still holds its rebalance handler")
    }

    @Test("A member in another process (kcat) shares the partitions, and leaving gives them all back")
    func sharesPartitionsWithAnotherProcess() async throws {
        let kcat = URL(fileURLWithPath: "/usr/bin/kcat")
        try #require(FileManager.default.isExecutableFile(atPath: kcat.path), "kcat is needed for this test")
        let topic = TestSupport.unique("shared")
        let group = TestSupport.unique("group")
        let cluster = try EmbeddedKafkaCluster(brokers: 3, topics: [(topic, 4)], logger: TestSupport.logger)
        let events = Recorder<RebalanceEvent>()
        let consumer = try KafkaConsumer(
            configuration: TestSupport.consumerConfiguration(cluster, group: group),
            logger: TestSupport.logger,
            rebalanceHandler: { events.append($0) }
        )
        try consumer.subscribe(topics: [topic])
        let poller = BackgroundPoller(consumer: consumer)
        let allPartitions = Set((0..<4).map { TopicPartition(topic: topic, partition: $0) })
        func lastAssigned() -> Set<TopicPartition>? {
            guard case .assigned(let partitions) = events.all.last else { return nil }
            return Set(partitions)
        }

        #expect(try await eventually(timeout: .seconds(20)) { lastAssigned() == allPartitions })
        #expect(Set(try consumer.assignment()) == allPartitions)

        let process = Process()
        process.executableURL = kcat
        process.arguments = [
            "-q", "-u", "-b", cluster.bootstrapServers, "-G", group,
            "-X", "partition.assignment.strategy=range", "-X", "session.timeout.ms=6000",
            "-X", "fetch.wait.max.ms=10", "-X", "auto.offset.reset=earliest", "-f", "%p %s\\n", topic,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let kcatLines = LineCollector()
        try await startWithSignalsUnblocked(process)
        PipeReader.start(output.fileHandleForReading) { kcatLines.append($0) }
        defer { if process.isRunning { process.terminate() } }

        #expect(try await eventually(timeout: .seconds(40)) { (lastAssigned()?.count ?? 0) == 2 })
        let ours = try #require(lastAssigned())
        #expect(
            events.all.contains {
                guard case .revoked(let partitions) = $0 else { return false }
                return Set(partitions) == allPartitions
            },
            "the eager protocol revokes everything before the split"
        )

        let producer = try KafkaProducer(
            configuration: TestSupport.producerConfiguration(cluster),
            logger: TestSupport.logger
        )
        for partition: Int32 in 0..<4 {
            _ = try await producer.send(
                KafkaProducerMessage(topic: topic, partition: partition, value: TestSupport.bytes("p\(partition)"))
            )
        }
        // Every message is read by one of the two members; on a loaded machine the group may rebalance
        // again meanwhile, so the split is checked loosely: kcat must have read the partitions that were
        // not ours, and we at least one of ours.
        func ourPartitions() -> Set<Int32> { Set(poller.messages.map(\.partition)) }
        func kcatPartitions() -> Set<Int32> {
            Set(kcatLines.all.compactMap { line in line.split(separator: " ").first.flatMap { Int32($0) } })
        }
        let theirs = Set(allPartitions.subtracting(ours).map(\.partition))
        #expect(
            try await eventually(timeout: .seconds(30)) {
                ourPartitions().union(kcatPartitions()) == [0, 1, 2, 3] && theirs.isSubset(of: kcatPartitions())
            },
            "ours: \(ourPartitions()), kcat: \(kcatLines.all)"
        )
        #expect(!ourPartitions().isDisjoint(with: ours.map(\.partition)))

        process.terminate()  // SIGTERM: kcat leaves the group cleanly
        #expect(try await eventually(timeout: .seconds(15)) { !process.isRunning })
        #expect(try await eventually(timeout: .seconds(40)) { lastAssigned() == allPartitions })

        try await poller.stop()
        #expect(poller.errors.isEmpty)
        try await onDedicatedThread { try consumer.close() }
        producer.close(timeout: .seconds(5))
    }
}

/// Starts `process` from a fresh thread whose signal mask is empty. A child inherits the signal mask of the
/// thread that spawns it, and the cooperative pool's threads block signals: a child spawned from there
/// would ignore the SIGTERM that lets kcat leave the group cleanly.
private func startWithSignalsUnblocked(_ process: Process) async throws {
    try await onDedicatedThread {
        var all = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_UNBLOCK, &all, nil)
        try process.run()
    }
}
