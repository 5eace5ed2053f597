import Testing

@testable import ArticleAnalysis

/// The parser's escape-free lines (copied into the record's JSON without being checked) against the
/// checked path: the record's JSON is the same either way, whatever the lines hold and however the
/// envelope escapes it.
@Suite struct EscapeFreeTextTests {
    private let analyzer = Support.analyzer

    /// Lines with and without what JSON output escapes.
    private static let lines = [
        "Iraq and the United States held talks in Baghdad.", "He said \"no\" to the offer.", "a \\ b path",
        "line\u{2028}separator", "paragraph\u{2029}separator", "tab\tand\u{1}control\u{7F}bytes",
        "«قال» العراق والولايات المتحدة", "• first highlight", "  • indented highlight",
        "curly ’quotes’ — and a dash", "slash / and <less> than", "",
    ]

    /// `text` as a JSON string's content, each character written as is or escaped, as `choose` picks.
    private static func escaped(_ text: String, _ choose: () -> Bool) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += choose() ? #"\""# : #"\u0022"#
            case "\\": out += choose() ? #"\\"# : #"\u005C"#
            case "\n": out += #"\n"#
            case "\t": out += choose() ? #"\t"# : "\\u0009"
            case "\u{2028}", "\u{2029}", "/", "<":
                out += choose() ? String(scalar) : "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
            default:
                out += scalar.value < 0x20 ? "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4) : String(scalar)
            }
        }
        return out
    }

    @Test func escapeFreeLinesWriteAsCheckedOnes() throws {
        var state: UInt64 = 0x6573_6361_7065
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        var escapeFreeSeen = 0
        for _ in 0..<300 {
            let text = (0..<(2 + next() % 9)).map { _ in Self.lines[next() % Self.lines.count] }
                .joined(separator: "\n")
            let payload = Array(#"{"title": "T", "text": "\#(Self.escaped(text) { next() % 2 == 0 })"}"#.utf8)
            guard let record = try? analyzer.analyze(payload) else { continue }
            // Changing the fields forgets what the parser knew about them.
            var checked = record
            checked.lead += ""
            checked.highlights.append(contentsOf: [])
            checked.paragraphs.append(contentsOf: [])
            #expect(
                !checked.escapeFree.lead && checked.escapeFree.highlights == 0 && checked.escapeFree.paragraphs == 0)
            #expect(record.jsonBytes() == checked.jsonBytes(), "\(text.debugDescription)")
            escapeFreeSeen += record.escapeFree.paragraphs.nonzeroBitCount
        }
        #expect(escapeFreeSeen > 100)
    }

    @Test func onlyLinesWithoutEscapesAreEscapeFree() throws {
        let text =
            #"Plain lead.\nA \"quoted\" paragraph.\nA plain paragraph.\nA \\ paragraph.\nSep\u2028arated.\n• Plain highlight"#
        let record = try analyzer.analyze(Array(#"{"title": "T", "text": "\#(text)"}"#.utf8))
        #expect(record.paragraphs.count == 4 && record.highlights.count == 1)
        #expect(record.escapeFree.lead)
        #expect(record.escapeFree.paragraphs == 0b0010)
        #expect(record.escapeFree.highlights == 1)
        // Raw text and HTML are not tracked: every field is checked.
        let raw = try analyzer.analyze(Array("Title\nPlain lead.\nA plain paragraph.".utf8))
        #expect(!raw.escapeFree.lead && raw.escapeFree.paragraphs == 0)
        let html = try analyzer.analyze(Array("<p>Title</p><p>Plain lead.</p><p>A plain paragraph.</p>".utf8))
        #expect(!html.escapeFree.lead && html.escapeFree.paragraphs == 0)
    }

    /// The flags are 64 bits: paragraphs past the 64th are always checked, whatever they hold.
    @Test func paragraphsPastTheSixtyFourthAreChecked() throws {
        let tricky = [#"He said \"no\"."#, #"a \\ b"#, #"Sep\u2028arated."#, #"Tab\there."#]
        let lines = ["Plain lead."] + (0..<80).map { $0 < 64 ? "Plain paragraph \($0)." : tricky[$0 % tricky.count] }
        let payload = Array(#"{"title": "T", "text": "\#(lines.joined(separator: #"\n"#))"}"#.utf8)
        let record = try analyzer.analyze(payload)
        #expect(record.paragraphs.count == 80)
        #expect(record.escapeFree.paragraphs == UInt64.max)
        var checked = record
        checked.paragraphs.append(contentsOf: [])
        #expect(record.jsonBytes() == checked.jsonBytes())
        #expect(String(decoding: record.jsonBytes(), as: UTF8.self).contains(#"He said \"no\"."#))
    }
}

extension String {
    /// The string with zeros before it, to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
