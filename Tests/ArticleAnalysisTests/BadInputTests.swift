import Testing

@testable import ArticleAnalysis

@Suite struct BadInputTests {
    private let analyzer = Support.analyzer

    private func code(_ payload: [UInt8], _ configuration: AnalyzerConfiguration = .init()) -> String? {
        let analyzer = ArticleAnalyzer(configuration: configuration, classifier: Support.analyzer.classifier)
        do {
            _ = try analyzer.analyze(payload)
            return nil
        } catch {
            return error.code.rawValue
        }
    }

    @Test func invalidUTF8() {
        #expect(code([0x41, 0x42, 0xC3, 0x28, 0x20, 0x41]) == "invalid_utf8")
        #expect(code(Array("العراق".utf8).dropLast()) == "invalid_utf8")
    }

    @Test func emptyAndWhitespace() {
        #expect(code([]) == "empty")
        #expect(code(Array("  \n\t \r\n ".utf8)) == "empty")
    }

    @Test func oversize() {
        let payload = [UInt8](repeating: 0x61, count: 2_000)
        #expect(code(payload, AnalyzerConfiguration(maxInputBytes: 1_000)) == "too_large")
        #expect(code(Array("Too big".utf8) + payload, AnalyzerConfiguration(maxInputBytes: 1_999)) == "too_large")
    }

    @Test func malformedJSON() {
        for bad in [
            "{", "{\"text\": \"abc\"", "{\"text\": abc}", "{\"a\":1,}", "[1, 2", "{\"text\":\"x\"} trailing",
            "{\"text\":\"bad \\q escape\"}",
        ] {
            #expect(code(Array(bad.utf8)) == "malformed_json", "\(bad)")
        }
    }

    @Test func wrongShape() {
        #expect(code(Array("[1, 2, 3]".utf8)) == "wrong_shape")
        #expect(code(Array("{\"title\": 5, \"text\": \"Iraq news\"}".utf8)) == "wrong_shape")
        #expect(code(Array("{\"text\": [\"a\"]}".utf8)) == "wrong_shape")
        #expect(code(Array("{\"id\": {}, \"text\": \"a b c\"}".utf8)) == "wrong_shape")
    }

    @Test func noText() {
        #expect(code(Array("{\"id\": \"x\", \"title\": \"t\"}".utf8)) == "no_text")
        #expect(code(Array("{\"text\": \"\"}".utf8)) == "no_text")
        #expect(code(Array("{\"html\": \"<script>x()</script><p> </p>\"}".utf8)) == "no_text")
        #expect(code(Array("... ، ؟ !!!".utf8)) == "no_text")
    }

    @Test func binary() {
        var payload = [UInt8](repeating: 0, count: 200)
        payload.append(contentsOf: Array("text".utf8))
        #expect(code(payload) == "binary")
        #expect(code((0..<255).map { UInt8($0 % 32) }) == "binary")
    }

    @Test func bidiOverridesAndStrayNULsStillGiveARecord() throws {
        let text =
            "\u{202E}العراق\u{202C} يعلن \u{2066}نتائج\u{2069} الانتخابات\n\nقال رئيس الوزراء إن \u{200F}الانتخابات نزيهة."
        let record = try analyzer.analyze(Array(text.utf8))
        #expect(record.entities.locations.contains { $0.country == "IQ" })
        var withNUL = Array(String(repeating: "Iraq held elections on Sunday. ", count: 20).utf8)
        withNUL.insert(0, at: 100)
        let english = try analyzer.analyze(withNUL)
        #expect(english.language == .english)
        #expect(!String(decoding: english.jsonBytes(), as: UTF8.self).contains("\u{0}"))
    }

    @Test func deeplyNestedJSON() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(code(Array(deep.utf8)) == "malformed_json")
        let deepObject =
            "{\"text\": \"a\", \"x\": " + String(repeating: "{\"a\":", count: 50_000) + "1"
            + String(repeating: "}", count: 50_000) + "}"
        #expect(code(Array(deepObject.utf8)) == "malformed_json")
    }

    @Test func htmlBombsAreBounded() throws {
        func nested(_ depth: Int) -> [UInt8] {
            let html =
                "<html><body>" + String(repeating: "<div>", count: depth)
                + "<p>Iraq says talks went well today.</p>" + String(repeating: "</div>", count: depth)
                + "</body></html>"
            return Array(html.utf8)
        }
        let record = try analyzer.analyze(nested(20_000))
        #expect(record.title == "Iraq says talks went well today.")
        // Beyond maxHTMLTags (50_000) the rest of the document is ignored: here nothing is left.
        #expect(code(nested(80_000)) == "no_text")
        #expect(record.format == .html)
        let manyTags = "<p>Iraq news</p>" + String(repeating: "<b></b>", count: 120_000)
        let config = AnalyzerConfiguration(maxHTMLTags: 10_000)
        let bounded = try ArticleAnalyzer(configuration: config, classifier: analyzer.classifier)
            .analyze(Array(manyTags.utf8))
        #expect(bounded.title == "Iraq news")
        let manyParagraphs = String(repeating: "<p>Baghdad talks continue.</p>", count: 5_000)
        let capped = try analyzer.analyze(Array(("<title>T</title>" + manyParagraphs).utf8))
        #expect(capped.paragraphs.count <= AnalyzerConfiguration().maxParagraphs)
    }

    @Test(.timeLimit(.minutes(1))) func pathologicalTextsStayLinear() throws {
        // One enormous word (fuzzy matching is bounded) and thousands of distinct titled names.
        let word = "Title\n\n" + String(repeating: "ب", count: 400_000)
        #expect(try analyzer.analyze(Array(word.utf8)).wordCount == 1)
        var names = "Names\n\n"
        for k in 0..<8_000 { names += "Mr Name\(String(k, radix: 26)) said it. " }
        let record = try analyzer.analyze(Array(names.utf8))
        #expect(record.entities.persons.count == AnalyzerConfiguration().maxEntities)
    }

    @Test func errorsDescribeThemselves() {
        let error = AnalysisError(.tooLarge, "payload of 5 bytes exceeds the limit of 4")
        #expect(error.description == "too_large: payload of 5 bytes exceeds the limit of 4")
        #expect(AnalysisError.Code.invalidUTF8.description == "invalid_utf8")
    }
}
