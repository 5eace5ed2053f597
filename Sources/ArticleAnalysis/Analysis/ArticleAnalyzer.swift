/// Turns one raw payload (JSON envelope, plain text or HTML) into an ``ArticleRecord``: validates,
/// parses, normalises, enriches (language, structure, entities, quotes, dates, fingerprints) and
/// classifies. Stateless and `Sendable`: share one instance between tasks.
public struct ArticleAnalyzer: Sendable {
    /// The analyser version, recorded in `provenance.analyzer_version`. It changes whenever the record of some
    /// input changes (other than `provenance`), so that records of the same version are comparable and a
    /// replay's records can be told apart: 1.1.0 found more people and speakers and moved some SimHashes; 1.2.0
    /// ends Arabic names at nouns and titles, keeps surnames starting with ف, and ends a quote search at the sentence;
    /// 1.3.0 reads English roles as titles ("chief executive Tom McKillop") and no title's name across a sentence
    /// end, finds more English speakers (after a verb that follows the quotation, by role, the person nearest the
    /// verb, the sentence's person for "saying") and continues no person with "it said", and, in Arabic, takes
    /// tweets as reported speech, the subject before a verb followed only by a time or a function word, roles of
    /// up to eight words, and no previous speaker for a verb written after its own subject; its gazetteer knows
    /// more newspapers.
    public static let version = "1.3.0"

    /// Limits in force.
    public let configuration: AnalyzerConfiguration
    /// The classifier producing `classification` and `labels`.
    public let classifier: Classifier

    /// Creates an analyser.
    public init(configuration: AnalyzerConfiguration = .init(), classifier: Classifier) {
        self.configuration = configuration
        self.classifier = classifier
    }

    /// Analyses one payload. Throws ``AnalysisError`` for input that is not an article (never crashes
    /// on hostile input: size, nesting and markup are bounded by ``configuration``).
    public func analyze(_ payload: [UInt8], provenance: Provenance = .init()) throws(AnalysisError) -> ArticleRecord {
        try Self.validate(payload, configuration: configuration)
        let parsed = try payload.withUnsafeBufferPointer { p throws(AnalysisError) in
            try ArticleParser.parse(p, configuration: configuration)
        }
        let gazetteer = Gazetteer.bundled
        let article = ArticleText(
            title: parsed.title, lead: parsed.lead, highlights: parsed.highlights, paragraphs: parsed.paragraphs,
            gazetteer: gazetteer
        )
        guard !article.tokens.isEmpty else { throw AnalysisError(.noText, "the article contains no words") }
        let (language, confidence) = article.language()
        var extractor = EntityExtractor(text: article, gazetteer: gazetteer, language: language)
        let entities = extractor.extract(limit: configuration.maxEntities)
        let quotes = QuoteExtractor(text: article, entities: extractor).extract(limit: configuration.maxQuotes)
        let dates = DateExtractor(text: article, published: DateExtractor.parsePublished(parsed.publishedAt)).extract()
        let fingerprint = Fingerprint(text: article)
        let words = article.bodyWordCount
        let wpm = max(1, configuration.wordsPerMinute)
        // The article is tokenised once: the classifier reuses the analyser's tokens.
        let classification = classifier.classify(article, language: language)
        return ArticleRecord(
            id: parsed.envelopeID ?? parsed.url ?? "fp:" + fingerprint.exactHex,
            language: language,
            languageConfidence: confidence,
            format: parsed.format,
            url: parsed.url,
            source: parsed.source,
            publishedAt: parsed.publishedAt,
            title: parsed.title,
            lead: parsed.lead,
            highlights: parsed.highlights,
            paragraphs: parsed.paragraphs,
            wordCount: words,
            readingTimeSeconds: words == 0 ? 0 : (words * 60 + wpm - 1) / wpm,
            classification: classification,
            entities: entities,
            quotes: quotes,
            dates: dates,
            fingerprint: fingerprint,
            duplicateOf: nil,
            provenance: provenance,
            escapeFree: parsed.escapeFree
        )
    }

    /// Size, emptiness, binary and UTF-8 checks: the parser reads only payloads that pass them. (Kept out
    /// of line so that profiles show its cost as a stage of its own.)
    @inline(never)
    static func validate(_ payload: [UInt8], configuration: AnalyzerConfiguration) throws(AnalysisError) {
        let limit = min(configuration.maxInputBytes, AnalyzerConfiguration.maxInputBytesCeiling)
        if payload.count > limit {
            throw AnalysisError(
                .tooLarge, "payload of \(payload.count) bytes exceeds the limit of \(limit)"
            )
        }
        let summary = payload.withUnsafeBufferPointer { PayloadSummary($0) }
        let controls = summary.controls
        if payload.isEmpty || (!summary.hasNonSpace && controls == 0) {
            throw AnalysisError(.empty, payload.isEmpty ? "the payload is empty" : "the payload is whitespace only")
        }
        if controls * 10 >= payload.count || controls * 100 >= payload.count && payload.prefix(1024).contains(0) {
            throw AnalysisError(.binary, "\(controls) of \(payload.count) bytes are NUL or control bytes")
        }
        guard summary.isValidUTF8 else {
            throw AnalysisError(.invalidUTF8, "the payload is not valid UTF-8")
        }
    }

    /// What ``validate(_:configuration:)`` needs to know about a payload, found in one pass over its bytes:
    /// sixteen bytes at a time (SIMD) while they are printable ASCII or two-byte UTF-8 sequences (the bulk
    /// of Arabic and English text), one sequence at a time otherwise.
    private struct PayloadSummary {
        /// Control bytes: below 0x20 except tab, line feed and carriage return, and DEL (0x7F).
        var controls = 0
        /// Whether any byte is neither whitespace (space, tab, line feed, carriage return) nor a control.
        var hasNonSpace = false
        /// Whether the bytes are well-formed UTF-8 (Unicode Table 3-7: no overlong forms, surrogates or
        /// values above U+10FFFF).
        var isValidUTF8 = true

