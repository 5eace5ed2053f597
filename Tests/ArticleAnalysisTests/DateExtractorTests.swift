import Testing

@testable import ArticleAnalysis

@Suite struct DateExtractorTests {
    private func dates(_ paragraph: String, published: String? = "2021-10-06") -> [DateMention] {
        let text = ArticleText(
            title: "", lead: "", highlights: [], paragraphs: [paragraph], gazetteer: Gazetteer.bundled)
        return DateExtractor(text: text, published: DateExtractor.parsePublished(published)).extract()
    }

    @Test func isoPadsEveryField() {
        #expect(DateExtractor.iso(2021, 8, 5) == "2021-08-05")
        #expect(DateExtractor.iso(987, 1, 2) == "0987-01-02")
        #expect(DateExtractor.iso(0, 0, 0) == "0000-00-00")
        // Outside four digits: each field as a number, zero-padded to its width.
        #expect(DateExtractor.iso(12345, 1, 2) == "12345-01-02")
        #expect(DateExtractor.iso(-1, 12, 31) == "00-1-12-31")
    }

    @Test func findsDatesAmongSkippedWords() {
        let arabic = dates("قال الوزير في 3 تشرين الأول 2021 إن الاجتماع عقد اليوم الأحد في بغداد")
        #expect(arabic.map(\.text) == ["3 تشرين الأول 2021", "اليوم الأحد"])
        #expect(arabic.map(\.value) == ["2021-10-03", "2021-10-03"])
        let english = dates("The talks began on March 5, 2020 and resumed on 7 june, then on Friday")
        #expect(english.map(\.text) == ["March 5, 2020", "Friday"])
        #expect(english.map(\.value) == ["2020-03-05", "2021-10-01"])
        #expect(dates("2021-08-15 كان يوما").map(\.value) == ["2021-08-15"])
    }
}
