/// The input format a payload was detected as.
public enum InputFormat: String, Sendable, Hashable {
    /// A JSON envelope object.
    case json
    /// Raw UTF-8 text.
    case text
    /// An HTML document.
    case html
}

/// An article's structure before enrichment.
struct ParsedArticle {
    /// Envelope metadata (absent for raw text and HTML).
    var envelopeID: String?
    /// Canonical URL, if given.
    var url: String?
    /// Source name, if given.
    var source: String?
    /// Publication time as given in the envelope, if any.
    var publishedAt: String?
    /// Language declared by the envelope, if any.
    var declaredLanguage: String?
    /// Detected input format.
    var format: InputFormat
    /// The headline.
    var title: String = ""
    /// The lead paragraph.
    var lead: String = ""
    /// Bullet highlights.
    var highlights: [String] = []
    /// Body paragraphs after the lead.
    var paragraphs: [String] = []
    /// Number of boilerplate lines removed.
    var removedBoilerplate = 0
    /// Which of lead, highlights and paragraphs are known to need no JSON escape.
    var escapeFree = EscapeFreeText()
}

/// Detects the input format and extracts the article's structure.
enum ArticleParser {
    /// Parses a validated payload (valid UTF-8).
    static func parse(
        _ p: UnsafeBufferPointer<UInt8>,
        configuration: AnalyzerConfiguration
    ) throws(AnalysisError) -> ParsedArticle {
        var start = 0
        if p.count >= 3, p[0] == 0xEF, p[1] == 0xBB, p[2] == 0xBF { start = 3 }
        while start < p.count, isSpace(p[start]) { start += 1 }
        guard start < p.count else { throw AnalysisError(.empty, "the payload is whitespace only") }
        let body = UnsafeBufferPointer(rebasing: p[start...])
        switch p[start] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            return try parseEnvelope(body, configuration: configuration)
        default:
            if HTMLText.looksLikeHTML(body) {
                let html = HTMLText.convert(body, maxTags: configuration.maxHTMLTags)
                var article = ParsedArticle(format: .html)
                try structure(html.text, titleHint: html.title, into: &article, configuration: configuration)
                return article
            }
            var article = ParsedArticle(format: .text)
            structure(
                body, titleHint: UnsafeBufferPointer(start: nil, count: 0), quotes: nil, into: &article,
                configuration: configuration)
            try checkHasText(article)
            return article
        }
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    /// The envelope members the parser reads.
    private enum EnvelopeField: Int, CaseIterable {
        case id, url, source, publishedAt, lang, title, text, body, content, html

        /// The member name.
        var name: StaticString {
            switch self {
            case .id: "id"
            case .url: "url"
            case .source: "source"
            case .publishedAt: "published_at"
            case .lang: "lang"
            case .title: "title"
            case .text: "text"
            case .body: "body"
            case .content: "content"
            case .html: "html"
            }
        }

        /// The fields that may hold the article, in order of preference.
        static let textFields: [EnvelopeField] = [.text, .body, .content, .html]
        /// Every name, in ``rawValue`` order.
        static let names = allCases.map(\.name)
    }

    private static func parseEnvelope(
        _ p: UnsafeBufferPointer<UInt8>,
        configuration: AnalyzerConfiguration
    ) throws(AnalysisError) -> ParsedArticle {
        try JSONReader.withMembers(named: EnvelopeField.names, in: p, maxDepth: configuration.maxJSONDepth) {
            (members, quotes) throws(AnalysisError) in
            try envelope(members, quotes: quotes, configuration: configuration)
        }
    }

