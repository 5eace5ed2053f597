import Testing

@testable import ArticleAnalysis

@Suite struct TextNormalizerTests {
    @Test func cliticsAndNisbaShareAStem() {
        let stems = TextNormalizer.stems("والعراقية العراقي عراقي العراق عراقيين للعراق")
        #expect(stems == ["عراق", "عراق", "عراق", "عراق", "عراق", "عراق"])
    }

    @Test func normalizedKeepsCliticsAndFoldsLetters() {
        let tokens = TextNormalizer.tokenize("والعراقيّة أميركا إلى مكتبة آمال ٱلله")
        #expect(tokens.map(\.normalized) == ["والعراقيه", "اميركا", "الي", "مكتبه", "امال", "الله"])
    }

    @Test func diacriticsAndTatweelAreRemoved() {
        #expect(TextNormalizer.normalize("مُصْطَفَى الكـــاظمي") == "مصطفي الكاظمي")
        #expect(TextNormalizer.normalize("الأميركيّ") == TextNormalizer.normalize("الاميركي"))
    }

    @Test func digitsBecomeASCII() {
        #expect(TextNormalizer.normalize("عام ٢٠٢١ و۱۴۰۰ و 2021") == "عام 2021 و 1400 و 2021")
        let tokens = TextNormalizer.tokenize("الـ69 و1,400 3.5")
        #expect(tokens.map(\.normalized) == ["ال", "69", "و", "1,400", "3.5"])
    }

    @Test func bidiAndZeroWidthControlsAreRemoved() {
        let text = "\u{202E}العراق\u{202C} وا\u{200B}شنطن \u{2067}Iraq\u{2069}\u{FEFF}"
        #expect(TextNormalizer.normalize(text) == "العراق واشنطن iraq")
    }

    @Test func arabicPunctuationSeparatesWords() {
        #expect(TextNormalizer.normalize("قال،إن؛العراق؟ نعم") == "قال ان العراق نعم")
    }

    @Test func englishIsCaseFoldedAndLightlyStemmed() {
        let tokens = TextNormalizer.tokenize("The Minister's FORCES, countries; ISIS and US bus.")
        #expect(tokens.map(\.normalized) == ["the", "minister's", "forces", "countries", "isis", "and", "us", "bus"])
        #expect(tokens.map(\.stem) == ["the", "minister", "force", "country", "isis", "and", "us", "bus"])
    }

    @Test func rootInitialWawIsNotAConjunction() {
        let stems = TextNormalizer.stems("وزير الوزير ووزير والوزير وقال قال فرنسا وفرنسا")
        #expect(stems == ["وزير", "وزير", "وزير", "وزير", "قال", "قال", "فرنسا", "فرنسا"])
    }

    @Test func rangesAreUTF8ByteOffsets() {
        let text = "قالَ «الكاظمي» Hello"
        let tokens = TextNormalizer.tokenize(text)
        let bytes = Array(text.utf8)
        let surfaces = tokens.map { String(decoding: bytes[$0.range], as: UTF8.self) }
        #expect(surfaces == ["قالَ", "الكاظمي", "Hello"])
    }

    @Test func normalizeAgreesWithTokenize() {
        let samples = [
            "وزير الخارجية الأميركي أنتوني بلينكن", "تنظيم \"داعش\"", "Prime Minister's office, 2021",
            "اليوم الأحد، ١٥ آب/أغسطس",
        ]
        for sample in samples {
            let joined = TextNormalizer.tokenize(sample).map(\.normalized).joined(separator: " ")
            #expect(TextNormalizer.normalize(sample) == joined)
        }
    }

    @Test func emptyAndPunctuationOnlyTextsHaveNoTokens() {
        #expect(TextNormalizer.tokenize("").isEmpty)
        #expect(TextNormalizer.tokenize(" ، . ! \u{200F} ").isEmpty)
        #expect(TextNormalizer.normalize("\u{064E}\u{0640}") == "")
    }
}
