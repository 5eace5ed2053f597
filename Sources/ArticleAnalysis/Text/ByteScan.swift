/// Vector byte scanning (16 or 32 bytes a round with `SIMD16`) and unchecked `String` creation for the
/// parser and the JSON reader and writer.
enum ByteScan {
    /// A `String` holding a copy of `p` without the standard library's re-validation (which costs
    /// ~11 instructions per byte of Arabic text). `p` must be valid UTF-8: bytes validated earlier, or a
    /// slice of validated bytes cut at character boundaries, or bytes written by ``appendUTF8(_:to:)``.
    /// `isASCII` must be true only when every byte is below 0x80 (false is always safe).
    @inline(__always)
    static func string(validUTF8 p: UnsafeBufferPointer<UInt8>, isASCII: Bool) -> String {
        if #available(macOS 26, iOS 26, tvOS 26, watchOS 26, visionOS 26, *) {
            return String(copying: UTF8Span(unchecked: p.span, isKnownASCII: isASCII))
        }
        return String(decoding: p, as: UTF8.self)
    }

    /// Sixteen bytes as signed lanes for the vector scans: ASCII is 0...127, bytes from 0x80 negative.
    typealias Lanes = SIMD16<Int8>

    /// The sixteen bytes at `offset` (the caller guarantees `offset + 16 <= p.count`).
    @inline(__always)
    static func lanes(_ p: UnsafeBufferPointer<UInt8>, at offset: Int) -> Lanes {
        UnsafeRawPointer(p.baseAddress.unsafelyUnwrapped).loadUnaligned(fromByteOffset: offset, as: Lanes.self)
    }

    /// The lane index of the first true lane of `mask`, 16 if none. A mask lane is all ones or all
    /// zeros, so two 64-bit words test all sixteen (read little-endian: lane 0 is the low byte).
    @inline(__always)
    static func firstTrue(_ mask: SIMDMask<Lanes>) -> Int {
        let words = unsafeBitCast(mask, to: SIMD2<UInt64>.self)
        let low = UInt64(littleEndian: words[0])
        let high = UInt64(littleEndian: words[1])
        if low != 0 { return low.trailingZeroBitCount >> 3 }
        if high != 0 { return 8 + high.trailingZeroBitCount >> 3 }
        return 16
    }

    /// The index of the first byte at or after `start` that is `"`, `\` or below 0x20 (what ends a run
    /// of plain characters in a JSON string) or `<` (where markup may start: the reader notes whether a
    /// string may hold HTML while it reads it); `p.count` if none. Thirty-two bytes a round.
    static func firstJSONStringSpecialOrMarkup(_ p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        // Vector constants are built once: unoptimised builds construct them lane by lane.
        let quote = Lanes(repeating: 0x22)
        let backslash = Lanes(repeating: 0x5C)
        let less = Lanes(repeating: 0x3C)
        let flip = Lanes(repeating: -128)
        let belowSpace = Lanes(repeating: -96)
        @inline(__always)
        func special(_ v: Lanes) -> SIMDMask<Lanes> {
            // Flipping the top bit maps 0x00...0x1F to -128...-97.
            v .== quote .| v .== backslash .| v .== less .| v &+ flip .< belowSpace
        }
        var i = start
        let n = p.count
        // Wrapping arithmetic: `i + 32 <= n` bounds every index, so no overflow checks.
        while i &+ 32 <= n {
            if let k = firstTrue(special(lanes(p, at: i)), special(lanes(p, at: i &+ 16))) { return i &+ k }
            i &+= 32
        }
        while i < n {
            let b = p[i]
            if b == 0x22 || b == 0x5C || b == 0x3C || b < 0x20 { return i }
            i += 1
        }
        return n
    }

    /// The index of the first byte at or after `start` that a JSON writer must look at: `"`, `\`,
    /// below 0x20, or 0xE2 (which may start U+2028/U+2029); `p.count` if none. Thirty-two bytes a round.
    static func firstJSONOutputSpecial(_ p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let quote = Lanes(repeating: 0x22)
        let backslash = Lanes(repeating: 0x5C)
        let flip = Lanes(repeating: -128)
        let belowSpace = Lanes(repeating: -96)
        let e2 = Lanes(repeating: Int8(bitPattern: 0xE2))
        @inline(__always)
        func special(_ v: Lanes) -> SIMDMask<Lanes> {
            v .== quote .| v .== backslash .| v &+ flip .< belowSpace .| v .== e2
        }
        var i = start
        let n = p.count
        while i + 32 <= n {
            if let k = firstTrue(special(lanes(p, at: i)), special(lanes(p, at: i + 16))) { return i + k }
            i += 32
        }
        if i + 16 <= n {
            let k = firstTrue(special(lanes(p, at: i)))
            if k < 16 { return i + k }
            i += 16
        }
        if i < n && n >= 16 {
            // The last sixteen bytes, overlapping ones before `i` (which may hold a special byte the
            // caller skipped, such as an 0xE2 not starting U+2028): their lanes are masked off.
            let skipped = Lanes(repeating: Int8(truncatingIfNeeded: i - (n - 16)))
            let laneIndices = Lanes(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
            let k = firstTrue(special(lanes(p, at: n - 16)) .& (laneIndices .>= skipped))
            return k < 16 ? n - 16 + k : n
        }
        while i < n {
            let b = p[i]
            if b == 0x22 || b == 0x5C || b < 0x20 || b == 0xE2 { return i }
            i += 1
        }
        return n
    }

    /// The index of the first `byte` at or after `start`, `p.count` if none. Thirty-two bytes a round.
    static func firstIndex(of byte: UInt8, in p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        let n = p.count
        let target = Lanes(repeating: Int8(bitPattern: byte))
        while i + 32 <= n {
            if let k = firstTrue(lanes(p, at: i) .== target, lanes(p, at: i + 16) .== target) { return i + k }
            i += 32
        }
        while i < n && p[i] != byte { i += 1 }
        return i
    }

    /// The index (0..<32) of the first true lane of `low` then `high`, nil if none: one test for the
    /// common case of no match.
    @inline(__always)
    static func firstTrue(_ low: SIMDMask<Lanes>, _ high: SIMDMask<Lanes>) -> Int? {
        guard firstTrue(low .| high) < 16 else { return nil }
        let k = firstTrue(low)
        return k < 16 ? k : 16 + firstTrue(high)
    }

    /// Whether every byte of `p` is below 0x80. Thirty-two bytes at a time, stopping at the first block
    /// with a byte from 0x80 (so Arabic text is answered within its first letters).
    static func isASCII(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = p.count
        while i + 32 <= n {
            let words = unsafeBitCast(lanes(p, at: i) | lanes(p, at: i + 16), to: SIMD2<UInt64>.self)
            if (words[0] | words[1]) & 0x8080_8080_8080_8080 != 0 { return false }
            i += 32
        }
        while i < n {
            if p[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }
}
