/// A parsed JSON value (only what envelopes need; objects keep member order).
enum JSONValue: Equatable {
    /// `null`.
    case null
    /// `true` / `false`.
    case bool(Bool)
    /// A number, kept as its source text.
    case number(String)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object's members in source order (duplicates kept; lookups take the first).
    case object([(String, JSONValue)])

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The first member named `key` of an object.
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// A short name of the value's type, for error messages.
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// A strict, byte-level JSON parser (RFC 8259) with a nesting limit. Input must be valid UTF-8: its
/// strings are made from the input bytes without being validated again.
struct JSONReader {
    private let p: UnsafeBufferPointer<UInt8>
    private var i = 0
    private let maxDepth: Int
    /// Whether a string read since this was last cleared held a `<` (where markup may start).
    private var sawLessThan = false
    /// Where strings with escapes are decoded, one after another, to stay readable after the read (nil:
    /// each into a temporary buffer); ``scratchUsed`` bytes of it are taken.
    private let scratch: UnsafeMutablePointer<UInt8>?
    private var scratchUsed = 0
    /// One bit per byte of ``scratch`` (bit `k % 64` of word `k / 64`), set where an escape decoded to
    /// a `"` or `\`.
    private let marks: UnsafeMutablePointer<UInt64>?

    /// Parses a complete JSON text (one value, surrounding whitespace allowed).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) throws(AnalysisError) -> JSONValue {
        var reader = JSONReader(p: bytes, maxDepth: maxDepth)
        reader.skipWhitespace()
        // Built: `value` is never nil.
        let value = try reader.value(depth: 0, build: true) ?? .null
        reader.skipWhitespace()
        if reader.i != bytes.count { throw reader.error("unexpected data after the JSON value") }
        return value
    }

    /// Calls `body` with the values of the top-level members named in `names` (the first member of each
    /// name), or the value's type name when the text is not an object, and where the `"` and `\` of the
    /// strings are. The whole text is checked exactly as ``parse(_:maxDepth:)`` checks it (the same errors
    /// at the same bytes), but no value is built: the selected strings are handed over as bytes (valid
    /// while `body` runs), other member names and values are read without making strings.
    static func withMembers<R>(
        named names: [StaticString],
        in bytes: UnsafeBufferPointer<UInt8>,
        maxDepth: Int,
        _ body: (Members, QuoteMarks) throws(AnalysisError) -> R
    ) throws(AnalysisError) -> R {
        // Decoded strings with escapes, one after another: each is no longer than its source text, and
        // the source texts do not overlap, so the input's length bounds them all. One mark bit per byte.
        // One allocation: the marks' words first, then the scratch bytes.
        let capacity = max(1, bytes.count)
        let words = (capacity + 63) / 64
        let storage = UnsafeMutableRawPointer.allocate(byteCount: words * 8 + capacity, alignment: 8)
        defer { storage.deallocate() }
        let marks = storage.initializeMemory(as: UInt64.self, repeating: 0, count: words)
        let scratch = (storage + words * 8).bindMemory(to: UInt8.self, capacity: capacity)
        var reader = JSONReader(p: bytes, maxDepth: maxDepth, scratch: scratch, marks: marks)
        reader.skipWhitespace()
        let members: Members
        if reader.i < bytes.count && bytes[reader.i] == UInt8(ascii: "{") {
            members = .object(try reader.selectedMembers(names, depth: 1))
        } else {
            members = .notObject(typeName: try reader.value(depth: 0, build: true)?.typeName ?? "")
        }
        reader.skipWhitespace()
        if reader.i != bytes.count { throw reader.error("unexpected data after the JSON value") }
        return try body(members, QuoteMarks(scratch: scratch, count: reader.scratchUsed, marks: marks))
    }

