import Testing

@testable import ArticleAnalysis

@Suite struct SeedArticleTests {
    @Test func dump() throws {
        guard let seed = Support.data("seed-article.txt") else { return }
        let record = try Support.analyzer.analyze(seed)
        print(String(decoding: record.jsonBytes(), as: UTF8.self))
    }
}
