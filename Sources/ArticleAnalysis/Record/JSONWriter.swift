/// A minimal byte-level JSON writer: the caller emits tokens in order; the writer handles commas,
/// escaping and number formatting. Output is compact and deterministic.
struct JSONWriter {
    /// The bytes written so far.
    private(set) var bytes: [UInt8]
    private var needsComma = false

    /// Creates a writer with `capacity` bytes reserved.
    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    private mutating func separator() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    /// `{`
    mutating func beginObject() {
        separator()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    /// `}`
    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// `[`
    mutating func beginArray() {
        separator()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    /// `]`
    mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// A member name followed by `:`; the next value written is its value.
    mutating func key(_ name: StaticString) {
        separator()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        needsComma = false
    }

    /// A member name given at run time.
    mutating func key(_ name: String) {
        string(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// A string value, escaped per RFC 8259 (control characters as `\u00XX`; U+2028/2029 escaped too).
    mutating func string(_ value: String) {
        separator()
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { p in
            var runStart = 0
            var i = 0
            while i < p.count {
                let b = p[i]
                var escape: [UInt8]? = nil
                if b == UInt8(ascii: "\"") {
                    escape = [0x5C, 0x22]
                } else if b == UInt8(ascii: "\\") {
                    escape = [0x5C, 0x5C]
                } else if b < 0x20 {
                    switch b {
                    case 0x0A: escape = [0x5C, UInt8(ascii: "n")]
                    case 0x0D: escape = [0x5C, UInt8(ascii: "r")]
                    case 0x09: escape = [0x5C, UInt8(ascii: "t")]
                    default:
                        let hex = Array("0123456789abcdef".utf8)
                        escape = [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]]
                    }
                } else if b == 0xE2, i + 2 < p.count, p[i + 1] == 0x80, p[i + 2] == 0xA8 || p[i + 2] == 0xA9 {
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[runStart..<i]))
                    bytes.append(contentsOf: Array((p[i + 2] == 0xA8 ? "\\u2028" : "\\u2029").utf8))
                    i += 3
                    runStart = i
                    continue
                }
                if let escape {
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[runStart..<i]))
                    bytes.append(contentsOf: escape)
                    runStart = i + 1
                }
                i += 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[runStart..<p.count]))
        }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// A string or `null`.
    mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    /// `null`.
    mutating func null() {
        separator()
        bytes.append(contentsOf: Array("null".utf8))
        needsComma = true
    }

    /// `true` / `false`.
    mutating func bool(_ value: Bool) {
        separator()
        bytes.append(contentsOf: Array((value ? "true" : "false").utf8))
        needsComma = true
    }

    /// An integer.
    mutating func int<I: BinaryInteger>(_ value: I) {
        separator()
        bytes.append(contentsOf: Array(String(value).utf8))
        needsComma = true
    }

    /// An integer or `null`.
    mutating func int<I: BinaryInteger>(_ value: I?) {
        if let value { int(value) } else { null() }
    }

    /// A number rounded to 4 decimal places, written without exponent ("0.1234", "1", "-0.5");
    /// non-finite values become 0.
    mutating func decimal(_ value: Double) {
        separator()
        let scaled = value.isFinite ? (value * 10_000).rounded() : 0
        var units = Int64(max(min(scaled, 9e15), -9e15))
        if units < 0 {
            bytes.append(UInt8(ascii: "-"))
            units = -units
        }
        bytes.append(contentsOf: Array(String(units / 10_000).utf8))
        var fraction = units % 10_000
        if fraction != 0 {
            bytes.append(UInt8(ascii: "."))
            var digits: [UInt8] = []
            for _ in 0..<4 {
                digits.append(UInt8(0x30 + fraction / 1000))
                fraction = (fraction % 1000) * 10
            }
            while digits.last == 0x30 { digits.removeLast() }
            bytes.append(contentsOf: digits)
        }
        needsComma = true
    }
}
