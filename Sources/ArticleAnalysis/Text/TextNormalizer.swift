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

    /// Calls `body` for every word of a string (see the byte-level variant).
    static func forEachWord(in text: String, _ body: (Word) -> Void) {
        var copy = text
        copy.withUTF8 { bytes in forEachWord(in: bytes, body) }
    }

    /// Calls `body` for every word of valid UTF-8 bytes, in order. The ``Word`` passed is only valid
    /// during the call; its scalar buffer is reused for the next word.
    static func forEachWord(in bytes: UnsafeBufferPointer<UInt8>, _ body: (Word) -> Void) {
        var scanner = WordScanner(bytes, stemming: true)
        while let word = scanner.next() { body(word) }
        scanner.release()
    }

    /// The FNV-1a offset basis: the hash of the empty sequence.
    static let hashSeed: UInt64 = 0xcbf2_9ce4_8422_2325

    /// One FNV-1a step: `h` extended by the scalar `v`.
    @inline(always)
    static func hash(_ h: UInt64, _ v: UInt32) -> UInt64 {
        (h ^ UInt64(v)) &* 0x0000_0100_0000_01B3
    }

    /// The inverse of ``hash(_:_:)``: the hash before the scalar `v` was added to `h` (the FNV prime is odd, so
    /// multiplying by its inverse modulo 2^64 undoes the step exactly).
    @inline(always)
    static func unhash(_ h: UInt64, _ v: UInt32) -> UInt64 {
        (h &* 0xce96_5057_aff6_957b) ^ UInt64(v)
    }

    /// 64-bit FNV-1a hash of a scalar sequence (used as a dictionary key for normalised words).
    @inline(__always)
    static func hash<S: Sequence<UInt32>>(_ scalars: S) -> UInt64 {
        var h = hashSeed
        for v in scalars { h = hash(h, v) }
        return h
    }
}

/// A word found by the scanner, valid only until the scanner moves on (its scalars live in the
/// scanner's buffer).
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
    let scalars: UnsafeBufferPointer<UInt32>
    /// Where the bare form and the stem lie in ``scalars`` (numbers, and every word of a scanner that
    /// does not stem: the whole word for both).
    let bounds: Stemmer.Bounds
    /// UTF-8 byte range in the source.
    let range: Range<Int>
    /// Script of the word.
    let kind: Kind
    /// Hash of the normalised form.
    let normalizedHash: UInt64
    /// Hash of the word without proclitics (see ``bare``); names match on it.
    let bareHash: UInt64
    /// Hash of the stem (see ``Token/stem``).
    let stemHash: UInt64

    /// The proclitic-free form: the word without its conjunction, preposition and article (Arabic,
    /// "والعراقي" → "عراقي") or without a possessive 's (English); numbers: the whole word.
    var bare: Slice<UnsafeBufferPointer<UInt32>> { scalars[bounds.bareStart..<bounds.bareEnd] }

    /// The normalised form as a `String`.
    func normalizedString(buffer: inout [UInt8]) -> String {
        buffer.removeAll(keepingCapacity: true)
        for v in scalars { appendUTF8(v, to: &buffer) }
        return String(decoding: buffer, as: UTF8.self)
    }

    /// The stem as a `String`.
    func stemString(buffer: inout [UInt8]) -> String {
        buffer.removeAll(keepingCapacity: true)
        for v in scalars[bounds.bareStart..<bounds.stemEnd] { appendUTF8(v, to: &buffer) }
        if bounds.stemY { buffer.append(0x79) }
        return String(decoding: buffer, as: UTF8.self)
    }
}

