import Foundation
import Kafka
import Logging

/// What one throughput phase moved, in how much wall and CPU time, at what peak memory.
struct ThroughputResult: Sendable {
    /// Messages that went all the way through.
    var messages: Int
    /// Payload bytes that went through.
    var bytes: Int
    /// Wall seconds from the first message in to the last one out.
    var seconds: Double
    /// CPU seconds of the measuring process over the same interval.
    var cpuSeconds: Double
    /// Peak RSS of the measuring process during the phase, MB.
    var rssPeakMB: Double
    /// CPU seconds over the same interval by group of threads (see ``PipelinePhase/threadGroup(_:)``), for
    /// the pipeline; empty for the passthroughs.
    var threadGroupCPUSeconds: [String: Double] = [:]

    /// Messages per second.
    var messagesPerSecond: Double { seconds > 0 ? Double(messages) / seconds : 0 }
    /// Payload MB per second.
    var megabytesPerSecond: Double { seconds > 0 ? Double(bytes) / 1_000_000 / seconds : 0 }
    /// Cores used: CPU time / wall time.
    var cores: Double { seconds > 0 ? cpuSeconds / seconds : 0 }
    /// ``threadGroupCPUSeconds`` per message, in microseconds.
    var cpuMicrosecondsPerMessageByThreadGroup: [String: Double] {
        messages > 0 ? threadGroupCPUSeconds.mapValues { $0 / Double(messages) * 1e6 } : [:]
    }
}

/// Phase (a): consume, produce the same bytes to the same partition of another topic, store the input
/// offset after the output's delivery report, commit — through our `Kafka` module, and through the C
/// reference built from the same librdkafka.
///
/// Both read the backlog with `assign` from the beginning (no group join: the mock cluster's first join
/// costs ~3 s) and commit under their own group id. Same settings on both sides: `fetch.wait.max.ms=5`,
/// `queued.max.messages.kbytes=65536`, `isolation.level=read_uncommitted`, idempotent producer with
/// `linger.ms=5`.
enum PassthroughPhase {
    /// The Swift passthrough over ``KafkaConsumer`` and ``KafkaProducer``, on the calling (dedicated) thread.
    static func runSwift(
        bootstrap: String,
        input: String,
        output: String,
        partitions: Int,
        count: Int,
        logger: Logger
    ) throws -> ThroughputResult {
        ResourceMeter.resetPeakRSS()
        var consumerConfiguration = KafkaConsumerConfiguration(
            bootstrapServers: bootstrap,
            groupID: "khabar-bench-swift-\(UUID().uuidString)"
        )
        consumerConfiguration.clientID = "khabar-bench-swift"
        consumerConfiguration.fetchWaitMaxMilliseconds = 5
        consumerConfiguration.isolationLevel = .readUncommitted  // the C reference's (librdkafka's default)
        let consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: logger)
        var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: bootstrap)
        producerConfiguration.clientID = "khabar-bench-swift"
        let producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
        try consumer.assign(
            (0..<partitions).map {
                TopicPartitionOffset(topic: input, partition: Int32($0), offset: KafkaOffset.beginning)
            }
        )
        let counter = DeliveryCounter()
        var consumed = 0
        var stopwatch: Stopwatch?
        var lastProgress = ContinuousClock.now
        var lastFinished = 0
        while counter.deliveredCount + counter.failedCount < count {
            let batch = consumed < count ? try consumer.poll(maxMessages: 500, timeout: .milliseconds(5)) : []
            if batch.isEmpty, consumed >= count { Thread.sleep(forTimeInterval: 0.001) }
            for message in batch {
                if stopwatch == nil { stopwatch = Stopwatch() }
                consumed += 1
                let size = message.value.count
                let partition = message.partition
                let next = message.offset + 1
                let copy = KafkaProducerMessage(
                    topic: output,
                    partition: partition,
                    key: message.key,
                    value: message.value
                )
                try sendRetryingQueueFull(producer, copy) { result in
                    if case .success = result {
                        try? consumer.storeOffset(topic: input, partition: partition, offset: next)
                    }
                    counter.record(result, size: size)
                }
            }
            let finished = counter.deliveredCount + counter.failedCount
            if !batch.isEmpty || finished != lastFinished {
                lastProgress = .now
                lastFinished = finished
            } else if ContinuousClock.now - lastProgress > .seconds(30) {
                break
            }
        }
        let seconds = stopwatch?.elapsedSeconds ?? 0
        let cpuSeconds = stopwatch?.cpuSeconds ?? 0
        try consumer.commit()
        producer.close(timeout: .seconds(10))
        try consumer.close()
        guard counter.deliveredCount == count else {
            throw BenchError(
                code: .lostMessages,
                message:
                    "Swift passthrough: \(counter.deliveredCount) of \(count) delivered, \(counter.failedCount) failed"
            )
        }
        return ThroughputResult(
            messages: count,
            bytes: counter.deliveredBytes,
            seconds: seconds,
            cpuSeconds: cpuSeconds,
            rssPeakMB: ResourceMeter.peakRSSMegabytes()
        )
    }

    /// The result line the C passthrough prints.
    private struct CReport: Decodable {
        var messages: Int
        var bytes: Int
        var seconds: Double
        var cpuSeconds: Double
        var rssPeakKilobytes: Double

        enum CodingKeys: String, CodingKey {
            case messages, bytes, seconds
            case cpuSeconds = "cpu_seconds"
            case rssPeakKilobytes = "rss_peak_kb"
        }
    }

    /// The C passthrough (`Sources/CPassthrough`) as a child process; its own VmHWM is its peak RSS.
    static func runC(
        executable: URL,
        bootstrap: String,
        input: String,
        output: String,
        partitions: Int,
        count: Int
    ) throws -> ThroughputResult {
        let child = try BenchChild(
            executable: executable,
            arguments: [
                bootstrap, input, output, "khabar-bench-c-\(UUID().uuidString)", "\(partitions)", "\(count)", "30",
            ]
        )
        let line = try child.readLine()
        let status = child.wait()
        guard let report = try? JSONDecoder().decode(CReport.self, from: Data(line.utf8)) else {
            throw BenchError(code: .childProcess, message: "C passthrough printed '\(line)' (exit \(status))")
        }
        guard status == 0, report.messages == count else {
            throw BenchError(
                code: .lostMessages,
                message: "C passthrough: \(report.messages) of \(count) delivered (exit \(status))"
            )
        }
        return ThroughputResult(
            messages: report.messages,
            bytes: report.bytes,
            seconds: report.seconds,
            cpuSeconds: report.cpuSeconds,
            rssPeakMB: report.rssPeakKilobytes / 1024
        )
    }
}
