import Foundation
import Testing

@testable import ArticleAnalysis

@Suite struct JSONWriterTests {
    /// Strings of every length up to 80 built from the characters the writer treats specially (quote,
    /// backslash, controls, U+2028/2029, other characters starting with byte 0xE2) and plain ASCII and
    /// Arabic, at every position relative to the 16- and 32-byte scan blocks: Foundation's parser reads
    /// back exactly the original string.
    @Test func everyStringRoundTripsThroughFoundation() throws {
        let alphabet: [String] = [
            "a", "ب", "\"", "\\", "\n", "\u{1}", "\u{1F}", "\u{2028}", "\u{2029}", "\u{2014}", "\u{2019}", " ", "é",
        ]
        var generator = SystemRandomNumberGenerator()
        for length in 0...80 {
            for _ in 0..<12 {
                var value = ""
                for _ in 0..<length { value += alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
                var writer = JSONWriter(capacity: 8)
                writer.opening("[")
                writer.string(value)
                writer.closing("]")
                let bytes = writer.bytes
                let decoded = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String]
                #expect(decoded == [value], "\(String(decoding: bytes, as: UTF8.self))")
                #expect(!bytes.contains(0x0A), "raw newline in \(String(decoding: bytes, as: UTF8.self))")
                let text = String(decoding: bytes, as: UTF8.self)
                #expect(!text.contains("\u{2028}") && !text.contains("\u{2029}"))
            }
        }
    }

    /// A document built in the returned array's storage and one that outgrows it (and moves to the
    /// writer's own storage) come out as the owning writer writes them.
    @Test func lentStorageGivesTheSameBytes() {
        for length in [0, 10, 50, 300] {
            let value = String(repeating: "ب\"a", count: length)
            func write(_ w: inout JSONWriter) {
                w.opening("{")
                w.key("value")
                w.string(value)
                w.key("n")
                w.int(length)
                w.closing("}")
            }
            var owning = JSONWriter(capacity: 1)
            write(&owning)
            #expect(JSONWriter.bytes(capacity: 1) { write(&$0) } == owning.bytes)
            #expect(JSONWriter.bytes(capacity: 4096) { write(&$0) } == owning.bytes)
        }
    }

    /// The literals the record writes for labels and zones without escape checks are their raw values.
    @Test func recordLiteralsAreTheRawValues() {
        for label in Label.allCases { #expect(label.jsonName.description == label.rawValue) }
        for zone in Zone.allCases { #expect(zone.jsonName.description == zone.rawValue) }
    }

    /// A fingerprint is written as `Fingerprint.hex` spells it.
    @Test func hexMatchesTheFingerprintSpelling() {
        var writer = JSONWriter(capacity: 1)
        writer.opening("[")
        let values: [UInt64] = [
            0, 1, 0xABC, 0x0123_4567_89AB_CDEF, .max, 0xFEDC_BA98_7654_3210, 0x0A0B_0C0D_0E0F_1009,
            0x8000_0000_0000_0000, 0xFFFF_FFFF, 0x1_0000_0000, 0x9F9F_A0A0_0909_F0F0,
        ]
        for value in values { writer.hex(value) }
        writer.closing("]")
        let expected = "[" + values.map { "\"" + Fingerprint.hex($0) + "\"" }.joined(separator: ",") + "]"
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
    }

    @Test func integersAndDecimalsAreFormattedWithoutFoundation() {
        var writer = JSONWriter(capacity: 1)
        writer.opening("[")
        for value in [0, 7, 10, 99, 100, 12_345, -1, -907, Int.max, Int.min] { writer.int(value) }
        writer.int(UInt64.max)
        for value in [0.0, 1, 0.5, 0.12345, -2.00004, 123.4, -0.00005] { writer.decimal(value) }
        writer.null()
        writer.bool(true)
        writer.bool(false)
        writer.closing("]")
        #expect(
            String(decoding: writer.bytes, as: UTF8.self)
                == "[0,7,10,99,100,12345,-1,-907,9223372036854775807,-9223372036854775808,18446744073709551615,"
                + "0,1,0.5,0.1235,-2,123.4,-0.0001,null,true,false]"
        )
    }
    /// `decimal` against a straightforward rendering of the value rounded to four places, over values
    /// around every digit count and fraction shape.
    @Test func decimalsMatchPlainFormatting() {
        func reference(_ value: Double) -> String {
            let units = Int64(max(min((value * 10_000).rounded(), 9e15), -9e15))
            let magnitude = units.magnitude
            var text = (units < 0 ? "-" : "") + String(magnitude / 10_000)
            if magnitude % 10_000 != 0 {
                let digits = String(magnitude % 10_000)
                var fraction = String(repeating: "0", count: 4 - digits.count) + digits
                while fraction.hasSuffix("0") { fraction.removeLast() }
                text += "." + fraction
            }
            return text
        }
        var state: UInt64 = 0x6465_6369_6D61
        var values: [Double] = [0, 1, 9.99995, 10, 0.0001, 0.001, 0.01, 0.1, 0.1001, 0.0101, 99.00005, -0.00004]
        for _ in 0..<3_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let scale = [1.0, 10, 100, 1e4, 1e6, 1e9][Int(state >> 61) % 6]
            values.append((Double(state >> 11) / Double(1 << 53) - 0.3) * scale)
        }
        for value in values {
            var writer = JSONWriter(capacity: 1)
            writer.decimal(value)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == reference(value), "\(value)")
        }
    }
}
