import Foundation
import Kafka
import Logging
import Synchronization

/// Why a benchmark run could not produce trustworthy numbers (broken plumbing, never slowness).
struct BenchError: Error, CustomStringConvertible {
    /// What went wrong.
    enum Code: String, Sendable {
        /// A child process (the embedded cluster or the C passthrough) failed or printed nonsense.
        case childProcess
        /// Messages were sent but not all came back out.
        case lostMessages
        /// A phase moved nothing.
        case zeroThroughput
        /// Nothing to analyse was found.
        case noInput
        /// The near-duplicate table's state file could not be written.
        case stateFile
    }

    /// The kind of failure.
    var code: Code
    /// What happened, for the operator.
    var message: String

    var description: String { "\(code.rawValue): \(message)" }
}

/// Process resource accounting on Linux: peak RSS from `/proc/self/status`, CPU time from `clock_gettime` (the CPU-time clocks).
enum ResourceMeter {
    /// Returns freed heap memory to the system (`malloc_trim`), so that a phase does not inherit the
    /// previous phase's high-water mark, then resets the peak RSS (VmHWM) to the current RSS by writing "5"
    /// to `/proc/self/clear_refs`.
    static func resetPeakRSS() {
        // `malloc_trim` is declared in <malloc.h>, which the Glibc module does not import; glibc's
        // RTLD_DEFAULT is the null handle.
        if let symbol = dlsym(nil, "malloc_trim") {
            typealias MallocTrim = @convention(c) (Int) -> Int32
            _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        }
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return }
        handle.write(Data("5".utf8))
        try? handle.close()
    }

    /// The peak resident set size since start or the last ``resetPeakRSS()``, in MB (VmHWM).
    static func peakRSSMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kilobytes / 1024
    }

    /// CPU seconds (user + system) of the whole process.
    static func processCPUSeconds() -> Double {
        cpuSeconds(CLOCK_PROCESS_CPUTIME_ID)
    }

    /// CPU seconds (user + system) of the calling thread.
    static func threadCPUSeconds() -> Double {
        cpuSeconds(CLOCK_THREAD_CPUTIME_ID)
    }

    /// The scheduler's exact runtime, in nanoseconds like `schedstat`. Not `getrusage`: it splits that
    /// runtime into user and system time by sampled ticks and keeps both from decreasing, so a thread's
    /// few milliseconds could read as no time at all (`bench --quick`'s near-duplicate phase once did).
    private static func cpuSeconds(_ clock: clockid_t) -> Double {
        var time = timespec()
        clock_gettime(clock, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// Wall time and process CPU time between two points.
struct Stopwatch: Sendable {
    private let wallStart = ContinuousClock.now
    private let cpuStart = ResourceMeter.processCPUSeconds()

    /// Seconds since the stopwatch was created.
    var elapsedSeconds: Double { Self.seconds(ContinuousClock.now - wallStart) }

    /// Process CPU seconds since the stopwatch was created.
    var cpuSeconds: Double { ResourceMeter.processCPUSeconds() - cpuStart }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// CPU time of each thread of the process: nanoseconds on a CPU (`/proc/self/task/*/schedstat`, exact,
/// unlike the 10 ms ticks of `stat`) and name (`comm`), by thread id.
struct ThreadCPUSnapshot: Sendable {
    /// Name and nanoseconds on a CPU so far, by thread id.
    var threads: [Int: (name: String, nanoseconds: UInt64)] = [:]

    /// The process's threads now (empty where `/proc` is not available).
    static func take() -> ThreadCPUSnapshot {
        var snapshot = ThreadCPUSnapshot()
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        for task in tasks {
            guard let id = Int(task),
                let schedstat = try? String(contentsOfFile: "/proc/self/task/\(task)/schedstat", encoding: .utf8),
                let nanoseconds = schedstat.split(separator: " ").first.flatMap({ UInt64($0) }),
                let comm = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)
            else { continue }
            snapshot.threads[id] = (comm.trimmingCharacters(in: .whitespacesAndNewlines), nanoseconds)
        }
        return snapshot
    }

    /// CPU seconds per group of threads since `earlier` (`group` maps a thread name to its group; a thread
    /// started in between counts from zero, one that ended in between is missing).
    func seconds(since earlier: ThreadCPUSnapshot, group: (String) -> String) -> [String: Double] {
        var seconds: [String: Double] = [:]
        for (id, thread) in threads {
            let before = earlier.threads[id].map { $0.name == thread.name ? $0.nanoseconds : 0 } ?? 0
            seconds[group(thread.name), default: 0] +=
                Double(thread.nanoseconds &- min(before, thread.nanoseconds)) / 1e9
        }
        return seconds
    }
}

/// Runs blocking work on a dedicated thread, never on the cooperative pool, and awaits its result. `name`
/// names the OS thread (at most 15 bytes).
func onDedicatedThread<T: Sendable>(
    _ name: String,
    _ body: @escaping @Sendable () throws -> T
) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            nameCurrentThread(name)
            continuation.resume(with: Result { try body() })
        }
        thread.start()
    }
}

/// A child process of the bench (the embedded cluster or the C passthrough) with its stdout read line by line.
final class BenchChild: Sendable {
    private let process: Process
    private let output: FileHandle

