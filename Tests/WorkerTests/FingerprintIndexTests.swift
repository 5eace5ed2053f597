import Foundation
import Testing

@testable import Worker

@Suite struct FingerprintIndexTests {
    /// A fresh temporary directory, removed when `body` returns.
    static func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return try body(directory)
    }

    /// Creates a fresh temporary directory; the caller removes it.
    static func makeTemporaryDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("khabar-fingerprints-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    static func entry(_ id: String, exact: UInt64, simhash: UInt64, at seenAt: Int64) -> FingerprintEntry {
        FingerprintEntry(id: id, exact: exact, simhash: simhash, seenAt: seenAt)
    }

    /// Article `n`, distinct from every other: exact hash `n`, SimHash ``scatter(_:)`` of `n`.
    static func article(_ id: String, _ n: Int, at seenAt: Int64) -> FingerprintEntry {
        entry(id, exact: UInt64(n), simhash: scatter(n), at: seenAt)
    }

    /// `simhash` with the first `distance` of `positions` flipped.
    static func flip(_ simhash: UInt64, _ distance: Int, of positions: [Int]) -> UInt64 {
        positions.prefix(distance).reduce(simhash) { $0 ^ (1 << UInt64($1)) }
    }

    /// A SimHash far (in Hamming distance) from those of other `n`, in practice.
    static func scatter(_ n: Int) -> UInt64 {
        var generator = FingerprintTestGenerator(seed: UInt64(n))
        return generator.next()
    }

    static let base: UInt64 = 0x9E37_79B9_7F4A_7C15
    /// Flip patterns: spread over all bands, crowded into one band, and on band edges.
    static let patterns: [[Int]] = [
        [0, 17, 34, 51, 63, 8, 25, 42],
        [0, 1, 2, 3, 4, 5, 6, 7],
        [15, 16, 31, 32, 47, 48, 63, 0],
    ]

    @Test func findsExactDuplicatesWhateverTheSimHash() throws {
        let index = try FingerprintIndex(configuration: FingerprintIndexConfiguration())
        index.insert(Self.entry("a", exact: 1, simhash: 0, at: 10))
        let probe = Self.entry("b", exact: 1, simhash: .max, at: 20)
        #expect(index.duplicate(of: probe)?.id == "a")
        #expect(index.duplicate(of: Self.entry("c", exact: 2, simhash: .max, at: 20)) == nil)
    }

    @Test(arguments: 0..<3)
    func findsNearDuplicatesWithinThreeBitsOnly(pattern: Int) throws {
        let index = try FingerprintIndex(configuration: FingerprintIndexConfiguration())
        let original = Self.entry("original", exact: 1, simhash: Self.base, at: 10)
        index.insert(original)
        for distance in 0...8 {
            let simhash = Self.flip(Self.base, distance, of: Self.patterns[pattern])
            #expect((simhash ^ Self.base).nonzeroBitCount == distance)
            let found = index.duplicate(of: Self.entry("probe", exact: 2, simhash: simhash, at: 20))
            #expect((found == original) == (distance <= 3), "distance \(distance)")
        }
    }

    @Test func honoursOtherThresholds() throws {
        for threshold in [0, 1, 2, 5, 10] {
            let index = try FingerprintIndex(
                configuration: FingerprintIndexConfiguration(maxHammingDistance: threshold))
            index.insert(Self.entry("original", exact: 1, simhash: Self.base, at: 10))
            for distance in 0...(threshold + 2) {
                let simhash = Self.flip(Self.base, distance, of: Array(0..<64).map { ($0 * 23) % 64 })
                let found = index.duplicate(of: Self.entry("probe", exact: 2, simhash: simhash, at: 20))
                #expect((found != nil) == (distance <= threshold), "threshold \(threshold), distance \(distance)")
            }
        }
    }

    @Test func theEarliestOtherArticleWins() throws {
        let index = try FingerprintIndex(configuration: FingerprintIndexConfiguration())
        let first = Self.entry("first", exact: 7, simhash: Self.base ^ 1, at: 100)
        let second = Self.entry("second", exact: 8, simhash: Self.base, at: 200)
        let third = Self.entry("third", exact: 7, simhash: Self.base ^ 0b110, at: 300)
        index.insert(contentsOf: [third, second, first])
        #expect(index.duplicate(of: third) == first)
        #expect(index.duplicate(of: second) == first)
        #expect(index.duplicate(of: first) == nil, "nothing was seen before the first")
        // Seen no later than the probe: an article arriving "from the past" sees only what came before it.
        #expect(index.duplicate(of: Self.entry("late", exact: 9, simhash: Self.base, at: 150)) == first)
        #expect(index.duplicate(of: Self.entry("early", exact: 9, simhash: Self.base, at: 50)) == nil)
    }

    @Test func excludesTheArticleItselfAndBreaksTiesByID() throws {
        let index = try FingerprintIndex(configuration: FingerprintIndexConfiguration())
        let alone = Self.entry("alone", exact: 1, simhash: 1, at: 5)
        index.insert(alone)
        #expect(index.duplicate(of: alone) == nil)
        #expect(index.duplicate(of: Self.entry("alone", exact: 1, simhash: 1, at: 99)) == nil)

        let a = Self.entry("tie-a", exact: 2, simhash: .max, at: 10)
        let b = Self.entry("tie-b", exact: 2, simhash: .max, at: 10)
        index.insert(contentsOf: [b, a])
        #expect(index.duplicate(of: b) == a)
        #expect(index.duplicate(of: a) == nil, "two articles of the same millisecond are not each other's duplicate")
    }

    @Test func aRedeliveredArticleKeepsItsFirstSeenAt() throws {
        let index = try FingerprintIndex(configuration: FingerprintIndexConfiguration())
        let original = Self.entry("original", exact: 1, simhash: Self.base, at: 100)
        let copy = Self.entry("copy", exact: 1, simhash: Self.base, at: 200)
        index.insert(contentsOf: [original, copy])
        let redelivered = Self.entry("original", exact: 1, simhash: Self.base, at: 300)
        #expect(index.duplicate(of: redelivered) == nil, "the copy came after the original's first sighting")
        #expect(index.duplicate(of: Self.entry("copy", exact: 1, simhash: Self.base, at: 300)) == original)
    }

    @Test func insertIsIdempotentAndKeepsTheEarliestSeenAt() throws {
        let index = try FingerprintIndex(configuration: FingerprintIndexConfiguration())
        let original = Self.entry("a", exact: 1, simhash: 1, at: 100)
        index.insert(original)
        index.insert(original)
        index.insert(Self.entry("a", exact: 5, simhash: 5, at: 200))
        #expect(index.count == 1)
        #expect(index.entry(id: "a") == original)

        let earlier = Self.entry("a", exact: 9, simhash: 0xF000, at: 50)
        index.insert(earlier)
        #expect(index.entry(id: "a") == earlier)
        #expect(index.count == 1)
        // The replaced fingerprints no longer match; the new ones do.
        #expect(index.duplicate(of: Self.entry("b", exact: 1, simhash: 1, at: 300)) == nil)
        #expect(index.duplicate(of: Self.entry("b", exact: 9, simhash: 0, at: 300)) == earlier)
        #expect(index.duplicate(of: Self.entry("b", exact: 3, simhash: 0xF001, at: 300)) == earlier)
    }

    @Test func reopeningTheFileGivesTheSameAnswersAndTailOffsets() throws {
        try Self.withTemporaryDirectory { directory in
            let configuration = FingerprintIndexConfiguration(path: directory + "/state.sqlite")
            // Pairs of exact duplicates with unrelated SimHashes.
            var generator = FingerprintTestGenerator(seed: 3)
            let entries = (0..<500).map { (i: Int) -> FingerprintEntry in
                Self.entry("article-\(i)", exact: UInt64(i / 2), simhash: generator.next(), at: 1000 + Int64(i))
            }
            let probes = entries.map { Self.entry($0.id, exact: $0.exact, simhash: $0.simhash, at: $0.seenAt) }
            let before: [FingerprintEntry?]
            do {
                let index = try FingerprintIndex(configuration: configuration)
                #expect(!index.wasRebuilt)
                index.insert(contentsOf: Array(entries[..<250]), tailOffsets: [0: 250, 1: 7])
                index.insert(contentsOf: Array(entries[250...]), tailOffsets: [1: 12, 2: 3])
                index.insert(Self.entry("article-0", exact: 99_999, simhash: 99, at: 1))
                #expect(index.tailOffsets() == [0: 250, 1: 12, 2: 3])
                before = probes.map(index.duplicate(of:))
                #expect(before.compactMap { $0 }.count == 249)
                #expect(index.lastPersistenceError == nil)
            }
            let reopened = try FingerprintIndex(configuration: configuration)
            #expect(!reopened.wasRebuilt)
            #expect(reopened.count == 500)
            #expect(reopened.tailOffsets() == [0: 250, 1: 12, 2: 3])
            #expect(reopened.entry(id: "article-0") == Self.entry("article-0", exact: 99_999, simhash: 99, at: 1))
            #expect(probes.map(reopened.duplicate(of:)) == before)
        }
    }

    @Test(arguments: [false, true])
    func aCorruptFileIsRebuiltEmpty(keepHeader: Bool) throws {
        try Self.withTemporaryDirectory { directory in
            let path = directory + "/state.sqlite"
            let configuration = FingerprintIndexConfiguration(path: path)
            do {
                let index = try FingerprintIndex(configuration: configuration)
                index.insert(
                    contentsOf: (0..<5000).map { Self.entry("id-\($0)", exact: UInt64($0), simhash: 0, at: 1) },
                    tailOffsets: [0: 5000]
                )
            }
            // Garbage over the whole file, or over everything after the header page.
            var file = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(file.count > 8192)
            var generator = FingerprintTestGenerator(seed: 7)
            for offset in (keepHeader ? 4096 : 0)..<file.count {
                file[offset] = UInt8(truncatingIfNeeded: generator.next())
            }
            try file.write(to: URL(fileURLWithPath: path))

            let index = try FingerprintIndex(configuration: configuration)
            #expect(index.wasRebuilt)
            #expect(index.count == 0)
            #expect(index.tailOffsets().isEmpty)
            index.insert(contentsOf: [Self.entry("new", exact: 1, simhash: 1, at: 2)], tailOffsets: [0: 1])
            #expect(index.duplicate(of: Self.entry("other", exact: 1, simhash: 0, at: 3))?.id == "new")
            #expect(index.lastPersistenceError == nil)

            let reopened = try FingerprintIndex(configuration: configuration)
            #expect(!reopened.wasRebuilt)
            #expect(reopened.count == 1)
            #expect(reopened.tailOffsets() == [0: 1])
        }
    }

    @Test func aFileOfAnotherSchemaVersionIsRebuilt() throws {
        try Self.withTemporaryDirectory { directory in
            let path = directory + "/state.sqlite"
            let configuration = FingerprintIndexConfiguration(path: path)
            try FingerprintIndex(configuration: configuration).insert(Self.entry("a", exact: 1, simhash: 1, at: 1))
            #expect(try FingerprintIndex(configuration: configuration).count == 1)
            // PRAGMA user_version lives in the header at offset 60 (4 bytes, big-endian).
            var file = try Data(contentsOf: URL(fileURLWithPath: path))
            file[63] = 99
            try file.write(to: URL(fileURLWithPath: path))
            let index = try FingerprintIndex(configuration: configuration)
            #expect(index.wasRebuilt)
            #expect(index.count == 0)
        }
    }

    @Test func aFileThatIsNotADatabaseIsRebuilt() throws {
        try Self.withTemporaryDirectory { directory in
            let path = directory + "/state.sqlite"
            try Data("this is not an SQLite database, just some text that happens to be here\n".utf8)
                .write(to: URL(fileURLWithPath: path))
            let index = try FingerprintIndex(configuration: FingerprintIndexConfiguration(path: path))
            #expect(index.wasRebuilt)
            #expect(index.count == 0)
        }
    }

    @Test func anUnusablePathIsATypedError() throws {
        try Self.withTemporaryDirectory { directory in
            let aFile = directory + "/plain-file"
            try Data("x".utf8).write(to: URL(fileURLWithPath: aFile))
            for path in [directory + "/missing/dir/state.sqlite", aFile + "/state.sqlite", directory] {
                let error = #expect(throws: WorkerError.self, "path \(path)") {
                    try FingerprintIndex(configuration: FingerprintIndexConfiguration(path: path))
                }
                #expect(error?.code == .setup)
                #expect(error?.message.contains(path) == true)
            }
            #expect(FileManager.default.fileExists(atPath: aFile), "the unusable path was not deleted")
        }
    }

    @Test func anInvalidConfigurationIsATypedError() {
        let invalid = [
            FingerprintIndexConfiguration(maxEntries: 0),
            FingerprintIndexConfiguration(maxEntries: Int(Int32.max) + 1),
            FingerprintIndexConfiguration(maxAge: .seconds(-1)),
            FingerprintIndexConfiguration(maxHammingDistance: -1),
            FingerprintIndexConfiguration(maxHammingDistance: 64),
        ]
        for configuration in invalid {
            #expect(throws: WorkerError.self) { try FingerprintIndex(configuration: configuration) }
        }
    }

    @Test func evictsTheOldestBeyondMaxEntries() throws {
        try Self.withTemporaryDirectory { directory in
            var configuration = FingerprintIndexConfiguration(path: directory + "/state.sqlite", maxEntries: 3)
            do {
                let index = try FingerprintIndex(configuration: configuration)
                // Arrival order differs from seenAt order: the oldest by seenAt go first.
                index.insert(contentsOf: [4, 1, 5, 2, 3].map { Self.entry("e\($0)", exact: 1, simhash: 1, at: $0) })
                #expect(index.count == 3)
                #expect(index.entry(id: "e1") == nil)
                #expect(index.entry(id: "e2") == nil)
                #expect(index.duplicate(of: Self.entry("probe", exact: 1, simhash: 1, at: 10))?.id == "e3")
                index.insert(Self.entry("e6", exact: 2, simhash: 2, at: 6))
                #expect(index.entry(id: "e3") == nil)
                #expect(index.count == 3)
            }
            let reopened = try FingerprintIndex(configuration: configuration)
            #expect(reopened.count == 3)
            #expect(reopened.entry(id: "e3") == nil)
            #expect(reopened.entry(id: "e4") != nil)

            configuration.maxEntries = 1
            #expect(try FingerprintIndex(configuration: configuration).count == 1)
            configuration.maxEntries = 10
            let shrunk = try FingerprintIndex(configuration: configuration)
            #expect(shrunk.count == 1, "a smaller limit at open evicts from the file too")
            #expect(shrunk.entry(id: "e6") != nil)
        }
    }

    @Test func admittedEntriesReachTheFileWithTheTailThatDeliversThem() throws {
        try Self.withTemporaryDirectory { directory in
            let configuration = FingerprintIndexConfiguration(path: directory + "/state.sqlite", maxEntries: 3)
            do {
                let index = try FingerprintIndex(configuration: configuration)
                index.insert(contentsOf: [Self.article("t1", 1, at: 1)], tailOffsets: [0: 1])
                #expect(index.admit(Self.article("own", 2, at: 5)) == nil)
                #expect(index.admit(Self.article("copy", 2, at: 9))?.id == "own")
            }
            do {
                let index = try FingerprintIndex(configuration: configuration)
                #expect(index.entry(id: "own") == nil, "admit writes nothing")
                #expect(index.entry(id: "t1") != nil)
                // Remembered at 5; the tail delivers the same article published later (seenAt 7): memory keeps
                // the earlier sighting, and that is what the tail's transaction writes.
                _ = index.admit(Self.article("own", 2, at: 5))
                index.insert(contentsOf: [Self.article("own", 2, at: 7)], tailOffsets: [0: 2])
            }
            do {
                let index = try FingerprintIndex(configuration: configuration)
                #expect(index.entry(id: "own")?.seenAt == 5)
                #expect(index.tailOffsets() == [0: 2])
                // Evictions by admit reach the file with the next write: "t1" (oldest) goes at the fourth.
                _ = index.admit(Self.article("r3", 3, at: 8))
                _ = index.admit(Self.article("r4", 4, at: 9))
                #expect(index.entry(id: "t1") == nil)
                index.insert(contentsOf: [Self.article("r3", 3, at: 8)], tailOffsets: [0: 3])
            }
            let reopened = try FingerprintIndex(configuration: configuration)
            #expect(reopened.entry(id: "t1") == nil, "evicted in memory, deleted from the file")
            #expect(reopened.entry(id: "r3") != nil)
            #expect(reopened.entry(id: "r4") == nil, "never delivered by the tail")
            #expect(reopened.count == 2)
        }
    }

    @Test func aReleasedIndexWritesWhatItDeferred() throws {
        try Self.withTemporaryDirectory { directory in
            let configuration = FingerprintIndexConfiguration(
                path: directory + "/state.sqlite", writeInterval: .seconds(3600))
            do {
                let index = try FingerprintIndex(configuration: configuration)
                index.insert(contentsOf: [Self.article("a", 1, at: 10)], tailOffsets: [0: 1])
                index.insert(contentsOf: [Self.article("b", 2, at: 11)], tailOffsets: [0: 2])
            }
            let reopened = try FingerprintIndex(configuration: configuration)
            #expect(reopened.count == 2)
            #expect(reopened.tailOffsets() == [0: 2])
        }
    }

    @Test func anEarlierSightingEvictedBeforeTheTailStillLeavesTheFile() throws {
        try Self.withTemporaryDirectory { directory in
            let configuration = FingerprintIndexConfiguration(path: directory + "/state.sqlite", maxEntries: 2)
            do {
                let index = try FingerprintIndex(configuration: configuration)
                index.insert(contentsOf: [Self.article("a", 1, at: 10)], tailOffsets: [0: 1])
                // The same article seen earlier replaces the file's row in memory; then it is the oldest, and two
                // admissions evict it before the tail brings the earlier sighting back.
                _ = index.admit(Self.article("a", 1, at: 3))
                _ = index.admit(Self.article("b", 2, at: 20))
                _ = index.admit(Self.article("c", 3, at: 21))
                #expect(index.entry(id: "a") == nil)
                index.insert(contentsOf: [Self.article("b", 2, at: 20)], tailOffsets: [0: 2])
            }
            let reopened = try FingerprintIndex(configuration: configuration)
            #expect(reopened.entry(id: "a") == nil, "evicted in memory, so deleted from the file")
            #expect(reopened.entry(id: "b") != nil)
            #expect(reopened.count == 1)
        }
    }

    @Test func deferredWritesEndInTheSameFileAsImmediateOnes() throws {
        try Self.withTemporaryDirectory { directory in
            func configuration(_ name: String, _ interval: Duration) -> FingerprintIndexConfiguration {
                FingerprintIndexConfiguration(
                    path: "\(directory)/\(name).sqlite", maxEntries: 60, writeInterval: interval)
            }
            let immediate = configuration("immediate", .zero)
            let deferred = configuration("deferred", .seconds(3600))
            var generator = FingerprintTestGenerator(seed: 11)
            var ids: Set<String> = []
            do {
                let indexes = try [
                    FingerprintIndex(configuration: immediate), FingerprintIndex(configuration: deferred),
                ]
                // Ids recur after their eviction (maxEntries 60 of 150), come back earlier or later, are admitted
                // before the tail delivers them or not at all; both indexes see the same stream.
                for step in 0..<400 {
                    let batch = (0..<Int(generator.next() % 8)).map { _ in
                        let n = Int(generator.next() % 150)
                        return Self.entry(
                            "a\(n)", exact: UInt64(n % 40), simhash: Self.scatter(n), at: Int64(step) - Int64(n % 5))
                    }
                    let admitted = Self.entry(
                        "a\(generator.next() % 150)", exact: 7, simhash: Self.scatter(7), at: Int64(step))
                    let offsets: [Int32: Int64] = [Int32(step % 3): Int64(step)]
                    ids.formUnion(batch.map(\.id) + [admitted.id])
                    for index in indexes {
                        _ = index.admit(admitted)
                        index.insert(contentsOf: batch, tailOffsets: offsets)
                        if step % 50 == 49 { index.evict(now: Int64(step)) }
                    }
                }
                let unflushed = try FingerprintIndex(configuration: deferred)
                #expect(unflushed.count == 0, "nothing written within the interval")
                #expect(unflushed.tailOffsets().isEmpty)
                indexes[1].flush()
            }
            let (left, right) = try (
                FingerprintIndex(configuration: immediate), FingerprintIndex(configuration: deferred)
            )
            #expect(left.count > 0)
            #expect(right.count == left.count)
            #expect(right.tailOffsets() == left.tailOffsets())
            let differing = ids.filter { right.entry(id: $0) != left.entry(id: $0) }
            #expect(differing.isEmpty, "entries that differ: \(differing.sorted())")
        }
    }

    @Test func evictionOrderSurvivesManyReplacements() throws {
        let index = try FingerprintIndex(configuration: FingerprintIndexConfiguration(maxEntries: 3))
        index.insert(contentsOf: [
            Self.entry("b", exact: 2, simhash: 2, at: 500), Self.entry("c", exact: 3, simhash: 3, at: 600),
        ])
        for step in 0..<3000 {  // each an earlier sighting of "a": 3000 replacements, ending at 7001
            index.insert(Self.entry("a", exact: 1, simhash: 1, at: 10_000 - Int64(step)))
        }
        #expect(index.entry(id: "a")?.seenAt == 7001)
        for (id, seenAt, evicted) in [("d", 8000, "b"), ("e", 9000, "c"), ("f", 9500, "a"), ("g", 9600, "d")] {
            index.insert(Self.entry(id, exact: 9, simhash: 9, at: Int64(seenAt)))
            #expect(index.count == 3)
            #expect(index.entry(id: evicted) == nil, "inserting \(id) evicts \(evicted)")
        }
    }

    @Test func evictsByAgeRelativeToTheNewestSeenAtOrTheClock() throws {
        try Self.withTemporaryDirectory { directory in
            let configuration = FingerprintIndexConfiguration(path: directory + "/state.sqlite", maxAge: .seconds(10))
            do {
                let index = try FingerprintIndex(configuration: configuration)
                index.insert(contentsOf: [0, 5_000, 12_000].map { Self.entry("t\($0)", exact: 1, simhash: 1, at: $0) })
                // The batch evicts after its inserts: 12 000 - 10 s = 2 000, so t0 goes at once.
                #expect(index.count == 2)
                #expect(index.entry(id: "t0") == nil)
            }
            let index = try FingerprintIndex(configuration: configuration)
            #expect(index.count == 2)
            index.insert(Self.entry("t20000", exact: 2, simhash: 2, at: 20_000))
            #expect(index.entry(id: "t5000") == nil)
            #expect(index.count == 2)
            index.evict(now: 1_000)  // a clock behind the newest seenAt changes nothing
            #expect(index.count == 2)
            index.evict(now: 25_000)
            #expect(index.entry(id: "t12000") == nil)
            #expect(index.count == 1)
            #expect(try FingerprintIndex(configuration: configuration).count == 1)
        }
    }

    @Test func aMemoryOnlyIndexKeepsTailOffsetsInMemory() throws {
        let index = try FingerprintIndex(configuration: FingerprintIndexConfiguration())
        #expect(!index.wasRebuilt)
        index.insert(contentsOf: [Self.entry("a", exact: 1, simhash: 1, at: 1)], tailOffsets: [3: 40])
        index.insert(contentsOf: [], tailOffsets: [3: 41, 4: 1])
        #expect(index.tailOffsets() == [3: 41, 4: 1])
        #expect(index.count == 1)
        #expect(index.lastPersistenceError == nil)
    }

    @Test func concurrentInsertsAndLookupsAgree() async throws {
        let directory = try Self.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let index = try FingerprintIndex(
                configuration: FingerprintIndexConfiguration(path: directory + "/s.sqlite"))
            await withTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        for batch in 0..<25 {
                            let entries = (0..<40).map { i in
                                let n = (writer * 25 + batch) * 40 + i
                                return Self.entry("w\(n)", exact: UInt64(n), simhash: Self.scatter(n), at: Int64(n))
                            }
                            index.insert(contentsOf: entries, tailOffsets: [Int32(writer): Int64(batch)])
                        }
                    }
                }
                for _ in 0..<4 {
                    group.addTask {
                        for n in 0..<4000 {
                            let probe = Self.entry("probe", exact: UInt64(n), simhash: Self.scatter(n), at: .max)
                            if let found = index.duplicate(of: probe) { #expect(found.id == "w\(n)") }
                        }
                    }
                }
            }
            #expect(index.count == 4000)
            #expect(index.tailOffsets() == [0: 24, 1: 24, 2: 24, 3: 24])
            #expect(try FingerprintIndex(configuration: index.configuration).count == 4000)
        }
    }

    /// Not a timed assertion: prints the load time and lookup cost, and checks every lookup is right.
    @Test func hundredThousandEntriesLoadAndLookUpQuickly() throws {
        try Self.withTemporaryDirectory { directory in
            let configuration = FingerprintIndexConfiguration(path: directory + "/state.sqlite")
            var generator = FingerprintTestGenerator(seed: 42)
            let entries = (0..<100_000).map { i in
                Self.entry("article-\(i)", exact: generator.next(), simhash: generator.next(), at: Int64(i))
            }
            let clock = ContinuousClock()
            let insertTime = try clock.measure {
                let index = try FingerprintIndex(configuration: configuration)
                for start in stride(from: 0, to: entries.count, by: 1000) {
                    index.insert(
                        contentsOf: Array(entries[start..<start + 1000]), tailOffsets: [0: Int64(start + 1000)])
                }
            }
            var index: FingerprintIndex?
            let loadTime = try clock.measure { index = try FingerprintIndex(configuration: configuration) }
            let loaded = try #require(index)
            #expect(loaded.count == 100_000)

            // Probes: each a later article 0...3 bits away from an indexed one (with a new exact hash).
            let probes = (0..<100_000).map { i in
                let original = entries[(i &* 7919) % entries.count]
                var simhash = original.simhash
                for _ in 0..<(i % 4) { simhash ^= 1 << (generator.next() % 64) }
                return Self.entry("probe-\(i)", exact: generator.next(), simhash: simhash, at: 200_000)
            }
            var found = 0
            let lookupTime = clock.measure {
                for probe in probes where loaded.duplicate(of: probe) != nil { found += 1 }
            }
            var misses = 0
            let missTime = clock.measure {
                for _ in 0..<100_000
                where loaded.duplicate(
                    of: Self.entry("x", exact: generator.next(), simhash: generator.next(), at: 1 << 40))
                    == nil
                {
                    misses += 1
                }
            }
            #expect(found == probes.count)
            #expect(misses == 100_000)
            let microseconds = { (duration: Duration) in Double(duration.nanoseconds) / 100_000 / 1000 }
            print(
                "fingerprint index, 100k entries: insert+persist \(insertTime), load \(loadTime), "
                    + "lookup hit \(microseconds(lookupTime)) µs, miss \(microseconds(missTime)) µs"
            )
        }
    }
}
