import Testing

@testable import ArticleAnalysis

/// The fuzzy gazetteer probe of ``ArticleText`` skips the halves its filter rules out; it must find what probing
/// every blanked position finds.
@Suite struct FuzzyProbeTests {
    /// The pattern the plain probe finds for a word: the first blanked position whose hash is in the table.
    private static func probeAll(_ word: Word, gazetteer: Gazetteer) -> Int {
        let letters = UnsafeBufferPointer(rebasing: word.bare)
        guard word.kind == .arabic,
            (Gazetteer.fuzzyMinLength...Gazetteer.fuzzyMaxLength).contains(letters.count),
            gazetteer.byFirstWord[word.bareHash] == nil
        else { return -1 }
        for offset in letters.indices {
            if let pattern = gazetteer.fuzzy[Gazetteer.blankedHash(letters, offset: offset)] { return pattern }
        }
        return -1
    }

    @Test func filteredProbeFindsWhatTheFullProbeFinds() {
        let gazetteer = Gazetteer.bundled
        // Every one-word Arabic name of fuzzy length, with each letter in turn replaced (a substitution in the
        // front half and in the back half), plus the names themselves and words near no name.
        var words: [String] = ["والمستشفيات", "الاستراتيجية", "بالانتخابات"]
        for entity in gazetteer.arabicEntities where !entity.name.contains(" ") {
            let scalars = Array(entity.name.unicodeScalars)
            guard scalars.count >= Gazetteer.fuzzyMinLength && scalars.count <= Gazetteer.fuzzyMaxLength else {
                continue
            }
            words.append(entity.name)
            for k in scalars.indices {
                var changed = scalars
                changed[k] = changed[k] == "ث" ? "ذ" : "ث"
                var word = String.UnicodeScalarView()
                word.append(contentsOf: changed)
                words.append(String(word))
            }
        }
        let text = ArticleText(
            title: "", lead: "", highlights: [], paragraphs: [words.joined(separator: " ")], gazetteer: gazetteer)
        var expected: [Int] = []
        TextNormalizer.forEachWord(in: words.joined(separator: " ")) {
            expected.append(Self.probeAll($0, gazetteer: gazetteer))
        }
        #expect(text.tokens.count == expected.count)
        let mismatches = zip(text.tokens, expected).filter { $0.0.fuzzyPattern != $0.1 }.count
        #expect(mismatches == 0, "\(mismatches) of \(expected.count) words probe differently")
        // The test exercises matches in both halves.
        #expect(expected.filter { $0 >= 0 }.count > 20)
    }
}
