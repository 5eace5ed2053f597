import Testing

@testable import ArticleAnalysis

@Suite struct DevSetTests {
    private func analyzeAll(_ file: String, expect language: Language) async throws {
        guard let bytes = Support.data(file) else {
            print("skipped: /work/shared/data/\(file) is absent")
            return
        }
        let lines = JSONLines.split(bytes)
        #expect(lines.count >= 30)
        var records: [[UInt8]] = []
        var languages: [Language: Int] = [:]
        for line in lines {
            let payload = Array(bytes[line.range])
            let provenance = Provenance(topic: "dev", partition: 1, offset: Int64(line.number), worker: "test")
            let record = try Support.analyzer.analyze(payload, provenance: provenance)
            #expect(record.id.hasPrefix("dev-"))
            #expect(!record.title.isEmpty && !record.lead.isEmpty)
            languages[record.language, default: 0] += 1
            let json = record.jsonBytes()
            // Determinism: a second analysis gives the same record apart from provenance.
            let again = try Support.analyzer.analyze(payload, provenance: Provenance(worker: "other", processedAt: 9))
            #expect(Support.withoutProvenance(json) == Support.withoutProvenance(again.jsonBytes()))
            records.append(json)
        }
        #expect(languages[language] == lines.count)
        guard let errors = try await Support.schemaErrors(records) else {
            print("skipped schema validation: python3 jsonschema unavailable")
            return
        }
        #expect(errors == [])
    }

    @Test func arabicArticlesAnalyseAndValidate() async throws {
        try await analyzeAll("dev-articles.jsonl", expect: .arabic)
    }

    @Test func englishArticlesAnalyseAndValidate() async throws {
        try await analyzeAll("dev-articles-en.jsonl", expect: .english)
    }

    @Test func theSchemaValidatorRejectsBrokenRecords() async throws {
        let record = try Support.analyzer.analyze(
            Array("Iraq\n\nThe minister said the talks in Baghdad went well.".utf8))
        let good = record.jsonBytes()
        let text = String(decoding: good, as: UTF8.self)
        let broken = [
            text.replacingOccurrences(of: "\"schema_version\":1", with: "\"schema_version\":\"1\""),
            text.replacingOccurrences(of: "\"duplicate_of\":null,", with: ""),
            text.replacingOccurrences(of: "\"language\":\"en\"", with: "\"language\":\"english\""),
            text.replacingOccurrences(of: "\"replay\":false", with: "\"replay\":false,\"extra\":1"),
        ]
        for b in broken { #expect(b != text) }
        guard let errors = try await Support.schemaErrors([good] + broken.map { Array($0.utf8) }) else { return }
        let failing = Set(errors.compactMap { $0.split(separator: ":").first.map(String.init) })
        #expect(failing == ["1", "2", "3", "4"])
    }
}
