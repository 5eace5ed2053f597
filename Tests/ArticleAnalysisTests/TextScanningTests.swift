import Testing

@testable import ArticleAnalysis

/// The hot-path shortcuts of the scanner, the stemmer and the fingerprint agree with their plain definitions.
@Suite struct TextScanningTests {
    static let samples = [
        "والعراقية العراقي عراقي العراق عراقيين للعراق وبالعراق فالعراقيون كالمعتاد",
        "وزير الوزير ووزير والوزير وقال فرنسا وفرنسا لفلسطين الفلسطينيين",
        "الأميركيّ آمال إلى مكتبة ٱلله ی ک پ گ چ ژ ـــ \u{200F}مرحبا\u{202C} قالَ ١٢٣٤ ۱۴۰۰",
        "The Minister's FORCES, countries; ISIS and US bus. glasses bodies class f16 1,400.5 don't",
        "Ça déjà Ελλάδα Москва naïve résumé",
    ]

    /// `CharacterClass.packed(_:table:)` equals `of(_:).packed` on and off the table.
    @Test func packedClassesMatchTheRangeChecks() {
        let table = CharacterClass.packedTable
        for v in UInt32(0)..<0x3100 {
            #expect(CharacterClass.packed(v, table: table) == CharacterClass.of(v).packed, "U+\(v)")
        }
        for v in [0xFE70, 0xFEFF, 0x1F600] as [UInt32] {
            #expect(CharacterClass.packed(v, table: table) == CharacterClass.of(v).packed)
        }
    }

    /// The hashes the scanner computes in place are the FNV-1a hashes of the forms they name.
    @Test func wordHashesAreHashesOfTheirForms() {
        var words = 0
        for sample in Self.samples {
            TextNormalizer.forEachWord(in: sample) { word in
                words += 1
                var stem = Array(word.scalars[word.bounds.bareStart..<word.bounds.stemEnd])
                if word.bounds.stemY { stem.append(0x79) }
                #expect(word.normalizedHash == TextNormalizer.hash(word.scalars))
                #expect(word.bareHash == TextNormalizer.hash(word.bare))
                #expect(word.stemHash == TextNormalizer.hash(stem))
                var buffer: [UInt8] = []
                #expect(word.stemString(buffer: &buffer) == String(decoding: stem.flatMap(utf8), as: UTF8.self))
            }
        }
        #expect(words == 53)
    }

    /// Words the scanner hashes without looping again (no prefix, or the article with the hash kept from the
    /// third letter on) and words it does not (other prefixes, diacritics, a word ending the text) hash like their
    /// forms, whatever their suffix.
    @Test func articleShortcutHashesLikeTheForms() {
        let text =
            "ال و لل ب العراقيون، الْعراقيين فالعراقيات والكتاب وبالمدينة الكتابين؛ الوزيره. كالعاده الها للعراقيه"
        var prefixes: Set<Int> = []
        var suffixes: Set<Int> = []
        TextNormalizer.forEachWord(in: text) { word in
            prefixes.insert(word.bounds.bareStart)
            suffixes.insert(word.scalars.count - word.bounds.stemEnd)
            let stem = Array(word.scalars[word.bounds.bareStart..<word.bounds.stemEnd])
            #expect(word.normalizedHash == TextNormalizer.hash(word.scalars))
            #expect(word.bareHash == TextNormalizer.hash(word.bare))
            #expect(word.stemHash == TextNormalizer.hash(stem))
        }
        #expect(prefixes == [0, 2, 3, 4])
        #expect(suffixes == [0, 1, 2, 3])
    }

    /// Bare forms: proclitics (Arabic) or a possessive 's (English) removed.
    @Test func bareFormsDropProcliticsAndPossessives() {
        var bares: [String] = []
        TextNormalizer.forEachWord(in: "والعراقي وبالعراق للعراق وزير minister's forces 2021") { word in
            bares.append(String(decoding: word.bare.flatMap(utf8), as: UTF8.self))
        }
        #expect(bares == ["عراقي", "عراق", "عراق", "وزير", "minister", "forces", "2021"])
    }