    /// Starts `executable` with `arguments`; its stderr is passed through.
    init(executable: URL, arguments: [String]) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.standardError
        try process.run()
        self.process = process
        self.output = pipe.fileHandleForReading
    }

    /// The process id.
    var pid: Int32 { process.processIdentifier }

    /// Blocks until the child printed one full line (without its newline), or throws at end of output.
    func readLine() throws -> String {
        var bytes: [UInt8] = []
        while true {
            guard let chunk = try output.read(upToCount: 1), let byte = chunk.first else {
                throw BenchError(
                    code: .childProcess,
                    message: "\(process.executableURL?.lastPathComponent ?? "child") ended without output")
            }
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
    }

    /// Blocks until the child exits; returns its status.
    func wait() -> Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Asks the child to stop (SIGTERM) and waits for it.
    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

/// The executables next to the running `khabar` (SwiftPM puts every product of the package there).
enum BenchExecutables {
    /// The running `khabar` binary.
    static var khabar: URL { URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath() }

    /// The C passthrough (`Sources/CPassthrough`), or `nil` when it was not built.
    static var cPassthrough: URL? {
        let url = khabar.deletingLastPathComponent().appendingPathComponent("CPassthrough")
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
    }
}

/// A flag one thread raises and others read.
final class BenchFlag: Sendable {
    private let value: Atomic<Bool>

    /// Creates the flag with `initial`.
    init(_ initial: Bool) {
        value = Atomic(initial)
    }

    /// The current value.
    var isSet: Bool { value.load(ordering: .relaxed) }

    /// Changes the value.
    func set(_ newValue: Bool) {
        value.store(newValue, ordering: .relaxed)
    }
}

/// Counts delivery reports from producer event threads.
final class DeliveryCounter: Sendable {
    private let delivered = Atomic<Int>(0)
    private let failed = Atomic<Int>(0)
    private let bytes = Atomic<Int>(0)

    /// Records one delivery report.
    func record(_ result: Result<KafkaDeliveryReport, KafkaError>, size: Int) {
        switch result {
        case .success:
            delivered.add(1, ordering: .relaxed)
            bytes.add(size, ordering: .relaxed)
        case .failure:
            failed.add(1, ordering: .relaxed)
        }
    }

    /// Messages delivered so far.
    var deliveredCount: Int { delivered.load(ordering: .relaxed) }
    /// Messages whose delivery failed so far.
    var failedCount: Int { failed.load(ordering: .relaxed) }
    /// Payload bytes delivered so far.
    var deliveredBytes: Int { bytes.load(ordering: .relaxed) }
}

/// Sends `message` and retries while librdkafka's queue is full (blocking the calling thread, which is
/// always a dedicated bench thread).
func sendRetryingQueueFull(
    _ producer: KafkaProducer,
    _ message: KafkaProducerMessage,
    completion: @escaping @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void
) throws(KafkaError) {
    while true {
        // Not `catch where`: with typed throws that pattern crashes swiftc 6.3 -O (SIL ownership verifier).
        do {
            try producer.send(message, completion: completion)
            return
        } catch {
            guard error.code == .queueFull else { throw error }
            Thread.sleep(forTimeInterval: 0.001)
        }
    }
}

/// Writes `count` messages (the payloads, cycled) to `topic` before a phase starts — a real backlog —
/// spread round-robin over its `partitions`: with null keys librdkafka's sticky partitioner would put
/// long runs on one partition and push it past the mock cluster's retention.
///
/// The producer's own queue is capped at 16 MiB so that filling the backlog does not inflate this
/// process's memory before the phases measure it.
func fillBacklog(
    bootstrap: String,
    topic: String,
    partitions: Int,
    payloads: [[UInt8]],
    count: Int,
    logger: Logger
) throws {
    var configuration = KafkaProducerConfiguration(bootstrapServers: bootstrap)
    configuration.clientID = "khabar-bench-feeder"
    configuration.queueBufferingMaxKilobytes = 16384
    let producer = try KafkaProducer(configuration: configuration, logger: logger)
    defer { producer.close(timeout: .seconds(10)) }
    let counter = DeliveryCounter()
    for index in 0..<count {
        let value = distinctArticle(payloads, index)
        try sendRetryingQueueFull(
            producer, KafkaProducerMessage(topic: topic, partition: Int32(index % partitions), value: value)
        ) {
            counter.record($0, size: value.count)
        }
    }
    try producer.flush(timeout: .seconds(60))
    guard counter.deliveredCount == count else {
        throw BenchError(
            code: .lostMessages,
            message: "backlog: \(counter.deliveredCount) of \(count) delivered, \(counter.failedCount) failed"
        )
    }
}

/// Message `index` of a backlog or feed that cycles over `payloads`, as a distinct article: from the
/// second round on, an envelope starting with `{"id": "` gets `~round` appended to its id. A real feed
/// brings new articles; with repeated ids every message after the first round would update one of a
/// hundred-odd entries of the near-duplicate table instead of adding one, and the table and its state
/// file would sit idle. The text is unchanged, so the copies are still found as duplicates of the
/// first round. Other payloads are sent as they are.
func distinctArticle(_ payloads: [[UInt8]], _ index: Int) -> [UInt8] {
    let payload = payloads[index % payloads.count]
    let round = index / payloads.count
    let prefix = Array(#"{"id": ""#.utf8)
    guard round > 0, payload.starts(with: prefix),
        let close = payload[prefix.count...].firstIndex(of: UInt8(ascii: "\"")),
        payload[close - 1] != UInt8(ascii: "\\")
    else { return payload }
    return Array(payload[..<close]) + Array("~\(round)".utf8) + Array(payload[close...])
}

/// Percentile of sorted values (nearest rank).
func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}
