import ArgumentParser
import ArticleAnalysis
import Foundation
import Kafka
import Logging
import Worker

/// `khabar bench`: throughput, latency and memory of khabar next to the transport and CPU ceilings.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure passthrough, analysis and pipeline speed, latency and memory in one run.",
        discussion: """
            One embedded cluster (`khabar broker` as a child process, so that its memory and CPU are not \
            counted as khabar's) serves every phase: (a) consume → produce the same bytes → commit after \
            delivery, through our Kafka module and through the C reference (CPassthrough, next to this \
            binary); (b) the analysis stage alone on one core over the seed and the dev set; (c) the full \
            worker draining the same backlog, then end-to-end latency at a fixed offered load. The exit \
            status is non-zero only for broken plumbing (nothing moved, messages lost), never for speed. \
            See docs/performance.md.
            """
    )

    @Option(help: "Backlog of the throughput phases, in messages. Default: 100000 (500 with --quick).")
    var messages: Int?

    @Option(help: "Also write the results as JSON to this file.")
    var json: String?

    @Flag(help: "Smoke mode for CI: runs in seconds; fails only on broken plumbing, never on speed.")
    var quick = false

    @Option(help: "Directory holding seed-article.txt and dev-articles.jsonl; bundled samples when absent.")
    var dataDir = "../shared/data"

    @Option(help: "Analysis lanes of the pipeline. Default: the worker's (number of cores).")
    var lanes: Int?

    @Option(help: "In-flight bound of the pipeline. Default: the worker's (1000).")
    var maxInFlight: Int?

    @Option(
        help: """
            Offered load of the latency measurement, messages per second. Default: 2000 (the target's load), \
            or half the measured pipeline throughput when that is below 4000, to stay below saturation.
            """
    )
    var latencyRate: Int?

    @Option(
        help: "Extra librdkafka property key=value for the pipeline's worker, repeatable (as `khabar run --kafka`).")
    var kafka: [String] = []

    @Option(
        help: """
            Partitions of the pipeline's output topics. Default: 12, a deployment's count; the input needs the \
            backlog's (the mock's retention), and librdkafka sends one produce request per partition, so an \
            output with as many partitions as the backlog batches almost nothing.
            """
    )
    var outputPartitions = 12

    @Option(help: "Log level of khabar and the embedded cluster.")
    var logLevel = "warning"

    /// Half of the mock cluster's ~5 MB retention per partition: the most one partition of a backlog holds.
    static let bytesPerPartition = 2_500_000

    func validate() throws {
        if let messages, messages < 1 { throw ValidationError("--messages must be at least 1") }
        if let latencyRate, latencyRate < 1 { throw ValidationError("--latency-rate must be at least 1") }
        if outputPartitions < 1 { throw ValidationError("--output-partitions must be at least 1") }
        _ = try Environment.kafkaProperties(kafka)
    }

    func run() async throws {
        let logger = try LogSetup.bootstrap(level: logLevel)
        let inputs = try BenchInputs.load(dataDirectory: dataDir)
        let analyzer = ArticleAnalyzer(classifier: try WorkerOptions.parse([]).classifier())
        let count = messages ?? (quick ? 500 : 100_000)
        let averageBytes = inputs.corpus.reduce(0) { $0 + $1.count } / inputs.corpus.count
        let partitions = max(6, (count * averageBytes + Self.bytesPerPartition - 1) / Self.bytesPerPartition)
        let topics = BenchTopics()
        // The pipeline phases' near-duplicate state files (SQLite), removed at the end.
        let stateDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("khabar-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: stateDirectory) }
        let broker = try BenchChild(
            executable: BenchExecutables.khabar,
            arguments: [
                "broker", "--partitions", "\(partitions)", "--topics",
                topics.specs(outputPartitions: outputPartitions).joined(separator: ","),
                "--log-level", logLevel,
            ]
        )
        defer { broker.stop() }
        let bootstrap = try await onDedicatedThread("bench-broker") { try broker.readLine() }
        var report = BenchReport(
            messages: count,
            averageMessageBytes: averageBytes,
            partitions: partitions,
            outputPartitions: outputPartitions,
            corpus: inputs.corpusName,
            sizing: """
                backlog \(count) × \(averageBytes) B over \(partitions) partitions = \
                \(count * averageBytes / partitions / 1000) kB per partition (mock retention ~5 MB per partition, \
                budget \(Self.bytesPerPartition / 1000) kB): the whole backlog is written first and nothing is \
                purged before it is read; the latency feeder runs at a fixed rate, so its lag is bounded by \
                rate × latency; the pipeline's output and dead-letter topics have \(outputPartitions) partitions
                """,
            quick: quick
        )
        print("khabar bench: \(report.sizing)")
        print("embedded cluster: `khabar broker` child pid \(broker.pid) at \(bootstrap)")

        try await onDedicatedThread("bench-backlog") {
            try fillBacklog(
                bootstrap: bootstrap,
                topic: topics.input,
                partitions: partitions,
                payloads: inputs.corpus,
                count: count,
                logger: logger
            )
        }
        let analysisSeconds = quick ? 0.2 : 2.0
        report.analysisSeed = try await AnalysisPhase.run(
            analyzer: analyzer,
            payloads: [inputs.seed],
            minimumSeconds: analysisSeconds
        )
        report.analysisCorpus = try await AnalysisPhase.run(
            analyzer: analyzer,
            payloads: inputs.corpus,
            minimumSeconds: analysisSeconds
        )
        report.pipeline = try await PipelinePhase.runThroughput(
            configuration: PipelinePhase.configuration(
                bootstrap: bootstrap,
                topics: .init(
                    input: topics.input, output: topics.pipelineOutput, deadLetter: topics.pipelineDeadLetter,
                    fingerprints: topics.pipelineFingerprints),
                stateDirectory: stateDirectory,
                lanes: lanes,
                maxInFlight: maxInFlight,
                kafkaProperties: try Environment.kafkaProperties(kafka)
            ),
            analyzer: analyzer,
            count: count,
            logger: logger
        )
        // Latency is measured below saturation: at the target's 2,000 msgs/s, or at half the measured
        // throughput when this machine's pipeline cannot sustain twice that.
        let measuredRate = Int(report.pipeline?.messagesPerSecond ?? 0)
        let rate = latencyRate ?? max(1, min(2000, measuredRate / 2))
        if latencyRate == nil, rate < 2000 {
            print("latency: offering \(rate) msgs/s (half the pipeline's \(measuredRate) msgs/s) instead of 2000")
        }
        report.latency = try await PipelinePhase.runLatency(
            configuration: PipelinePhase.configuration(
                bootstrap: bootstrap,
                topics: .init(
                    input: topics.latencyInput, output: topics.latencyOutput, deadLetter: topics.latencyDeadLetter,
                    fingerprints: topics.latencyFingerprints),
                stateDirectory: stateDirectory,
                lanes: lanes,
                maxInFlight: maxInFlight,
                kafkaProperties: try Environment.kafkaProperties(kafka)
            ),
            analyzer: analyzer,
            partitions: partitions,
            outputPartitions: outputPartitions,
            payloads: inputs.corpus,
            rate: rate,
            seconds: quick ? 1 : 5,
            warmup: quick ? 50 : 200,
            logger: logger
        )
        report.fingerprints = try await FingerprintPhase.run(
            count: count,
            stateDirectory: stateDirectory,
            writeInterval: WorkerConfiguration(bootstrapServers: bootstrap).stateWriteInterval
        )
        // The passthroughs run last: the heap a phase frees stays partly resident (glibc keeps fragmented
        // arenas), and a pipeline measured after them started from their 64 MiB prefetch's leftovers.
        // Alternating rounds, best of each side: this shared machine only ever slows a run down, and the two
        // sides' single runs varied by up to 36 % between identical invocations.
        let passthroughRounds = quick ? 1 : 3
        if BenchExecutables.cPassthrough == nil {
            logger.warning("CPassthrough not found next to khabar (build it with `swift build`): C reference skipped")
        }
        for _ in 0..<passthroughRounds {
            if let executable = BenchExecutables.cPassthrough {
                let result = try await onDedicatedThread("bench-c") {
                    try PassthroughPhase.runC(
                        executable: executable,
                        bootstrap: bootstrap,
                        input: topics.input,
                        output: topics.cPassthroughOutput,
                        partitions: partitions,
                        count: count
                    )
                }
                report.cPassthroughRounds.append(result)
            }
            let result = try await onDedicatedThread("bench-swift") {
                try PassthroughPhase.runSwift(
                    bootstrap: bootstrap,
                    input: topics.input,
                    output: topics.swiftPassthroughOutput,
                    partitions: partitions,
                    count: count,
                    logger: logger
                )
            }
            report.passthroughRounds.append(result)
        }
        print(report.table())
        if let json {
            try report.jsonData().write(to: URL(fileURLWithPath: json))
        }
    }
}

