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
        // SimHash: bit b is set when more than half of the bigram hashes have bit b set. The hashes are counted
        // bit-sliced: bit k of every position's count is in `counts.ones`, `.twos`, `.fours`, `.eights` (k = 0...3)
        // or `levels[k]`. Sixteen hashes at a time go through a tree of carry-save adders (Harley–Seal) into the
        // first four, and the carry out of `eights` ripples up `levels` (64 levels: counts are `Int`s).
        let total = text.tokens.count
        // The state lives in the closure (captured variables would be read and written in memory per token).
        (exact, simhash) = withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 16 + Int.bitWidth) { storage in
            var counts = BitCounts()
            var bigrams = Bigrams()
            let block = UnsafeMutableBufferPointer(rebasing: storage[..<16])
            let levels = UnsafeMutableBufferPointer(rebasing: storage[16...])
            levels.initialize(repeating: 0)
            text.tokens.withUnsafeBufferPointer { tokens in
                guard var token = tokens.baseAddress else { return }
                let n = tokens.count
                var i = 0
                // Whole blocks: each bigram hash goes straight into the adder tree, in token order.
                while n &- i >= 16 {
                    counts.add(levels: levels) {
                        // In bounds: the sixteen tokens from `i` (`i + 16 <= n`), one per call.
                        defer { token += 1 }
                        return bigrams.next(token.pointee)
                    }
                    i &+= 16
                }
                // The last, partial block, padded with zeros (which count nothing).
                if i < n {
                    for k in 0..<16 {
                        block[k] = i &+ k < n ? bigrams.next(tokens[i &+ k]) : 0
                    }
                    var k = 0
                    counts.add(levels: levels) {
                        defer { k &+= 1 }
                        return block[k]
                    }
                }
            }
            levels[0] = counts.ones
            levels[1] = counts.twos
            levels[2] = counts.fours
            levels[3] = counts.eights
            // Bit-sliced comparison of every count with `threshold` (2 * count > total), from the top level down:
            // `greater` marks the positions already above it, `equal` those equal so far.
            let threshold = total / 2 + 1
            var greater: UInt64 = 0
            var equal: UInt64 = ~0
            for level in (0..<max(counts.levelCount, Int.bitWidth - threshold.leadingZeroBitCount)).reversed() {
                let bits = levels[level]
                if threshold >> level & 1 == 1 {
                    equal &= bits
                } else {
                    greater |= equal & bits
                    equal &= ~bits
                }
            }
            return (bigrams.exact, greater | equal)
        }
    }
}

/// The per-token hashes of ``Fingerprint``: the exact hash, extended by each token, and the bigram hashes.
private struct Bigrams {
    /// FNV-1a over the tokens' normalised hashes so far.
    var exact: UInt64 = 0xcbf2_9ce4_8422_2325
    /// The previous token's stem hash (0 before the first).
    var previous: UInt64 = 0

    /// Extends ``exact`` by `token` and returns the hash of the bigram (previous stem, `token`'s stem).
    @inline(__always)
    mutating func next(_ token: ArticleText.TokenInfo) -> UInt64 {
        exact = (exact ^ token.normalized) &* 0x0000_0100_0000_01B3
        var x = (previous &* 0x9E37_79B9_7F4A_7C15) ^ token.stem
        previous = token.stem
        // SplitMix64 finaliser spreads the bigram hash over all bits.
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        return x ^ (x >> 31)
    }
}

/// Bit-sliced counters of 64 bit positions (see ``Fingerprint/init(text:)``): bits 0–3 of every count here, the
/// higher bits in a `levels` buffer of 64 words.
private struct BitCounts {
    /// Bit 0 of every position's count.
    var ones: UInt64 = 0
    /// Bit 1 of every position's count.
    var twos: UInt64 = 0
    /// Bit 2 of every position's count.
    var fours: UInt64 = 0
    /// Bit 3 of every position's count.
    var eights: UInt64 = 0
    /// Number of levels in use (at least the four here).
    var levelCount = 4

    /// Adds sixteen hashes, `value()` called sixteen times in order, through the tree of carry-save adders.
    @inline(__always)
    mutating func add(levels: UnsafeMutableBufferPointer<UInt64>, _ value: () -> UInt64) {
        var twosA: UInt64
        var twosB: UInt64
        var foursA: UInt64
        var foursB: UInt64
        let eightsA: UInt64
        let eightsB: UInt64
        var carry: UInt64
        (twosA, ones) = carrySave(ones, value(), value())
        (twosB, ones) = carrySave(ones, value(), value())
        (foursA, twos) = carrySave(twos, twosA, twosB)
        (twosA, ones) = carrySave(ones, value(), value())
        (twosB, ones) = carrySave(ones, value(), value())
        (foursB, twos) = carrySave(twos, twosA, twosB)
        (eightsA, fours) = carrySave(fours, foursA, foursB)
        (twosA, ones) = carrySave(ones, value(), value())
        (twosB, ones) = carrySave(ones, value(), value())
        (foursA, twos) = carrySave(twos, twosA, twosB)
        (twosA, ones) = carrySave(ones, value(), value())
        (twosB, ones) = carrySave(ones, value(), value())
        (foursB, twos) = carrySave(twos, twosA, twosB)
        (eightsB, fours) = carrySave(fours, foursA, foursB)
        (carry, eights) = carrySave(eights, eightsA, eightsB)
        var level = 4
        while carry != 0 {
            // In bounds: a carry into level k means a count of at least 2^k <= the number of hashes.
            let next = levels[level] & carry
            levels[level] ^= carry
            carry = next
            level += 1
        }
        levelCount = max(levelCount, level)
    }
}

/// A carry-save adder over 64 bit positions: `a + b + c == 2 * high + low` in every position.
@inline(__always)
private func carrySave(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> (high: UInt64, low: UInt64) {
    let u = a ^ b
    return ((a & b) | (u & c), u ^ c)
}
