import Foundation
import Testing

@testable import ArticleAnalysis

/// `JSONReader` strings (vector scan, escapes decoded into one buffer) against Foundation's JSON parser.
@Suite struct ParsingJSONTests {
    private static let pieces: [String] = [
        "a", " ", "Iraq", "العراق", "«»", "é", "😀", #"\n"#, #"\t"#, #"\""#, #"\\"#, #"\/"#, #"\b"#, #"\f"#, #"\r"#,
        #"\u00e9"#, #"\u0627"#, #"\u20AC"#, #"\uD83D\uDE00"#, #"\u0000"#, #"\u001F"#, #"\uFFFF"#,
        String(repeating: "x", count: 40), String(repeating: "ب", count: 20),
    ]

    @Test func stringsAgreeWithFoundation() throws {
        var state: UInt64 = 0x6A73_6F6E
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        for _ in 0..<1_500 {
            var body = ""
            for _ in 0..<(next() % 30) { body += Self.pieces[next() % Self.pieces.count] }
            let source = Array("{\"k\": \"\(body)\", \"n\": 1}".utf8)
            let object = try JSONSerialization.jsonObject(with: Data(source)) as? [String: Any]
            let expected = try #require(object?["k"] as? String)
            let value = try source.withUnsafeBufferPointer { try JSONReader.parse($0, maxDepth: 4) }
            #expect(value["k"] == .string(expected), "body \(body.debugDescription)")
        }
    }

    @Test func loneSurrogatesBecomeReplacementCharacters() throws {
        func decode(_ body: String) throws -> JSONValue? {
            let source = Array("{\"k\": \"\(body)\"}".utf8)
            return try source.withUnsafeBufferPointer { try JSONReader.parse($0, maxDepth: 4) }["k"]
        }
        #expect(try decode(#"a\uD800b"#) == .string("a\u{FFFD}b"))
        #expect(try decode(#"a\uDC00"#) == .string("a\u{FFFD}"))
        #expect(try decode(#"\uD83D\uDE00\n"#) == .string("😀\n"))
        // The escape after a lone high surrogate is decoded on its own, not swallowed.
        #expect(try decode(#"\uD800\u0041"#) == .string("\u{FFFD}A"))
        #expect(try decode(#"\uD800\uD83D\uDE00"#) == .string("\u{FFFD}😀"))
        #expect(try decode(#"\uD800\n"#) == .string("\u{FFFD}\n"))
    }