/// The single-pass word scanner over UTF-8 bytes: `next()` returns the words in order.
///
/// The normalised scalars of the current word are written to one buffer owned by the scanner, and the
/// three hashes are computed from them without building arrays.
struct WordScanner {
    /// The text.
    private let p: UnsafeBufferPointer<UInt8>
    /// Whether to compute stems (off only while building the stemmer's own tables).
    private let stemming: Bool
    /// ``CharacterClass/packedTable``.
    private let table: UnsafePointer<UInt32>
    /// ``Stemmer/RuleTables/shared``.
    private let rules: Stemmer.RuleTables
    /// Where the next word search starts.
    private var position = 0
    /// Scalars of the current word: room for as many scalars as the text has bytes, so a word always fits.
    private let buffer: UnsafeMutablePointer<UInt32>
    /// Room for four hashes of an Arabic word, one of which `next()` reads back by index (without a branch).
    private let candidates: UnsafeMutablePointer<UInt64>

    /// A scanner over valid UTF-8 bytes; `stemming: false` skips the stemmer (bare form and stem are then
    /// the whole word).
    init(_ bytes: UnsafeBufferPointer<UInt8>, stemming: Bool) {
        p = bytes
        self.stemming = stemming
        table = CharacterClass.packedTable
        rules = Stemmer.RuleTables.shared
        // One allocation: the four candidate hashes, then the scalars.
        let storage = UnsafeMutableRawPointer.allocate(
            byteCount: 4 * MemoryLayout<UInt64>.stride + (bytes.count + 1) * MemoryLayout<UInt32>.stride,
            alignment: MemoryLayout<UInt64>.alignment
        )
        candidates = storage.bindMemory(to: UInt64.self, capacity: 4)
        buffer = (storage + 4 * MemoryLayout<UInt64>.stride).bindMemory(to: UInt32.self, capacity: bytes.count + 1)
    }

    /// Frees the scanner's buffers; the scanner and its words must not be used afterwards.
    func release() {
        UnsafeMutableRawPointer(candidates).deallocate()
    }

