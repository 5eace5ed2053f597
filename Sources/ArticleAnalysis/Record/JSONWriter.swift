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
    /// Runs of bytes needing no escape are copied in bulk.
    mutating func string(_ value: String) {
        separator()
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { p in
            let n = p.count
            var runStart = 0
            var i = 0
            while i < n {
                // Skip bytes that never need escaping, eight at a time (" is 0x22, \\ is 0x5C, E2 may
                // start U+2028/9).
                i = ByteScan.firstJSONSpecial(p, from: i, stopAtE2: true)
                if i == n { break }
                let b = p[i]
                if b == 0xE2 {
                    if i + 2 < n, p[i + 1] == 0x80, p[i + 2] == 0xA8 || p[i + 2] == 0xA9 {
                        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[runStart..<i]))
                        appendEscape(0x32, 0x30, 0x32, p[i + 2] == 0xA8 ? 0x38 : 0x39)
                        i += 3
                        runStart = i
                    } else {
                        i += 1
                    }
                    continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[runStart..<i]))
                switch b {
                case 0x22, 0x5C:
                    bytes.append(0x5C)
                    bytes.append(b)
                case 0x0A:
                    bytes.append(0x5C)
                    bytes.append(UInt8(ascii: "n"))
                case 0x0D:
                    bytes.append(0x5C)
                    bytes.append(UInt8(ascii: "r"))
                case 0x09:
                    bytes.append(0x5C)
                    bytes.append(UInt8(ascii: "t"))
                default:
                    appendEscape(0x30, 0x30, JSONWriter.hexDigit(b >> 4), JSONWriter.hexDigit(b & 0xF))
                }
                i += 1
                runStart = i
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[runStart..<n]))
        }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// Appends `\u` followed by four hex digit bytes.
    private mutating func appendEscape(_ d0: UInt8, _ d1: UInt8, _ d2: UInt8, _ d3: UInt8) {
        bytes.append(0x5C)
        bytes.append(UInt8(ascii: "u"))
        bytes.append(d0)
        bytes.append(d1)
        bytes.append(d2)
        bytes.append(d3)
    }

    /// The lowercase hex digit of a nibble.
    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10
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