    /// The article of an envelope whose members are `members` (their bytes valid during the call), the
    /// `"` and `\` of their strings marked in `quotes`.
    private static func envelope(
        _ members: JSONReader.Members,
        quotes: JSONReader.QuoteMarks,
        configuration: AnalyzerConfiguration
    ) throws(AnalysisError) -> ParsedArticle {
        let fields: [JSONReader.Member]
        switch members {
        case .object(let found): fields = found
        case .notObject(let typeName):
            throw AnalysisError(.wrongShape, "expected a JSON object (an article envelope), found \(typeName)")
        }
        func member(_ field: EnvelopeField) -> JSONReader.Member? { fields.first { $0.name == field.rawValue } }
        func optionalBytes(
            _ field: EnvelopeField,
            allowNumber: Bool = false
        ) throws(AnalysisError) -> UnsafeBufferPointer<UInt8>? {
            switch member(field)?.value {
            case nil, .null?: return nil
            case .string(let s)?: return s
            case .number(let n)? where allowNumber: return n
            case let other?:
                throw AnalysisError(.wrongShape, "field \"\(field.name)\" must be a string, found \(other.typeName)")
            }
        }
        func optionalString(_ field: EnvelopeField) throws(AnalysisError) -> String? {
            try optionalBytes(field).map(string)
        }
        var article = ParsedArticle(format: .json)
        article.envelopeID = try optionalBytes(.id, allowNumber: true).flatMap { $0.isEmpty ? nil : string($0) }
        article.url = try optionalBytes(.url).flatMap { $0.isEmpty ? nil : string($0) }
        article.source = try optionalString(.source)
        article.publishedAt = try optionalString(.publishedAt)
        article.declaredLanguage = try optionalString(.lang)
        let title = try optionalBytes(.title) ?? UnsafeBufferPointer(start: nil, count: 0)
        var bodyText: UnsafeBufferPointer<UInt8>? = nil
        var isHTML = false
        // A text without `<` is no HTML: the reader noted it while reading the text.
        var mayBeHTML = true
        for field in EnvelopeField.textFields {
            if let value = try optionalBytes(field), !value.isEmpty {
                bodyText = value
                isHTML = field == .html
                mayBeHTML = member(field)?.hasLessThan ?? true
                break
            }
        }
        guard let bodyText else {
            throw AnalysisError(.noText, "the envelope has none of the fields text, body, content, html")
        }
        if !isHTML && mayBeHTML {
            isHTML = HTMLText.looksLikeHTML(bodyText)
        }
        if isHTML {
            let html = HTMLText.convert(bodyText, maxTags: configuration.maxHTMLTags)
            let titleHint = title.isEmpty ? html.title : string(title)
            try structure(html.text, titleHint: titleHint, into: &article, configuration: configuration)
        } else {
            structure(bodyText, titleHint: title, quotes: quotes, into: &article, configuration: configuration)
            try checkHasText(article)
        }
        return article
    }

    /// Boilerplate that ends an article: this line and everything after it are dropped when it is in
    /// the second half of the article; otherwise only the line is dropped.
    static let endMarkers: [String] = [
        "اخترنا لك", "اقرا ايضا", "اقرا المزيد", "المزيد من الاخبار", "مواضيع ذات صله", "اخبار ذات صله",
        "read more", "read also", "also read", "related", "related articles", "more on this story",
        "you may also like", "recommended",
    ]
    /// Share / subscribe / follow lines, dropped wherever they are (only short lines).
    static let lineMarkers: [String] = [
        "شارك", "شاركوا", "اشترك", "اشتركوا", "تابعونا", "تابعنا", "share", "subscribe", "follow us", "sign up",
        "click here", "اضغط هنا",
    ]
    private static let normalizedEndMarkers = endMarkers.map { Array(TextNormalizer.normalize($0).utf8) }
    private static let normalizedLineMarkers = lineMarkers.map { Array(TextNormalizer.normalize($0).utf8) }
    /// Hashes of the first normalised word of every marker: a line whose first word has none of these
    /// is no boilerplate, which ``firstWordMayStartMarker(_:)`` decides without normalising the line.
    private static let markerFirstWords = HashSet64(
        (normalizedEndMarkers + normalizedLineMarkers).map { marker in
            String(decoding: marker.prefix { $0 != 0x20 }, as: UTF8.self).unicodeScalars.reduce(hashBasis) {
                hash($0, $1.value)
            }
        })

    /// The first scalar of every marker (a line whose first word starts with none of them is no
    /// boilerplate).
    private static let markerInitials: [UInt32] = Array(
        Set(
            (normalizedEndMarkers + normalizedLineMarkers).compactMap {
                String(decoding: $0, as: UTF8.self).unicodeScalars.first?.value
            }))

    /// FNV-1a over scalar values (a hash of a word's letters).
    private static let hashBasis: UInt64 = 0xcbf2_9ce4_8422_2325

