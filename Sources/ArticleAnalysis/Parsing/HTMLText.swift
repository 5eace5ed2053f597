/// Converts HTML to plain text in one linear pass, without building a tree (so nesting depth
/// costs nothing): tags are stripped, `script`/`style`/`noscript`/`template`/`svg`/`head` content is
/// dropped, block elements become line breaks, `<li>` items become "• " bullet lines, character
/// references are decoded, and the `<title>` text is returned separately.
enum HTMLText {
    /// The result of a conversion.
    struct Result {
        /// Plain text, one block per line.
        var text: String
        /// The document's `<title>`, if any.
        var title: String?
    }

    /// Elements that end a paragraph.
    static let blockTags = [
        "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "article",
        "section", "blockquote", "header", "footer", "aside", "nav", "figure", "figcaption", "hr", "dd",
        "dt", "dl", "pre", "main", "body", "html", "td", "th",
    ]
    /// Elements whose content is dropped.
    static let droppedTags = ["script", "style", "noscript", "template", "svg", "head"]

    /// What a known tag does to the text.
    private enum Kind: Sendable {
        /// A block element: a line break.
        case block
        /// `<li>`: a line break and, when opening, a bullet.
        case listItem
        /// An element whose content is dropped.
        case dropped
        /// `<title>`.
        case title
    }

    /// A known tag name and its kind.
    private struct Known: Sendable {
        var name: TagName
        var kind: Kind
    }

    /// The known tags by ``TagName/key`` (a tag name is looked up without building a string).
    private static let known: HashTable64<Known> = {
        var entries = blockTags.map { name in
            (TagName(name).key, Known(name: TagName(name), kind: name == "li" ? .listItem : .block))
        }
        entries += droppedTags.map { (TagName($0).key, Known(name: TagName($0), kind: .dropped)) }
        entries.append((TagName("title").key, Known(name: TagName("title"), kind: .title)))
        let table = HashTable64(entries)
        precondition(table.count == entries.count, "known tag names must have distinct keys")
        return table
    }()

    /// The kind of a known tag, nil for any other.
    private static func kind(of name: TagName) -> Kind? {
        guard let known = known[name.key], known.name == name else { return nil }
        return known.kind
    }

