import Testing

@testable import Worker

/// The in-memory table against a brute-force reference: the same answers for random streams that arrive
/// out of order, repeat texts hundreds of times, collide in bands, are replaced by earlier sightings and
/// are evicted.
@Suite struct FingerprintTableReferenceTests {
    /// The earliest other entry, by `(seenAt, id)`, before the probe (whose stored `seenAt` counts when
    /// earlier), that has the probe's exact hash or a SimHash within `distance` bits.
    static func reference(
        _ probe: FingerprintEntry, in stored: [String: FingerprintEntry], distance: Int
    ) -> FingerprintEntry? {
        let seenAt = min(probe.seenAt, stored[probe.id]?.seenAt ?? .max)
        return stored.values
            .filter { candidate in
                candidate.id != probe.id
                    && (candidate.exact == probe.exact
                        || (candidate.simhash ^ probe.simhash).nonzeroBitCount <= distance)
                    && (candidate.seenAt, candidate.id) < (seenAt, probe.id)
            }
            .min { ($0.seenAt, $0.id) < ($1.seenAt, $1.id) }
    }

    @Test(arguments: [0, 3])
    func answersLikeABruteForceSearch(distance: Int) {
        var generator = FingerprintTestGenerator(seed: UInt64(17 + distance))
        var table = FingerprintTable(maxHammingDistance: distance)
        var stored: [String: FingerprintEntry] = [:]
        // Few texts, so buckets hold many copies; SimHashes near one another, so bands collide.
        let texts = (0..<12).map { _ in (exact: generator.next(), simhash: generator.next()) }
        for step in 0..<6000 {
            let text = texts[Int(generator.next() % UInt64(texts.count))]
            var simhash = text.simhash
            for _ in 0..<Int(generator.next() % 6) { simhash ^= 1 << (generator.next() % 64) }
            let entry = FingerprintEntry(
                id: "a\(generator.next() % 2500)",  // ids recur: earlier sightings replace later ones
                exact: generator.next() % 4 == 0 ? generator.next() : text.exact,
                simhash: simhash,
                seenAt: Int64(step / 3) + Int64(generator.next() % 40) - 20  // out of order, with ties
            )
            let expected = Self.reference(entry, in: stored, distance: distance)
            let found = table.duplicate(of: entry)
            #expect(found?.id == expected?.id, "step \(step): \(entry)")
            if table.upsert(entry) { stored[entry.id] = entry }
            if step % 500 == 499 {
                for id in table.evict(olderThan: Int64(step / 3) - 600, maxEntries: 1500) { stored[id] = nil }
            }
            #expect(table.count == stored.count)
        }
    }
}
