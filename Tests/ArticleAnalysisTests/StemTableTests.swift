import Testing

@testable import ArticleAnalysis

/// ``StemTable``: the probe, the lookup through pointers and the masked lookup of the classifier's hot pass agree.
@Suite struct StemTableTests {
    /// Tables of several sizes (colliding home slots included), with random keys present and absent.
    @Test func maskedLookupFindsWhatTheProbeFinds() {
        var random = SplitMix64(seed: 11)
        for size in [1, 3, 17, 200, 3_000] {
            var identifiers: [UInt64: Int32] = [:]
            while identifiers.count < size { identifiers[random.next()] = Int32(identifiers.count) }
            let table = StemTable(identifiers)
            let absent = (0..<2_000).map { _ in random.next() }.filter { identifiers[$0] == nil }
            table.withLookup { lookup in
                for (key, value) in identifiers {
                    #expect(table.identifier(of: key) == value)
                    #expect(lookup.identifier(of: key) == value)
                    #expect(lookup.identifier(of: key, mask: ~0) == value)
                    #expect(lookup.identifier(of: key, mask: 0) == -1)
                }
                for key in absent + [0] {
                    #expect(table.identifier(of: key) == -1)
                    #expect(lookup.identifier(of: key) == -1)
                    #expect(lookup.identifier(of: key, mask: ~0) == -1)
                    #expect(lookup.identifier(of: key, mask: 0) == -1)
                }
            }
        }
    }
}
