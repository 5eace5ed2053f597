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
}

/// Detects the input format and extracts the article's structure.
enum ArticleParser {
    /// Parses a validated payload. `text` is the payload as a string (valid UTF-8).
    static func parse(_ text: String, configuration: AnalyzerConfiguration) throws(AnalysisError) -> ParsedArticle {
        var copy = text
        return try copy.withUTF8 { p in
            Result { () throws(AnalysisError) in try parse(p, configuration: configuration) }
        }
        .get()
    }

    private static func parse(
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
            try structure(
                String(decoding: body, as: UTF8.self), titleHint: nil, into: &article, configuration: configuration)
            return article
        }
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    private static let textFields = ["text", "body", "content", "html"]

    private static func parseEnvelope(
        _ p: UnsafeBufferPointer<UInt8>,
        configuration: AnalyzerConfiguration
    ) throws(AnalysisError) -> ParsedArticle {
        let json = try JSONReader.parse(p, maxDepth: configuration.maxJSONDepth)
        guard case .object = json else {
            throw AnalysisError(.wrongShape, "expected a JSON object (an article envelope), found \(json.typeName)")
        }
        func optionalString(_ key: String, allowNumber: Bool = false) throws(AnalysisError) -> String? {
            switch json[key] {
            case nil, .null?: return nil
            case .string(let s)?: return s
            case .number(let n)? where allowNumber: return n
            case let other?:
                throw AnalysisError(.wrongShape, "field \"\(key)\" must be a string, found \(other.typeName)")
            }
        }
        var article = ParsedArticle(format: .json)
        article.envelopeID = try optionalString("id", allowNumber: true).flatMap { $0.isEmpty ? nil : $0 }
        article.url = try optionalString("url").flatMap { $0.isEmpty ? nil : $0 }
        article.source = try optionalString("source")
        article.publishedAt = try optionalString("published_at")
        article.declaredLanguage = try optionalString("lang")
        let title = try optionalString("title")
        var bodyText: String? = nil
        var isHTML = false
        for field in textFields {
            if let value = try optionalString(field), !value.isEmpty {
                bodyText = value
                isHTML = field == "html"
                break
            }
        }
        guard var bodyText else {
            throw AnalysisError(.noText, "the envelope has none of the fields text, body, content, html")
        }
        var titleHint = title
        if !isHTML {
            isHTML = bodyText.withUTF8 { HTMLText.looksLikeHTML($0) }
        }
        if isHTML {
            let html = bodyText.withUTF8 { HTMLText.convert($0, maxTags: configuration.maxHTMLTags) }
            bodyText = html.text
            if titleHint == nil || titleHint!.isEmpty { titleHint = html.title }
        }
        try structure(bodyText, titleHint: titleHint, into: &article, configuration: configuration)
        return article
    }

    /// Boilerplate that ends an article: this line and everything after it are dropped when it is in
    /// the second half of the article; otherwise only the line is dropped.
    private static let endMarkers: [String] = [
        "اخترنا لك", "اقرا ايضا", "اقرا المزيد", "المزيد من الاخبار", "مواضيع ذات صله", "اخبار ذات صله",
        "read more", "read also", "also read", "related", "related articles", "more on this story",
        "you may also like", "recommended",
    ]
    /// Share / subscribe / follow lines, dropped wherever they are (only short lines).
    private static let lineMarkers: [String] = [
        "شارك", "شاركوا", "اشترك", "اشتركوا", "تابعونا", "تابعنا", "share", "subscribe", "follow us", "sign up",
        "click here", "اضغط هنا",
    ]
    private static let normalizedEndMarkers = endMarkers.map { Array(TextNormalizer.normalize($0).utf8) }
    private static let normalizedLineMarkers = lineMarkers.map { Array(TextNormalizer.normalize($0).utf8) }