    /// A word longer than any buffer guess and a text of one word scan correctly.
    @Test func longWordsAndSingleLetters() {
        let long = String(repeating: "ب", count: 5_000)
        let tokens = TextNormalizer.tokenize(long + " a " + long)
        #expect(tokens.map(\.normalized.count) == [5_000, 1, 5_000])
        #expect(TextNormalizer.tokenize("ب").map(\.normalized) == ["ب"])
    }

    /// A text of more words than the record buffer's first guess (one-letter words) keeps every word, in order.
    @Test func articleTextOfOneLetterWords() {
        let paragraph = (0..<3_000).map { $0 % 3 == 0 ? "ب" : ($0 % 3 == 1 ? "a" : "7") }.joined(separator: " ")
        let text = ArticleText(
            title: "t", lead: "", highlights: [], paragraphs: [paragraph, "ب"], gazetteer: Gazetteer.bundled)
        let expected = TextNormalizer.tokenize("t\n\n" + paragraph + "\nب").map(\.range)
        #expect(text.tokens.map(\.range) == expected)
        #expect(text.tokens.last?.segment == 3)
    }

    /// The records' segments and breaks equal their plain definitions: the segment holding the word, and a break when
    /// the word starts its segment, follows a word of an earlier segment, or follows anything but spaces (texts with
    /// empty segments, leading spaces and punctuation).
    @Test func segmentsAndBreaksMatchTheirDefinitions() {
        let cases: [(title: String, lead: String, highlights: [String], paragraphs: [String])] = [
            ("  عنوان الخبر", "", [], ["قال الوزير، إن الوفد «وصل» أمس.", "", "   فقرة ثالثة"]),
            ("", "", ["أبرز", "!! نقطة"], ["text, with (punctuation) and  double  spaces", "الـ69 عاما"]),
            ("...", " lead", [], ["a"]),
        ]
        for item in cases {
            let text = ArticleText(
                title: item.title, lead: item.lead, highlights: item.highlights, paragraphs: item.paragraphs,
                gazetteer: Gazetteer.bundled)
            #expect(MemoryLayout<ArticleText.TokenInfo>.stride == 48)
            var previousEnd = 0
            for token in text.tokens {
                let range = token.range
                let segment = text.segments.lastIndex { $0.range.lowerBound <= range.lowerBound } ?? -1
                #expect(token.segment == segment)
                let segmentStart = text.segments[segment].range.lowerBound
                // The first word of its segment: the previous word, if any, ended before the segment's start (the
                // text's first word after leading spaces included).
                let expected =
                    previousEnd <= segmentStart
                    || text.bytes[previousEnd..<range.lowerBound].contains { $0 != 0x20 }
                #expect(token.breakBefore == expected, "\(text.sliceText(range))")
                previousEnd = range.upperBound
            }
        }
    }

    /// The bit-sliced SimHash equals a plain per-bit count over the same bigram hashes (texts of a partial block
    /// of sixteen hashes and of counts carried many levels up).
    @Test func simhashMatchesPlainBitCounts() {
        for repeats in [1, 40, 130] {
            let paragraphs = Array(repeating: Self.samples.joined(separator: " "), count: repeats)
            let text = ArticleText(
                title: "عنوان", lead: "", highlights: [], paragraphs: paragraphs, gazetteer: Gazetteer.bundled)
            var counts = [Int](repeating: 0, count: 64)
            var previous: UInt64 = 0
            for token in text.tokens {
                var x = (previous &* 0x9E37_79B9_7F4A_7C15) ^ token.stem
                x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
                x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
                x ^= x >> 31
                for bit in 0..<64 where x >> UInt64(bit) & 1 == 1 { counts[bit] += 1 }
                previous = token.stem
            }
            var expected: UInt64 = 0
            for bit in 0..<64 where 2 * counts[bit] > text.tokens.count { expected |= 1 << UInt64(bit) }
            #expect(Fingerprint(text: text).simhash == expected, "\(text.tokens.count) tokens")
        }
    }

    private func utf8(_ v: UInt32) -> [UInt8] {
        var out: [UInt8] = []
        appendUTF8(v, to: &out)
        return out
    }
}
