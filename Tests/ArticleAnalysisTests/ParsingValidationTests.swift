import Testing

@testable import ArticleAnalysis

/// `ArticleAnalyzer.validate` (a hand-written one-pass scanner) against a straightforward reference:
/// the standard library's UTF-8 validation and a byte-by-byte control count.
@Suite struct ParsingValidationTests {
    /// The checks as first written: per-byte loop, then `String(validating:)`.
    private static func reference(_ payload: [UInt8]) -> Result<Void, AnalysisError> {
        var controls = 0
        var nonSpace = false
        for b in payload {
            if b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D || b == 0x7F {
                controls += 1
            } else if b != 0x20 && b != 0x09 && b != 0x0A && b != 0x0D {
                nonSpace = true
            }
        }
        if payload.isEmpty || (!nonSpace && controls == 0) {
            return .failure(
                AnalysisError(.empty, payload.isEmpty ? "the payload is empty" : "the payload is whitespace only"))
        }
        if controls * 10 >= payload.count || payload.prefix(1024).contains(0) && controls * 100 >= payload.count {
            return .failure(AnalysisError(.binary, "\(controls) of \(payload.count) bytes are NUL or control bytes"))
        }
        guard String(validating: payload, as: UTF8.self) != nil else {
            return .failure(AnalysisError(.invalidUTF8, "the payload is not valid UTF-8"))
        }
        return .success(())
    }

    private static func check(_ payload: [UInt8]) {
        let expected = reference(payload)
        let actual = Result { () throws(AnalysisError) in
            try ArticleAnalyzer.validate(payload, configuration: AnalyzerConfiguration())
        }
        switch (actual, expected) {
        case (.success, .success):
            break
        case (.failure(let a), .failure(let e)):
            #expect(a.code == e.code && a.message == e.message, "payload \(payload)")
        default:
            Issue.record("validate \(actual) but reference \(expected) for \(payload)")
        }
    }

    /// Pieces random payloads are made of: ASCII, whitespace, controls, valid sequences of every
    /// length, the boundary cases of Unicode Table 3-7, and ill-formed bytes.
    private static let pieces: [[UInt8]] = [
        Array("a".utf8), Array(" ".utf8), [0x09], [0x0A], [0x0D], [0x00], [0x01], [0x1F], [0x7F],
        Array("Iraq ".utf8), Array("العراق ".utf8), Array("é".utf8), Array("€".utf8), Array("😀".utf8),
        [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80],
        [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF],
        [0xC0, 0xAF], [0xC1, 0xBF], [0xE0, 0x9F, 0xBF], [0xED, 0xA0, 0x80], [0xF0, 0x8F, 0xBF, 0xBF],
        [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0x80], [0xBF], [0xC2], [0xE2, 0x82],
        [0xF0, 0x9F, 0x98],
    ]

    /// The commonest pieces: printable ASCII and two-byte sequences (the vector loop's fast case).
    private static let text: [[UInt8]] = [
        Array("a".utf8), Array(" ".utf8), Array("Iraq ".utf8), Array("العراق ".utf8), Array("é".utf8),
        Array("«قال»".utf8), Array("~".utf8),
    ]

    @Test func agreesWithTheReferenceOnRandomPayloads() {
        var generator = SplitMix64(seed: 0x6B68_6162_6172)
        for round in 0..<3_000 {
            var payload: [UInt8] = []
            let pieceCount = Int(generator.next() % 60)
            // Mostly text-like payloads with rare odd pieces, so the eight-byte fast path is exercised
            // next to every kind of exception, at every alignment.
            for _ in 0..<pieceCount {
                let r = generator.next()
                let piece =
                    r % 16 < 13
                    ? Self.text[Int(r >> 8) % Self.text.count]
                    : Self.pieces[Int(r >> 8) % Self.pieces.count]
                payload.append(contentsOf: piece)
            }
            if round % 3 == 0 {
                // Whitespace-only and control-heavy payloads.
                payload = payload.map { $0 < 0x80 && $0 > 0x20 ? 0x20 : $0 }
            }
            Self.check(payload)
        }
    }

    /// Every piece at every offset of a long text: each lane of both halves of a 32-byte round.
    @Test func everyPieceAtEveryOffset() {
        let text = Array("قال وزير الخارجية Iraq talks «نص» é ".utf8) + Array("العراق والولايات المتحدة ".utf8)
        for piece in Self.pieces {
            for offset in 0...text.count {
                // Only at character boundaries of the text, so that the text itself stays valid.
                guard offset == text.count || text[offset] & 0xC0 != 0x80 else { continue }
                Self.check(Array(text[..<offset]) + piece + Array(text[offset...]) + text)
            }
        }
    }

    @Test func edgeCases() {
        Self.check([])
        Self.check(Array("   \n\t ".utf8))
        Self.check([0x00, 0x00, 0x00])
        Self.check(Array("plain ASCII text, more than eight bytes".utf8))
        Self.check(Array("نص عربي طويل بما يكفي لعدة كلمات".utf8))
        Self.check(Array("1234567".utf8) + [0xD8, 0xA7])  // a lead byte in the last place of a word
        Self.check(Array("1234567".utf8) + [0xD8])  // truncated at the end
        Self.check(Array("12345678".utf8) + [0xA7] + Array("abcdefgh".utf8))  // stray continuation
        Self.check(Array(repeating: 0x41, count: 200) + [0x00] + Array(repeating: 0x41, count: 10))
    }

    /// A limit set above the ceiling acts as the ceiling: the analyser's 32-bit text offsets never see a
    /// payload whose text could pass 2 GiB.
    @Test func sizeLimitAboveTheCeilingActsAsTheCeiling() throws {
        let configuration = AnalyzerConfiguration(maxInputBytes: .max)
        let ceiling = AnalyzerConfiguration.maxInputBytesCeiling
        let payload = [UInt8](repeating: UInt8(ascii: "a"), count: ceiling + 1)
        let error = #expect(throws: AnalysisError.self) {
            try ArticleAnalyzer.validate(payload, configuration: configuration)
        }
        #expect(error?.code == .tooLarge)
        #expect(error?.message.contains("limit of \(ceiling)") == true, "\(String(describing: error))")
    }
}
