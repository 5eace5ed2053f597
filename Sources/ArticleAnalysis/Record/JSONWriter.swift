/// A minimal byte-level JSON writer: the caller emits tokens in order; the writer handles commas,
/// escaping and number formatting. Output is compact and deterministic.
///
/// The writer owns a raw byte buffer (hence `~Copyable`: exactly one owner frees it) and reserves room
/// for each token's worst case before writing it, so the hot loops store bytes without the per-byte
/// capacity and uniqueness checks of `Array.append`.
struct JSONWriter: ~Copyable {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    private var needsComma = false

    /// Creates a writer with `capacity` bytes reserved.
    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        storage = .allocate(capacity: self.capacity)
    }

    deinit {
        storage.deallocate()
    }

    /// A copy of the bytes written so far.
    var bytes: [UInt8] {
        Array(UnsafeBufferPointer(start: storage, count: count))
    }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }

    private mutating func grow(_ needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let newStorage = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newStorage.update(from: storage, count: count)
        storage.deallocate()
        storage = newStorage
        capacity = newCapacity
    }

    /// Appends one byte (room reserved by the caller).
    @inline(__always)
    private mutating func put(_ byte: UInt8) {
        storage[count] = byte
        count += 1
    }

    /// Appends bytes (room reserved by the caller).
    @inline(__always)
    private mutating func put(_ run: UnsafeBufferPointer<UInt8>) {
        guard let base = run.baseAddress, !run.isEmpty else { return }
        (storage + count).update(from: base, count: run.count)
        count += run.count
    }

    /// Appends one byte.
    private mutating func append(_ byte: UInt8) {
        reserve(1)
        put(byte)
    }

    /// Appends the bytes of a literal.
    private mutating func append(_ literal: StaticString) {
        reserve(literal.utf8CodeUnitCount)
        put(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    private mutating func separator() {
        if needsComma { append(UInt8(ascii: ",")) }
    }

    /// `{`
    mutating func beginObject() {
        separator()
        append(UInt8(ascii: "{"))
        needsComma = false
    }

    /// `}`
    mutating func endObject() {
        append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// `[`
    mutating func beginArray() {
        separator()
        append(UInt8(ascii: "["))
        needsComma = false
    }

    /// `]`
    mutating func endArray() {
        append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// A member name followed by `:`; the next value written is its value.
    mutating func key(_ name: StaticString) {
        reserve(name.utf8CodeUnitCount + 4)
        if needsComma { put(UInt8(ascii: ",")) }
        put(UInt8(ascii: "\""))
        put(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        put(UInt8(ascii: "\""))
        put(UInt8(ascii: ":"))
        needsComma = false
    }

    /// A member name given at run time.
    mutating func key(_ name: String) {
        string(name)
        append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// A string value, escaped per RFC 8259 (control characters as `\u00XX`; U+2028/2029 escaped too).
    /// Runs of bytes needing no escape are copied in bulk.
    mutating func string(_ value: String) {
        let written: Void? = value.utf8.withContiguousStorageIfAvailable { p in writeString(p) }
        if written == nil {
            var copy = value
            copy.withUTF8 { p in writeString(p) }
        }
        needsComma = true
    }

    private mutating func writeString(_ p: UnsafeBufferPointer<UInt8>) {
        let n = p.count
        // Worst case: every byte becomes a six-byte `\u00XX`, plus the comma and the quotes.
        reserve(n * 6 + 3)
        if needsComma { put(UInt8(ascii: ",")) }
        put(UInt8(ascii: "\""))
        var runStart = 0
        var i = 0
        while i < n {
            // Skip bytes that never need escaping, 32 at a time.
            i = ByteScan.firstJSONOutputSpecial(p, from: i)
            if i == n { break }
            let b = p[i]
            if b == 0xE2 {
                if i + 2 < n, p[i + 1] == 0x80, p[i + 2] == 0xA8 || p[i + 2] == 0xA9 {
                    put(UnsafeBufferPointer(rebasing: p[runStart..<i]))
                    putEscape(0x32, 0x30, 0x32, p[i + 2] == 0xA8 ? 0x38 : 0x39)
                    i += 3
                    runStart = i
                } else {
                    i += 1
                }
                continue
            }
            put(UnsafeBufferPointer(rebasing: p[runStart..<i]))
            switch b {
            case 0x22, 0x5C:
                put(0x5C)
                put(b)
            case 0x0A:
                put(0x5C)
                put(UInt8(ascii: "n"))
            case 0x0D:
                put(0x5C)
                put(UInt8(ascii: "r"))
            case 0x09:
                put(0x5C)
                put(UInt8(ascii: "t"))
            default:
                putEscape(0x30, 0x30, JSONWriter.hexDigit(b >> 4), JSONWriter.hexDigit(b & 0xF))
            }
            i += 1
            runStart = i
        }
        put(UnsafeBufferPointer(rebasing: p[runStart..<n]))
        put(UInt8(ascii: "\""))
    }

    /// Appends `\u` followed by four hex digit bytes (room reserved by the caller).
    private mutating func putEscape(_ d0: UInt8, _ d1: UInt8, _ d2: UInt8, _ d3: UInt8) {
        put(0x5C)
        put(UInt8(ascii: "u"))
        put(d0)
        put(d1)
        put(d2)
        put(d3)
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
        append("null")
        needsComma = true
    }

    /// `true` / `false`.
    mutating func bool(_ value: Bool) {
        separator()
        append(value ? "true" : "false")
        needsComma = true
    }

    /// An integer.
    mutating func int<I: BinaryInteger>(_ value: I) {
        separator()
        if let small = Int64(exactly: value) {
            if small < 0 { append(UInt8(ascii: "-")) }
            appendDigits(small.magnitude)
        } else {
            for digit in String(value).utf8 { append(digit) }
        }
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
            append(UInt8(ascii: "-"))
            units = -units
        }
        appendDigits(UInt64(units / 10_000))
        var fraction = units % 10_000
        if fraction != 0 {
            append(UInt8(ascii: "."))
            // Four digits with the trailing zeros dropped: "0.5", not "0.5000".
            var divisor: Int64 = 1000
            while fraction != 0 {
                append(UInt8(truncatingIfNeeded: 0x30 + fraction / divisor))
                fraction %= divisor
                divisor /= 10
            }
        }
        needsComma = true
    }

    /// Appends the decimal digits of `value` without building a `String`.
    private mutating func appendDigits(_ value: UInt64) {
        var length = 1
        var limit: UInt64 = 10
        while length < 20 && value >= limit {
            length += 1
            limit &*= 10
        }
        reserve(length)
        var rest = value
        for position in stride(from: count + length - 1, through: count, by: -1) {
            storage[position] = UInt8(truncatingIfNeeded: 0x30 + rest % 10)
            rest /= 10
        }
        count += length
    }
}
