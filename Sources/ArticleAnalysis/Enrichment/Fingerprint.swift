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
        // Per-bit vote counters on the stack; branch-free +1/-1 per bit (the loop vectorises).
        var s: UInt64 = 0
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 64) { counts in
            counts.initialize(repeating: 0)
            var previous: UInt64 = 0
            for token in text.tokens {
                h = (h ^ token.normalized) &* 0x0000_0100_0000_01B3
                var x = (previous &* 0x9E37_79B9_7F4A_7C15) ^ token.stem
                // SplitMix64 finaliser spreads the bigram hash over all bits.
                x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
                x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
                x ^= x >> 31
                for bit in 0..<64 {
                    counts[bit] &+= Int32(truncatingIfNeeded: (x >> UInt64(bit)) & 1) &* 2 &- 1
                }
                previous = token.stem
            }
            for bit in 0..<64 where counts[bit] > 0 { s |= 1 << UInt64(bit) }
        }
        exact = h
        simhash = s
    }
}
