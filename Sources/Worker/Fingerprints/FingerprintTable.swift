/// The in-memory fingerprint index: entries in parallel slot arrays, an exact-hash map, and an LSH
/// table per SimHash band. Not thread-safe; ``FingerprintIndex`` guards it with a lock.
///
/// Near-duplicate lookup: the 64 SimHash bits are split into `maxHammingDistance + 1` bands. Two hashes
/// at most `d` bits apart differ in at most `d` bands, so (pigeonhole) they agree exactly on at least
/// one; each band value maps to the slots holding it, and candidates are verified with the popcount of
/// the XOR. Every bucket (and the exact-hash lists) keeps its entries in `seenAt` order, so a lookup
/// stops at the first candidate that qualifies: a story carried a thousand times costs one step, not a
/// thousand.
struct FingerprintTable {
    /// An entry's place in the slot arrays.
    typealias Slot = Int32

    private static let none: Slot = -1

    let maxHammingDistance: Int
    private let bandShifts: [UInt64]
    private let bandMasks: [UInt64]

    // Slot arrays, indexed by slot; freed slots are reused first.
    private var ids: [String] = []
    private var exacts: [UInt64] = []
    private var simhashes: [UInt64] = []
    private var seenAts: [Int64] = []
    /// Bumped when a slot is freed or its entry replaced, so stale age-heap items can be recognised.
    private var generations: [UInt32] = []
    /// What the owner's file holds of the slot's entry (see ``upsert(_:unwritten:)``).
    private var fileCopies: [FileCopy] = []
    private var freeSlots: [Slot] = []

    private var slotByID: [String: Slot] = [:]
    /// Exact hash → the entries with that hash.
    private var exactBuckets: [UInt64: FingerprintBucket] = [:]
    /// Per band: band value → the entries whose SimHash has that value in the band.
    private var bands: [[UInt64: FingerprintBucket]]
    private var ages = FingerprintAgeHeap()

    /// The newest `seenAt` ever inserted (kept after eviction), or `Int64.min` before any insert.
    private(set) var newestSeenAt = Int64.min

    /// The number of entries.
    var count: Int { slotByID.count }

    /// An empty table matching within `maxHammingDistance` bits (`0...63`).
    init(maxHammingDistance: Int) {
        precondition((0...63).contains(maxHammingDistance), "maxHammingDistance must be in 0...63")
        self.maxHammingDistance = maxHammingDistance
        let bandCount = maxHammingDistance + 1
        var shifts: [UInt64] = []
        var masks: [UInt64] = []
        var shift = 0
        for band in 0..<bandCount {
            let width = 64 / bandCount + (band < 64 % bandCount ? 1 : 0)
            shifts.append(UInt64(shift))
            masks.append(width == 64 ? UInt64.max : (1 << UInt64(width)) - 1)
            shift += width
        }
        bandShifts = shifts
        bandMasks = masks
        bands = Array(repeating: [:], count: bandCount)
    }

    /// What the owner's file holds of an entry, as far as the table was told (``upsert(_:unwritten:)``).
    private enum FileCopy: UInt8 {
        /// The entry itself (also for an owner without a file).
        case current
        /// Nothing under its id: the entry is marked unwritten, and its eviction deletes nothing.
        case none
        /// An earlier entry under its id, which this one replaced while marked unwritten (the same article seen
        /// earlier): its eviction must still delete that row.
        case stale
    }

    /// The entry stored under `id`.
    func entry(id: String) -> FingerprintEntry? {
        slotByID[id].map(entry(at:))
    }

    /// Adds `entry`, or replaces the entry with the same id when `entry` was seen earlier (on equal
    /// `seenAt` the smaller `(exact, simhash)` wins, so every replica keeps the same one whatever the
    /// arrival order). Returns whether the table changed; when it did, the entry is marked `unwritten` or
    /// not (the owner's note that its file lacks the entry: see ``upsertWritten(_:)`` and
    /// ``evict(olderThan:maxEntries:)``; an unwritten entry that replaced a written one is remembered as
    /// having a stale row in the file), and an unchanged entry keeps its mark.
    mutating func upsert(_ entry: FingerprintEntry, unwritten: Bool = false) -> Bool {
        upsertSlot(entry, unwritten: unwritten).changed
    }

