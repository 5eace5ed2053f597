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
            "latency_p50_ms", "latency_p99_ms", "rss_peak_mb", "dedup_own_cpu_us_per_article",
            "dedup_fleet_cpu_us_per_article", "dedup_fleet_articles_per_core_s",
        ] {
            let value = try #require(results[key] as? Double, "missing or non-numeric \(key)")
            #expect(value > 0, "\(key) = \(value)")
        }
        // The pipeline's CPU per message by group of threads adds up to the process's (within clock granularity).
        let groups = try #require(
            results["pipeline_cpu_us_per_msg_by_thread_group"] as? [String: Double], "no CPU breakdown")
        #expect(
            Set(groups.keys) == [
                "analysis lanes", "librdkafka", "delivery reports", "consumer", "fingerprint tail", "other",
                "ended threads",
            ])
        #expect(groups.values.allSatisfy { $0 >= 0 })
        if let cores = results["pipeline_cores"] as? Double, let rate = results["pipeline_msgs_per_s"] as? Double {
            let total = cores / rate * 1e6
            #expect(abs(groups.values.reduce(0, +) - total) <= 0.1 * total + 1, "groups \(groups), total \(total)")
        }
        #expect(results["messages"] as? Int == 500)
        #expect(results["output_partitions"] as? Int == 12)
        // The table went to stdout too.
        #expect(bench.lines.all.contains { $0.hasPrefix("(c) pipeline") })
        #expect(bench.lines.all.contains { $0.hasPrefix("(d) near-duplicate table") })
    }

    @Test("rejects a zero-size backlog before starting anything")
    func rejectsEmptyBacklog() async throws {
        let bench = try KhabarProcess(["bench", "--quick", "--messages", "0"])
        let status = try await bench.waitForExit(timeout: .seconds(30))
        #expect(status != 0)
    }
}
