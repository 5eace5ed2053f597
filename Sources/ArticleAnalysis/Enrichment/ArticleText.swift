/// The article's text laid out in one UTF-8 buffer (title, lead, highlights, paragraphs — one
/// segment each, separated by a newline) and tokenised once; every enrichment step works on these
/// tokens and byte ranges.
struct ArticleText {
    /// One word of the article.
    struct TokenInfo {
        /// Byte range in ``bytes``.
        var range: Range<Int>
        /// Hash of the proclitic-free form (names match on it).
        var bare: UInt64
        /// Hash of the stem.
        var stem: UInt64
        /// Hash of the full normalised form.
        var normalized: UInt64
        /// Script of the word.
        var kind: Word.Kind
        /// Index of the segment (see ``segments``).
        var segment: Int
        /// Whether the source word starts with a capital letter (Latin).
        var capitalized: Bool
        /// Whether every letter of the source word is a capital (Latin).
        var allCaps: Bool
        /// Whether anything but spaces separates this word from the previous one (punctuation,
        /// quotes, line breaks), or it starts a segment.
        var breakBefore: Bool
        /// Whether the normalised word starts with the article ال (possibly after clitics).
        var hasArticle: Bool
        /// Gazetteer pattern matched by a one-letter substitution, or -1.
        var fuzzyPattern: Int
    }

    /// The article text.
    var bytes: [UInt8] = []
    /// Byte range and zone of each segment: title, lead, highlights..., paragraphs...
    var segments: [(range: Range<Int>, zone: Zone)] = []
    /// All words in order.
    var tokens: [TokenInfo] = []
    /// Number of Arabic letters in words.
    var arabicLetters = 0
    /// Number of Latin letters in words.
    var latinLetters = 0
    /// Number of Latin words that are common English function words.
    var englishStopwords = 0
    /// Number of Latin words that are common French, Spanish, German or Italian function words.
    var foreignStopwords = 0
    /// Number of Latin words.
    var latinWords = 0

    private static let englishStopwordHashes: Set<UInt64> = Set(
        "the of and to in is that for on was with he it as at by said from has have be are this an not but his had were which"
            .split(separator: " ").map { TextNormalizer.hash(String($0).unicodeScalars.map(\.value)) }
    )
    private static let foreignStopwordHashes: Set<UInt64> = Set(
        "le la les des du et est une de en el los las del y que der die und das ist nicht il di che per une sur"
            .split(separator: " ").map { TextNormalizer.hash(String($0).unicodeScalars.map(\.value)) }
    )

    init(title: String, lead: String, highlights: [String], paragraphs: [String], gazetteer: Gazetteer) {
        let estimated = title.utf8.count + lead.utf8.count + paragraphs.reduce(0) { $0 + $1.utf8.count + 1 } + 64
        bytes.reserveCapacity(estimated)
        func add(_ text: String, _ zone: Zone) {
            if !bytes.isEmpty { bytes.append(0x0A) }
            let start = bytes.count
            bytes.append(contentsOf: text.utf8)
            segments.append((start..<bytes.count, zone))
        }
        add(title, .title)
        add(lead, .lead)
        for highlight in highlights { add(highlight, .lead) }
        for paragraph in paragraphs { add(paragraph, .body) }
        tokens.reserveCapacity(bytes.count / 6)
        var segment = 0
        var previousEnd = 0
        // Only the two tables the per-word closure needs: capturing the whole `Gazetteer` struct made
        // every closure call copy (retain and release) all of its arrays and dictionaries.
        let byFirstWord = gazetteer.byFirstWord
        let fuzzy = gazetteer.fuzzy
        bytes.withUnsafeBufferPointer { p in
            TextNormalizer.forEachWord(in: p) { word in
                while segment + 1 < segments.count && word.range.lowerBound >= segments[segment + 1].range.lowerBound {
                    segment += 1
                }
                var breakBefore =
                    word.range.lowerBound <= segments[segment].range.lowerBound
                    || previousEnd < segments[segment].range.lowerBound
                if !breakBefore {
                    for i in previousEnd..<word.range.lowerBound where p[i] != 0x20 {
                        breakBefore = true
                        break
                    }
                }
                previousEnd = word.range.upperBound
                var capitalized = false
                var allCaps = false
                if word.kind == .latin {
                    let first = p[word.range.lowerBound]
                    capitalized = first >= 0x41 && first <= 0x5A
                    allCaps = capitalized
                    if allCaps {
                        for i in word.range where (p[i] >= 0x61 && p[i] <= 0x7A) {
                            allCaps = false
                            break
                        }
                    }
                    latinLetters += word.scalars.count
                    latinWords += 1
                    if ArticleText.englishStopwordHashes.contains(word.normalizedHash) {
                        englishStopwords += 1
                    } else if ArticleText.foreignStopwordHashes.contains(word.normalizedHash) {
                        foreignStopwords += 1
                    }
                } else if word.kind == .arabic {
                    arabicLetters += word.scalars.count
                }
                let bare = word.bareHash
                var fuzzyPattern = -1
                if (Gazetteer.fuzzyMinLength...Gazetteer.fuzzyMaxLength).contains(word.bareCount)
                    && word.kind != .number
                    && byFirstWord[bare] == nil
                {
                    let letters = word.bare
                    for offset in 0..<letters.count {
                        if let pattern = fuzzy[Gazetteer.blankedHash(letters, offset: offset)] {
                            fuzzyPattern = pattern
                            break
                        }
                    }
                }
                let hasArticle =
                    word.kind == .arabic && word.scalars.count - word.bareCount >= 2
                    && word.scalars[word.scalars.count - word.bareCount - 1] == 0x0644
                tokens.append(
                    TokenInfo(
                        range: word.range, bare: bare, stem: word.stemHash, normalized: word.normalizedHash,
                        kind: word.kind, segment: segment, capitalized: capitalized, allCaps: allCaps,
                        breakBefore: breakBefore, hasArticle: hasArticle, fuzzyPattern: fuzzyPattern
                    )
                )
            }
        }
    }

    /// The source text of a byte range.
    func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    /// The source text spanning tokens `from...to`.
    func text(tokens from: Int, _ to: Int) -> String {
        text(tokens[from].range.lowerBound..<tokens[to].range.upperBound)
    }

    /// The detected language and its confidence in [0, 1].
    func language() -> (Language, Double) {
        let letters = arabicLetters + latinLetters
        guard letters >= 20 else { return (.other, 0) }
        let arabicShare = Double(arabicLetters) / Double(letters)
        if arabicShare >= 0.6 { return (.arabic, arabicShare) }
        let latinShare = 1 - arabicShare
        let stopwordShare = latinWords == 0 ? 0 : Double(englishStopwords) / Double(latinWords)
        if latinShare >= 0.6 && stopwordShare >= 0.08 && englishStopwords > foreignStopwords {
            return (.english, latinShare * min(1, stopwordShare / 0.2))
        }
        return (.other, 1 - max(arabicShare, latinShare * min(1, stopwordShare / 0.2)))
    }

    /// Number of words outside the title.
    var bodyWordCount: Int { tokens.reduce(0) { $0 + ($1.segment > 0 ? 1 : 0) } }
}