    @inline(__always)
    private static func hash(_ h: UInt64, _ v: UInt32) -> UInt64 {
        (h ^ UInt64(v)) &* 0x0000_0100_0000_01B3
    }

    /// Writes the normalised first words of a short line (≤ 160 bytes) to `out` as UTF-8 bytes; returns
    /// false for a longer line. Only words before the one crossing byte 48 are normalised (markers are at
    /// most four words).
    private static func boilerplateHead(_ p: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        out.removeAll(keepingCapacity: true)
        guard p.count <= 160 else { return false }
        var cut = p.count
        if cut > 48 {
            // Cut before the word that crosses byte 48 (never inside a word or a character).
            cut = 48
            while cut > 0 && p[cut] != 0x20 { cut -= 1 }
        }
        TextNormalizer.forEachWord(in: UnsafeBufferPointer(rebasing: p[..<cut])) { word in
            if !out.isEmpty { out.append(0x20) }
            for v in word.scalars { appendUTF8(v, to: &out) }
        }
        return true
    }

    /// Whether the normalised head equals one of `markers` or starts with one followed by a space.
    private static func isBoilerplate(_ head: [UInt8], markers: [[UInt8]]) -> Bool {
        markers.contains { marker in
            head.count >= marker.count && head.starts(with: marker)
                && (head.count == marker.count || head[marker.count] == 0x20)
        }
    }

    /// False when the line's first word (as ``TextNormalizer`` would normalise it) is certainly not the
    /// first word of a marker. Reads only as far as that word: the scalars of its first letter run
    /// (ignorable marks skipped), stopping where the normaliser might end the word or extend it with a
    /// joiner or digit; the collected letters are then a prefix of the real first word, and equal to it
    /// whenever that word is letters only, as every marker word is. A first letter that starts no marker
    /// answers at once; the rest is compared by hash: a collision only costs the exact check.
    private static func firstWordMayStartMarker(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        var h = hashBasis
        var letters = 0
        var arabic = false
        var i = 0
        scan: while i < p.count {
            let (v, length) = decodeScalar(p, at: i)
            switch CharacterClass.of(v) {
            case .arabicLetter(let folded):
                if letters > 0 && !arabic { break scan }
                if letters == 0 && !markerInitials.contains(folded) { return false }
                arabic = true
                h = hash(h, folded)
                letters += 1
            case .latinLetter(let folded):
                if letters > 0 && arabic { break scan }
                if letters == 0 && !markerInitials.contains(folded) { return false }
                h = hash(h, folded)
                letters += 1
            case .digit:
                // A word starting with a digit is a number (or "f16"-like only after a letter): no marker.
                if letters == 0 { return false }
                break scan
            case .ignorable:
                break
            case .joiner, .separator:
                if letters > 0 { break scan }
            }
            // Longer than every marker word (eleven letters at most): so is the real first word.
            if letters > 16 { return false }
            i += length
        }
        return letters > 0 && markerFirstWords.contains(h)
    }

    /// The folded letters and digits of a text in order (what remains of ``TextNormalizer/normalize(_:)``
    /// without its spaces and joiners), one scalar per call.
    private struct LetterCursor {
        let p: UnsafeBufferPointer<UInt8>
        var i = 0

        init(_ p: UnsafeBufferPointer<UInt8>) { self.p = p }

        mutating func next() -> UInt32? {
            while i < p.count {
                let (v, length) = decodeScalar(p, at: i)
                i += length
                switch CharacterClass.of(v) {
                case .arabicLetter(let folded), .latinLetter(let folded), .digit(let folded): return folded
                case .ignorable, .joiner, .separator: continue
                }
            }
            return nil
        }
    }

    /// `TextNormalizer.normalize(a) == TextNormalizer.normalize(b)`, deciding most unequal pairs (a lead
    /// paragraph against the title) from their first letters: equal normalisations have equal letters.
    private static func normalizeEqually(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var x = LetterCursor(a)
        var y = LetterCursor(b)
        while true {
            let u = x.next()
            if u != y.next() { return false }
            if u == nil { break }
        }
        return TextNormalizer.normalize(string(a)) == TextNormalizer.normalize(string(b))
    }