    /// The next word, or nil at the end of the text. The returned word's ``Word/scalars`` stay valid until
    /// the next call.
    @inline(always)
    mutating func next() -> Word? {
        let p = self.p
        let n = p.count
        let table = self.table
        let arabicPairs = table + CharacterClass.arabicLetterTable
        let beforeLast = n &- 1
        guard let base = p.baseAddress else { return nil }
        // The two bytes at `i` (`i + 1 < n`).
        func pair(_ i: Int) -> UInt16 { UnsafeRawPointer(base + i).loadUnaligned(as: UInt16.self) }
        let buffer = self.buffer
        var i = position
        var count = 0
        var kind = Word.Kind.number
        var start = 0
        var end = 0
        var h = TextNormalizer.hashSeed
        // The hash of the word from its third letter on (after the article ال, the commonest prefix), computed along
        // with `h` by `arabicRun`; valid only when `fromThirdValid` (see the first word path below).
        var fromThird = TextNormalizer.hashSeed
        var fromThirdValid = false
        // The rest of an Arabic word is mostly two-byte letters of U+0600–U+067F: a tight loop, without decoding.
        // Letter `k` of the run is read at byte `i + 2k` and written to `buffer[count + k]`: one induction variable.
        func arabicRun() {
            let letters = UnsafeRawPointer(base + i)
            let out = buffer + count
            // The pairs that can be read whole: `i + 2k + 1 < n`.
            let limit = (n &- i) >> 1
            var k = 0
            while k < limit {
                let folded = arabicPairs[
                    Int(UInt16(littleEndian: letters.loadUnaligned(fromByteOffset: k &<< 1, as: UInt16.self)) & 0x3FFF)
                ]
                guard folded != 0 else { break }
                out[k] = folded
                h = TextNormalizer.hash(h, folded)
                fromThird = TextNormalizer.hash(fromThird, folded)
                k &+= 1
            }
            count &+= k
            i &+= k &<< 1
            end = i
        }
        // The commonest word of Arabic text first: after spaces, two-byte Arabic letters up to an ASCII byte or the
        // end of the text. An ASCII byte always ends an Arabic word (a letter, digit or separator, never an
        // ignorable or a joiner that joins it); only a space is consumed here (anything else is read again by the
        // next call, as a separator between words or the start of the next word).
        var complete = false
        while i < n && p[i] == 0x20 { i &+= 1 }
        if i < beforeLast && arabicPairs[Int(UInt16(littleEndian: pair(i)) & 0x3FFF)] != 0 {
            start = i
            kind = .arabic
            // The first two letters before the loop, so that `arabicRun` hashes the word from its third letter too.
            let first = arabicPairs[Int(UInt16(littleEndian: pair(i)) & 0x3FFF)]
            buffer[0] = first
            h = TextNormalizer.hash(h, first)
            count = 1
            i &+= 2
            end = i
            if i < beforeLast {
                let second = arabicPairs[Int(UInt16(littleEndian: pair(i)) & 0x3FFF)]
                if second != 0 {
                    buffer[1] = second
                    h = TextNormalizer.hash(h, second)
                    count = 2
                    i &+= 2
                    arabicRun()
                }
            }
            if i >= n || p[i] < 0x80 {
                if i < n && p[i] == 0x20 { i &+= 1 }
                complete = true
                // The word is complete: `fromThird` hashed all of its letters after the second.
                fromThirdValid = true
            }
        }
        while !complete && i < n {
            // An ASCII space (the commonest separator) needs no decoding.
            let b0 = p[i]
            if b0 == 0x20 {
                i &+= 1
                if count > 0 { break } else { continue }
            }
            // An ASCII byte is classified by the table alone, a two-byte Arabic letter without decoding (see the tight
            // loop below).
            var letter: UInt32 = 0
            var v: UInt32 = 0
            var len = 2
            var tag = CharacterClass.arabicLetterTag
            if b0 < 0x80 {
                v = UInt32(b0)
                len = 1
                let code = table[Int(b0)]
                tag = code >> 24
                letter = code & 0xFF_FFFF
            } else if i < beforeLast {
                letter = arabicPairs[Int(UInt16(littleEndian: pair(i)) & 0x3FFF)]
            }
            if letter == 0 && b0 >= 0x80 {
                (v, len) = decodeScalar(p, at: i)
                let code = CharacterClass.packed(v, table: table)
                tag = code >> 24
                letter = code & 0xFF_FFFF
            }
            if tag == CharacterClass.arabicLetterTag {
                if count == 0 {
                    start = i
                    kind = .arabic
                } else if kind != .arabic {
                    break  // re-read by the next call
                }
                buffer[count] = letter
                count &+= 1
                h = TextNormalizer.hash(h, letter)
                i &+= len
                arabicRun()
                // The commonest end of a word: a space (consumed, as the top of the loop would).
                if i < n && p[i] == 0x20 {
                    i &+= 1
                    break
                }
                continue
            }
            if tag == CharacterClass.latinLetterTag {
                if count == 0 {
                    start = i
                } else if kind == .arabic {
                    break
                }
                kind = .latin
            } else if tag == CharacterClass.digitTag {
                if count == 0 {
                    start = i
                    kind = .number
                } else if kind == .arabic {
                    break
                }
            } else if tag == CharacterClass.ignorableTag {
                // Marks written on the word's last letter belong to it; controls do not.
                if count > 0 && v >= 0x0300 && v < 0x2000 { end = i + len }
                i &+= len
                continue
            } else {
                i &+= len
                guard tag == CharacterClass.joinerTag, count > 0, i < n else {
                    if count > 0 { break } else { continue }
                }
                let next = CharacterClass.packed(decodeScalar(p, at: i).value, table: table) >> 24
                let last = buffer[count - 1]
                let joins: Bool
                switch (letter, next) {
                case (0x27, CharacterClass.latinLetterTag): joins = kind == .latin && last >= 0x61
                case (0x2C, CharacterClass.digitTag), (0x2E, CharacterClass.digitTag):
                    joins = last >= 0x30 && last <= 0x39
                default: joins = false
                }
                guard joins else { break }
                i &-= len
            }
            buffer[count] = letter
            count &+= 1
            h = TextNormalizer.hash(h, letter)
            end = i + len
            i &+= len
        }
        position = i
        guard count > 0 else { return nil }
        let scalars = UnsafeBufferPointer(start: buffer, count: count)
        var bounds = Stemmer.Bounds(bareStart: 0, bareEnd: count, stemEnd: count, stemY: false)
        var bareHash = h
        var stemHash = h
        if stemming && kind == .arabic {
            // Without proclitics, or with the article alone and `fromThird` valid, the bare form's hash is at hand (the
            // word's, or `fromThird`) and the stem's is it with the suffix taken back off; past other proclitics, the
            // stem's and the bare form's hashes are computed afresh, the stem's on the way (the bare form ends with
            // the word).
            bounds = Stemmer.bounds(of: scalars, isArabic: true, tables: rules)
            // The suffix has at most three letters, and the stem past proclitics at least two. How many varies from
            // word to word: the hashes for each number are computed, written to `candidates` and the right one read
            // back, rather than branched to.
            let stemEnd = bounds.stemEnd
            let suffix = count &- stemEnd
            let candidates = self.candidates
            let bareStart = bounds.bareStart
            if bareStart & (fromThirdValid ? ~2 : ~0) == 0 {
                // `candidates[0]` or `[1]`: `bareStart` is 0 or 2.
                candidates[0] = h
                candidates[1] = fromThird
                var x = candidates[bareStart >> 1]
                bareHash = x
                // The word's last three letters taken back off (in bounds: its first letter in place of those before
                // its start, whose hashes are not read; the suffix lies past the prefix).
                candidates[0] = x
                x = TextNormalizer.unhash(x, buffer[count &- 1])
                candidates[1] = x
                x = TextNormalizer.unhash(x, buffer[max(count &- 2, 0)])
                candidates[2] = x
                candidates[3] = TextNormalizer.unhash(x, buffer[max(count &- 3, 0)])
                stemHash = candidates[suffix]
            } else {
                var x = TextNormalizer.hashSeed
                var q = buffer + bareStart
                let end = buffer + stemEnd
                repeat {
                    x = TextNormalizer.hash(x, q.pointee)
                    q += 1
                } while q < end
                stemHash = x
                // The letters after the stem (in bounds: the word's last letter in place of those past its end,
                // whose hashes are not read).
                let last = count &- 1
                candidates[0] = x
                x = TextNormalizer.hash(x, buffer[min(stemEnd, last)])
                candidates[1] = x
                x = TextNormalizer.hash(x, buffer[min(stemEnd &+ 1, last)])
                candidates[2] = x
                candidates[3] = TextNormalizer.hash(x, buffer[min(stemEnd &+ 2, last)])
                bareHash = candidates[suffix]
            }
        } else if stemming && kind == .latin {
            // The bare form's hash is the word's with the letters past it (a possessive 's) taken back off; the
            // stem's, the bare form's with its suffix taken off (and a "y" added for -ies).
            bounds = Stemmer.bounds(of: scalars, isArabic: false, tables: rules)
            var k = count
            while k > bounds.bareEnd {
                k &-= 1
                bareHash = TextNormalizer.unhash(bareHash, buffer[k])
            }
            stemHash = bareHash
            while k > bounds.stemEnd {
                k &-= 1
                stemHash = TextNormalizer.unhash(stemHash, buffer[k])
            }
            if bounds.stemY { stemHash = TextNormalizer.hash(stemHash, 0x79) }
        }
        return Word(
            scalars: scalars, bounds: bounds, range: start..<end, kind: kind, normalizedHash: h, bareHash: bareHash,
            stemHash: stemHash
        )
    }
}
