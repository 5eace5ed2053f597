import Foundation
import Worker

/// Phase (d): the fleet-wide near-duplicate table alone, without Kafka, as a worker uses it: a state file,
/// the pipeline phase's 50,000-entry cap, the worker's ``WorkerConfiguration/stateWriteInterval``, and the
/// caught-up tail's batches of ``tailBatch`` entries (200 ms at 15,000 articles/s).
///
/// Every worker tails every worker's fingerprints into its own table, so its tail's cost per *fleet* article
/// bounds how far a fleet scales out: one core of tail per worker at `1 / fleet cost` fleet articles per
/// second. The pipeline phase runs one worker and cannot show it.
enum FingerprintPhase {
    /// Entries the caught-up tail applies at once.
    static let tailBatch = 3000
    /// Entries the table keeps (the pipeline phase's cap).
    static let maxEntries = 50_000

    /// What one run measured.
    struct Result: Sendable {
        /// Articles in each of the two measurements.
        var articles: Int
        /// CPU microseconds per own article: looked up and admitted (a lane), then applied from the topic
        /// (the tail) and written to the file.
        var ownMicroseconds: Double
        /// CPU microseconds per fleet article: another worker's fingerprint, applied from the topic and
        /// written to the file.
        var fleetMicroseconds: Double

        /// Fleet articles per second that one core of tail applies.
        var fleetArticlesPerCoreSecond: Double { fleetMicroseconds > 0 ? 1e6 / fleetMicroseconds : 0 }
    }

    /// Measures `count` own and `count` fleet articles, each on a fresh table with its state file in
    /// `stateDirectory`. Ids are 36 random hex digits and dashes (like UUIDs or hashed URLs: the file's
    /// B-tree sees them in random order), fingerprints random (distinct articles).
    static func run(count: Int, stateDirectory: String, writeInterval: Duration) async throws -> Result {
        try await onDedicatedThread("bench-dedup") {
            var generator = SystemRandomNumberGenerator()
            let entries = (0..<count).map { index in
                FingerprintEntry(
                    id: randomID(&generator),
                    exact: generator.next(),
                    simhash: generator.next(),
                    seenAt: 1_700_000_000_000 + Int64(index)
                )
            }
            func measure(_ name: String, admitting: Bool) throws -> Double {
                let index = try FingerprintIndex(
                    configuration: FingerprintIndexConfiguration(
                        path: "\(stateDirectory)/dedup-\(name).sqlite", maxEntries: maxEntries,
                        writeInterval: writeInterval)
                )
                let start = ResourceMeter.threadCPUSeconds()
                var batchStart = 0
                while batchStart < entries.count {
                    let batch = entries[batchStart..<min(batchStart + tailBatch, entries.count)]
                    if admitting {
                        for entry in batch { _ = index.admit(entry) }
                    }
                    batchStart += batch.count
                    index.insert(contentsOf: Array(batch), tailOffsets: [0: Int64(batchStart)])
                }
                index.flush()
                let seconds = ResourceMeter.threadCPUSeconds() - start
                if let error = index.lastPersistenceError {
                    throw BenchError(code: .stateFile, message: "near-duplicate table: \(error)")
                }
                guard index.count == min(count, maxEntries) else {
                    throw BenchError(
                        code: .lostMessages,
                        message: "near-duplicate table holds \(index.count) of \(min(count, maxEntries)) entries")
                }
                return seconds / Double(count) * 1e6
            }
            return Result(
                articles: count,
                ownMicroseconds: try measure("own", admitting: true),
                fleetMicroseconds: try measure("fleet", admitting: false)
            )
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// 36 random hex digits and dashes in the 8-4-4-4-12 layout of a UUID (`UUID().uuidString` formats
    /// through Foundation, slower to build 100,000 of).
    private static func randomID(_ generator: inout SystemRandomNumberGenerator) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(36)
        var bits = generator.next()
        var left = 16
        for position in 0..<36 {
            if position == 8 || position == 13 || position == 18 || position == 23 {
                bytes.append(UInt8(ascii: "-"))
                continue
            }
            if left == 0 {
                bits = generator.next()
                left = 16
            }
            bytes.append(hexDigits[Int(bits & 0xF)])
            bits >>= 4
            left -= 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