    /// ``upsert(_:unwritten:)`` of an entry on its way to the file: returns what the file must get — the
    /// stored entry, when the table changed or its entry was marked unwritten (the mark is cleared) — or
    /// nil when the file has it already. One lookup of the id for all of it.
    mutating func upsertWritten(_ entry: FingerprintEntry) -> FingerprintEntry? {
        let (slot, changed) = upsertSlot(entry, unwritten: false)
        let index = Int(slot)
        guard changed || fileCopies[index] != .current else { return nil }
        fileCopies[index] = .current
        return self.entry(at: slot)
    }

    /// ``upsert(_:unwritten:)``, also returning the entry's slot.
    private mutating func upsertSlot(_ entry: FingerprintEntry, unwritten: Bool) -> (slot: Slot, changed: Bool) {
        newestSeenAt = max(newestSeenAt, entry.seenAt)
        if let slot = slotByID[entry.id] {
            let index = Int(slot)
            let current = (seenAts[index], exacts[index], simhashes[index])
            guard (entry.seenAt, entry.exact, entry.simhash) < current else { return (slot, false) }
            unlink(slot)
            store(entry, at: slot)
            fileCopies[index] = unwritten ? (fileCopies[index] == .none ? .none : .stale) : .current
            if ages.count > 2 * count + 1024 { rebuildAges() }
            return (slot, true)
        }
        let slot: Slot
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = Slot(ids.count)
            ids.append("")
            exacts.append(0)
            simhashes.append(0)
            seenAts.append(0)
            generations.append(0)
            fileCopies.append(.current)
        }
        ids[Int(slot)] = entry.id
        fileCopies[Int(slot)] = unwritten ? .none : .current
        slotByID[entry.id] = slot
        store(entry, at: slot)
        return (slot, true)
    }

    /// The earliest other entry (by `(seenAt, id)`, strictly before `entry`'s) whose exact hash equals
    /// `entry`'s or whose SimHash is within the Hamming threshold. When `entry`'s id is already stored
    /// with an earlier `seenAt`, that earlier time counts: a redelivered article keeps its place.
    func duplicate(of entry: FingerprintEntry) -> FingerprintEntry? {
        var probe = Probe(id: entry.id, seenAt: entry.seenAt, slot: slotByID[entry.id] ?? Self.none)
        if probe.slot != Self.none { probe.seenAt = min(probe.seenAt, seenAts[Int(probe.slot)]) }
        var best = Self.none
        if let bucket = exactBuckets[entry.exact] {
            scan(bucket, for: probe, best: &best) { _ in true }
        }
        for band in 0..<bands.count {
            let value = (entry.simhash >> bandShifts[band]) & bandMasks[band]
            guard let bucket = bands[band][value] else { continue }
            scan(bucket, for: probe, best: &best) {
                ($0 ^ entry.simhash).nonzeroBitCount <= maxHammingDistance
            }
        }
        return best == Self.none ? nil : self.entry(at: best)
    }

    /// Considers `bucket`'s candidates whose SimHash passes `matches`, in `seenAt` order, until none can
    /// come before `probe` or `best` any more.
    private func scan(
        _ bucket: FingerprintBucket, for probe: Probe, best: inout Slot, matches: (UInt64) -> Bool
    ) {
        for candidate in bucket.candidates {
            if candidate.seenAt > probe.seenAt { break }
            if best != Self.none, candidate.seenAt > seenAts[Int(best)] { break }
            if matches(candidate.simhash) { consider(candidate.slot, for: probe, best: &best) }
        }
    }

    /// Removes the oldest entries until none is older than `cutoff` (`seenAt < cutoff`) and at most
    /// `maxEntries` remain; returns the ids removed, except those of entries marked unwritten that replaced no
    /// written entry (the file holds no row under their ids).
    mutating func evict(olderThan cutoff: Int64, maxEntries: Int) -> [String] {
        var removed: [String] = []
        while let oldest = ages.peek() {
            let index = Int(oldest.slot)
            guard generations[index] == oldest.generation else {
                ages.pop()  // the slot was freed or its entry replaced since
                continue
            }
            guard oldest.seenAt < cutoff || count > maxEntries else { break }
            ages.pop()
            if fileCopies[index] != .none { removed.append(ids[index]) }
            remove(oldest.slot)
        }
        return removed
    }

    private func entry(at slot: Slot) -> FingerprintEntry {
        let index = Int(slot)
        return FingerprintEntry(id: ids[index], exact: exacts[index], simhash: simhashes[index], seenAt: seenAts[index])
    }

    /// The article a lookup is for: its id, effective `seenAt`, and own slot (if stored).
    private struct Probe {
        var id: String
        var seenAt: Int64
        var slot: Slot
    }

    /// Makes `slot` the new `best` if it is another entry, ordered before `probe` and before `best`.
    /// Cheap integer comparisons first; ids are compared only on equal `seenAt`.
    private func consider(_ slot: Slot, for probe: Probe, best: inout Slot) {
        let index = Int(slot)
        let seenAt = seenAts[index]
        guard seenAt <= probe.seenAt, slot != probe.slot, slot != best else { return }
        if seenAt == probe.seenAt {
            guard ids[index] < probe.id else { return }
        }
        if best != Self.none {
            let bestSeenAt = seenAts[Int(best)]
            guard seenAt < bestSeenAt || (seenAt == bestSeenAt && ids[index] < ids[Int(best)]) else { return }
        }
        best = slot
    }

    /// Writes `entry`'s fingerprints into `slot` (whose id is already set) and links it into the maps.
    private mutating func store(_ entry: FingerprintEntry, at slot: Slot) {
        let index = Int(slot)
        exacts[index] = entry.exact
        simhashes[index] = entry.simhash
        seenAts[index] = entry.seenAt
        generations[index] &+= 1
        ages.push(FingerprintAgeHeap.Item(seenAt: entry.seenAt, slot: slot, generation: generations[index]))

        let candidate = FingerprintBucket.Candidate(simhash: entry.simhash, seenAt: entry.seenAt, slot: slot)
        Self.insert(candidate, under: entry.exact, into: &exactBuckets)
        for band in 0..<bands.count {
            Self.insert(candidate, under: (entry.simhash >> bandShifts[band]) & bandMasks[band], into: &bands[band])
        }
    }

    /// Unlinks `slot` from the exact chain and the band buckets (the slot arrays keep their values).
    private mutating func unlink(_ slot: Slot) {
        let index = Int(slot)
        Self.remove(slot, under: exacts[index], from: &exactBuckets)
        let simhash = simhashes[index]
        for band in 0..<bands.count {
            Self.remove(slot, under: (simhash >> bandShifts[band]) & bandMasks[band], from: &bands[band])
        }
    }

    /// Adds `candidate` to the bucket under `key`, creating it.
    private static func insert(
        _ candidate: FingerprintBucket.Candidate, under key: UInt64, into buckets: inout [UInt64: FingerprintBucket]
    ) {
        if let position = buckets.index(forKey: key) {
            buckets.values[position].insert(candidate)
        } else {
            buckets[key] = FingerprintBucket(candidate)
        }
    }

    /// Removes `slot` from the bucket under `key`, and the bucket when it was the last candidate.
    private static func remove(_ slot: Slot, under key: UInt64, from buckets: inout [UInt64: FingerprintBucket]) {
        guard let position = buckets.index(forKey: key) else { return }
        if buckets.values[position].holdsOnlyOne {
            buckets.remove(at: position)
        } else {
            buckets.values[position].remove(slot)
        }
    }

    /// Rebuilds the age heap from the live slots, dropping the stale items replacements left behind.
    private mutating func rebuildAges() {
        ages = FingerprintAgeHeap()
        for slot in slotByID.values {
            let index = Int(slot)
            ages.push(FingerprintAgeHeap.Item(seenAt: seenAts[index], slot: slot, generation: generations[index]))
        }
    }

    private mutating func remove(_ slot: Slot) {
        let index = Int(slot)
        unlink(slot)
        slotByID[ids[index]] = nil
        ids[index] = ""
        generations[index] &+= 1
        freeSlots.append(slot)
    }
}