    /// Where the `"` and `\` bytes of the strings read by ``withMembers(named:in:maxDepth:_:)`` are. A
    /// string holds them only as escapes (written as they are, they would end it or start an escape), so
    /// only strings decoded into the reader's scratch buffer may hold them, and those are marked there.
    struct QuoteMarks {
        fileprivate let scratch: UnsafePointer<UInt8>
        fileprivate let count: Int
        /// Bit `k % 64` of word `k / 64`: whether `scratch[k]` is a `"` or `\`.
        fileprivate let marks: UnsafePointer<UInt64>

        /// The index in `bytes` (a selected string) of its first `"` or `\` at or after `from`, `bytes.count`
        /// if none.
        func firstQuote(in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
            guard let base = bytes.baseAddress, from < bytes.count, base >= scratch, base < scratch + count else {
                // Not decoded (a slice of the input between a string's quotes), or nothing left.
                return bytes.count
            }
            // In bounds: the bytes lie within the `count` decoded ones, which have a bit each.
            let offset = base - scratch
            let start = offset + from
            let last = (offset + bytes.count - 1) >> 6
            var word = start >> 6
            var bits = marks[word] & ~0 << (start & 63)
            while bits == 0 {
                word += 1
                if word > last { return bytes.count }
                bits = marks[word]
            }
            return min(bytes.count, word << 6 + bits.trailingZeroBitCount - offset)
        }
    }

    /// What ``withMembers(named:in:maxDepth:_:)`` found.
    enum Members {
        /// The text is an object: the first member of each name found, in the order met.
        case object([Member])
        /// The text is another value, of this type (``JSONValue/typeName``).
        case notObject(typeName: String)
    }

    /// A member found by ``withMembers(named:in:maxDepth:_:)``.
    struct Member {
        /// The index of its name in the names asked for.
        var name: Int
        /// Its value.
        var value: Value
        /// Whether a string in the value holds a `<` (false: the value holds no markup).
        var hasLessThan: Bool
    }

    /// A selected member's value: strings and numbers as bytes (valid while the `body` of
    /// ``withMembers(named:in:maxDepth:_:)`` runs), other values by type only.
    enum Value: Equatable {
        /// `null`.
        case null
        /// A string's decoded bytes (valid UTF-8).
        case string(UnsafeBufferPointer<UInt8>)
        /// A number's source text (ASCII).
        case number(UnsafeBufferPointer<UInt8>)
        /// A boolean, an array or an object, checked but not built, named as ``JSONValue/typeName`` does.
        case other(typeName: String)

        /// A short name of the value's type, for error messages (as ``JSONValue/typeName``).
        var typeName: String {
            switch self {
            case .null: return "null"
            case .string: return "string"
            case .number: return "number"
            case .other(let typeName): return typeName
            }
        }

        static func == (lhs: Value, rhs: Value) -> Bool {
            switch (lhs, rhs) {
            case (.null, .null): return true
            case (.string(let a), .string(let b)), (.number(let a), .number(let b)): return a.elementsEqual(b)
            case (.other(let a), .other(let b)): return a == b
            default: return false
            }
        }
    }

    private init(
        p: UnsafeBufferPointer<UInt8>,
        maxDepth: Int,
        scratch: UnsafeMutablePointer<UInt8>? = nil,
        marks: UnsafeMutablePointer<UInt64>? = nil
    ) {
        self.p = p
        self.maxDepth = maxDepth
        self.scratch = scratch
        self.marks = marks
    }

    private func error(_ message: String) -> AnalysisError {
        AnalysisError(.malformedJSON, "\(message) at byte \(i)")
    }

    private mutating func skipWhitespace() {
        while i < p.count, p[i] == 0x20 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0x09 { i += 1 }
    }

