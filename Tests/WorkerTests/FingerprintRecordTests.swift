import Testing

@testable import Worker

@Suite struct FingerprintRecordTests {
    @Test func encodesTheDocumentedCompactJSON() {
        let entry = FingerprintEntry(id: "a-1", exact: 0x0123_4567_89AB_CDEF, simhash: 0xF, seenAt: 1_700_000_000_123)
        #expect(FingerprintRecord.key(for: entry) == Array("a-1".utf8))
        let value = String(decoding: FingerprintRecord.value(for: entry), as: UTF8.self)
        #expect(
            value == #"{"id":"a-1","exact":"0123456789abcdef","simhash":"000000000000000f","seen_at":1700000000123}"#)
    }

    @Test(arguments: [
        FingerprintEntry(id: "x", exact: 0, simhash: 0, seenAt: 0),
        FingerprintEntry(id: "max", exact: .max, simhash: .max, seenAt: .max),
        FingerprintEntry(id: "min", exact: 1, simhash: 1 << 63, seenAt: .min),
        FingerprintEntry(id: "quote\"back\\slash/\n\t\u{1}", exact: 42, simhash: 7, seenAt: -5),
        FingerprintEntry(id: "خبر-عاجل-٢٠٢٦", exact: 0xDEAD_BEEF, simhash: 0xFEED, seenAt: 12),
        FingerprintEntry(id: "emoji-😀", exact: 3, simhash: 4, seenAt: 5),
    ])
    func roundTrips(entry: FingerprintEntry) {
        let key = FingerprintRecord.key(for: entry)
        let value = FingerprintRecord.value(for: entry)
        #expect(FingerprintRecord.decode(key: key, value: value) == entry)
        #expect(FingerprintRecord.decode(key: nil, value: value) == entry)
    }

    @Test func decodesOtherLayoutsOfTheSameRecord() {
        let expected = FingerprintEntry(id: "b😀", exact: 0xAB, simhash: 0x1_0000_0000, seenAt: -42)
        let value = """
             { "extra" : {"nested": [1, 2.5e3, true, false, null, {"k": "v"}]},
              "seen_at" : -42, "simhash":"0000000100000000" ,
              "exact": "AB", "id": "b\\ud83d\\ude00", "more": "\\"x\\"" }\n
            """
        #expect(FingerprintRecord.decode(key: Array("b😀".utf8), value: Array(value.utf8)) == expected)
    }

    @Test(arguments: [
        "", "null", "[]", "{}", "{", "\"id\"", "{\"id\":\"a\"}",
        #"{"id":"","exact":"1","simhash":"2","seen_at":3}"#,
        #"{"id":1,"exact":"1","simhash":"2","seen_at":3}"#,
        #"{"id":"a","exact":1,"simhash":"2","seen_at":3}"#,
        #"{"id":"a","exact":"","simhash":"2","seen_at":3}"#,
        #"{"id":"a","exact":"12345678901234567","simhash":"2","seen_at":3}"#,
        #"{"id":"a","exact":"xyz","simhash":"2","seen_at":3}"#,
        #"{"id":"a","exact":"1","simhash":"2","seen_at":3.5}"#,
        #"{"id":"a","exact":"1","simhash":"2","seen_at":1e3}"#,
        #"{"id":"a","exact":"1","simhash":"2","seen_at":"3"}"#,
        #"{"id":"a","exact":"1","simhash":"2","seen_at":01}"#,
        #"{"id":"a","exact":"1","simhash":"2","seen_at":9223372036854775808}"#,
        #"{"id":"a","exact":"1","simhash":"2","seen_at":3} trailing"#,
        #"{"id":"a","exact":"1","simhash":"2","seen_at":3,}"#,
        #"{"id":"a\q","exact":"1","simhash":"2","seen_at":3}"#,
        #"{"id":"\ud800","exact":"1","simhash":"2","seen_at":3}"#,
        #"{"id":"a","exact":"1","simhash":"2","seen_at":3,"x":tru}"#,
        "{\"id\":\"a\nb\",\"exact\":\"1\",\"simhash\":\"2\",\"seen_at\":3}",
    ])
    func rejectsGarbage(text: String) {
        #expect(FingerprintRecord.decode(key: nil, value: Array(text.utf8)) == nil)
    }

    @Test func rejectsTombstonesInvalidUTF8AndMismatchedKeys() {
        let entry = FingerprintEntry(id: "a", exact: 1, simhash: 2, seenAt: 3)
        let value = FingerprintRecord.value(for: entry)
        #expect(FingerprintRecord.decode(key: Array("a".utf8), value: nil) == nil)
        #expect(FingerprintRecord.decode(key: Array("b".utf8), value: value) == nil)
        var invalid = value
        invalid[7] = 0xFF  // the id's only byte
        #expect(FingerprintRecord.decode(key: nil, value: invalid) == nil)
        let deep = Array((#"{"x":"# + String(repeating: "[", count: 10_000)).utf8)
        #expect(FingerprintRecord.decode(key: nil, value: deep) == nil)
    }

    @Test func everyTruncationAndNoByteFlipCrashes() {
        let value = FingerprintRecord.value(for: FingerprintEntry(id: "article-7", exact: 9, simhash: 10, seenAt: 11))
        for length in 0..<value.count {
            #expect(FingerprintRecord.decode(key: nil, value: Array(value[..<length])) == nil)
        }
        var generator = FingerprintTestGenerator(seed: 1)
        for _ in 0..<2000 {
            var mutated = value
            mutated[Int(generator.next() % UInt64(mutated.count))] = UInt8(truncatingIfNeeded: generator.next())
            if let entry = FingerprintRecord.decode(key: nil, value: mutated) {
                #expect(FingerprintRecord.decode(key: nil, value: FingerprintRecord.value(for: entry)) == entry)
            }
        }
    }
}

/// A small deterministic generator for reproducible test data.
struct FingerprintTestGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
