/// One word of a text, normalised for matching.
public struct Token: Sendable, Hashable {
    /// The normalised full word: Arabic diacritics, tatweel, zero-width and bidi controls removed;
    /// أ إ آ ٱ → ا, ى → ي, ة → ه; Arabic-Indic and Persian digits → ASCII; Latin letters lowercased.
    /// Clitics are still attached ("والعراقيه").
    public var normalized: String
    /// The normalised word with clitics (و ف ب ل ك ال لل) stripped and a light suffix stem applied
    /// (see the rules on ``TextNormalizer``), so "والعراقية", "العراقي" and "عراقي" all give "عراق";
    /// English: lowercase, possessive and plural -s removed ("forces" → "force"). Numbers: as
    /// ``normalized``.
    public var stem: String
    /// The token's UTF-8 byte offsets in the source string (its diacritics and tatweel included,
    /// surrounding zero-width and bidi controls excluded).
    public var range: Range<Int>

    /// Creates a token.
    public init(normalized: String, stem: String, range: Range<Int>) {
        self.normalized = normalized
        self.stem = stem
        self.range = range
    }
}

/// Normalisation and tokenisation for matching (display text always keeps the original).
///
/// A word is a maximal run of letters of one script (Arabic, or Latin/other) and digits; Latin words
/// may contain digits ("f16") and an apostrophe between letters ("minister's"); numbers may contain
/// `.` `,` `٫` `٬` between digits ("1,400"). Arabic words and digits are separate words ("الـ69" →
/// "ال", "69"). Everything else — spaces, ASCII and Arabic punctuation (، ؛ ؟), symbols — separates
/// words. Ignorable characters (diacritics, tatweel, combining marks, zero-width and bidi controls)
/// are removed without splitting a word. See ``Token`` for the per-word forms.
///
/// `normalize(term)` equals `tokenize(term).map(\.normalized).joined(separator: " ")`, so a lexicon
/// term normalised with ``normalize(_:)`` matches the same words found by ``tokenize(_:)``.
public enum TextNormalizer {
    /// The whole text normalised for matching: the ``Token/normalized`` forms of its words joined by
    /// single spaces (punctuation dropped).
    public static func normalize(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        forEachWord(in: text) { word in
            if !out.isEmpty { out.append(0x20) }
            for v in word.scalars { appendUTF8(v, to: &out) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The words of a text with their normalised and stemmed forms and byte ranges.
    public static func tokenize(_ text: String) -> [Token] {
        var tokens: [Token] = []
        var buffer: [UInt8] = []
        forEachWord(in: text) { word in
            tokens.append(
                Token(
                    normalized: word.normalizedString(buffer: &buffer),
                    stem: word.stemString(buffer: &buffer),
                    range: word.range
                )
            )
        }
        return tokens
    }

    /// The stems of a text's words (``Token/stem``), in order.
    public static func stems(_ text: String) -> [String] {
        var stems: [String] = []
        var buffer: [UInt8] = []
        forEachWord(in: text) { word in stems.append(word.stemString(buffer: &buffer)) }
        return stems
    }

    /// Normalised scalars of a text's words joined by spaces, without stemming (used to build the
    /// stemmer's own tables).
    static func normalizedScalars(of text: String) -> [UInt32] {
        var out: [UInt32] = []
        var scanner = WordScanner(stemming: false)
        var copy = text
        copy.withUTF8 { bytes in
            scanner.scan(bytes) { word in
                if !out.isEmpty { out.append(0x20) }
                out.append(contentsOf: word.scalars)
            }
        }
        return out
    }

    /// Calls `body` for every word of a string (see the byte-level variant).
    static func forEachWord(in text: String, _ body: (borrowing Word) -> Void) {
        var copy = text
        copy.withUTF8 { bytes in forEachWord(in: bytes, body) }
    }

    /// Calls `body` for every word of valid UTF-8 bytes, in order. The ``Word`` passed is only valid
    /// during the call; its buffers are reused for the next word. This is the hot-path entry point.
    static func forEachWord(in bytes: UnsafeBufferPointer<UInt8>, _ body: (borrowing Word) -> Void) {
        var scanner = WordScanner(stemming: true)
        scanner.scan(bytes, body)
    }

    /// 64-bit FNV-1a hash of a scalar sequence (used as a dictionary key for normalised words).
    @inline(__always)
    static func hash<S: Sequence<UInt32>>(_ scalars: S) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for v in scalars {
            h = (h ^ UInt64(v)) &* 0x0000_0100_0000_01B3
        }
        return h
    }
}

/// A word found by the scanner, valid only inside the callback that receives it.
struct Word {
    /// The kind of a word.
    enum Kind: Equatable {
        /// Arabic letters.
        case arabic
        /// Latin (or other non-Arabic) letters, possibly with digits.
        case latin
        /// Digits only (with separators).
        case number
    }

    /// Normalised scalars (see ``Token/normalized``).
    var scalars: [UInt32]
    /// Stemmed scalars (see ``Token/stem``).
    var stem: [UInt32]
    /// Hash of the word without proclitics (see ``Stemmer/bare(_:isArabic:)``); names match on it.
    var bareHash: UInt64
    /// Number of scalars of ``bare`` (the proclitic-free form).
    var bareCount: Int
    /// UTF-8 byte range in the source.
    var range: Range<Int>
    /// Script of the word.
    var kind: Kind

    /// The normalised form as a `String`.
    func normalizedString(buffer: inout [UInt8]) -> String {
        Word.string(scalars, buffer: &buffer)
    }

    /// The stem as a `String`.
    func stemString(buffer: inout [UInt8]) -> String {
        Word.string(stem, buffer: &buffer)
    }

    /// The proclitic-free form (a suffix of ``scalars`` for Arabic, a prefix otherwise).
    var bare: ArraySlice<UInt32> {
        kind == .arabic ? scalars.suffix(bareCount) : scalars.prefix(bareCount)
    }

    /// Hash of the normalised form.
    var normalizedHash: UInt64 { TextNormalizer.hash(scalars) }
    /// Hash of the stem.
    var stemHash: UInt64 { TextNormalizer.hash(stem) }

    private static func string(_ scalars: [UInt32], buffer: inout [UInt8]) -> String {
        buffer.removeAll(keepingCapacity: true)
        for v in scalars { appendUTF8(v, to: &buffer) }
        return String(decoding: buffer, as: UTF8.self)
    }
}

/// The single-pass word scanner over UTF-8 bytes.
struct WordScanner {
    /// Whether to compute stems (off only while building the stemmer's own tables).
    let stemming: Bool

    /// Scans `bytes`, calling `body` for every word.
    mutating func scan(_ p: UnsafeBufferPointer<UInt8>, _ body: (borrowing Word) -> Void) {
        var word = Word(scalars: [], stem: [], bareHash: 0, bareCount: 0, range: 0..<0, kind: .number)
        word.scalars.reserveCapacity(32)
        word.stem.reserveCapacity(32)
        var inWord = false
        var start = 0
        var end = 0
        var i = 0
        let n = p.count

        func flush(_ word: inout Word) {
            word.range = start..<end
            if stemming {
                word.stem.removeAll(keepingCapacity: true)
                if word.kind == .number {
                    word.stem.append(contentsOf: word.scalars)
                    word.bareHash = TextNormalizer.hash(word.scalars)
                    word.bareCount = word.scalars.count
                } else {
                    let isArabic = word.kind == .arabic
                    let bare = Stemmer.stem(word.scalars[...], isArabic: isArabic, into: &word.stem)
                    word.bareHash = TextNormalizer.hash(bare)
                    word.bareCount = bare.count
                }
            }
            body(word)
            word.scalars.removeAll(keepingCapacity: true)
        }

        while i < n {
            // Fast paths for the two commonest cases, identical to what the classification below does:
            // an ASCII space ends a word; an Arabic letter that needs no folding extends one.
            let b0 = p[i]
            if b0 == 0x20 {
                if inWord {
                    flush(&word)
                    inWord = false
                }
                i += 1
                continue
            }
            if (b0 == 0xD8 || b0 == 0xD9) && i + 1 < n {
                let v = ((UInt32(b0) & 0x1F) << 6) | (UInt32(p[i + 1]) & 0x3F)
                if (v >= 0x0621 && v <= 0x063A && v != 0x0622 && v != 0x0623 && v != 0x0625 && v != 0x0629)
                    || (v >= 0x0641 && v <= 0x064A && v != 0x0649)
                {
                    if inWord && word.kind != .arabic {
                        flush(&word)
                        inWord = false
                    }
                    if !inWord {
                        inWord = true
                        start = i
                        word.kind = .arabic
                    }
                    word.scalars.append(v)
                    end = i + 2
                    i += 2
                    continue
                }
            }
            let (v, len) = decodeScalar(p, at: i)
            let cls = CharacterClass.of(v)
            switch cls {
            case .arabicLetter(let folded):
                if inWord && word.kind != .arabic {
                    flush(&word)
                    inWord = false
                }
                if !inWord {
                    inWord = true
                    start = i
                    word.kind = .arabic
                }
                word.scalars.append(folded)
                end = i + len
            case .latinLetter(let folded):
                if inWord && word.kind == .arabic {
                    flush(&word)
                    inWord = false
                }
                if !inWord {
                    inWord = true
                    start = i
                    word.kind = .latin
                }
                word.kind = .latin
                word.scalars.append(folded)
                end = i + len
            case .digit(let ascii):
                if inWord && word.kind == .arabic {
                    flush(&word)
                    inWord = false
                }
                if !inWord {
                    inWord = true
                    start = i
                    word.kind = .number
                }
                word.scalars.append(ascii)
                end = i + len
            case .ignorable:
                // Marks written on the word's last letter belong to it; controls do not.
                if inWord && v >= 0x0300 && v < 0x2000 { end = i + len }
            case .joiner(let ascii):
                if inWord, i + len < n, let last = word.scalars.last {
                    let next = CharacterClass.of(decodeScalar(p, at: i + len).value)
                    let joins: Bool
                    switch (ascii, next) {
                    case (0x27, .latinLetter): joins = word.kind == .latin && last >= 0x61
                    case (0x2C, .digit), (0x2E, .digit): joins = last >= 0x30 && last <= 0x39
                    default: joins = false
                    }
                    if joins {
                        word.scalars.append(ascii)
                        end = i + len
                        break
                    }
                }
                if inWord {
                    flush(&word)
                    inWord = false
                }
            case .separator:
                if inWord {
                    flush(&word)
                    inWord = false
                }
            }
            i += len
        }
        if inWord { flush(&word) }
    }
}