    @Test func malformedStringsAreRejected() {
        for body in [#"{"k": "abc"#, #"{"k": "a\"#, #"{"k": "a\x"}"#, #"{"k": "\u12"}"#, "{\"k\": \"a\u{1}b\"}"] {
            let source = Array(body.utf8)
            #expect(throws: AnalysisError.self) {
                try source.withUnsafeBufferPointer { try JSONReader.parse($0, maxDepth: 4) }
            }
        }
    }

    /// A value as the selected members show it: strings and numbers with their text, others by type.
    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return "string \(s)"
        case .number(let n): return "number \(n)"
        default: return value.typeName
        }
    }

    private static func describe(_ value: JSONReader.Value) -> String {
        switch value {
        case .string(let bytes): return "string \(String(decoding: bytes, as: UTF8.self))"
        case .number(let bytes): return "number \(String(decoding: bytes, as: UTF8.self))"
        default: return value.typeName
        }
    }

    /// What `withMembers` found, described while its bytes are valid.
    private enum Selected: Equatable {
        case object([Int: String])
        case notObject(String)
    }

    /// `withMembers(named:in:maxDepth:_:)` checks a text exactly as `parse` does (the same error, or
    /// none) and finds the first member of each name that `parse`'s lookup finds, with its value.
    @Test func selectedMembersAgreeWithTheFullParse() {
        let names: [StaticString] = ["k", "n", "title"]
        let texts = [
            #"{"k": "a", "n": 1, "title": "T", "k": "later"}"#, #"{"t\u0069tle": "escaped", "x": [1, {"y": null}]}"#,
            #"{"x": {"y": {"z": {"w": 1}}}, "k": true}"#, #"{"x": [[[[[1]]]]], "k": 1}"#, #"["k"]"#, #""text""#,
            #"{"k": "a" "n": 1}"#, #"{"k": "a",}"#, #"{"k" "a"}"#, #"{"k": tru}"#, #"{"k": -}"#, #"{"k": "a"} x"#,
            #"{"x": "\q", "k": 1}"#, #"{"x": "a\u00"}"#, "{\"x\": \"a\u{1}\"}", #"{"k": 01}"#, #"{"#, "",
            #"{"n": {"k": 1}, "k": [2], "title": null}"#, #"{"k": "a\"b\n", "x": "\u00e9\t", "title": "\u0627\\"}"#,
            #"{"n": -1.5e3, "k": false, "title": "«x»"}"#,
        ]
        for text in texts {
            let source = Array(text.utf8)
            let full = Result { () throws(AnalysisError) in
                try source.withUnsafeBufferPointer { p throws(AnalysisError) in try JSONReader.parse(p, maxDepth: 4) }
            }
            let selected = Result { () throws(AnalysisError) in
                try source.withUnsafeBufferPointer { p throws(AnalysisError) in
                    try JSONReader.withMembers(named: names, in: p, maxDepth: 4) { members, _ -> Selected in
                        switch members {
                        case .object(let found):
                            return .object(
                                Dictionary(uniqueKeysWithValues: found.map { ($0.name, Self.describe($0.value)) }))
                        case .notObject(let typeName):
                            return .notObject(typeName)
                        }
                    }
                }
            }
            switch (full, selected) {
            case (.failure(let a), .failure(let b)):
                #expect(a.description == b.description, "\(text)")
            case (.success(let value), .success(.object(let found))):
                for (index, name) in names.enumerated() {
                    #expect(found[index] == value["\(name)"].map(Self.describe), "\(text) \(name)")
                }
            case (.success(let value), .success(.notObject(let typeName))):
                #expect(value.typeName == typeName, "\(text)")
            default:
                Issue.record("\(text): parse \(full), members \(selected)")
            }
        }
    }

    /// The quote marks find, from every index of a selected string, its next `"` or `\` (across the
    /// marks' 64-bit words, in strings with and without escapes).
    @Test func quoteMarksFindEveryQuoteAndBackslash() throws {
        var state: UInt64 = 0x7175_6F74_6573
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        let pieces = [#"\""#, #"\\"#, #"\u0022"#, #"\u005c"#, #"\n"#, "a", "bc", "ب", "word ", #"\u00e9"#]
        for round in 0..<60 {
            var body = ""
            for _ in 0..<(next() % 120) { body += pieces[next() % (round % 3 == 0 ? 4 : pieces.count)] }
            if round % 5 == 0 { body = String(repeating: "plain ", count: round) }
            let object = try JSONSerialization.jsonObject(with: Data(#"{"k": "\#(body)"}"#.utf8)) as? [String: Any]
            let expected = Array(try #require(object?["k"] as? String).utf8)
            let source = Array(#"{"x": "\"", "k": "\#(body)"}"#.utf8)
            let mismatches = try source.withUnsafeBufferPointer { p throws(AnalysisError) in
                try JSONReader.withMembers(named: ["k"], in: p, maxDepth: 4) { members, quotes -> Int in
                    guard case .object(let found) = members, case .string(let bytes)? = found.first?.value else {
                        return -1
                    }
                    var mismatches = bytes.elementsEqual(expected) ? 0 : 1
                    for start in 0...bytes.count {
                        let want = bytes[start...].firstIndex { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
                        if quotes.firstQuote(in: bytes, from: start) != want ?? bytes.count { mismatches += 1 }
                    }
                    return mismatches
                }
            }
            #expect(mismatches == 0, "\(body)")
        }
    }

    /// The reader notes a `<` in a selected value whether it is written as is or escaped, before or
    /// after another escape; a value without one is reported free of markup.
    @Test func lessThanSignsAreNoted() throws {
        let cases: [(String, Bool)] = [
            (#"plain text"#, false), (#"a \"quoted\" text\n"#, false), (#"<p>x"#, true), (#"a\n<b>"#, true),
            (#"\u003cp>"#, true), (#"\n\u003C"#, true), (String(repeating: "x", count: 40) + "<", true),
        ]
        for (body, expected) in cases {
            let source = Array("{\"a\": \"<\", \"k\": \"\(body)\", \"z\": \"<\"}".utf8)
            let found = try source.withUnsafeBufferPointer { p throws(AnalysisError) in
                // Only the flag leaves the body: a member's bytes are valid inside it only.
                try JSONReader.withMembers(named: ["k"], in: p, maxDepth: 4) { members, _ -> Bool? in
                    guard case .object(let found) = members else { return nil }
                    return found.first?.hasLessThan
                }
            }
            #expect(found == expected, "\(body)")
        }
    }
}
