import Testing

@testable import ArticleAnalysis

/// `ArticleParser.structure` (one byte pass, boilerplate prefilter, letter-wise title comparison)
/// against its first, straightforward version kept here as the reference, on random texts made of the
/// pieces that matter: words of both scripts, every kind of whitespace, bullets, markers, controls.
@Suite struct ParsingStructureTests {
    private struct Outcome: Equatable {
        var title = ""
        var lead = ""
        var highlights: [String] = []
        var paragraphs: [String] = []
        var removedBoilerplate = 0
        var noText = false

        init(_ article: ParsedArticle, noText: Bool) {
            title = article.title
            lead = article.lead
            highlights = article.highlights
            paragraphs = article.paragraphs
            removedBoilerplate = article.removedBoilerplate
            self.noText = noText
        }
    }

    private static func outcome(
        _ text: String, hint: String?, configuration: AnalyzerConfiguration, reference: Bool
    ) -> Outcome {
        var article = ParsedArticle(format: .text)
        do {
            if reference {
                try ReferenceStructure.structure(text, titleHint: hint, into: &article, configuration: configuration)
            } else {
                try ArticleParser.structure(text, titleHint: hint, into: &article, configuration: configuration)
            }
            return Outcome(article, noText: false)
        } catch {
            return Outcome(article, noText: error.code == .noText)
        }
    }

    private static let pieces: [String] = [
        "العراق", "والعراقيّة", "بغداد", "قالَ", "الـ69", "وزير", "كلمة", "Iraq", "talks", "Minister's", "f16",
        "1,400", "٢٠٢٤", "«قال»", "“quoted”", "،", ".", ":", "-", "!", "Read more", "read also:", "Related",
        "اقرأ أيضا", "اقرأ المزيد", "شارك", "تابعونا على تويتر", "Share on Facebook", "Follow us", "click here",
        "Sign up", "more on this story", "recommended", "مواضيع ذات صلة", "Recommended reading", "shares",
        "\u{200B}", "\u{200F}", "\u{640}",
    ]
    private static let spaces: [String] = [
        " ", " ", " ", " ", "  ", "\t", "\n", "\n", "\n\n", "\r\n", "\u{A0}", "\u{2003}", "\u{3000}", "\u{1}",
        "\u{7F}", "\n• ", "\n· ", "\n  ", "\n\t", "\n\u{A0}", "\n▪", "\n■ ", "•", " \n ",
    ]

    private static func randomText(_ generator: inout SplitMix64, pieces count: Int) -> String {
        var text = ""
        for _ in 0..<count {
            let r = generator.next()
            text += r % 3 == 0 ? spaces[Int(r >> 8) % spaces.count] : pieces[Int(r >> 8) % pieces.count]
            if r % 5 != 0 { text += " " }
        }
        return text
    }

    @Test func agreesWithTheReferenceOnRandomTexts() {
        var generator = SplitMix64(seed: 0x7061_7273_6521)
        let configurations = [AnalyzerConfiguration(), AnalyzerConfiguration(maxParagraphs: 3)]
        for round in 0..<800 {
            let text = Self.randomText(&generator, pieces: Int(generator.next() % 80))
            let hint: String?
            switch round % 4 {
            case 0: hint = nil
            case 1: hint = Self.randomText(&generator, pieces: Int(generator.next() % 6))
            case 2:
                // The first line again, differently spaced and marked: dropped from the body.
                let first = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
                hint = "  " + first.replacingOccurrences(of: "ا", with: "أ") + " :"
            default: hint = ""
            }
            let configuration = configurations[round % 2]
            let expected = Self.outcome(text, hint: hint, configuration: configuration, reference: true)
            let actual = Self.outcome(text, hint: hint, configuration: configuration, reference: false)
            #expect(actual == expected, "text \(text.debugDescription) hint \(hint.debugDescription)")
        }
    }

    @Test func cleanLineCollapsesEveryKindOfSpace() {
        #expect(ArticleParser.cleanLine("  a \t b\u{A0}\u{2003}c\u{3000}\u{1}d\u{7F}  ") == "a b c d")
        #expect(ArticleParser.cleanLine("x\n\ny  «z»\u{200B}") == "x y «z»\u{200B}")
        #expect(
            ArticleParser.cleanLine(String(repeating: "كلمة  ", count: 20)) == String(repeating: "كلمة ", count: 19)
                + "كلمة")
    }
}

/// The first version of `ArticleParser.structure`, the reference for the tests above.
private enum ReferenceStructure {
    // The marker lists did not change: the reference uses the parser's.
    private static let normalizedEndMarkers = ArticleParser.endMarkers.map { Array(TextNormalizer.normalize($0).utf8) }
    private static let normalizedLineMarkers = ArticleParser.lineMarkers.map {
        Array(TextNormalizer.normalize($0).utf8)
    }

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
