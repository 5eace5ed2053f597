/// Word-at-a-time byte scanning (SWAR: eight bytes per 64-bit load) for the JSON reader and writer.
enum ByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Whether any byte of `x` is zero (exact: no false positives).
    @inline(__always)
    private static func hasZeroByte(_ x: UInt64) -> Bool {
        ((x &- ones) & ~x & highs) != 0
    }

    /// Whether any byte of `x` equals `b`.
    @inline(__always)
    private static func hasByte(_ x: UInt64, _ b: UInt8) -> Bool {
        hasZeroByte(x ^ (ones &* UInt64(b)))
    }

    /// Whether any byte of `x` is below 0x20.
    @inline(__always)
    private static func hasControl(_ x: UInt64) -> Bool {
        // A byte < 0x20 is one whose top three bits are zero: (byte & 0xE0) == 0.
        hasZeroByte(x & (ones &* 0xE0))
    }

    /// The index of the first byte at or after `start` that is `"`, `\`, below 0x20, or (when
    /// `stopAtE2`) 0xE2 — the bytes a JSON string reader or writer must look at; `p.count` if none.
    @inline(__always)
    static func firstJSONSpecial(_ p: UnsafeBufferPointer<UInt8>, from start: Int, stopAtE2: Bool) -> Int {
        var i = start
        let n = p.count
        if let base = p.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= n {
                let x = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                if hasByte(x, 0x22) || hasByte(x, 0x5C) || hasControl(x) || (stopAtE2 && hasByte(x, 0xE2)) { break }
                i += 8
            }
        }
        while i < n {
            let b = p[i]
            if b == 0x22 || b == 0x5C || b < 0x20 || (stopAtE2 && b == 0xE2) { return i }
            i += 1
        }
        return n
    }

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
}