/// The entries sharing one band value (or one exact hash), in `seenAt` order (equal ones in arrival
/// order). Each candidate's SimHash and `seenAt` are kept inline next to its slot, so a lookup scans
/// contiguous memory instead of jumping around the slot arrays.
///
/// A bucket is never empty (the table removes it with its last candidate), and most hold one candidate:
/// every exact hash of distinct articles, and with 50,000 random SimHashes three of four 16-bit band values
/// in use. So the oldest candidate is stored inline and only the later ones in an array: a bucket of one
/// allocates nothing (in a profile of the tail applying distinct articles, allocating and freeing the
/// arrays of one-candidate buckets took ~15 % of the table's time).
///
/// Evictions take the oldest entries, which sit at the front: a removal shifts only the candidates before
/// the removed one and moves the front forward, and the array is compacted once its dead front is half of
/// it (and at least 16 slots). A bucket of a story carried hundreds of times thus loses its oldest candidate
/// in O(1) amortised, where removing it from an array's front moved every other candidate (in a perf profile
/// of the bench's pipeline, 2.8% of the analysis lanes' samples were in that removal).
struct FingerprintBucket {
    /// One candidate.
    struct Candidate {
        var simhash: UInt64
        var seenAt: Int64
        var slot: FingerprintTable.Slot
    }

