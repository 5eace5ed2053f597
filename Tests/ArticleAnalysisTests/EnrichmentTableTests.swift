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

    /// `hinted` lists, in order, exactly the tokens with a hint bit: the gazetteer's hint entry of the bare hash, a
    /// number's date bit, a fuzzy match's name bit; and every word an extractor starts from has its bit.
    @Test func hintedTokensAreTheTokensWithAHint() throws {
        let gazetteer = Gazetteer.bundled
        let text = ArticleText(
            title: "الرئيس العراقي برهم صالح يقول إن العراق 2021",
            lead: "وقال وزير الخارجية يوم الأحد، واليوم الإثنين والخميس",
            highlights: ["Prime Minister Tony Blair said on Monday, 15 August 2021"],
            paragraphs: ["وأكد أن الحكومه ستعمل", "كانون الثاني تشرين الأول December may"],
            gazetteer: gazetteer
        )
        var expected: [UInt64] = []
        for (index, token) in text.tokens.enumerated() {
            var hint = gazetteer.hints[Int(token.bare & 0xFFFF)]
            if token.kind == .number { hint |= ArticleText.Hint.date }
            if token.fuzzyPattern >= 0 { hint |= ArticleText.Hint.name }
            if hint != 0 { expected.append(UInt64(index) << 8 | UInt64(hint)) }
        }
        #expect(text.hinted == expected)
        func hints(_ word: String) throws -> UInt8 {
            let index = try #require(text.tokens.firstIndex { text.sliceText($0.range) == word }, "\(word)")
            return UInt8(truncatingIfNeeded: text.hinted.first { $0 >> 8 == UInt64(index) } ?? 0)
        }
        for word in [
            "الأحد", "الإثنين", "والخميس", "2021", "15", "Monday", "August", "December", "may", "كانون", "تشرين",
        ] {
            #expect(try hints(word) & ArticleText.Hint.date != 0, "\(word)")
        }
        for word in ["يقول", "وقال", "وأكد"] { #expect(try hints(word) & ArticleText.Hint.quote != 0, "\(word)") }
        for word in ["الرئيس", "وزير", "Prime"] { #expect(try hints(word) & ArticleText.Hint.title != 0, "\(word)") }
        for word in ["العراق", "Tony"] { #expect(try hints(word) & ArticleText.Hint.name != 0, "\(word)") }
    }

    /// The classifier's start filter admits every stem of the lexicon (a rejected token is not probed).
    @Test func startFilterAdmitsEveryLexiconStem() throws {
        let lexicon = try Classifier.bundled().lexicon
        #expect(lexicon.startFilter.count == 1 << 16)
        for stem in lexicon.stemIDs.keys { #expect(lexicon.startFilter[Int(stem & 0xFFFF)] == 1) }
        #expect(lexicon.startFilter.reduce(0) { $0 + Int($1) } <= lexicon.stemIDs.count)
    }
}
