import Foundation
import Testing

/// `khabar bench --quick` as CI runs it: the plumbing of every phase works, the JSON has its keys.
@Suite("khabar bench --quick", .serialized)
struct BenchSmokeTests {
    @Test("runs every phase, exits 0 and writes the JSON keys")
    func quickRun() async throws {
        let json = FileManager.default.temporaryDirectory
            .appendingPathComponent("khabar-bench-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: json) }
        let bench = try KhabarProcess(["bench", "--quick", "--json", json.path])
        let status = try await bench.waitForExit(timeout: .seconds(120))
        let output = bench.lines.all.joined(separator: "\n")
        #expect(status == 0, "khabar bench --quick exited \(status); output: \(output)")

        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any]
        let results = try #require(object)
        for key in [
            "passthrough_msgs_per_s", "analysis_articles_per_s_per_core", "pipeline_msgs_per_s", "pipeline_cores",
            "latency_p50_ms", "latency_p99_ms", "rss_peak_mb",
        ] {
            let value = try #require(results[key] as? Double, "missing or non-numeric \(key)")
            #expect(value > 0, "\(key) = \(value)")
        }
        #expect(results["messages"] as? Int == 500)
        #expect(results["output_partitions"] as? Int == 12)
        // The table went to stdout too.
        #expect(bench.lines.all.contains { $0.hasPrefix("(c) pipeline") })
    }

    @Test("rejects a zero-size backlog before starting anything")
    func rejectsEmptyBacklog() async throws {
        let bench = try KhabarProcess(["bench", "--quick", "--messages", "0"])
        let status = try await bench.waitForExit(timeout: .seconds(30))
        #expect(status != 0)
    }
}