    /// Whether a text looks like HTML markup rather than plain text.
    static func looksLikeHTML(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        var tags = 0
        let n = min(p.count, 65_536)
        let window = UnsafeBufferPointer(rebasing: p[..<n])
        var i = ByteScan.firstIndex(of: UInt8(ascii: "<"), in: window, from: 0)
        while i + 2 < n {
            let c = p[i + 1] | 0x20
            if (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || p[i + 1] == UInt8(ascii: "/")
                || p[i + 1] == UInt8(ascii: "!")
            {
                tags += 1
                if tags >= 2 { return true }
            }
            i = ByteScan.firstIndex(of: UInt8(ascii: "<"), in: window, from: i + 1)
        }
        return false
    }

    /// Converts `p` (valid UTF-8), processing at most `maxTags` tags (the rest is ignored).
    static func convert(_ p: UnsafeBufferPointer<UInt8>, maxTags: Int) -> Result {
        var out: [UInt8] = []
        out.reserveCapacity(p.count / 2)
        var title: [UInt8]? = nil
        var inTitle = false
        var dropping: TagName? = nil
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
                let close = ByteScan.firstIndex(of: UInt8(ascii: ">"), in: p, from: i + 1)
                guard close < n else { break }
                tags += 1
                if tags > maxTags { break }
                let (name, closing) = TagName.read(p, from: i + 1, to: close)
                i = close + 1
                if let dropped = dropping {
                    if closing && name == dropped { dropping = nil }
                    continue
                }
                let kind = kind(of: name)
                if kind == .title {
                    inTitle = !closing
                    if !closing && title == nil { title = [] }
                    continue
                }
                if !closing && kind == .dropped && p[close - 1] != UInt8(ascii: "/") {
                    dropping = name
                    continue
                }
                if kind == .block || kind == .listItem {
                    newline()
                    if kind == .listItem && !closing { out.append(contentsOf: [0xE2, 0x80, 0xA2, 0x20]) }  // "• "
                }
                continue
            }
            if b == UInt8(ascii: "&"), let (value, length) = entity(p, at: i) {
                i += length
                if dropping != nil { continue }
                if !inTitle {
                    appendUTF8(value, to: &out)
                } else if title != nil {
                    appendUTF8(value, to: &title!)
                }
            } else {
                i += 1
                if dropping != nil { continue }
                let c = b == 0x0A || b == 0x0D || b == 0x09 ? 0x20 : b
                if inTitle {
                    title?.append(c)
                } else {
                    out.append(c)
                }
            }
        }
        // Valid UTF-8: the input's bytes cut at ASCII `<`, `>` and `&`, and scalars encoded by `appendUTF8`.
        let titleText = title.map { bytes in bytes.withUnsafeBufferPointer { Self.string($0) } }
        return Result(text: out.withUnsafeBufferPointer { Self.string($0) }, title: titleText)
    }

    /// A string from valid UTF-8 bytes, without re-validation.
    private static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        ByteScan.string(validUTF8: bytes, isASCII: ByteScan.isASCII(bytes))
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

    private static let named: [String: UInt32] = [
        "amp": 0x26, "lt": 0x3C, "gt": 0x3E, "quot": 0x22, "apos": 0x27, "nbsp": 0x20, "laquo": 0xAB,
        "raquo": 0xBB, "hellip": 0x2026, "mdash": 0x2014, "ndash": 0x2013, "lsquo": 0x2018, "rsquo": 0x2019,
        "ldquo": 0x201C, "rdquo": 0x201D, "zwnj": 0x200C, "zwj": 0x200D, "lrm": 0x200E, "rlm": 0x200F,
        "bull": 0x2022, "middot": 0xB7, "copy": 0xA9,
    ]

    /// Decodes a character reference at `i` (`&name;`, `&#123;`, `&#x1F;`): value and length.
    static func entity(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int)? {
        var j = i + 1
        var body: [UInt8] = []
        while j < p.count, j - i <= 10, p[j] != UInt8(ascii: ";") {
            body.append(p[j])
            j += 1
        }
        guard j < p.count, p[j] == UInt8(ascii: ";"), !body.isEmpty else { return nil }
        let length = j - i + 1
        if body[0] == UInt8(ascii: "#") {
            let hex = body.count > 1 && (body[1] | 0x20) == UInt8(ascii: "x")
            let digits = String(decoding: body.dropFirst(hex ? 2 : 1), as: UTF8.self)
            guard let v = UInt32(digits, radix: hex ? 16 : 10), v > 0, Unicode.Scalar(v) != nil else {
                return (0xFFFD, length)
            }
            return (v, length)
        }
        guard let v = named[String(decoding: body, as: UTF8.self)] else { return nil }
        return (v, length)
    }

    /// A tag name as the converter compares it: its first sixteen ASCII letters (lowercased) and digits,
    /// packed into two zero-padded words (letters and digits are never zero, so equal words mean equal
    /// names).
    private struct TagName: Equatable, Sendable {
        private var low: UInt64 = 0
        private var high: UInt64 = 0

        /// A name given as a string (for the known tags).
        init(_ name: String) {
            for (k, c) in name.utf8.prefix(16).enumerated() { append(c, at: k) }
        }

        private init() {}

        /// A 64-bit key for hash tables (equal names have equal keys).
        var key: UInt64 { low ^ (high &* 0x9E37_79B9_7F4A_7C15) }

        private mutating func append(_ c: UInt8, at k: Int) {
            if k < 8 {
                low |= UInt64(c) << (8 * k)
            } else {
                high |= UInt64(c) << (8 * (k - 8))
            }
        }

        /// The name between `<` and `>` (at `from` and `end`), and whether the tag is a closing one.
        static func read(_ p: UnsafeBufferPointer<UInt8>, from: Int, to end: Int) -> (TagName, Bool) {
            var j = from
            var closing = false
            if j < end, p[j] == UInt8(ascii: "/") {
                closing = true
                j += 1
            }
            var name = TagName()
            var count = 0
            while j < end, count < 16 {
                let c = p[j]
                let lower = c | 0x20
                guard (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")) || (c >= 0x30 && c <= 0x39) else {
                    break
                }
                name.append(c >= 0x41 && c <= 0x5A ? lower : c, at: count)
                count += 1
                j += 1
            }
            return (name, closing)
        }
    }
}
