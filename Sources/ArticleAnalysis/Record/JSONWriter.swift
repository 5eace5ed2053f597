/// A minimal byte-level JSON writer: the caller emits tokens in order; the writer handles commas,
/// escaping and number formatting. Output is compact and deterministic.
///
/// The writer owns a raw byte buffer (hence `~Copyable`: exactly one owner frees it) and reserves room
/// for each token's worst case before writing it, so the hot loops store bytes without the per-byte
/// capacity and uniqueness checks of `Array.append`. ``bytes(capacity:_:)`` lends it the storage of
/// the array it returns instead, so that a document that fits is never copied.
struct JSONWriter: ~Copyable {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    private var needsComma = false
    /// False while `storage` is lent by ``bytes(capacity:_:)``; the writer frees only what it allocated.
    private var ownsStorage = true

    /// Creates a writer with `capacity` bytes reserved.
    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        storage = .allocate(capacity: self.capacity)
    }

    /// A writer that fills `buffer` (not empty) until it needs more room, then moves to its own storage.
    private init(lending buffer: UnsafeMutableBufferPointer<UInt8>) {
        storage = buffer.baseAddress.unsafelyUnwrapped
        capacity = buffer.count
        ownsStorage = false
    }

    deinit {
        if ownsStorage { storage.deallocate() }
    }

    /// The bytes `body` writes, built in the returned array's own storage when they fit in `capacity`
    /// bytes (otherwise copied once from the writer's storage).
    static func bytes(capacity: Int, _ body: (inout JSONWriter) -> Void) -> [UInt8] {
        var spilled: [UInt8]? = nil
        let written = [UInt8](unsafeUninitializedCapacity: max(capacity, 64)) { buffer, initialized in
            var writer = JSONWriter(lending: buffer)
            body(&writer)
            if writer.ownsStorage {
                spilled = writer.bytes
            } else {
                initialized = writer.count
            }
        }
        return spilled ?? written
    }

    /// A copy of the bytes written so far.
    var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            // `buffer` has room for `count` bytes; one bulk copy.
            buffer.baseAddress?.initialize(from: storage, count: count)
            initialized = count
        }
    }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }

    private mutating func grow(_ needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let newStorage = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newStorage.initialize(from: storage, count: count)
        if ownsStorage { storage.deallocate() }
        storage = newStorage
        capacity = newCapacity
        ownsStorage = true
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
        (storage + count).initialize(from: base, count: run.count)
        count += run.count
    }

    /// Appends one byte.
    private mutating func append(_ byte: UInt8) {
        reserve(1)
        put(byte)
    }

    private mutating func separator() {
        if needsComma { append(UInt8(ascii: ",")) }
    }

    /// A member name followed by `:`; the next value written is its value. The name is written
    /// without escape checks: names are the schema's own. Inlined, so that the copy of a literal name
    /// has a constant length and becomes a few moves.
    @inline(__always)
    mutating func key(_ name: StaticString) {
        reserve(name.utf8CodeUnitCount + 4)
        if needsComma { put(UInt8(ascii: ",")) }
        put(UInt8(ascii: "\""))
        put(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        put(UInt8(ascii: "\""))
        put(UInt8(ascii: ":"))
        needsComma = false
    }

    /// Fixed text of the schema that opens something (`{"name":`, `"list":[`), after a comma when a value
    /// precedes it; the next value written follows it without one. Written without checks, inlined so
    /// that the copy of a literal has a constant length.
    @inline(__always)
    mutating func opening(_ text: StaticString) {
        reserve(text.utf8CodeUnitCount + 1)
        if needsComma { put(UInt8(ascii: ",")) }
        put(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        needsComma = false
    }

    /// Fixed text of the schema that closes something and opens the next (`],"paragraphs":[`): the next
    /// value written follows it without a comma.
    @inline(__always)
    mutating func joining(_ text: StaticString) {
        reserve(text.utf8CodeUnitCount)
        put(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        needsComma = false
    }

    /// Fixed text of the schema that closes something (`}`, `]}`): the next value written needs a comma.
    @inline(__always)
    mutating func closing(_ text: StaticString) {
        reserve(text.utf8CodeUnitCount)
        put(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        needsComma = true
    }

    /// A member name given at run time, escaped like a string value. (Labelled so that a literal name
    /// always picks the unchecked ``key(_:)``: a `String` overload would win for literals.)
    mutating func key(string name: String) {
        string(name)
        append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// A string value, escaped per RFC 8259 (control characters as `\u00XX`; U+2028/2029 escaped too).
    /// Runs of bytes needing no escape are copied in bulk.
    @inline(__always)
    mutating func string(_ value: String) {
        write(value) { $0.writeString($1) }
    }

    /// A string known to hold no byte to escape (no `"`, `\`, control character, U+2028 or U+2029),
    /// copied without checking its bytes.
    mutating func escapeFreeString(_ value: String) {
        write(value) { $0.writeUnchecked($1) }
    }

    /// Passes `value`'s UTF-8 bytes to `body` (copying the string only when it is not contiguous), then
    /// marks that a value was written.
    @inline(__always)
    private mutating func write(_ value: String, _ body: (inout JSONWriter, UnsafeBufferPointer<UInt8>) -> Void) {
        let written: Void? = value.utf8.withContiguousStorageIfAvailable { p in body(&self, p) }
        if written == nil {
            var copy = value
            copy.withUTF8 { p in body(&self, p) }
        }
        needsComma = true
    }

    /// Writes `p` quoted, as it is. Debug builds (the tests) check the caller's claim against the checked
    /// path's own definition of a byte to escape.
    private mutating func writeUnchecked(_ p: UnsafeBufferPointer<UInt8>) {
        assert(Self.firstByteToEscape(p, from: 0) == p.count, "escapeFreeString given a string that needs escaping")
        reserve(p.count + 3)
        if needsComma { put(UInt8(ascii: ",")) }
        put(UInt8(ascii: "\""))
        put(p)
        put(UInt8(ascii: "\""))
    }

    /// The index of the first byte at or after `start` that JSON output escapes — `"`, `\`, a control
    /// character, or the first byte of U+2028/U+2029 — `p.count` if none. (An 0xE2 starting another
    /// character, such as a curly quote, stays as it is.)
    @inline(__always)
    private static func firstByteToEscape(_ p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        while true {
            i = firstSpecial(p, from: i)
            guard i < p.count, p[i] == 0xE2, !(i + 2 < p.count && p[i + 1] == 0x80 && (p[i + 2] & 0xFE) == 0xA8)
            else { return i }
            i += 1
        }
    }

    /// Writes `p` as a quoted, escaped string. The bytes are first copied as they are and then checked
    /// in the output, because most strings need no escape and there the check of a short string can
    /// read one 16-byte block ending at its last byte (overlapping the bytes written before it); from
    /// the first byte that needs an escape, the rest is rewritten by ``writeEscaped(_:from:)``.
    private mutating func writeString(_ p: UnsafeBufferPointer<UInt8>) {
        reserve(p.count + 3)
        if needsComma { put(UInt8(ascii: ",")) }
        put(UInt8(ascii: "\""))
        let start = count
        put(p)
        let i = Self.firstByteToEscape(UnsafeBufferPointer(start: storage, count: count), from: start)
        if i < count {
            count = i
            writeEscaped(p, from: i - start)
            return
        }
        put(UInt8(ascii: "\""))
    }

    /// ``ByteScan/firstJSONOutputSpecial(_:from:)`` with the common case of at most 16 bytes left inline:
    /// one block ending at the last byte, its lanes before `start` masked off.
    @inline(__always)
    private static func firstSpecial(_ p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        typealias Lanes = ByteScan.Lanes
        let n = p.count
        guard n - start <= 16 && n >= 16 else { return ByteScan.firstJSONOutputSpecial(p, from: start) }
        // In bounds: `n - 16 >= 0` and the block ends at `n`.
        let v = ByteScan.lanes(p, at: n - 16)
        // Flipping the top bit maps 0x00...0x1F to -128...-97.
        let special =
            v .== Lanes(repeating: 0x22) .| v .== Lanes(repeating: 0x5C) .| v &+ Lanes(repeating: -128)
            .< Lanes(repeating: -96) .| v .== Lanes(repeating: Int8(bitPattern: 0xE2))
        let laneIndices = Lanes(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        let skipped = Lanes(repeating: Int8(truncatingIfNeeded: start - (n - 16)))
        let k = ByteScan.firstTrue(special .& (laneIndices .>= skipped))
        return k < 16 ? n - 16 + k : n
    }

    /// Writes `p[from...]` escaped, then the closing quote; `p[from]` is a byte to escape (or an 0xE2).
    /// Room is reserved piece by piece: a run of plain bytes and one escape at a time.
    private mutating func writeEscaped(_ p: UnsafeBufferPointer<UInt8>, from start: Int) {
        let n = p.count
        var runStart = start
        var i = start
        while i < n {
            // Skip bytes that never need escaping, 32 at a time.
            i = ByteScan.firstJSONOutputSpecial(p, from: i)
            if i == n { break }
            let b = p[i]
            if b == 0xE2 {
                if i + 2 < n, p[i + 1] == 0x80, p[i + 2] == 0xA8 || p[i + 2] == 0xA9 {
                    reserve(i - runStart + 6)
                    put(UnsafeBufferPointer(rebasing: p[runStart..<i]))
                    putEscape(0x32, 0x30, 0x32, p[i + 2] == 0xA8 ? 0x38 : 0x39)
                    i += 3
                    runStart = i
                } else {
                    i += 1
                }
                continue
            }
            reserve(i - runStart + 6)
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
        reserve(n - runStart + 1)
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

    /// The eight lowercase hex digits of `half` (below 2^32) as bytes in memory order: each nibble spread
    /// to a byte (the most significant first once stored big-endian), then 0–9 shifted to "0"–"9" and
    /// 10–15 to "a"–"f" (a byte plus 6 reaches 16 only from 10; no byte carries into the next).
    private static func hexDigits(_ half: UInt64) -> UInt64 {
        var t = (half | half << 16) & 0x0000_FFFF_0000_FFFF
        t = (t | t << 8) & 0x00FF_00FF_00FF_00FF
        t = (t | t << 4) & 0x0F0F_0F0F_0F0F_0F0F
        let letters = (t &+ 0x0606_0606_0606_0606) >> 4 & 0x0101_0101_0101_0101
        return (t &+ 0x3030_3030_3030_3030 &+ letters &* 0x27).bigEndian
    }

    /// The lowercase hex digit of a nibble.
    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10
    }

    /// `value` as a quoted string of 16 lowercase hex digits, zero-padded (as `Fingerprint.hex`).
    mutating func hex(_ value: UInt64) {
        reserve(19)
        if needsComma { put(UInt8(ascii: ",")) }
        put(UInt8(ascii: "\""))
        // In bounds: 19 bytes were reserved for the quotes, the comma and the 16 digits.
        UnsafeMutableRawPointer(storage + count).storeBytes(of: JSONWriter.hexDigits(value >> 32), as: UInt64.self)
        UnsafeMutableRawPointer(storage + count + 8).storeBytes(
            of: JSONWriter.hexDigits(value & 0xFFFF_FFFF), as: UInt64.self)
        count += 16
        put(UInt8(ascii: "\""))
        needsComma = true
    }

    /// A string that needs no escape (a name from the schema), written without checking its bytes.
    @inline(__always)
    mutating func plainString(_ value: StaticString) {
        reserve(value.utf8CodeUnitCount + 3)
        if needsComma { put(UInt8(ascii: ",")) }
        put(UInt8(ascii: "\""))
        put(UnsafeBufferPointer(start: value.utf8Start, count: value.utf8CodeUnitCount))
        put(UInt8(ascii: "\""))
        needsComma = true
    }

    /// A string or `null`.
    mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    /// `null`.
    mutating func null() {
        literalValue("null")
    }

    /// `true` / `false`.
    mutating func bool(_ value: Bool) {
        if value { literalValue("true") } else { literalValue("false") }
    }

    /// A value spelt by a literal (`null`, `true`, `false`), inlined so that its copy has a constant length.
    @inline(__always)
    private mutating func literalValue(_ text: StaticString) {
        reserve(text.utf8CodeUnitCount + 1)
        if needsComma { put(UInt8(ascii: ",")) }
        put(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
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
        let scaled = value.isFinite ? (value * 10_000).rounded() : 0
        let units = Int64(max(min(scaled, 9e15), -9e15))
        // The comma, the sign, at most 12 integer digits (below 9e11), the point and four fraction digits.
        reserve(23)
        var cursor = storage + count
        if needsComma {
            cursor.pointee = UInt8(ascii: ",")
            cursor += 1
        }
        if units < 0 {
            cursor.pointee = UInt8(ascii: "-")
            cursor += 1
        }
        let whole = units.magnitude / 10_000
        if whole < 10 {
            cursor.pointee = UInt8(truncatingIfNeeded: 0x30 + whole)
            cursor += 1
        } else {
            cursor = JSONWriter.digits(of: whole, at: cursor)
        }
        let fraction = units.magnitude % 10_000
        if fraction != 0 {
            // Four digits with the trailing zeros dropped: "0.5", not "0.5000".
            let high = fraction / 100
            let low = fraction % 100
            cursor[0] = UInt8(ascii: ".")
            cursor[1] = UInt8(truncatingIfNeeded: 0x30 + high / 10)
            cursor[2] = UInt8(truncatingIfNeeded: 0x30 + high % 10)
            cursor[3] = UInt8(truncatingIfNeeded: 0x30 + low / 10)
            cursor[4] = UInt8(truncatingIfNeeded: 0x30 + low % 10)
            cursor += low != 0 ? (low % 10 != 0 ? 5 : 4) : (high % 10 != 0 ? 3 : 2)
        }
        count = cursor - storage
        needsComma = true
    }

    /// Writes the decimal digits of `value` at `cursor` (room reserved by the caller: up to 20 bytes);
    /// returns the position after them.
    private static func digits(
        of value: UInt64,
        at cursor: UnsafeMutablePointer<UInt8>
    ) -> UnsafeMutablePointer<UInt8> {
        var length = 1
        var limit: UInt64 = 10
        while length < 20 && value >= limit {
            length += 1
            limit &*= 10
        }
        var rest = value
        for position in stride(from: length - 1, through: 0, by: -1) {
            cursor[position] = UInt8(truncatingIfNeeded: 0x30 + rest % 10)
            rest /= 10
        }
        return cursor + length
    }

    /// Appends the decimal digits of `value` without building a `String`.
    private mutating func appendDigits(_ value: UInt64) {
        reserve(20)
        count = JSONWriter.digits(of: value, at: storage + count) - storage
    }
}
