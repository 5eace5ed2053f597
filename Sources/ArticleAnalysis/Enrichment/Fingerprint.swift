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
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: 0x30, count: 16)
        var x = v
        for i in stride(from: 15, through: 0, by: -1) {
            out[i] = digits[Int(x & 0xF)]
            x >>= 4
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Computes the fingerprints of an article's tokens.
    init(text: ArticleText) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        // SimHash: bit b is set when more than half of the bigram hashes have bit b set.
        var counter = BitCounter()
        text.tokens.withUnsafeBufferPointer { tokens in
            var previous: UInt64 = 0
            for token in tokens {
                h = (h ^ token.normalized) &* 0x0000_0100_0000_01B3
                var x = (previous &* 0x9E37_79B9_7F4A_7C15) ^ token.stem
                // SplitMix64 finaliser spreads the bigram hash over all bits.
                x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
                x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
                x ^= x >> 31
                counter.add(x)
                previous = token.stem
            }
        }
        let total = text.tokens.count
        var s: UInt64 = 0
        for (bit, count) in counter.counts().enumerated() where 2 * count > total { s |= 1 << UInt64(bit) }
        exact = h
        simhash = s
    }
}

/// Counts, for each of the 64 bit positions, how many added words have that bit set.
///
/// The counts are kept SWAR-style in counters that widen as they fill: 2-bit counters (the even and the odd
/// bits, in two words) take 3 words, then move into 4-bit counters (four words) that take 15, then into
/// 8-bit counters (eight words) that take 255, then into plain integers. Adding a word costs two
/// shift-mask-adds plus a share of the moves.
private struct BitCounter {
    private static let m1: UInt64 = 0x5555_5555_5555_5555
    private static let m2: UInt64 = 0x3333_3333_3333_3333
    private static let m4: UInt64 = 0x0F0F_0F0F_0F0F_0F0F

    /// 2-bit counters: field i of `even` counts bit 2i, field i of `odd` bit 2i + 1.
    private var even: UInt64 = 0
    private var odd: UInt64 = 0
    private var pairs = 0
    /// 4-bit counters: field i (bits 4i…4i+3) of `nibbles[r]` counts bit 4i + r.
    private var nibbles: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var quads = 0
    /// 8-bit counters: byte k of `bytes[r]` counts bit 8k + r.
    private var bytes: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var octets = 0
    /// Plain counts by bit position.
    private var totals = [Int](repeating: 0, count: 64)

    /// Counts the set bits of `x`.
    @inline(__always)
    mutating func add(_ x: UInt64) {
        even &+= x & Self.m1
        odd &+= (x >> 1) & Self.m1
        pairs &+= 1
        if pairs == 3 { moveToNibbles() }
    }

    /// The count of each bit position (index 0: the least significant bit).
    mutating func counts() -> [Int] {
        moveToNibbles()
        moveToBytes()
        moveToTotals()
        return totals
    }

    private mutating func moveToNibbles() {
        nibbles.0 &+= even & Self.m2
        nibbles.2 &+= (even >> 2) & Self.m2
        nibbles.1 &+= odd & Self.m2
        nibbles.3 &+= (odd >> 2) & Self.m2
        (even, odd, pairs) = (0, 0, 0)
        quads += 1
        if quads == 5 { moveToBytes() }
    }

    private mutating func moveToBytes() {
        bytes.0 &+= nibbles.0 & Self.m4
        bytes.4 &+= (nibbles.0 >> 4) & Self.m4
        bytes.1 &+= nibbles.1 & Self.m4
        bytes.5 &+= (nibbles.1 >> 4) & Self.m4
        bytes.2 &+= nibbles.2 & Self.m4
        bytes.6 &+= (nibbles.2 >> 4) & Self.m4
        bytes.3 &+= nibbles.3 & Self.m4
        bytes.7 &+= (nibbles.3 >> 4) & Self.m4
        nibbles = (0, 0, 0, 0)
        quads = 0
        octets += 1
        if octets == 17 { moveToTotals() }
    }

    private mutating func moveToTotals() {
        let lanes = [bytes.0, bytes.1, bytes.2, bytes.3, bytes.4, bytes.5, bytes.6, bytes.7]
        for (r, lane) in lanes.enumerated() {
            for k in 0..<8 { totals[8 * k + r] += Int((lane >> UInt64(8 * k)) & 0xFF) }
        }
        bytes = (0, 0, 0, 0, 0, 0, 0, 0)
        octets = 0
    }
}