    /// Writes the normalised first words of a short line (≤ 160 bytes) to `out` as UTF-8 bytes; returns
    /// false for a longer line. Only words before the one crossing byte 48 are normalised (markers are at
    /// most four words).
    private static func boilerplateHead(_ line: String, into out: inout [UInt8]) -> Bool {
        out.removeAll(keepingCapacity: true)
        var copy = line
        return copy.withUTF8 { p in
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
    }

    /// Whether the normalised head equals one of `markers` or starts with one followed by a space.
    private static func isBoilerplate(_ head: [UInt8], markers: [[UInt8]]) -> Bool {
        markers.contains { marker in
            head.count >= marker.count && head.starts(with: marker)
                && (head.count == marker.count || head[marker.count] == 0x20)
        }
    }

    /// Splits plain text into title, lead, highlights and paragraphs.
    static func structure(
        _ text: String,
        titleHint: String?,
        into article: inout ParsedArticle,
        configuration: AnalyzerConfiguration
    ) throws(AnalysisError) {
        struct Line {
            var text: String
            var indented: Bool
            var bullet: Bool
            var blankBefore: Bool
        }
        var lines: [Line] = []
        var blank = true
        var buffer: [UInt8] = []
        var copy = text
        copy.withUTF8 { p in
            var start = 0
            while start <= p.count && lines.count <= configuration.maxParagraphs + 16 {
                var end = start
                while end < p.count && p[end] != 0x0A { end += 1 }
                let raw = UnsafeBufferPointer(rebasing: p[start..<end])
                start = end + 1
                let indented =
                    !raw.isEmpty
                    && (raw[0] == 0x20 || raw[0] == 0x09 || (raw.count > 1 && raw[0] == 0xC2 && raw[1] == 0xA0))
                cleanLine(raw, into: &buffer)
                var bullet = false
                let bulletLength = bulletPrefixLength(buffer)
                if bulletLength > 0 {
                    bullet = true
                    buffer.removeFirst(bulletLength)
                    while buffer.first == 0x20 { buffer.removeFirst() }
                }
                if buffer.isEmpty {
                    blank = blank || !bullet
                    continue
                }
                lines.append(
                    Line(
                        text: String(decoding: buffer, as: UTF8.self), indented: indented, bullet: bullet,
                        blankBefore: blank
                    )
                )
                blank = false
            }
        }
        // Boilerplate.
        var kept: [Line] = []
        var head: [UInt8] = []
        head.reserveCapacity(64)
        for (index, line) in lines.enumerated() {
            guard boilerplateHead(line.text, into: &head) else {
                kept.append(line)
                continue
            }
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
            kept.append(line)
        }
        var rest = kept[...]
        let hint = titleHint.map { Self.cleanLine($0) } ?? ""
        if !hint.isEmpty {
            article.title = hint
            if let first = rest.first, TextNormalizer.normalize(first.text) == TextNormalizer.normalize(hint) {
                rest = rest.dropFirst()
            }
        } else if let first = rest.first {
            article.title = first.text
            rest = rest.dropFirst()
        }
        var inHighlights = false
        for line in rest {
            if line.bullet || (inHighlights && line.indented && !line.blankBefore) {
                inHighlights = true
                article.highlights.append(line.text)
                continue
            }
            inHighlights = false
            if article.lead.isEmpty {
                article.lead = line.text
            } else if article.paragraphs.count < configuration.maxParagraphs {
                article.paragraphs.append(line.text)
            }
        }
        if article.lead.isEmpty && article.highlights.isEmpty && article.paragraphs.isEmpty
            && TextNormalizer.tokenize(article.title).isEmpty
        {
            throw AnalysisError(.noText, "no article text left after cleaning")
        }
    }

    /// UTF-8 bullets that start a highlight line: • · ▪ ● ◦ ‣ ⁃ ■
    private static let bullets: [[UInt8]] = [
        [0xE2, 0x80, 0xA2], [0xC2, 0xB7], [0xE2, 0x96, 0xAA], [0xE2, 0x97, 0x8F], [0xE2, 0x97, 0xA6],
        [0xE2, 0x80, 0xA3], [0xE2, 0x81, 0x83], [0xE2, 0x96, 0xA0],
    ]

    private static func bulletPrefixLength(_ line: [UInt8]) -> Int {
        for bullet in bullets where line.count >= bullet.count && line.prefix(bullet.count).elementsEqual(bullet) {
            return bullet.count
        }
        return 0
    }

    /// A line as a trimmed string with control characters replaced and runs of spaces collapsed.
    static func cleanLine(_ text: String) -> String {
        var buffer: [UInt8] = []
        var copy = text
        copy.withUTF8 { cleanLine($0, into: &buffer) }
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Writes `raw` (valid UTF-8) to `out` trimmed, with control characters, tabs, NBSP and the
    /// Unicode spaces U+2000–U+200A and U+3000 turned into single spaces.
    private static func cleanLine(_ raw: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        var pendingSpace = false
        var i = 0
        while i < raw.count {
            let b = raw[i]
            if b > 0x20 && b != 0x7F && b != 0xC2 && b != 0xE2 && b != 0xE3 {
                // A run of bytes that can never start a space: copied in one append.
                var j = i + 1
                while j < raw.count {
                    let c = raw[j]
                    if c <= 0x20 || c == 0x7F || c == 0xC2 || c == 0xE2 || c == 0xE3 { break }
                    j += 1
                }
                if pendingSpace {
                    out.append(0x20)
                    pendingSpace = false
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: raw[i..<j]))
                i = j
                continue
            }
            var spaceLength = 0
            if b <= 0x20 || b == 0x7F {
                spaceLength = 1
            } else if b == 0xC2, i + 1 < raw.count, raw[i + 1] == 0xA0 {
                spaceLength = 2
            } else if b == 0xE2, i + 2 < raw.count, raw[i + 1] == 0x80, raw[i + 2] <= 0x8A {
                spaceLength = 3
            } else if b == 0xE3, i + 2 < raw.count, raw[i + 1] == 0x80, raw[i + 2] == 0x80 {
                spaceLength = 3
            }
            if spaceLength > 0 {
                pendingSpace = !out.isEmpty
                i += spaceLength
                continue
            }
            if pendingSpace {
                out.append(0x20)
                pendingSpace = false
            }
            out.append(b)
            i += 1
        }
    }
}