    /// The candidates in order: the oldest, then the live part of `later`.
    struct Candidates: Sequence, IteratorProtocol {
        fileprivate var first: Candidate?
        fileprivate var later: ArraySlice<Candidate>.Iterator

        /// The next candidate, oldest first.
        mutating func next() -> Candidate? {
            if let candidate = first {
                first = nil
                return candidate
            }
            return later.next()
        }
    }

    /// The oldest candidate.
    private var first: Candidate
    /// The later candidates are `later[head...]`; `head < later.count` unless `later` is empty (the dead front
    /// is dropped with the last live one, see ``dropFront()``).
    private var later: [Candidate] = []
    private var head = 0

    /// A bucket holding `candidate`.
    init(_ candidate: Candidate) {
        first = candidate
    }

    /// The candidates, oldest first.
    var candidates: Candidates { Candidates(first: first, later: later[head...].makeIterator()) }

    /// Whether the bucket holds a single candidate.
    var holdsOnlyOne: Bool { later.isEmpty }

    /// Adds a candidate after every one seen no later (at the end, for a stream in time order).
    mutating func insert(_ candidate: Candidate) {
        if candidate.seenAt < first.seenAt {
            // The new oldest: the old one becomes the first of the later ones.
            if head > 0 {
                head -= 1
                later[head] = first
            } else {
                later.insert(first, at: 0)
            }
            first = candidate
            return
        }
        guard let last = later.last, last.seenAt > candidate.seenAt else {
            later.append(candidate)
            return
        }
        var low = head
        var high = later.count - 1  // later[high].seenAt > candidate.seenAt
        while low < high {
            let middle = (low + high) / 2
            if later[middle].seenAt > candidate.seenAt { high = middle } else { low = middle + 1 }
        }
        later.insert(candidate, at: low)
    }

    /// Removes `slot`, keeping the order; the bucket must hold another candidate (see ``holdsOnlyOne``).
    mutating func remove(_ slot: FingerprintTable.Slot) {
        if first.slot == slot {
            guard !later.isEmpty else { return }
            first = later[head]
            dropFront()
            return
        }
        guard var position = later[head...].firstIndex(where: { $0.slot == slot }) else { return }
        // The older candidates move up by one over the removed one; the front moves forward.
        while position > head {
            later[position] = later[position - 1]
            position -= 1
        }
        dropFront()
    }

    /// Moves the front of `later` forward by one, compacting once the dead front is half of it.
    private mutating func dropFront() {
        head += 1
        if head == later.count {
            later.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 16 && 2 * head >= later.count {
            later.removeFirst(head)
            head = 0
        }
    }
}

/// A binary min-heap of entries by `seenAt`, for evicting the oldest first. Items are never updated in
/// place: a replaced or removed entry leaves a stale item, recognised by its slot's generation.
struct FingerprintAgeHeap {
    /// One entry's age.
    struct Item {
        var seenAt: Int64
        var slot: FingerprintTable.Slot
        var generation: UInt32
    }

    private var items: [Item] = []

    /// The number of items, stale ones included.
    var count: Int { items.count }

    /// The oldest item.
    func peek() -> Item? { items.first }

    /// Adds an item.
    mutating func push(_ item: Item) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].seenAt < items[parent].seenAt else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes the oldest item.
    mutating func pop() {
        guard !items.isEmpty else { return }
        items.swapAt(0, items.count - 1)
        items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < items.count else { break }
            let right = left + 1
            let child = right < items.count && items[right].seenAt < items[left].seenAt ? right : left
            guard items[child].seenAt < items[parent].seenAt else { break }
            items.swapAt(child, parent)
            parent = child
        }
    }
}