    /// A string from valid UTF-8 bytes (cleaned lines of the validated payload), without re-validation.
    private static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        ByteScan.string(validUTF8: bytes, isASCII: ByteScan.isASCII(bytes))
    }

    /// A line of the cleaned text: a byte range of the cleaning buffer and its layout.
    private struct Line {
        var start: Int
        var end: Int
        var indented: Bool
        var bullet: Bool
        var blankBefore: Bool
        /// Whether the line is known to hold no byte that JSON output escapes.
        var escapeFree: Bool
    }

    /// Splits plain text into title, lead, highlights and paragraphs.
    static func structure(
        _ text: String,
        titleHint: String?,
        into article: inout ParsedArticle,
        configuration: AnalyzerConfiguration
    ) throws(AnalysisError) {
        var copy = text
        var hint = titleHint ?? ""
        copy.withUTF8 { p in
            hint.withUTF8 { h in
                structure(p, titleHint: h, quotes: nil, into: &article, configuration: configuration)
            }
        }
        try checkHasText(article)
    }

    /// Throws ``AnalysisError/Code/noText`` when nothing of the article is left after cleaning.
    private static func checkHasText(_ article: ParsedArticle) throws(AnalysisError) {
        if article.lead.isEmpty && article.highlights.isEmpty && article.paragraphs.isEmpty
            && TextNormalizer.tokenize(article.title).isEmpty
        {
            throw AnalysisError(.noText, "no article text left after cleaning")
        }
    }

    /// Splits valid UTF-8 text into title, lead, highlights and paragraphs: one pass cleans every line
    /// into one buffer, boilerplate is recognised on those bytes, and each kept line becomes one `String`.
    /// An empty `titleHint` is none. With `quotes`, where `p`'s `"` and `\` are, the lines that JSON
    /// output need not escape are noted in `article.escapeFree`.
    private static func structure(
        _ p: UnsafeBufferPointer<UInt8>,
        titleHint: UnsafeBufferPointer<UInt8>,
        quotes: JSONReader.QuoteMarks?,
        into article: inout ParsedArticle,
        configuration: AnalyzerConfiguration
    ) {
        // A cleaned line is never longer than its source line.
        let out = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(p.count, 1))
        defer { out.deallocate() }
        var written = 0
        var lines: [Line] = []
        lines.reserveCapacity(32)
        var blank = true
        var start = 0
        // With `quotes`: the index of the first `"` or `\` at or after the line being cleaned, once found.
        var nextQuote = -1
        while start <= p.count && lines.count <= configuration.maxParagraphs + 16 {
            let indented =
                start < p.count
                && (p[start] == 0x20 || p[start] == 0x09
                    || (p[start] == 0xC2 && start + 1 < p.count && p[start + 1] == 0xA0))
            let lineStart = written
            let sourceStart = start
            var lineSeparator = false
            start = cleanLine(
                p, from: start, splitAtNewline: true, into: out, written: &written, lineSeparator: &lineSeparator)
            // Control characters are whitespace, never written: what JSON output escapes in the cleaned
            // line is a `"`, a `\` (both known to `quotes`) or U+2028 or U+2029.
            var escapeFree = false
            if let quotes, !lineSeparator {
                if nextQuote < sourceStart { nextQuote = quotes.firstQuote(in: p, from: sourceStart) }
                escapeFree = nextQuote >= start
            }
            start += 1
            var first = lineStart
            let bulletLength = bulletPrefixLength(UnsafeBufferPointer(rebasing: out[lineStart..<written]))
            if bulletLength > 0 {
                first += bulletLength
                while first < written && out[first] == 0x20 { first += 1 }
            }
            if first == written {
                blank = blank || bulletLength == 0
                written = lineStart
                continue
            }
            lines.append(
                Line(
                    start: first, end: written, indented: indented, bullet: bulletLength > 0, blankBefore: blank,
                    escapeFree: escapeFree))
            blank = false
        }
        let cleaned = UnsafeBufferPointer(out)
        func bytes(_ line: Line) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: cleaned[line.start..<line.end])
        }
        // Boilerplate: the lines kept are moved to the front of `lines`, in order.
        var kept = 0
        var head: [UInt8] = []
        for index in lines.indices {
            let line = lines[index]
            let text = bytes(line)
            if text.count <= 160 && firstWordMayStartMarker(text) && boilerplateHead(text, into: &head) {
                if isBoilerplate(head, markers: normalizedEndMarkers) {
                    article.removedBoilerplate += 1
                    if index * 2 >= lines.count {
                        article.removedBoilerplate += lines.count - index - 1
                        break
                    }
                    continue
                }
                if isBoilerplate(head, markers: normalizedLineMarkers) {
                    article.removedBoilerplate += 1
                    continue
                }
            }
            lines[kept] = line
            kept += 1
        }
        var rest = lines[..<kept]
        if !titleHint.isEmpty {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: titleHint.count) { buffer in
                var count = 0
                var lineSeparator = false
                _ = cleanLine(
                    titleHint, from: 0, splitAtNewline: false, into: buffer, written: &count,
                    lineSeparator: &lineSeparator)
                if count > 0 {
                    let cleanedHint = UnsafeBufferPointer(rebasing: buffer[..<count])
                    article.title = string(cleanedHint)
                    if let first = rest.first, normalizeEqually(bytes(first), cleanedHint) {
                        rest = rest.dropFirst()
                    }
                }
            }
        }
        if article.title.isEmpty, let first = rest.first {
            article.title = string(bytes(first))
            rest = rest.dropFirst()
        }
        article.paragraphs.reserveCapacity(min(rest.count, configuration.maxParagraphs))
        var inHighlights = false
        for line in rest {
            if line.bullet || (inHighlights && line.indented && !line.blankBefore) {
                inHighlights = true
                if line.escapeFree && article.highlights.count < 64 {
                    article.escapeFree.highlights |= 1 << article.highlights.count
                }
                article.highlights.append(string(bytes(line)))
                continue
            }
            inHighlights = false
            if article.lead.isEmpty {
                article.lead = string(bytes(line))
                article.escapeFree.lead = line.escapeFree
            } else if article.paragraphs.count < configuration.maxParagraphs {
                if line.escapeFree && article.paragraphs.count < 64 {
                    article.escapeFree.paragraphs |= 1 << article.paragraphs.count
                }
                article.paragraphs.append(string(bytes(line)))
            }
        }
    }

    /// UTF-8 bullets that start a highlight line: • · ▪ ● ◦ ‣ ⁃ ■
    private static let bullets: [[UInt8]] = [
        [0xE2, 0x80, 0xA2], [0xC2, 0xB7], [0xE2, 0x96, 0xAA], [0xE2, 0x97, 0x8F], [0xE2, 0x97, 0xA6],
        [0xE2, 0x80, 0xA3], [0xE2, 0x81, 0x83], [0xE2, 0x96, 0xA0],
    ]

    private static func bulletPrefixLength(_ line: UnsafeBufferPointer<UInt8>) -> Int {
        // Every bullet starts with 0xC2 or 0xE2.
        guard let lead = line.first, lead == 0xC2 || lead == 0xE2 else { return 0 }
        for bullet in bullets where line.count >= bullet.count && line.prefix(bullet.count).elementsEqual(bullet) {
            return bullet.count
        }
        return 0
    }

    /// A line as a trimmed string with control characters replaced and runs of spaces collapsed.
    static func cleanLine(_ text: String) -> String {
        var copy = text
        return copy.withUTF8 { p in
            let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(p.count, 1))
            defer { buffer.deallocate() }
            var count = 0
            var lineSeparator = false
            _ = cleanLine(
                p, from: 0, splitAtNewline: false, into: buffer, written: &count, lineSeparator: &lineSeparator)
            return string(UnsafeBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// The length of the whitespace at `i`: one for control bytes, tabs, line feeds, spaces and DEL,
    /// two for NBSP, three for U+2000–U+200A and U+3000; zero for anything else.
    @inline(__always)
    private static func spaceLength(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let b = p[i]
        if b <= 0x20 || b == 0x7F { return 1 }
        if b == 0xC2, i + 1 < p.count, p[i + 1] == 0xA0 { return 2 }
        if b == 0xE2, i + 2 < p.count, p[i + 1] == 0x80, p[i + 2] <= 0x8A { return 3 }
        if b == 0xE3, i + 2 < p.count, p[i + 1] == 0x80, p[i + 2] == 0x80 { return 3 }
        return 0
    }

    /// Writes the line starting at `start` of `p` (valid UTF-8) to `out` from index `written` on,
    /// trimmed, with every run of whitespace (see ``spaceLength(_:at:)``) turned into one space; advances
    /// `written` and returns the index where the line ends: its line feed when `splitAtNewline`, else
    /// `p.count` (line feeds are then whitespace too). Unchanged runs are copied in one move each. Sets
    /// `lineSeparator` when the line holds U+2028 or U+2029.
    private static func cleanLine(
        _ p: UnsafeBufferPointer<UInt8>,
        from start: Int,
        splitAtNewline: Bool,
        into out: UnsafeMutableBufferPointer<UInt8>,
        written: inout Int,
        lineSeparator: inout Bool
    ) -> Int {
        let lineStart = written
        var pendingSpace = false
        var i = start
        while i < p.count {
            if splitAtNewline && p[i] == 0x0A { break }
            let spaces = spaceLength(p, at: i)
            if spaces > 0 {
                pendingSpace = written > lineStart
                i += spaces
                continue
            }
            // `p[i]` is no whitespace; the run up to the next byte that might be (its single spaces
            // between other bytes stay as they are) is copied in one move. Every 0xE2 starts a run, so
            // each is seen here.
            if p[i] == 0xE2 && i + 2 < p.count && p[i + 1] == 0x80 && (p[i + 2] == 0xA8 || p[i + 2] == 0xA9) {
                lineSeparator = true
            }
            let end = runEnd(p, from: i + 1)
            if pendingSpace && out[written - 1] != 0x20 {
                out[written] = 0x20
                written += 1
            }
            pendingSpace = false
            (out.baseAddress.unsafelyUnwrapped + written).update(
                from: p.baseAddress.unsafelyUnwrapped + i, count: end - i)
            written += end - i
            i = end
        }
        if written > lineStart && out[written - 1] == 0x20 { written -= 1 }
        return i
    }

    /// The index of the first byte at or after `start` (≥ 1) that may begin whitespace or a line end:
    /// below 0x20, DEL, 0xC2, 0xE2, 0xE3, or a space after a space; `p.count` if none. Thirty-two bytes
    /// a round while there are none. The vector rounds stop at 0xC3 too (one test covers 0xC2, 0xC3,
    /// 0xE2 and 0xE3): an early end only splits a run, which the caller copies in two moves.
    private static func runEnd(_ p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        typealias Lanes = ByteScan.Lanes
        // Vector constants are built once: unoptimised builds construct them lane by lane.
        let flip = Lanes(repeating: -128)
        let belowSpace = Lanes(repeating: -96)
        let delete = Lanes(repeating: 0x7F)
        let leadBits = Lanes(repeating: Int8(bitPattern: 0xDE))
        let c2 = Lanes(repeating: Int8(bitPattern: 0xC2))
        let space = Lanes(repeating: 0x20)
        @inline(__always)
        func specials(at i: Int) -> SIMDMask<Lanes> {
            let v = ByteScan.lanes(p, at: i)
            let before = ByteScan.lanes(p, at: i &- 1)
            // Flipping the top bit maps 0x00...0x1F to -128...-97; 0xC2, 0xC3, 0xE2, 0xE3 masked with
            // 0xDE are all 0xC2. `v | before` is a space for a space after a space, and otherwise only
            // where `v` or `before` is NUL: `v` is then a special anyway, and `before` never is (it is
            // `p[start - 1]`, no whitespace, or a byte of the run before `v`).
            let lead: SIMDMask<Lanes> = (v & leadBits) .== c2
            return v &+ flip .< belowSpace .| v .== delete .| lead .| (v | before) .== space
        }
        var i = start
        let n = p.count
        // Wrapping arithmetic: `1 <= i` and `i + 32 <= n` bound every index, so no overflow checks.
        while i &+ 32 <= n {
            if let k = ByteScan.firstTrue(specials(at: i), specials(at: i &+ 16)) { return i &+ k }
            i &+= 32
        }
        while i < n {
            let b = p[i]
            if b < 0x20 || b == 0x7F || b == 0xC2 || b == 0xE2 || b == 0xE3 || (b == 0x20 && p[i - 1] == 0x20) {
                return i
            }
            i += 1
        }
        return n
    }
}
