import Testing

@testable import ArticleAnalysis

@Suite struct HashTable64Tests {
    @Test func answersLikeADictionary() {
        var generator = SystemRandomNumberGenerator()
        var reference: [UInt64: Int] = [0: -1, UInt64.max: -2]
        for i in 0..<5_000 { reference[generator.next()] = i }
        // Keys that land in one bucket chain: multiples of a large power of two.
        for i in 1...40 { reference[UInt64(i) << 40] = 10_000 + i }
        let table = HashTable64(reference)
        #expect(table.count == reference.count)
        for (key, value) in reference { #expect(table[key] == value) }
        for _ in 0..<5_000 {
            let key: UInt64 = generator.next()
            #expect(table[key] == reference[key])
        }
        #expect(table[41 << 40] == nil)
    }

    @Test func lastDuplicateWinsAndSetsAnswerMembership() {
        let table = HashTable64([(7, "a"), (9, "b"), (7, "c")])
        #expect(table.count == 2)
        #expect(table[7] == "c")
        #expect(table[9] == "b")
        #expect(table[8] == nil)
        let empty = HashSet64([UInt64]())
        #expect(!empty.contains(0))
        let set = HashSet64([0, 3, 3, 1 << 63])
        #expect(set.count == 3)
        #expect(set.contains(0) && set.contains(3) && set.contains(1 << 63))
        #expect(!set.contains(1))
    }
}
