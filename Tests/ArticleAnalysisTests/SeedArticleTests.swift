import Testing

@testable import ArticleAnalysis

@Suite struct SeedArticleTests {
    private func seedRecord(provenance: Provenance = .init()) throws -> ArticleRecord? {
        guard let seed = Support.data("seed-article.txt") else {
            print("skipped: /work/shared/data/seed-article.txt is absent")
            return nil
        }
        return try Support.analyzer.analyze(seed, provenance: provenance)
    }

    @Test func structure() throws {
        guard let record = try seedRecord() else { return }
        #expect(record.format == .text)
        #expect(record.language == .arabic)
        #expect(record.title == "الكاظمي: العراق لم يعد بحاجة إلى قوات قتالية أميركية لمحاربة \"داعش\"")
        #expect(record.lead.hasPrefix("قبيل توجهه إلى واشنطن"))
        #expect(record.highlights.count == 2)
        #expect(record.highlights.first?.hasPrefix("الكاظمي: العراق لم تعد") == true)
        let all = ([record.title, record.lead] + record.highlights + record.paragraphs).joined(separator: "\n")
        #expect(!all.contains("اخترنا لك"))
        #expect(record.paragraphs.last?.hasPrefix("وأضاف حسين") == true)
        #expect(record.wordCount > 300)
        #expect(record.id.hasPrefix("fp:"))
    }

    @Test func entities() throws {
        guard let record = try seedRecord() else { return }
        let persons = Set(record.entities.persons.map(\.name))
        #expect(persons.isSuperset(of: ["مصطفى الكاظمي", "أنتوني بلينكن", "فؤاد حسين"]))
        let locations = Dictionary(
            record.entities.locations.map { ($0.name, $0.country) }, uniquingKeysWith: { a, _ in a })
        #expect(locations["العراق"] == "IQ")
        #expect(locations["الولايات المتحدة"] == "US")
        #expect(locations["واشنطن"] == "US")
        #expect(locations["أفغانستان"] == "AF")
        #expect(record.entities.organizations.contains { $0.name == "داعش" })
    }

    @Test func quotesAreAttributed() throws {
        guard let record = try seedRecord() else { return }
        let speakers: Set<String> = ["مصطفى الكاظمي", "أنتوني بلينكن", "فؤاد حسين"]
        let attributed = record.quotes.filter { $0.speaker.map(speakers.contains) ?? false }
        #expect(attributed.count >= 3)
        #expect(record.quotes.contains { $0.speaker == "أنتوني بلينكن" && $0.text.hasPrefix("سنبحث مع الوفد العراقي") })
        #expect(record.quotes.contains { $0.speaker == "فؤاد حسين" && $0.text.hasPrefix("منطلقات الحوار") })
        // "قال وزير الخارجية العراقي إن ..." resolves the role to the Iraqi foreign minister of the article.
        #expect(record.quotes.contains { $0.speaker == "فؤاد حسين" && $0.text.hasPrefix("وجودنا هنا") })
        // "كما أكّد أن بلاده ..." continues al-Kadhimi's words; every quote of the seed has its speaker.
        #expect(record.quotes.contains { $0.speaker == "مصطفى الكاظمي" && $0.text.hasPrefix("بلاده لم تعد") })
        #expect(record.quotes.allSatisfy { $0.speaker != nil }, "\(record.quotes)")
    }

    @Test func weekdaysAreFoundAndResolvedAgainstPublication() throws {
        guard let record = try seedRecord() else { return }
        let texts = record.dates.map(\.text)
        #expect(texts.contains("اليوم الأحد"))
        #expect(texts.contains("يوم الخميس"))
        #expect(record.dates.allSatisfy { $0.value == nil })

        // The same text in an envelope published on Sunday 2021-07-25.
        guard let seed = Support.data("seed-article.txt") else { return }
        let envelope = JSONWriterForTests.object([
            ("id", "seed-1"), ("published_at", "2021-07-25T09:00:00Z"), ("text", String(decoding: seed, as: UTF8.self)),
        ])
        let dated = try Support.analyzer.analyze(envelope)
        #expect(dated.id == "seed-1")
        #expect(dated.dates.first { $0.text == "اليوم الأحد" }?.value == "2021-07-25")
        #expect(dated.dates.first { $0.text == "يوم الخميس" }?.value == "2021-07-22")
    }

    @Test func recordValidatesAgainstTheSchema() async throws {
        guard
            let record = try seedRecord(
                provenance: Provenance(
                    topic: "articles", partition: 0, offset: 42, timestamp: 1, worker: "w1", processedAt: 2,
                    replay: true))
        else { return }
        guard let errors = try await Support.schemaErrors([record.jsonBytes()]) else {
            print("skipped: python3 jsonschema unavailable")
            return
        }
        #expect(errors == [])
    }
}

/// Builds small JSON envelopes for tests (through the production writer, so escaping is exercised).
enum JSONWriterForTests {
    static func object(_ members: [(String, String)]) -> [UInt8] {
        var w = JSONWriter(capacity: 256)
        w.opening("{")
        for (key, value) in members {
            w.key(string: key)
            w.string(value)
        }
        w.closing("}")
        return w.bytes
    }
}
