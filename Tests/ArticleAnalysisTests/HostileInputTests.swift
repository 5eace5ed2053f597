import Foundation
import Testing

@testable import ArticleAnalysis

extension HostileInputs.Case: CustomTestStringConvertible {
    var testDescription: String { "\(name) (\(bytes.count) bytes)" }
}

/// Every hostile input gives a typed ``AnalysisError`` of an expected class or a valid record, never a
/// crash, in bounded time.
@Suite struct HostileInputTests {
    /// The outcome class of `payload` and the seconds the analysis took.
    static func outcome(_ payload: [UInt8], analyzer: ArticleAnalyzer) -> (String, Double) {
        let clock = ContinuousClock()
        let start = clock.now
        let result: String
        do {
            let record = try analyzer.analyze(payload)
            let json = Data(record.jsonBytes())
            let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any]
            result = object?["id"] is String ? HostileInputs.record : "invalid record JSON"
        } catch {
            result = error.code.rawValue
        }
        let elapsed = clock.now - start
        return (result, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }

    @Test(arguments: HostileInputs.carried + HostileInputs.oversized)
    func defaultLimits(_ input: HostileInputs.Case) {
        let (result, seconds) = Self.outcome(input.bytes, analyzer: Support.analyzer)
        #expect(input.allowed.contains(result), "\(input.name): \(result)")
        #expect(seconds < 5, "\(input.name) took \(seconds) s")
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
        #expect(seconds < 20, "\(input.name) took \(seconds) s")
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