/// The topics of one bench run.
struct BenchTopics: Sendable {
    /// The backlog every throughput phase reads (each under its own group).
    let input = "bench.backlog"
    /// Output of the C passthrough.
    let cPassthroughOutput = "bench.passthrough-c"
    /// Output of the Swift passthrough.
    let swiftPassthroughOutput = "bench.passthrough-swift"
    /// Output of the pipeline throughput run.
    let pipelineOutput = "bench.enriched"
    /// Dead letters of the pipeline throughput run.
    let pipelineDeadLetter = "bench.dlq"
    /// Fingerprints of the pipeline throughput run.
    let pipelineFingerprints = "bench.fingerprints"
    /// Input of the latency run.
    let latencyInput = "bench.latency-raw"
    /// Output of the latency run.
    let latencyOutput = "bench.latency-enriched"
    /// Dead letters of the latency run.
    let latencyDeadLetter = "bench.latency-dlq"
    /// Fingerprints of the latency run.
    let latencyFingerprints = "bench.latency-fingerprints"

    /// The topics the cluster creates, as `khabar broker --topics` items: the inputs and the passthroughs'
    /// outputs (written to the input's partition) with the broker's default count, the backlog's; the
    /// pipeline's outputs with `outputPartitions`; the fingerprint topics with the deployed count, 6
    /// (`deploy/compose/create-topics.sh`; the mock has no compaction).
    func specs(outputPartitions: Int) -> [String] {
        [input, cPassthroughOutput, swiftPassthroughOutput, latencyInput]
            + [pipelineOutput, pipelineDeadLetter, latencyOutput, latencyDeadLetter].map { "\($0):\(outputPartitions)" }
            + [pipelineFingerprints, latencyFingerprints].map { "\($0):6" }
    }
}

