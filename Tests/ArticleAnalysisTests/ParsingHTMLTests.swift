import Testing

@testable import ArticleAnalysis

/// `HTMLText` (vector search for `<`, no per-byte arrays, strings made without re-validation) against
/// its first version kept here as the reference, on random markup.
@Suite struct ParsingHTMLTests {
    private static let pieces: [String] = [
        "<p>", "</p>", "<div class=\"x\">", "</div>", "<br/>", "<li>", "</li>", "<ul>", "</ul>", "<title>",
        "</title>", "<TITLE>", "<script>", "</script>", "<style>", "</style>", "<svg/>", "<head>", "</head>",
        "<!-- c -->", "<!--", "-->", "<!DOCTYPE html>", "<b>", "</b>", "&amp;", "&nbsp;", "&#8220;", "&#x21;",
        "&#0;", "&#xD800;", "&bogus;", "&", "&lt", "text", "نص عربي", "«قال»", " ", "\n", "\t", "<", ">", "a<b",
        "<h1>", "</h1>", "<td>", "&hellip;", "&rsquo;", "<SCRIPT>", "</Script >", "<LI>", "<figcaption>",
        "</FIGCAPTION>", "<blockquotex>", "<noscript1234567890>", "</noscript1234567899>", "<p1>", "<Ti9tle>",
    ]

    @Test func agreesWithTheReferenceOnRandomMarkup() {
        var state: UInt64 = 0x6874_6D6C
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        for round in 0..<1_500 {
            var html = ""
            for _ in 0..<(next() % 60) { html += Self.pieces[Int(next()) % Self.pieces.count] }
            let bytes = Array(html.utf8)
            let maxTags = round % 5 == 0 ? 3 : 50_000
            let (actual, expected, looks) = bytes.withUnsafeBufferPointer { p in
                (
                    HTMLText.convert(p, maxTags: maxTags), ReferenceHTML.convert(p, maxTags: maxTags),
                    HTMLText.looksLikeHTML(p)
                )
            }
            #expect(actual.text == expected.text && actual.title == expected.title, "html \(html.debugDescription)")
            #expect(looks == ReferenceHTML.looksLikeHTML(bytes), "html \(html.debugDescription)")
        }
    }

    @Test func looksLikeHTMLNeedsTwoTagsInTheFirst64KiB() {
        func looks(_ s: String) -> Bool { Array(s.utf8).withUnsafeBufferPointer { HTMLText.looksLikeHTML($0) } }
        #expect(looks("<p>a</p>"))
        #expect(!looks("a < b and c <d"))
        #expect(!looks("x <p"))  // a tag start needs two bytes after `<`
        #expect(!looks(String(repeating: "a", count: 65_536) + "<p><p>"))
        #expect(looks(String(repeating: "a", count: 40) + "<p>" + String(repeating: "b", count: 40) + "</p>"))
    }
}

/// The first version of `HTMLText.convert` and `looksLikeHTML`, the reference for the tests above.
private enum ReferenceHTML {
    static func looksLikeHTML(_ p: [UInt8]) -> Bool {
        var tags = 0
        var i = 0
        let n = min(p.count, 65_536)
        while i + 2 < n {
            if p[i] == UInt8(ascii: "<") {
                let c = p[i + 1] | 0x20
                if (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || p[i + 1] == UInt8(ascii: "/")
                    || p[i + 1] == UInt8(ascii: "!")
                {
                    tags += 1
                    if tags >= 2 { return true }
                }
            }
            i += 1
        }
        return false
    }

    // The element lists and the character-reference decoder did not change: the reference uses them.
    private static let blockTags = Set(HTMLText.blockTags)
    private static let droppedTags = Set(HTMLText.droppedTags)

    /// Converts `p` (valid UTF-8), processing at most `maxTags` tags (the rest is ignored).
    static func convert(_ p: UnsafeBufferPointer<UInt8>, maxTags: Int) -> HTMLText.Result {
        var out: [UInt8] = []
        out.reserveCapacity(p.count / 2)
        var title: [UInt8]? = nil
        var inTitle = false
        var dropping: String? = nil
        var tags = 0
        var i = 0
        let n = p.count
        func newline() {
            if let last = out.last, last != 0x0A { out.append(0x0A) }
        }
        while i < n {
            let b = p[i]
            if b == UInt8(ascii: "<") {
                // Comments, doctype, CDATA.
                if i + 3 < n, p[i + 1] == UInt8(ascii: "!"), p[i + 2] == UInt8(ascii: "-"),
                    p[i + 3] == UInt8(ascii: "-")
                {
                    i = find(p, "-->", from: i + 4).map { $0 + 3 } ?? n
                    continue
                }
                guard let close = indexOf(p, UInt8(ascii: ">"), from: i + 1) else { break }
                tags += 1
                if tags > maxTags { break }
                let (name, closing) = tagName(p, from: i + 1, to: close)
                i = close + 1
                if let dropped = dropping {
                    if closing && name == dropped { dropping = nil }
                    continue
                }
                if name == "title" {
                    inTitle = !closing
                    if !closing && title == nil { title = [] }
                    continue
                }
                if !closing && droppedTags.contains(name) && p[close - 1] != UInt8(ascii: "/") {
                    dropping = name
                    continue
                }
                if blockTags.contains(name) {
                    newline()
                    if name == "li" && !closing { out.append(contentsOf: [0xE2, 0x80, 0xA2, 0x20]) }  // "• "
                }
                continue
            }
            var decoded: [UInt8] = []
            if b == UInt8(ascii: "&"), let (value, length) = HTMLText.entity(p, at: i) {
                appendUTF8(value, to: &decoded)
                i += length
            } else {
                decoded.append(b == 0x0A || b == 0x0D || b == 0x09 ? 0x20 : b)
                i += 1
            }
            if dropping != nil { continue }
            if inTitle {
                title?.append(contentsOf: decoded)
            } else {
                out.append(contentsOf: decoded)
            }
        }
        let titleText = title.map { String(decoding: $0, as: UTF8.self) }
        return HTMLText.Result(text: String(decoding: out, as: UTF8.self), title: titleText)
    }

    private static func indexOf(_ p: UnsafeBufferPointer<UInt8>, _ byte: UInt8, from: Int) -> Int? {
        var j = from
        while j < p.count {
            if p[j] == byte { return j }
            j += 1
        }
        return nil
    }

    private static func find(_ p: UnsafeBufferPointer<UInt8>, _ needle: StaticString, from: Int) -> Int? {
        let m = needle.utf8CodeUnitCount
        var j = from
        while j + m <= p.count {
            var k = 0
            while k < m && p[j + k] == needle.utf8Start[k] { k += 1 }
            if k == m { return j }
            j += 1
        }
        return nil
    }

    /// The lowercased tag name between `<` and `>` and whether it is a closing tag.
    private static func tagName(_ p: UnsafeBufferPointer<UInt8>, from: Int, to end: Int) -> (String, Bool) {
        var j = from
        var closing = false
        if j < end, p[j] == UInt8(ascii: "/") {
            closing = true
            j += 1
        }
        var name: [UInt8] = []
        while j < end, name.count < 16 {
            let c = p[j]
            let lower = c | 0x20
            guard (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")) || (c >= 0x30 && c <= 0x39) else { break }
            name.append(c >= 0x41 && c <= 0x5A ? lower : c)
            j += 1
        }
        return (String(decoding: name, as: UTF8.self), closing)
    }

}
