import Foundation
import Testing

@testable import ArticleAnalysis

@Suite struct ThroughputProbe {
    @Test func probe() throws {
        guard ProcessInfo.processInfo.environment["KHABAR_PROBE"] != nil, let bytes = Support.data("dev-articles.jsonl") else { return }
        let payloads = JSONLines.split(bytes).map { Array(bytes[$0.range]) }
        let analyzer = Support.analyzer
        for p in payloads { _ = try analyzer.analyze(p).jsonBytes() }
        let rounds = 10
        var t = [Double](repeating: 0, count: 10)
        func now() -> UInt64 { var ts = timespec(); clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec) }
        let config = AnalyzerConfiguration()
        let g = Gazetteer.bundled
        let start = now()
        for _ in 0..<rounds {
            for p in payloads {
                var a = now()
                func lap(_ i: Int) { let b = now(); t[i] += Double(b - a); a = b }
                let text = try ArticleAnalyzer.validate(p, configuration: config); lap(0)
                let parsed = try ArticleParser.parse(text, configuration: config); lap(1)
                let article = ArticleText(title: parsed.title, lead: parsed.lead, highlights: parsed.highlights, paragraphs: parsed.paragraphs, gazetteer: g); lap(2)
                var ex = EntityExtractor(text: article, gazetteer: g, language: .arabic)
                _ = ex.extract(limit: 100); lap(3)
                _ = QuoteExtractor(text: article, entities: ex).extract(limit: 50); lap(4)
                _ = DateExtractor(text: article, published: nil).extract(); lap(5)
                _ = Fingerprint(text: article); lap(6)
                _ = analyzer.classifier.classify(title: parsed.title, lead: parsed.lead, body: parsed.paragraphs, language: .arabic); lap(7)
                _ = try analyzer.analyze(p).jsonBytes(); lap(8)
            }
        }
        let n = Double(rounds * payloads.count)
        print("PROBE total us/article (incl. a second full analyze): \(Double(now() - start) / n / 1000)")
        for (i, name) in ["validate", "parse", "articleText", "entities", "quotes", "dates", "fingerprint", "classify", "full analyze+json"].enumerated() {
            print("PROBE \(name): \(t[i] / n / 1000) us")
        }
    }
}