/// The articles a bench run uses.
struct BenchInputs: Sendable {
    /// One 4.8 KB Arabic article (`seed-article.txt`), or the first bundled sample.
    var seed: [UInt8]
    /// The dev set (`dev-articles.jsonl`, one envelope per line), or the bundled samples.
    var corpus: [[UInt8]]
    /// Where ``corpus`` came from: ``devSetName`` or "bundled samples".
    var corpusName: String

    /// ``corpusName`` of the dev set, on which the analysis targets are stated.
    static let devSetName = "dev-articles.jsonl"

    /// Reads the seed and the dev set from `dataDirectory`, falling back to the bundled samples.
    static func load(dataDirectory: String) throws -> BenchInputs {
        let directory = URL(fileURLWithPath: dataDirectory)
        let samples = try Articles.samples().map(\.bytes)
        guard let firstSample = samples.first else {
            throw BenchError(code: .noInput, message: "no bundled samples")
        }
        let seedURL = directory.appendingPathComponent("seed-article.txt")
        let seed = (try? Data(contentsOf: seedURL)).map { Array($0) } ?? firstSample
        let devPath = directory.appendingPathComponent("dev-articles.jsonl").path
        if FileManager.default.fileExists(atPath: devPath) {
            let corpus = try Articles.read(paths: [devPath]).map(\.bytes)
            if !corpus.isEmpty { return BenchInputs(seed: seed, corpus: corpus, corpusName: devSetName) }
        }
        return BenchInputs(seed: seed, corpus: samples, corpusName: "bundled samples")
    }
}
