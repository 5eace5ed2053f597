/// An open-addressing hash table from stem hash (already a 64-bit FNV-1a hash, see ``Word/stemHash``) to a
/// dense stem identifier. Built once with the lexicon, then read-only: the per-token lookup is a multiply, a
/// mask and usually one probe, without re-hashing the key as `Dictionary` would.
struct StemTable: Sendable {
    private var keys: [UInt64]
    private var values: [Int32]
    private var mask: Int

    /// Builds the table from `identifiers` (stem hash → identifier).
    init(_ identifiers: [UInt64: Int32]) {
        var capacity = 16
        while capacity < identifiers.count * 2 { capacity *= 2 }
        keys = Array(repeating: 0, count: capacity)
        values = Array(repeating: -1, count: capacity)
        mask = capacity - 1
        for (key, value) in identifiers.sorted(by: { $0.value < $1.value }) {
            var slot = Self.slot(key, mask: mask)
            while values[slot] >= 0 { slot = (slot + 1) & mask }
            keys[slot] = key
            values[slot] = value
        }
    }

    /// The identifier of the stem with this hash, or −1 when no lexicon term uses it.
    @inline(__always)
    func identifier(of key: UInt64) -> Int32 {
        keys.withUnsafeBufferPointer { keys in
            values.withUnsafeBufferPointer { values in Self.probe(key, keys, values, mask: mask) }
        }
    }

    /// The identifiers of the stems of `tokens` (−1 for stems no lexicon term uses), in order.
    func identifiers(of tokens: [ArticleText.TokenInfo]) -> [Int32] {
        keys.withUnsafeBufferPointer { keys in
            values.withUnsafeBufferPointer { values in
                tokens.withUnsafeBufferPointer { tokens in
                    [Int32](unsafeUninitializedCapacity: tokens.count) { ids, initialized in
                        for (index, token) in tokens.enumerated() {
                            ids.initializeElement(at: index, to: Self.probe(token.stem, keys, values, mask: mask))
                        }
                        initialized = tokens.count
                    }
                }
            }
        }
    }

    /// Linear probing from the key's home slot to the key or an empty slot (value −1).
    @inline(__always)
    private static func probe(
        _ key: UInt64,
        _ keys: UnsafeBufferPointer<UInt64>,
        _ values: UnsafeBufferPointer<Int32>,
        mask: Int
    ) -> Int32 {
        var slot = Self.slot(key, mask: mask)
        while true {
            let value = values[slot]
            if value < 0 || keys[slot] == key { return value }
            slot = (slot + 1) & mask
        }
    }

    @inline(__always)
    private static func slot(_ key: UInt64, mask: Int) -> Int {
        hashSlot(key, shift: hashShift(capacity: mask + 1))
    }
}
