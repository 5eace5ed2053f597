/// The article's text laid out in one UTF-8 buffer (title, lead, highlights, paragraphs — one
/// segment each, separated by a newline) and tokenised once; every enrichment step works on these
/// tokens and byte ranges.
struct ArticleText {
    /// One word of the article: 48 bytes (offsets, segment and pattern as `Int32`, read back as `Int` through
    /// the computed properties), so that writing and walking the records stays cheap.
    struct TokenInfo {
        /// Hash of the proclitic-free form (names match on it).
        var bare: UInt64
        /// Hash of the stem.
        var stem: UInt64
        /// Hash of the full normalised form.
        var normalized: UInt64
        /// ``range``'s bounds (the text is shorter than 2 GiB: see ``ArticleText/init``).
        private var start: Int32
        private var end: Int32
        /// ``segment`` and ``fuzzyPattern``.
        private var segmentIndex: Int32
        private var fuzzyIndex: Int32
        /// Script of the word.
        var kind: Word.Kind
        /// Whether the source word starts with a capital letter (Latin).
        var capitalized: Bool
        /// Whether every letter of the source word is a capital (Latin).
        var allCaps: Bool
        /// Whether anything but spaces separates this word from the previous one (punctuation,
        /// quotes, line breaks), or it starts a segment.
        var breakBefore: Bool
        /// Whether the normalised word starts with the article ال (possibly after clitics).
        var hasArticle: Bool
        /// The ``Hint`` bits that the scan itself knows: ``Hint/date`` for a number, ``Hint/name`` for a fuzzy match.
        fileprivate var scanHint: UInt8

        /// A record; `range` must lie within 0...Int32.max.
        @inline(__always)
        init(
            range: Range<Int>, bare: UInt64, stem: UInt64, normalized: UInt64, kind: Word.Kind, segment: Int,
            capitalized: Bool, allCaps: Bool, breakBefore: Bool, hasArticle: Bool, fuzzyPattern: Int, scanHint: UInt8
        ) {
            self.bare = bare
            self.stem = stem
            self.normalized = normalized
            start = Int32(truncatingIfNeeded: range.lowerBound)
            end = Int32(truncatingIfNeeded: range.upperBound)
            segmentIndex = Int32(truncatingIfNeeded: segment)
            fuzzyIndex = Int32(truncatingIfNeeded: fuzzyPattern)
            self.kind = kind
            self.capitalized = capitalized
            self.allCaps = allCaps
            self.breakBefore = breakBefore
            self.hasArticle = hasArticle
            self.scanHint = scanHint
        }

        /// Sets the segment and the break (see ``ArticleText/completeRecords(_:text:segmentStarts:)``).
        @inline(__always)
        mutating func complete(segment: Int, breakBefore: Bool) {
            segmentIndex = Int32(truncatingIfNeeded: segment)
            self.breakBefore = breakBefore
        }

        /// Byte range in ``bytes``.
        var range: Range<Int> { Range(uncheckedBounds: (Int(start), Int(end))) }
        /// Index of the segment (see ``segments``).
        var segment: Int { Int(segmentIndex) }
        /// Gazetteer pattern matched by a one-letter substitution, or -1 (probed for Arabic words only, and
        /// only when no gazetteer pattern starts with the word).
        var fuzzyPattern: Int { Int(fuzzyIndex) }
    }

    /// What a token may start (bits of the entries of ``hinted`` and ``Gazetteer/hints``): each extractor visits
    /// only the tokens with its bit, then tests them exactly (a bit may be set for a word that starts nothing).
    enum Hint {
        /// A gazetteer spelling (its first word, or an Arabic word with a one-letter fuzzy match).
        static let name: UInt8 = 1
        /// A title that introduces a person (``EntityExtractor/titleFirstWords``).
        static let title: UInt8 = 2
        /// An Arabic reporting verb (``QuoteExtractor/arabicVerbList``).
        static let quote: UInt8 = 4
        /// A date: a number, or a weekday or month name (``DateExtractor/startWords``).
        static let date: UInt8 = 8
    }

    /// The article text.
    var bytes: [UInt8] = []
    /// Byte range and zone of each segment: title, lead, highlights..., paragraphs...
    var segments: [(range: Range<Int>, zone: Zone)] = []
    /// All words in order.
    var tokens: [TokenInfo] = []
    /// The tokens with a ``Hint``, in order: `index << 8 | hints` (index in ``tokens``, hints the ``Hint`` bits).
    var hinted: [UInt64] = []
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

