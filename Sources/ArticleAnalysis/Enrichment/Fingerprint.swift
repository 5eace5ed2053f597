/// Content fingerprints of an article.
public struct Fingerprint: Sendable, Hashable {
    /// 64-bit FNV-1a hash of the normalised words of title and text: equal for exact duplicates
    /// (whatever their diacritics, punctuation or spacing).
    public var exact: UInt64
    /// 64-bit SimHash over word-stem bigrams: near duplicates differ in few bits (Hamming distance).
    public var simhash: UInt64

    /// ``exact`` as 16 lowercase hex digits (how the record stores it).
    public var exactHex: String { Fingerprint.hex(exact) }
    /// ``simhash`` as 16 lowercase hex digits (how the record stores it).
    public var simhashHex: String { Fingerprint.hex(simhash) }

    /// Number of differing bits between two SimHashes.
    public static func distance(_ a: UInt64, _ b: UInt64) -> Int { (a ^ b).nonzeroBitCount }

    static func hex(_ v: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { out in
            for i in 0..<16 {
                let digit = UInt8(truncatingIfNeeded: v >> UInt64(60 - 4 * i)) & 0xF
                out[i] = digit < 10 ? 0x30 + digit : 0x57 + digit  // "0"..."9", "a"..."f"
            }
            return 16
        }
    }

    /// Computes the fingerprints of an article's tokens (out of line: one call per article, and its own entry in
    /// profiles).
    @inline(never)
    init(text: ArticleText) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        // SimHash: bit b is set when more than half of the bigram hashes have bit b set. The hashes are counted
        // bit-sliced: bit k of every position's count is in `ones`, `twos`, `fours`, `eights` (k = 0...3) or
        // `levels[k]`. Sixteen hashes at a time go through a tree of carry-save adders (Harley–Seal) into the
        // first four, and the carry out of `eights` ripples up `levels` (64 levels: counts are `Int`s).
        var ones: UInt64 = 0
        var twos: UInt64 = 0
        var fours: UInt64 = 0
        var eights: UInt64 = 0
        var levelCount = 4
        let total = text.tokens.count
        var s: UInt64 = 0
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 16 + Int.bitWidth) { storage in
            let block = UnsafeMutableBufferPointer(rebasing: storage[..<16])
            let levels = UnsafeMutableBufferPointer(rebasing: storage[16...])
            levels.initialize(repeating: 0)
            text.tokens.withUnsafeBufferPointer { tokens in
                let n = tokens.count
                var previous: UInt64 = 0
                var i = 0
                while i < n {
                    // The next sixteen bigram hashes (zeros past the end, which count nothing); the exact hash is
                    // extended by the same tokens, in order.
                    let count = min(16, n - i)
                    Self.bigramHashes(
                        tokens.baseAddress.unsafelyUnwrapped + i, count: count,
                        into: block.baseAddress.unsafelyUnwrapped,
                        previous: &previous, exact: &h)
                    for k in count..<16 { block[k] = 0 }
                    var twosA: UInt64
                    var twosB: UInt64
                    var foursA: UInt64
                    var foursB: UInt64
                    let eightsA: UInt64
                    let eightsB: UInt64
                    var carry: UInt64
                    (twosA, ones) = carrySave(ones, block[0], block[1])
                    (twosB, ones) = carrySave(ones, block[2], block[3])
                    (foursA, twos) = carrySave(twos, twosA, twosB)
                    (twosA, ones) = carrySave(ones, block[4], block[5])
                    (twosB, ones) = carrySave(ones, block[6], block[7])
                    (foursB, twos) = carrySave(twos, twosA, twosB)
                    (eightsA, fours) = carrySave(fours, foursA, foursB)
                    (twosA, ones) = carrySave(ones, block[8], block[9])
                    (twosB, ones) = carrySave(ones, block[10], block[11])
                    (foursA, twos) = carrySave(twos, twosA, twosB)
                    (twosA, ones) = carrySave(ones, block[12], block[13])
                    (twosB, ones) = carrySave(ones, block[14], block[15])
                    (foursB, twos) = carrySave(twos, twosA, twosB)
                    (eightsB, fours) = carrySave(fours, foursA, foursB)
                    (carry, eights) = carrySave(eights, eightsA, eightsB)
                    var level = 4
                    while carry != 0 {
                        // In bounds: a carry into level k means a count of at least 2^k <= n.
                        let next = levels[level] & carry
                        levels[level] ^= carry
                        carry = next
                        level += 1
                    }
                    levelCount = max(levelCount, level)
                    i += 16
                }
            }
            levels[0] = ones
            levels[1] = twos
            levels[2] = fours
            levels[3] = eights
            // Bit-sliced comparison of every count with `threshold` (2 * count > total), from the top level down:
            // `greater` marks the positions already above it, `equal` those equal so far.
            let threshold = total / 2 + 1
            var greater: UInt64 = 0
            var equal: UInt64 = ~0
            for level in (0..<max(levelCount, Int.bitWidth - threshold.leadingZeroBitCount)).reversed() {
                let bits = levels[level]
                if threshold >> level & 1 == 1 {
                    equal &= bits
                } else {
                    greater |= equal & bits
                    equal &= ~bits
                }
            }
            s = greater | equal
        }
        exact = h
        simhash = s
    }
}

extension Fingerprint {
    /// Writes the bigram hashes of `count` tokens into `out` (the previous token's stem hash in `previous`, updated)
    /// and extends the exact hash by them; out of line, so that its loop has the registers to itself.
    @inline(never)
    fileprivate static func bigramHashes(
        _ tokens: UnsafePointer<ArticleText.TokenInfo>, count: Int, into out: UnsafeMutablePointer<UInt64>,
        previous: inout UInt64, exact: inout UInt64
    ) {
        var h = exact
        var last = previous
        for k in 0..<count {
            let token = tokens[k]
            h = (h ^ token.normalized) &* 0x0000_0100_0000_01B3
            var x = (last &* 0x9E37_79B9_7F4A_7C15) ^ token.stem
            // SplitMix64 finaliser spreads the bigram hash over all bits.
            x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
            x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
            out[k] = x ^ (x >> 31)
            last = token.stem
        }
        exact = h
        previous = last
    }
}

/// A carry-save adder over 64 bit positions: `a + b + c == 2 * high + low` in every position.
@inline(__always)
private func carrySave(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> (high: UInt64, low: UInt64) {
    let u = a ^ b
    return ((a & b) | (u & c), u ^ c)
}
