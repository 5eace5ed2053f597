/// An open-addressing hash table from stem hash (already a 64-bit FNV-1a hash, see ``Word/stemHash``) to a
/// dense stem identifier. Built once with the lexicon, then read-only: the per-token lookup is a multiply, a
/// mask and usually one probe, without re-hashing the key as `Dictionary` would.
struct StemTable: Sendable {
    private var keys: [UInt64]
    private var values: [Int32]
    private var mask: Int
    /// A key absent from the table, written into the empty slot that is its home slot, so that a search for it ends
    /// there at once (see ``Lookup/identifier(of:mask:)``).
    private var absentKey: UInt64 = 0

    /// Builds the table from `identifiers` (stem hash → identifier).
    init(_ identifiers: [UInt64: Int32]) {
        var capacity = 16
        // At most a quarter full: a key not in the table (most words of an article) mostly meets an empty slot
        // at once, and a key in it is mostly in its home slot.
        while capacity < identifiers.count * 4 { capacity *= 2 }
        keys = Array(repeating: 0, count: capacity)
        values = Array(repeating: -1, count: capacity)
        mask = capacity - 1
        for (key, value) in identifiers.sorted(by: { $0.value < $1.value }) {
            var slot = Self.slot(key, mask: mask)
            while values[slot] >= 0 { slot = (slot + 1) & mask }
            keys[slot] = key
            values[slot] = value
        }
        // The table is at most a quarter full: the first empty slot takes the key whose home it is (the Fibonacci
        // multiplier is odd, so it has an inverse modulo 2^64). A search for that key stops there at once, with −1;
        // a search for another key reads only the slot's value, −1 as before.
        let empty = values.firstIndex { $0 < 0 }!
        var inverse: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<6 { inverse = inverse &* (2 &- 0x9E37_79B9_7F4A_7C15 &* inverse) }
        absentKey = (UInt64(empty) << hashShift(capacity: capacity)) &* inverse
        keys[empty] = absentKey
    }

    /// The identifier of the stem with this hash, or −1 when no lexicon term uses it.
    @inline(__always)
    func identifier(of key: UInt64) -> Int32 {
        keys.withUnsafeBufferPointer { keys in
            values.withUnsafeBufferPointer { values in Self.probe(key, keys, values, mask: mask) }
        }
    }

    /// Calls `body` with a lookup that reads the table through pointers (no retain, no bounds check per probe).
    @inline(__always)
    func withLookup<Result>(_ body: (Lookup) -> Result) -> Result {
        keys.withUnsafeBufferPointer { keys in
            values.withUnsafeBufferPointer { values in
                body(
                    Lookup(
                        keys: keys, values: values, mask: mask, shift: hashShift(capacity: mask + 1),
                        absentKey: absentKey
                    )
                )
            }
        }
    }

    /// The table's storage, valid inside ``withLookup(_:)``.
    struct Lookup {
        fileprivate let keys: UnsafeBufferPointer<UInt64>
        fileprivate let values: UnsafeBufferPointer<Int32>
        fileprivate let mask: Int
        /// ``hashShift(capacity:)`` of the table, computed once.
        fileprivate let shift: UInt64
        /// See ``StemTable/absentKey``.
        fileprivate let absentKey: UInt64

        /// The identifier of the stem with this hash, or −1 when no lexicon term uses it.
        @inline(__always)
        func identifier(of key: UInt64) -> Int32 {
            // ``hashSlot(_:shift:)`` with a masking shift: the table has at least 16 slots, so `shift` < 64 and
            // both agree; the slot is masked to the table's size.
            var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) &>> shift) & mask
            while true {
                let value = values[slot]
                // The key first: a key in its home slot and ``absentKey`` end the search by the same branch.
                if keys[slot] == key || value < 0 { return value }
                slot = (slot &+ 1) & mask
            }
        }

        /// ``identifier(of:)`` of `key` when `mask` is all ones; −1 when it is 0 (the caller's filter proved the key
        /// absent). Without a branch on the mask, which varies from word to word: an absent key is looked up as
        /// ``StemTable/absentKey``, which takes the branches of a key found in its home slot.
        @inline(__always)
        func identifier(of key: UInt64, mask: UInt64) -> Int32 {
            identifier(of: key & mask | absentKey & ~mask)
        }
    }

    /// Linear probing from the key's home slot to the key or an empty slot (value −1).
    @inline(__always)
    fileprivate static func probe(
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