    private static let englishStopwordHashes = HashSet64(
        "the of and to in is that for on was with he it as at by said from has have be are this an not but his had were which"
            .split(separator: " ").map { TextNormalizer.hash(String($0).unicodeScalars.map(\.value)) }
    )
    private static let foreignStopwordHashes = HashSet64(
        "le la les des du et est une de en el los las del y que der die und das ist nicht il di che per une sur"
            .split(separator: " ").map { TextNormalizer.hash(String($0).unicodeScalars.map(\.value)) }
    )

    init(title: String, lead: String, highlights: [String], paragraphs: [String], gazetteer: Gazetteer) {
        // The segments are laid out first (each after a line break unless nothing precedes it), then copied into
        // one buffer of exactly their size. The texts are read in place, in order (title, lead, highlights,
        // paragraphs): no `String` is copied out of its array, so none is retained and released.
        let count = 2 + highlights.count + paragraphs.count
        var segments: [(range: Range<Int>, zone: Zone)] = []
        segments.reserveCapacity(count)
        // The segments' start offsets, and an end marker past every word.
        var segmentStarts: [Int] = []
        segmentStarts.reserveCapacity(count + 1)
        var size = 0
        func layOut(_ text: String, _ zone: Zone) {
            if size > 0 { size &+= 1 }
            let length = text.utf8.count
            segmentStarts.append(size)
            segments.append((size..<(size &+ length), zone))
            size &+= length
        }
        layOut(title, .title)
        layOut(lead, .lead)
        for highlight in highlights { layOut(highlight, .lead) }
        for paragraph in paragraphs { layOut(paragraph, .body) }
        // Token records hold their offsets as `Int32`: the analyser accepts at most
        // `AnalyzerConfiguration.maxInputBytesCeiling` (128 MiB) of payload, whose text is a small multiple.
        precondition(size < Int(Int32.max), "khabar: an article text of 2 GiB or more")
        bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, written in
            var index = 0
            func copy(_ text: String) {
                let start = segments[index].range.lowerBound
                // In bounds: the segments and their separators lie within `size`.
                if start > 0 { buffer[start &- 1] = 0x0A }
                Self.copy(text, into: buffer, at: start)
                index &+= 1
            }
            copy(title)
            copy(lead)
            for highlight in highlights { copy(highlight) }
            for paragraph in paragraphs { copy(paragraph) }
            written = size
        }
        self.segments = segments
        segmentStarts.append(Int.max)
        let scan = bytes.withUnsafeBufferPointer { p in
            Self.scanWords(p, segmentStarts: segmentStarts, gazetteer: gazetteer)
        }
        tokens = scan.tokens
        hinted = scan.hinted
        arabicLetters = scan.counts.arabicLetters
        latinLetters = scan.counts.latinLetters
        englishStopwords = scan.counts.englishStopwords
        foreignStopwords = scan.counts.foreignStopwords
        latinWords = scan.counts.latinWords
    }

    /// Copies the UTF-8 bytes of `text` into `buffer` from `start` (room checked by the caller); a native string's
    /// bytes are copied in one piece.
    @inline(__always)
    private static func copy(_ text: String, into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { source in
            // In bounds: the caller's buffer has room for every byte of the text from `start`.
            UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[start..<(start &+ source.count)]))
                .copyMemory(from: UnsafeRawBufferPointer(source))
        }
        guard copied == nil else { return }
        var at = start
        for byte in text.utf8 {
            buffer[at] = byte
            at &+= 1
        }
    }

    /// Letter, word and stopword counts (see the stored properties of the same names).
    private typealias Counts = (
        arabicLetters: Int, latinLetters: Int, englishStopwords: Int, foreignStopwords: Int, latinWords: Int
    )

    /// Tokenises `p` (segments starting at `segmentStarts`, followed by `Int.max`) into ``TokenInfo``s, their
    /// ``hinted`` entries and counts.
    private static func scanWords(
        _ p: UnsafeBufferPointer<UInt8>, segmentStarts starts: [Int], gazetteer: Gazetteer
    ) -> (tokens: [TokenInfo], hinted: [UInt64], counts: Counts) {
        // The records are written straight into the array's storage (appending checks uniqueness and capacity per
        // word), sized for words of three bytes and a space on average; a text of shorter words is scanned again
        // with twice the room, up to a word at every byte (which always fits).
        var capacity = p.count / 4 + 16
        while true {
            if let scan = scanWords(p, segmentStarts: starts, gazetteer: gazetteer, capacity: capacity) { return scan }
            capacity = min(2 * capacity, p.count + 1)
        }
    }

    /// ``scanWords(_:segmentStarts:gazetteer:)`` with room for `capacity` records, or nil if the text has more words.
    ///
    /// Three passes, so that each loop keeps its state in registers: the first scans the words and writes their
    /// hashes, ranges, kinds, articles and fuzzy patterns (with the word's letter count in the segment field); the
    /// second walks the records for the segments, breaks, capitals and counts; the third lists their hints.
    private static func scanWords(
        _ p: UnsafeBufferPointer<UInt8>, segmentStarts starts: [Int], gazetteer: Gazetteer, capacity: Int
    ) -> (tokens: [TokenInfo], hinted: [UInt64], counts: Counts)? {
        var counts: Counts = (0, 0, 0, 0, 0)
        var hinted: [UInt64] = []
        var complete = true
        let tokens = [TokenInfo](unsafeUninitializedCapacity: capacity) { buffer, written in
            guard let records = buffer.baseAddress else { return }
            var count = 0
            var scanner = WordScanner(p, stemming: true)
            while let word = scanner.next() {
                guard count < buffer.count else {
                    complete = false
                    break
                }
                let bounds = word.bounds
                var hasArticle = false
                var fuzzyPattern = -1
                var scanHint: UInt8 = 0
                if word.kind == .arabic {
                    // The letter before the bare form read whatever the prefix (in bounds: the first letter when there
                    // is none), so that no branch on the prefix (which varies from word to word) guards the read.
                    let before = word.scalars[max(bounds.bareStart &- 1, 0)]
                    hasArticle = bounds.bareStart >= 2 ? before == 0x0644 : false
                    let length = bounds.bareEnd &- bounds.bareStart
                    if length >= Gazetteer.fuzzyMinLength && length <= Gazetteer.fuzzyMaxLength {
                        fuzzyPattern = Self.fuzzyProbe(
                            UnsafeBufferPointer(rebasing: word.bare), hash: word.bareHash, gazetteer: gazetteer)
                        if fuzzyPattern >= 0 { scanHint = Hint.name }
                    }
                } else if word.kind == .number {
                    scanHint = Hint.date
                }
                // In bounds: `count < buffer.count` (checked above).
                (records + count).initialize(
                    to: TokenInfo(
                        range: word.range, bare: word.bareHash, stem: word.stemHash, normalized: word.normalizedHash,
                        kind: word.kind, segment: word.scalars.count, capitalized: false, allCaps: false,
                        breakBefore: false, hasArticle: hasArticle, fuzzyPattern: fuzzyPattern, scanHint: scanHint
                    )
                )
                count &+= 1
            }
            scanner.release()
            written = count
            guard complete else { return }
            let completed = UnsafeMutableBufferPointer(start: records, count: count)
            counts = Self.completeRecords(completed, text: p, segmentStarts: starts)
            hinted = gazetteer.hints.withUnsafeBufferPointer {
                Self.hintPass(UnsafeBufferPointer(completed), hints: $0)
            }
        }
        return complete ? (tokens, hinted, counts) : nil
    }

    /// The second pass of ``scanWords(_:segmentStarts:gazetteer:capacity:)``: fills in the segment, break and
    /// capitals of each record (whose segment field holds its word's letter count) and returns the counts;
    /// `segmentStarts` as for ``scanWords(_:segmentStarts:gazetteer:)``.
    private static func completeRecords(
        _ records: UnsafeMutableBufferPointer<TokenInfo>, text p: UnsafeBufferPointer<UInt8>,
        segmentStarts: [Int]
    ) -> Counts {
        var arabicLetters = 0
        var latinLetters = 0
        var englishStopwords = 0
        var foreignStopwords = 0
        var latinWords = 0
        var segment = 0
        var nextSegmentStart = segmentStarts[1]
        var previousEnd = 0
        guard var record = records.baseAddress else { return (0, 0, 0, 0, 0) }
        // The word lists read once: inside the loop, their lazy initialisation check is a call that spilled the
        // loop's values at every word.
        let (englishStopwordHashes, foreignStopwordHashes) = (Self.englishStopwordHashes, Self.foreignStopwordHashes)
        // In bounds: `record` walks the records, one per iteration.
        for _ in 0..<records.count {
            defer { record += 1 }
            let range = record.pointee.range
            let letters = record.pointee.segment
            if range.lowerBound >= nextSegmentStart {
                repeat {
                    segment &+= 1
                    nextSegmentStart = segmentStarts[segment &+ 1]
                } while range.lowerBound >= nextSegmentStart
            }
            // A break: the text's first word (`previousEnd` is 0 only before it: words are not empty), or anything but
            // spaces since the previous word. A word starting a later segment follows the line break that separates
            // segments. The commonest case, a single space, is tested first.
            var breakBefore = previousEnd == 0
            if !breakBefore && (range.lowerBound != previousEnd &+ 1 || p[previousEnd] != 0x20) {
                var i = previousEnd
                while !breakBefore && i < range.lowerBound {
                    breakBefore = p[i] != 0x20
                    i &+= 1
                }
            }
            previousEnd = range.upperBound
            record.pointee.complete(segment: segment, breakBefore: breakBefore)
            let kind = record.pointee.kind
            if kind == .arabic {
                arabicLetters &+= letters
            } else if kind == .latin {
                let first = p[range.lowerBound]
                var allCaps = first >= 0x41 && first <= 0x5A
                record.pointee.capitalized = allCaps
                if allCaps {
                    for i in range where (p[i] >= 0x61 && p[i] <= 0x7A) {
                        allCaps = false
                        break
                    }
                    record.pointee.allCaps = allCaps
                }
                latinLetters &+= letters
                latinWords &+= 1
                let normalized = record.pointee.normalized
                if englishStopwordHashes.contains(normalized) {
                    englishStopwords &+= 1
                } else if foreignStopwordHashes.contains(normalized) {
                    foreignStopwords &+= 1
                }
            }
        }
        return (arabicLetters, latinLetters, englishStopwords, foreignStopwords, latinWords)
    }

    /// The third pass of ``scanWords(_:segmentStarts:gazetteer:capacity:)``: the ``hinted`` entries of the records
    /// (`hints`: ``Gazetteer/hints``). Out of line, with only the loop's own values live.
    @inline(never)
    private static func hintPass(_ records: UnsafeBufferPointer<TokenInfo>, hints: UnsafeBufferPointer<UInt8>)
        -> [UInt64]
    {
        [UInt64](unsafeUninitializedCapacity: records.count) { hinted, hintedCount in
            guard var record = records.baseAddress, let out = hinted.baseAddress else { return }
            var count = 0
            // The entry of the current record without its hints: its index, shifted.
            var entry: UInt64 = 0
            // In bounds: `record` walks the records, one per iteration; `count` ≤ the records visited < `records.count`,
            // the room (every record is written, a hinted one kept); the table has 65,536 entries, the index 16 bits.
            for _ in 0..<records.count {
                let hint = hints[Gazetteer.hintIndex(record.pointee.bare)] | record.pointee.scanHint
                out[count] = entry | UInt64(hint)
                count &+= hint != 0 ? 1 : 0
                entry &+= 1 << 8
                record += 1
            }
            hintedCount = count
        }
    }

    /// The gazetteer pattern one letter substitution away from `letters`, the bare form (of hash `hash`) of an Arabic
    /// word of fuzzy length, or -1 (also when a pattern starts with the word). Out of line: few words are that long.
    @inline(never)
    private static func fuzzyProbe(_ letters: UnsafeBufferPointer<UInt32>, hash: UInt64, gazetteer: Gazetteer) -> Int {
        // A substitution leaves one half of the word intact: only the positions of a half whose other half may
        // belong to a spelling are probed, in order (the first match wins, as if all were). The small filter is
        // read first: for most words it rules out every position, and the larger table of first words is not read.
        let halves = Gazetteer.fuzzyHalfHashes(letters)
        let (backIntact, frontIntact) = gazetteer.fuzzyFilter.withUnsafeBufferPointer {
            (Gazetteer.mayBeFuzzyHalf(halves.back, filter: $0), Gazetteer.mayBeFuzzyHalf(halves.front, filter: $0))
        }
        guard backIntact || frontIntact, gazetteer.byFirstWord[hash] == nil else { return -1 }
        let length = letters.count
        let half = length / 2
        let fuzzy = gazetteer.fuzzy
        for offset in (backIntact ? 0 : half)..<(frontIntact ? length : half) {
            if let pattern = fuzzy[Gazetteer.blankedHash(letters, offset: offset)] { return pattern }
        }
        return -1
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
    var bodyWordCount: Int {
        // The words are in order, so the title's (segment 0) come first.
        var titleWords = 0
        while titleWords < tokens.count && tokens[titleWords].segment == 0 { titleWords += 1 }
        return tokens.count - titleWords
    }
}