        /// Sixteen bytes as signed lanes: ASCII is 0...127, continuation bytes (0x80–0xBF) -128...-65,
        /// two-byte leads (0xC2–0xDF) -62...-33.
        private typealias Lanes = SIMD16<Int8>

        init(_ p: UnsafeBufferPointer<UInt8>) {
            let n = p.count
            // One sequence first, so that the vector loop can always read the byte before `i`.
            var i = sequences(p, from: 0, to: min(n, 1))
            // Vector constants are built once: unoptimised builds construct them lane by lane.
            let belowContinuation = Lanes(repeating: -64)
            let shiftLead = Lanes(repeating: 66)
            let belowLead = Lanes(repeating: -98)
            let shiftPrintable = Lanes(repeating: 96)
            let belowPrintable = Lanes(repeating: -33)
            if let base = p.baseAddress {
                let raw = UnsafeRawPointer(base)
                /// Whether every byte of the sixteen at `i` is printable ASCII, a two-byte lead or a
                /// continuation, with continuations exactly after leads (tab, line feed, carriage return,
                /// controls and longer sequences are left to ``sequences(_:from:to:)``).
                func fine(at i: Int) -> SIMDMask<Lanes> {
                    let v = raw.loadUnaligned(fromByteOffset: i, as: Lanes.self)
                    let before = raw.loadUnaligned(fromByteOffset: i &- 1, as: Lanes.self)
                    // Range checks as one signed comparison each, shifting the range to start at -128.
                    let continuation = v .< belowContinuation
                    let lead = v &- shiftLead .< belowLead  // 0xC2...0xDF
                    let leadBefore = before &- shiftLead .< belowLead
                    let printable = v &+ shiftPrintable .< belowPrintable  // 0x20...0x7E
                    return (continuation .== leadBefore) .& (printable .| lead .| continuation)
                }
                // `i` is always at a sequence boundary. The common case first: thirty-two fine bytes a
                // round, with wrapping arithmetic (no overflow checks: `i + 32 <= n` bounds every index).
                while i &+ 32 <= n && Self.allTrue(fine(at: i) .& fine(at: i &+ 16)) {
                    // A lead in the last lane: its sequence is finished by the next round.
                    i &+= p[i &+ 31] >= 0xC0 ? 31 : 32
                }
                // Then blocks with other bytes, and what the fast rounds left.
                while i + 16 <= n && isValidUTF8 {
                    let first = fine(at: i)
                    if i + 32 <= n && Self.allTrue(first .& fine(at: i + 16)) {
                        // A lead in the last lane: its sequence is finished by the next round.
                        i += p[i + 31] >= 0xC0 ? 31 : 32
                        continue
                    }
                    guard Self.allTrue(first) else {
                        i = sequences(p, from: i, to: i + 16)
                        continue
                    }
                    i += p[i + 15] >= 0xC0 ? 15 : 16
                }
            }
            if isValidUTF8 {
                i = sequences(p, from: i, to: n)
            }
            if !isValidUTF8 {
                // Invalid UTF-8 is reported after the emptiness and binary checks: count on, bytewise.
                while i < n {
                    if Self.isControl(p[i]) { controls += 1 }
                    i += 1
                }
            }
            // The first visible byte (bytes of 0x80 and above are neither whitespace nor controls).
            hasNonSpace = p.contains { !Self.isControl($0) && !Self.isWhitespace($0) }
        }

        /// Whether `b` is a control byte (see ``controls``).
        @inline(__always)
        private static func isControl(_ b: UInt8) -> Bool {
            b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D || b == 0x7F
        }

        /// Whether `b` is a space, tab, line feed or carriage return.
        @inline(__always)
        private static func isWhitespace(_ b: UInt8) -> Bool {
            b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D
        }

        /// Whether every lane of `mask` is true (a mask lane is all ones or all zeros; two 64-bit words
        /// test all sixteen at once, which the generic `all(_:)` does not compile to).
        @inline(__always)
        private static func allTrue(_ mask: SIMDMask<Lanes>) -> Bool {
            let words = unsafeBitCast(mask, to: SIMD2<UInt64>.self)
            return words[0] & words[1] == ~0
        }

        /// Checks whole sequences starting at `i` (a sequence boundary) until `end` (the last sequence
        /// may reach past it), counting control bytes, and returns the index after them; stops at the
        /// first ill-formed sequence, clearing ``isValidUTF8`` and returning its index.
        private mutating func sequences(_ p: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
            var i = start
            let n = p.count
            while i < end {
                let b = p[i]
                if b < 0x80 {
                    if Self.isControl(b) { controls += 1 }
                    i += 1
                    continue
                }
                let length: Int
                var low: UInt8 = 0x80
                var high: UInt8 = 0xBF
                switch b {
                case 0xC2...0xDF: length = 2
                case 0xE0...0xEF:
                    length = 3
                    if b == 0xE0 { low = 0xA0 }
                    if b == 0xED { high = 0x9F }
                case 0xF0...0xF4:
                    length = 4
                    if b == 0xF0 { low = 0x90 }
                    if b == 0xF4 { high = 0x8F }
                default: length = 0
                }
                guard length > 0, i + length <= n, p[i + 1] >= low, p[i + 1] <= high else {
                    isValidUTF8 = false
                    return i
                }
                var k = 2
                while k < length && p[i + k] & 0xC0 == 0x80 { k += 1 }
                guard k == length else {
                    isValidUTF8 = false
                    return i
                }
                i += length
            }
            return i
        }
    }
}
