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
    private static let normalizedEndMarkers = endMarkers.map(TextNormalizer.normalize)
    private static let normalizedLineMarkers = lineMarkers.map(TextNormalizer.normalize)

    private static func isBoilerplate(_ line: String, markers: [String]) -> Bool {
        guard line.utf8.count <= 160 else { return false }
        let normalized = TextNormalizer.normalize(line)
        return markers.contains { normalized == $0 || normalized.hasPrefix($0 + " ") }
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
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let indented = raw.first == " " || raw.first == "\t" || raw.first == "\u{A0}"
            var line = cleanLine(raw)
            if line.isEmpty {
                blank = true
                continue
            }
            var bullet = false
            if let first = line.unicodeScalars.first, bulletScalars.contains(first.value) {
                bullet = true
                line = String(line.unicodeScalars.dropFirst()).trimmingSpaces()
                if line.isEmpty { continue }
            }
            lines.append(Line(text: line, indented: indented, bullet: bullet, blankBefore: blank))
            blank = false
            if lines.count > configuration.maxParagraphs + 16 { break }
        }
        // Boilerplate.
        var kept: [Line] = []
        for (index, line) in lines.enumerated() {
            if isBoilerplate(line.text, markers: normalizedEndMarkers) {
                article.removedBoilerplate += 1
                if index * 2 >= lines.count {
                    article.removedBoilerplate += lines.count - index - 1
                    break
                }
                continue
            }
            if isBoilerplate(line.text, markers: normalizedLineMarkers) {
                article.removedBoilerplate += 1
                continue
            }
            kept.append(line)
        }
        var rest = kept[...]
        let hint = titleHint.map(cleanLine) ?? ""
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

    private static let bulletScalars: Set<UInt32> = [0x2022, 0x00B7, 0x25AA, 0x25CF, 0x25E6, 0x2023, 0x2043, 0x25A0]

    /// Trims a line, replaces control characters by spaces and collapses runs of spaces.
    private static func cleanLine<S: StringProtocol>(_ raw: S) -> String {
        var out = String.UnicodeScalarView()
        var space = false
        for scalar in raw.unicodeScalars {
            let v = scalar.value
            let isSpace =
                v == 0x20 || v == 0x09 || v == 0x0D || v == 0xA0 || v < 0x20 || v == 0x7F
                || (v >= 0x2000 && v <= 0x200A) || v == 0x3000
            if isSpace {
                space = !out.isEmpty
                continue
            }
            if space {
                out.append(" ")
                space = false
            }
            out.append(scalar)
        }
        return String(out)
    }
}

extension String {
    /// The string without leading and trailing spaces.
    fileprivate func trimmingSpaces() -> String {
        var scalars = Substring(self).unicodeScalars[...]
        while let f = scalars.first, f == " " || f == "\t" { scalars = scalars.dropFirst() }
        while let l = scalars.last, l == " " || l == "\t" { scalars = scalars.dropLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
