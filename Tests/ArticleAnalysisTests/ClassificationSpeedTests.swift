import Foundation
import Testing

@testable import ArticleAnalysis

/// The dev sets' items (title, lead, body, language), or `nil` when the shared data is absent.
private let devItems: [LabelledItem]? = {
    let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data")
    var items: [LabelledItem] = []
    for file in ["dev-articles.jsonl", "dev-articles-en.jsonl"] {
        guard let text = try? String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8),
            let parsed = try? LabelledItem.parse(jsonLines: text)
        else { return nil }
        items += parsed
    }
    return items
}()

@Suite("Classification speed and the pre-tokenised entry point")
struct ClassificationSpeedTests {
    @Test(
        "the pre-tokenised entry point decides exactly like the string one; prints µs per article",
        .enabled(if: devItems != nil, "shared/data/dev-articles*.jsonl not found: skipped")
    )
    func preTokenised() throws {
        let items = try #require(devItems)
        let classifier = try Classifier.bundled()
        let parts = items.map(\.leadAndBody)
        let texts = zip(items, parts).map { item, part in
            ArticleText(title: item.title, lead: part.lead, highlights: [], paragraphs: part.body, gazetteer: .bundled)
        }
        for ((item, part), text) in zip(zip(items, parts), texts) {
            let fromStrings = classifier.classify(
                title: item.title, lead: part.lead, body: part.body, language: item.language
            )
            let fromTokens = classifier.classify(text, language: item.language)
            #expect(fromTokens == fromStrings, "\(item.id)")
            #expect(fromTokens.evidence.count <= classifier.lexicon.parameters.maxEvidence)
        }
        // Timing is printed, never asserted (run with `-c release -Xswiftc -enable-testing` for real figures).
        let rounds = 20
        var checksum = 0
        // Thread CPU time: on a shared machine, wall time would count the time other processes held the core.
        func cpuMicros() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
            return Double(time.tv_sec) * 1e6 + Double(time.tv_nsec) / 1e3
        }
        let start = cpuMicros()
        for _ in 0..<rounds {
            for (item, text) in zip(items, texts) {
                checksum &+= classifier.classify(text, language: item.language).labels.count
            }
        }
        let tokenised = cpuMicros() - start
        let start2 = cpuMicros()
        for _ in 0..<rounds {
            for (item, part) in zip(items, parts) {
                checksum &+=
                    classifier.classify(
                        title: item.title, lead: part.lead, body: part.body, language: item.language
                    ).labels.count
            }
        }
        let strings = cpuMicros() - start2
        let start3 = cpuMicros()
        for _ in 0..<rounds {
            for (item, part) in zip(items, parts) {
                for text in [item.title, part.lead] + part.body {
                    TextNormalizer.forEachWord(in: text) { word in checksum &+= Int(word.stemHash & 1) }
                }
            }
        }
        let tokeniser = cpuMicros() - start3
        let count = Double(rounds * items.count)
        func micros(_ total: Double) -> Double { total / count }
        print(
            "classifier (thread CPU): \(micros(tokenised)) µs/article pre-tokenised, \(micros(strings)) µs/article from strings"
                + ", of which the analyser's tokeniser \(micros(tokeniser)) µs"
                + " (\(items.count) dev articles × \(rounds), checksum \(checksum))"
        )
    }

    @Test(
        "the kept evidence is the head of the full ranking, strongest first",
        .enabled(if: devItems != nil, "shared/data/dev-articles*.jsonl not found: skipped")
    )
    func evidenceIsTheHeadOfTheRanking() throws {
        let items = try #require(devItems)
        let bundled = try Classifier.bundled()
        var source = bundled.lexicon.source
        source.parameters.maxEvidence = 10_000
        let unlimited = try Classifier(lexicon: Lexicon(source: source))
        var longer = 0
        for item in items {
            let (lead, body) = item.leadAndBody
            let text = ArticleText(title: item.title, lead: lead, highlights: [], paragraphs: body, gazetteer: .bundled)
            let kept = bundled.classify(text, language: item.language).evidence
            let all = unlimited.classify(text, language: item.language).evidence
            #expect(Array(all.prefix(kept.count)) == kept, "\(item.id)")
            #expect(kept.count == min(all.count, bundled.lexicon.parameters.maxEvidence), "\(item.id)")
            for (stronger, weaker) in zip(all, all.dropFirst()) {
                #expect(stronger.weight >= weaker.weight, "\(item.id)")
            }
            if all.count > kept.count { longer += 1 }
        }
        // The cap matters for some articles, or this test would not test the selection.
        #expect(longer > 0)
    }

    @Test("an article without text or without lexicon words scores 0 and has no evidence, from both entry points")
    func emptyArticles() throws {
        let classifier = try Classifier.bundled()
        for (title, lead) in [("", ""), ("xyzzy plugh", "qwerty asdfgh zxcvbn")] {
            let text = ArticleText(title: title, lead: lead, highlights: [], paragraphs: [""], gazetteer: .bundled)
            let fromTokens = classifier.classify(text, language: .english)
            let fromStrings = classifier.classify(title: title, lead: lead, body: [""], language: .english)
            #expect(fromTokens == fromStrings)
            #expect(fromTokens.labels.isEmpty && fromTokens.primary == nil && fromTokens.evidence.isEmpty)
            #expect(Label.allCases.allSatisfy { fromTokens.scores[$0] == 0 })
        }
    }
}
