import Testing

@testable import ArticleAnalysis

@Suite struct EnrichmentTableTests {
    @Test func hashMapAnswersLikeADictionaryAndKeepsTheFirstValue() {
        var generator = SystemRandomNumberGenerator()
        var reference: [UInt64: Int32] = [:]
        var map = HashMap64()
        #expect(map.value(for: 42) == nil)
        for i in 0..<3_000 {
            // Random keys, plus keys that share their low bits (one probe chain).
            let key: UInt64 = i % 3 == 0 ? UInt64(i) << 40 : generator.next()
            let value = Int32(i)
            #expect(map.insertIfAbsent(key, value) == reference[key, default: value])
            if reference[key] == nil { reference[key] = value }
        }
        #expect(map.count == reference.count)
        for (key, value) in reference { #expect(map.value(for: key) == value) }
        #expect(map.insertIfAbsent(3 << 40, 7) == 3)  // inserted at i = 3
        for _ in 0..<1_000 {
            let key: UInt64 = generator.next()
            #expect(map.value(for: key) == reference[key])
        }
    }

    @Test func wordFilterHasNoFalseNegatives() {
        var generator = SystemRandomNumberGenerator()
        let words = (0..<200).map { _ in generator.next() as UInt64 }
        let filter = WordFilter(words)
        for word in words { #expect(filter.mayContain(word)) }
        let empty = WordFilter([])
        #expect(!words.contains { empty.mayContain($0) })
    }

    @Test func bundledGazetteerFindsNamesAndTypos() throws {
        let gazetteer = Gazetteer.bundled
        func firstWord(_ name: String) -> UInt64 {
            var out: UInt64 = 0
            TextNormalizer.forEachWord(in: name) { if out == 0 { out = $0.bareHash } }
            return out
        }
        let range = try #require(gazetteer.byFirstWord[firstWord("Iraq")])
        let entries = gazetteer.candidates[range].map { gazetteer.entries[gazetteer.patterns[$0].entry] }
        #expect(entries.contains { $0.country == "IQ" && $0.kind == .country })
        #expect(gazetteer.arabicEntities.count == gazetteer.entries.count)
        #expect(gazetteer.englishEntities.contains { $0.name == "Iraq" && $0.type == "country" && $0.known })
    }
}
