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
        // SimHash: bit b is set when more than half of the bigram hashes have bit b set. The 64
        // per-bit counts are kept bit-sliced (a vertical binary counter: plane k holds bit k of every
        // lane's count), so adding one hash is a ripple carry over a few 64-bit words, not 64 updates.
        var s: UInt64 = 0
        let total = text.tokens.count
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 64) { planes in
            planes.initialize(repeating: 0)
            var used = 0
            var previous: UInt64 = 0
            for token in text.tokens {
                h = (h ^ token.normalized) &* 0x0000_0100_0000_01B3
                var x = (previous &* 0x9E37_79B9_7F4A_7C15) ^ token.stem
                // SplitMix64 finaliser spreads the bigram hash over all bits.
                x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
                x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
                x ^= x >> 31
                var carry = x
                var k = 0
                while carry != 0 {
                    let next = planes[k] & carry
                    planes[k] ^= carry
                    carry = next
                    k += 1
                }
                used = max(used, k)
                previous = token.stem
            }
            for bit in 0..<64 {
                var ones = 0
                for k in 0..<used { ones |= Int((planes[k] >> UInt64(bit)) & 1) << k }
                if 2 * ones > total { s |= 1 << UInt64(bit) }
            }
        }
        exact = h
        simhash = s
    }
}
