import Foundation
import Testing

@testable import ArticleAnalysis

extension HostileInputs.Case: CustomTestStringConvertible {
    var testDescription: String { "\(name) (\(bytes.count) bytes)" }
}

/// Every hostile input gives a typed ``AnalysisError`` of an expected class or a valid record, never a
/// crash, in bounded time.
///
/// The time bounds catch super-linear behaviour (a quadratic scan of a megabyte runs for minutes), not
/// speed: they are set far above a debug build's time and measured in the thread's CPU time, which other
/// processes competing for the cores do not inflate (wall time did: 5.16 s against a 5 s bound once, on
/// a machine running two builds alongside).
@Suite struct HostileInputTests {
    /// CPU seconds the calling thread has used so far.
    static func threadCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
    }

    /// The outcome class of `payload` and the CPU seconds the analysis took.
    static func outcome(_ payload: [UInt8], analyzer: ArticleAnalyzer) -> (String, Double) {
        let start = threadCPUSeconds()
        let result: String
        do {
            let record = try analyzer.analyze(payload)
            let json = Data(record.jsonBytes())
            let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any]
            result = object?["id"] is String ? HostileInputs.record : "invalid record JSON"
        } catch {
            result = error.code.rawValue
        }
        return (result, threadCPUSeconds() - start)
    }

    @Test(arguments: HostileInputs.carried + HostileInputs.oversized)
    func defaultLimits(_ input: HostileInputs.Case) {
        let (result, seconds) = Self.outcome(input.bytes, analyzer: Support.analyzer)
        #expect(input.allowed.contains(result), "\(input.name): \(result)")
        #expect(seconds < 5, "\(input.name) took \(seconds) s of CPU")
    }

    /// With the size limit lifted to 64 MiB the parsers themselves face 10 MB and 50 MB payloads: they
    /// must still answer (record or typed error) in time linear in the input.
    @Test(arguments: HostileInputs.oversized)
    func raisedSizeLimit(_ input: HostileInputs.Case) throws {
        let analyzer = ArticleAnalyzer(
            configuration: AnalyzerConfiguration(maxInputBytes: 64 * 1_048_576),
            classifier: try Classifier.bundled()
        )
        let (result, seconds) = Self.outcome(input.bytes, analyzer: analyzer)
        #expect(
            result != "invalid record JSON" && result != AnalysisError.Code.tooLarge.rawValue,
            "\(input.name): \(result)")
        #expect(seconds < 20, "\(input.name) took \(seconds) s of CPU")
    }

    /// The JSON depth limit is exact: `maxJSONDepth` levels parse, one more does not.
    @Test func jsonDepthLimitIsExact() throws {
        let configuration = AnalyzerConfiguration()
        let depth = configuration.maxJSONDepth
        func nested(_ levels: Int) -> [UInt8] {
            Array("{\"text\": \"\(HostileInputs.english)\", \"x\": ".utf8) + HostileInputs.repeated("[", levels - 1)
                + HostileInputs.repeated("]", levels - 1) + Array("}".utf8)
        }
        #expect(Self.outcome(nested(depth), analyzer: Support.analyzer).0 == HostileInputs.record)
        #expect(Self.outcome(nested(depth + 1), analyzer: Support.analyzer).0 == "malformed_json")
    }
}

/// Inputs the fuzzer found crashing (always on; small and fast).
@Suite struct FuzzRegressionTests {
    /// A month name as the very last token made `DateExtractor` read past the token array.
    @Test(arguments: ["Talks resume in Doha on 4 March", "The derby is in March.", "{\"text\": \"Vote set for May\"}"])
    func monthNameAsTheLastToken(_ text: String) throws {
        let record = try Support.analyzer.analyze(Array(text.utf8))
        #expect(!record.title.isEmpty)
    }
}
