import Testing

@testable import ArticleAnalysis

/// The stemmer's rule tables (``Stemmer/RuleTables``) give the bounds the rules themselves give.
@Suite struct StemmerTableTests {
    /// The letters the rules compare, a letter none of them compares (س), and folded and Persian letters.
    static let letters: [UInt32] = [
        0x0633, 0x0627, 0x0644, 0x0628, 0x0643, 0x0648, 0x0641, 0x062A, 0x0646, 0x0647, 0x064A, 0x06A9, 0x067E,
    ]

    /// The Arabic bounds by the rules: the article or preposition alone, or the conjunction rules for a word
    /// starting with و or ف (of at least four letters), then the longest suffix.
    static func expectedBounds(_ w: UnsafeBufferPointer<UInt32>) -> (bareStart: Int, stemEnd: Int) {
        let n = w.count
        let conjunction = n >= 4 && (w[0] == 0x0648 || w[0] == 0x0641)
        let prefix = conjunction ? Stemmer.conjunctionPrefixLength(w) : Stemmer.articlePrefixLength(w, from: 0)
        return (prefix, n - Stemmer.suffixLength(w, from: prefix))
    }

    /// Checks one word; returns whether the tables agreed.
    static func check(_ word: [UInt32]) -> Bool {
        word.withUnsafeBufferPointer { w in
            let bounds = Stemmer.bounds(of: w, isArabic: true, tables: Stemmer.RuleTables.shared)
            let expected = expectedBounds(w)
            let agrees =
                bounds.bareStart == expected.bareStart && bounds.stemEnd == expected.stemEnd
                && bounds.bareEnd == w.count && !bounds.stemY
            #expect(agrees, "\(word.map { String($0, radix: 16) })")
            return agrees
        }
    }

    /// Every word of one to four letters over ``letters``: each prefix and suffix class in every position.
    @Test func everyShortWordAgrees() {
        let k = Self.letters.count
        var failures = 0
        for length in 1...4 {
            var total = 1
            for _ in 0..<length { total *= k }
            for code in 0..<total {
                var word: [UInt32] = []
                var rest = code
                for _ in 0..<length {
                    word.append(Self.letters[rest % k])
                    rest /= k
                }
                if !Self.check(word) { failures += 1 }
                if failures > 10 { return }
            }
        }
    }

    /// Random words of five to nine letters over ``letters``, and the words of the samples.
    @Test func longerWordsAgree() {
        var random = SplitMix64(seed: 7)
        var failures = 0
        for _ in 0..<30_000 where failures <= 10 {
            let length = Int.random(in: 5...9, using: &random)
            let word = (0..<length).map { _ in Self.letters.randomElement(using: &random)! }
            if !Self.check(word) { failures += 1 }
        }
        for sample in TextScanningTests.samples {
            TextNormalizer.forEachWord(in: sample) { word in
                if word.kind == .arabic { _ = Self.check(Array(word.scalars)) }
            }
        }
    }
}
