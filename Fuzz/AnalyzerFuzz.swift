// libFuzzer entry point over the analyser, compiled together with the ArticleAnalysis sources into one
// module by scripts/fuzz.sh (so internal parsers are reachable). Not part of the SwiftPM package.
import Foundation

/// The analyser under test: bundled classifier, default limits (the 1 MiB size gate is far above the
/// fuzzer's input lengths, so the parsers see every input).
private let fuzzAnalyzer: ArticleAnalyzer = {
    do {
        return ArticleAnalyzer(classifier: try Classifier.bundled())
    } catch {
        fatalError("fuzz: cannot load the bundled classifier: \(error)")
    }
}()

/// One input: the whole analyser, then the envelope reader and the HTML converter on their own.
/// Invariants checked (a violation traps, which libFuzzer reports as a crash):
/// - analysis ends in a record or an ``AnalysisError`` (a crash or trap anywhere is a finding);
/// - a record's JSON encoding is well-formed JSON that our own reader accepts;
/// - the HTML converter's output is never longer than 4 × its input (entities expand at most that much).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let record = try? fuzzAnalyzer.analyze(bytes) {
        let json = record.jsonBytes()
        let parsed = json.withUnsafeBufferPointer { p in
            Result { () throws(AnalysisError) in try JSONReader.parse(p, maxDepth: 64) }
        }
        if case .failure(let error) = parsed {
            fatalError("fuzz: the record's JSON does not parse: \(error)")
        }
        guard case .success(.object) = parsed else { fatalError("fuzz: the record's JSON is not an object") }
    }
    bytes.withUnsafeBufferPointer { p in
        _ = try? JSONReader.parse(p, maxDepth: AnalyzerConfiguration().maxJSONDepth)
        if String(validating: p, as: UTF8.self) != nil {
            let html = HTMLText.convert(p, maxTags: 1_000)
            if html.text.utf8.count > 4 * size + 4 { fatalError("fuzz: HTML output grew beyond 4× its input") }
        }
    }
    return 0
}