    /// Reads one value; builds it only when `build` (nil otherwise: the value is checked and skipped).
    private mutating func value(depth: Int, build: Bool) throws(AnalysisError) -> JSONValue? {
        guard i < p.count else { throw error("unexpected end of input") }
        switch p[i] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1, build: build)
        case UInt8(ascii: "["): return try array(depth: depth + 1, build: build)
        case UInt8(ascii: "\""):
            if build { return .string(try string()) }
            try stringBytes { _ in }
            return nil
        case UInt8(ascii: "t"):
            try literal("true")
            return build ? .bool(true) : nil
        case UInt8(ascii: "f"):
            try literal("false")
            return build ? .bool(false) : nil
        case UInt8(ascii: "n"):
            try literal("null")
            return build ? .null : nil
        default:
            let start = i
            try number()
            guard build else { return nil }
            return .number(ByteScan.string(validUTF8: UnsafeBufferPointer(rebasing: p[start..<i]), isASCII: true))
        }
    }

    private mutating func literal(_ word: StaticString) throws(AnalysisError) {
        let n = word.utf8CodeUnitCount
        guard i + n <= p.count else { throw error("truncated literal") }
        for k in 0..<n where p[i + k] != word.utf8Start[k] { throw error("invalid literal") }
        i += n
    }

    /// Reads a number (its text is `p[start..<i]` afterwards).
    private mutating func number() throws(AnalysisError) {
        if i < p.count, p[i] == UInt8(ascii: "-") { i += 1 }
        guard i < p.count, isDigit(p[i]) else { throw error("invalid value") }
        if p[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while i < p.count, isDigit(p[i]) { i += 1 }
        }
        if i < p.count, p[i] == UInt8(ascii: ".") {
            i += 1
            guard i < p.count, isDigit(p[i]) else { throw error("invalid number") }
            while i < p.count, isDigit(p[i]) { i += 1 }
        }
        if i < p.count, p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E") {
            i += 1
            if i < p.count, p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") { i += 1 }
            guard i < p.count, isDigit(p[i]) else { throw error("invalid number") }
            while i < p.count, isDigit(p[i]) { i += 1 }
        }
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    private mutating func array(depth: Int, build: Bool) throws(AnalysisError) -> JSONValue? {
        if depth > maxDepth { throw error("nesting deeper than \(maxDepth)") }
        i += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if i < p.count, p[i] == UInt8(ascii: "]") {
            i += 1
            return build ? .array(items) : nil
        }
        while true {
            skipWhitespace()
            if let item = try value(depth: depth, build: build) { items.append(item) }
            skipWhitespace()
            guard i < p.count else { throw error("unterminated array") }
            if p[i] == UInt8(ascii: ",") {
                i += 1
            } else if p[i] == UInt8(ascii: "]") {
                i += 1
                return build ? .array(items) : nil
            } else {
                throw error("expected ',' or ']'")
            }
        }
    }

    private mutating func object(depth: Int, build: Bool) throws(AnalysisError) -> JSONValue? {
        var members: [(String, JSONValue)] = []
        try forEachMember(depth: depth) { (reader: inout JSONReader) throws(AnalysisError) in
            if build {
                let key = try reader.string()
                try reader.colon()
                // Built: the value is never nil.
                members.append((key, try reader.value(depth: depth, build: true) ?? .null))
            } else {
                try reader.stringBytes { _ in }
                try reader.colon()
                _ = try reader.value(depth: depth, build: false)
            }
        }
        return build ? .object(members) : nil
    }

    /// Reads an object at `depth`: the first value of each member named in `names`, with the name's
    /// index, in the order met; the other names and values are checked and skipped.
    private mutating func selectedMembers(
        _ names: [StaticString],
        depth: Int
    ) throws(AnalysisError) -> [Member] {
        var found: [Member] = []
        found.reserveCapacity(names.count)
        try forEachMember(depth: depth) { (reader: inout JSONReader) throws(AnalysisError) in
            let name = try reader.stringBytes { key in names.firstIndex { Self.equal($0, key) } }
            try reader.colon()
            if let name, !found.contains(where: { $0.name == name }) {
                reader.sawLessThan = false
                let value = try reader.memberValue(depth: depth)
                found.append(Member(name: name, value: value, hasLessThan: reader.sawLessThan))
            } else {
                _ = try reader.value(depth: depth, build: false)
            }
        }
        return found
    }

    /// Reads a selected member's value: a string's bytes are kept (decoded into ``scratch`` when they
    /// hold escapes), other values are checked as ``value(depth:build:)`` checks them and not built.
    private mutating func memberValue(depth: Int) throws(AnalysisError) -> Value {
        guard i < p.count else { throw error("unexpected end of input") }
        let start = i
        switch p[i] {
        case UInt8(ascii: "\""): return .string(try stringBytes { $0 })
        case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            _ = try value(depth: depth, build: false)
            switch p[start] {
            case UInt8(ascii: "{"): return .other(typeName: "object")
            case UInt8(ascii: "["): return .other(typeName: "array")
            case UInt8(ascii: "n"): return .null
            default: return .other(typeName: "boolean")
            }
        default:
            try number()
            return .number(UnsafeBufferPointer(rebasing: p[start..<i]))
        }
    }

    /// Whether `bytes` spell `name`.
    private static func equal(_ name: StaticString, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard name.utf8CodeUnitCount == bytes.count else { return false }
        for k in 0..<bytes.count where name.utf8Start[k] != bytes[k] { return false }
        return true
    }

    /// Reads an object at `depth`, calling `member` at the start of each member name (the opening
    /// quote is checked); `member` reads the name, the colon and the value.
    private mutating func forEachMember(
        depth: Int,
        _ member: (inout JSONReader) throws(AnalysisError) -> Void
    ) throws(AnalysisError) {
        if depth > maxDepth { throw error("nesting deeper than \(maxDepth)") }
        i += 1
        skipWhitespace()
        if i < p.count, p[i] == UInt8(ascii: "}") {
            i += 1
            return
        }
        while true {
            skipWhitespace()
            guard i < p.count, p[i] == UInt8(ascii: "\"") else { throw error("expected a member name") }
            try member(&self)
            skipWhitespace()
            guard i < p.count else { throw error("unterminated object") }
            if p[i] == UInt8(ascii: ",") {
                i += 1
            } else if p[i] == UInt8(ascii: "}") {
                i += 1
                return
            } else {
                throw error("expected ',' or '}'")
            }
        }
    }

    /// The `:` after a member name, with the whitespace around it.
    private mutating func colon() throws(AnalysisError) {
        skipWhitespace()
        guard i < p.count, p[i] == UInt8(ascii: ":") else { throw error("expected ':'") }
        i += 1
        skipWhitespace()
    }

    private mutating func string() throws(AnalysisError) -> String {
        try stringBytes { Self.string($0) }
    }

    /// Reads a string and passes its decoded bytes (valid UTF-8) to `body`: a slice of the input when the
    /// string has no escapes, else a part of ``scratch`` (which stays valid) or a temporary buffer.
    private mutating func stringBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) throws(AnalysisError) -> R {
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < p.count {
            i = ByteScan.firstJSONStringSpecialOrMarkup(p, from: i)
            guard i < p.count else { break }
            let b = p[i]
            if b == UInt8(ascii: "\"") {
                // The input is valid UTF-8 and the quotes are ASCII: the slice is valid too.
                let result = body(UnsafeBufferPointer(rebasing: p[start..<i]))
                i += 1
                return result
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("control character in string") }
            // The scan stops at `<` too.
            sawLessThan = true
            i += 1
        }
        // Decoding never lengthens (an escape is longer than what it stands for): the rest of the input
        // bounds the string. In ``scratch`` too: the strings decoded there before came from bytes before
        // `start`, so `scratchUsed + (p.count - start) <= p.count`, its capacity.
        let out =
            scratch.map { UnsafeMutableBufferPointer(start: $0 + scratchUsed, count: max(1, p.count - start)) }
            ?? .allocate(capacity: max(1, p.count - start))
        defer { if scratch == nil { out.deallocate() } }
        var count = 0
        func copy(_ range: Range<Int>) {
            (out.baseAddress.unsafelyUnwrapped + count).update(
                from: p.baseAddress.unsafelyUnwrapped + range.lowerBound, count: range.count)
            count += range.count
        }
        func put(_ byte: UInt8) {
            out[count] = byte
            count += 1
        }
        /// Puts a `"` or `\`, marked when decoded into ``scratch``.
        func putQuote(_ byte: UInt8) {
            if let marks {
                // `scratchUsed + count` is within the scratch buffer, which has a bit per byte.
                let k = scratchUsed + count
                marks[k >> 6] |= 1 << (k & 63)
            }
            put(byte)
        }
        copy(start..<i)
        while i < p.count {
            let b = p[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                if scratch != nil { scratchUsed += count }
                // Runs of the (valid) input cut at ASCII bytes, and escapes encoded as UTF-8 scalars.
                return body(UnsafeBufferPointer(rebasing: out[..<count]))
            }
            if b < 0x20 { throw error("control character in string") }
            if b != UInt8(ascii: "\\") {
                // Copy the run up to the next quote, backslash, control byte or `<` in one move.
                if b == UInt8(ascii: "<") { sawLessThan = true }
                let run = i
                i = ByteScan.firstJSONStringSpecialOrMarkup(p, from: i + 1)
                copy(run..<i)
                continue
            }
            guard i + 1 < p.count else { break }
            let e = p[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): putQuote(e)
            case UInt8(ascii: "/"): put(e)
            case UInt8(ascii: "b"): put(0x08)
            case UInt8(ascii: "f"): put(0x0C)
            case UInt8(ascii: "n"): put(0x0A)
            case UInt8(ascii: "r"): put(0x0D)
            case UInt8(ascii: "t"): put(0x09)
            case UInt8(ascii: "u"):
                var v = try hex4()
                if v >= 0xD800 && v < 0xDC00 {
                    if i + 1 < p.count, p[i] == UInt8(ascii: "\\"), p[i + 1] == UInt8(ascii: "u") {
                        let next = i
                        i += 2
                        let low = try hex4()
                        if low >= 0xDC00 && low < 0xE000 {
                            v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            // A lone high surrogate: U+FFFD, and the escape after it is read on its own.
                            v = 0xFFFD
                            i = next
                        }
                    } else {
                        v = 0xFFFD
                    }
                } else if v >= 0xDC00 && v < 0xE000 {
                    v = 0xFFFD
                }
                if v < 0x80 {
                    if v == 0x3C { sawLessThan = true }
                    if v == 0x22 || v == 0x5C { putQuote(UInt8(v)) } else { put(UInt8(v)) }
                } else if v < 0x800 {
                    put(UInt8(0xC0 | (v >> 6)))
                    put(UInt8(0x80 | (v & 0x3F)))
                } else if v < 0x10000 {
                    put(UInt8(0xE0 | (v >> 12)))
                    put(UInt8(0x80 | ((v >> 6) & 0x3F)))
                    put(UInt8(0x80 | (v & 0x3F)))
                } else {
                    put(UInt8(0xF0 | (v >> 18)))
                    put(UInt8(0x80 | ((v >> 12) & 0x3F)))
                    put(UInt8(0x80 | ((v >> 6) & 0x3F)))
                    put(UInt8(0x80 | (v & 0x3F)))
                }
            default: throw error("invalid escape")
            }
        }
        throw error("unterminated string")
    }

    /// A string from valid UTF-8 bytes, without re-validation.
    private static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        ByteScan.string(validUTF8: bytes, isASCII: ByteScan.isASCII(bytes))
    }

    private mutating func hex4() throws(AnalysisError) -> UInt32 {
        guard i + 4 <= p.count else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = p[i]
            let d: UInt32
            switch b {
            case 0x30...0x39: d = UInt32(b - 0x30)
            case 0x41...0x46: d = UInt32(b - 0x41 + 10)
            case 0x61...0x66: d = UInt32(b - 0x61 + 10)
            default: throw error("invalid \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }
}
