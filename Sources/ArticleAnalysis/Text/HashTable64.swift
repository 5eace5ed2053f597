/// A read-only open-addressing hash table keyed by 64-bit word hashes (FNV-1a, see
/// ``TextNormalizer/hash(_:)``), for the per-token lookups of the hot path.
///
/// `Dictionary<UInt64, _>` and `Set<UInt64>` re-hash every key with SipHash; the keys here are already
/// hashes, so a lookup is a multiply, a shift and usually one probe. Built once (lexicon, gazetteer,
/// word lists), then only read, hence `Sendable` when its values are.
struct HashTable64<Value> {
    private var keys: [UInt64]
    private var slots: [Int32]
    private var values: [Value]
    private let shift: UInt64

    /// Builds the table from `entries` (key → value); with duplicate keys the last one wins.
    init<S: Sequence<(UInt64, Value)>>(_ entries: S) {
        var pairs: [(UInt64, Value)] = []
        pairs.append(contentsOf: entries)
        var bits: UInt64 = 4
        while (1 << bits) < pairs.count * 2 { bits += 1 }
        let capacity = 1 << Int(bits)
        keys = Array(repeating: 0, count: capacity)
        slots = Array(repeating: -1, count: capacity)
        values = []
        values.reserveCapacity(pairs.count)
        shift = 64 - bits
        for (key, value) in pairs {
            var slot = Self.slot(key, shift: shift)
            while slots[slot] >= 0 && keys[slot] != key { slot = (slot + 1) & (capacity - 1) }
            if slots[slot] >= 0 {
                values[Int(slots[slot])] = value
            } else {
                keys[slot] = key
                slots[slot] = Int32(values.count)
                values.append(value)
            }
        }
    }

    /// Builds the table from a dictionary.
    init(_ dictionary: [UInt64: Value]) {
        self.init(dictionary.lazy.map { ($0.key, $0.value) })
    }

    /// Number of entries.
    var count: Int { values.count }

    /// The value stored under `key`, or nil.
    @inline(__always)
    subscript(key: UInt64) -> Value? {
        let index = index(of: key)
        return index < 0 ? nil : values[index]
    }

    /// Whether `key` is in the table.
    @inline(__always)
    func contains(_ key: UInt64) -> Bool {
        index(of: key) >= 0
    }

    @inline(__always)
    private func index(of key: UInt64) -> Int {
        let mask = keys.count - 1
        var slot = Self.slot(key, shift: shift)
        while true {
            let index = slots[slot]
            if index < 0 { return -1 }
            if keys[slot] == key { return Int(index) }
            slot = (slot + 1) & mask
        }
    }

    @inline(__always)
    private static func slot(_ key: UInt64, shift: UInt64) -> Int {
        hashSlot(key, shift: shift)
    }
}

/// The home slot of a word hash in an open-addressing table of `1 << (64 - shift)` slots (Fibonacci hashing:
/// the multiply spreads all 64 key bits into the top bits kept). Shared by ``HashTable64``, ``HashMap64``
/// and ``StemTable``.
@inline(__always)
func hashSlot(_ key: UInt64, shift: UInt64) -> Int {
    Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
}

/// The shift for ``hashSlot(_:shift:)`` in a table of `capacity` slots (a power of two).
@inline(__always)
func hashShift(capacity: Int) -> UInt64 {
    UInt64(64 - capacity.trailingZeroBitCount)
}

extension HashTable64: Sendable where Value: Sendable {}

/// A read-only set of 64-bit word hashes (see ``HashTable64``).
struct HashSet64: Sendable {
    private let table: HashTable64<Void>

    /// Builds the set.
    init<S: Sequence<UInt64>>(_ keys: S) {
        table = HashTable64(keys.lazy.map { ($0, ()) })
    }

    /// Whether `key` is in the set.
    @inline(__always)
    func contains(_ key: UInt64) -> Bool {
        table.contains(key)
    }

    /// Number of keys.
    var count: Int { table.count }
}
