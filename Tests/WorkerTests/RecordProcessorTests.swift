import ArticleAnalysis
import Kafka
import Testing

@testable import Worker

/// The record's headers, whose values are encoded once per processor, against the same values built from
/// the record the way a reader would.
@Suite struct RecordProcessorTests {
    static let processor: RecordProcessor = {
        RecordProcessor(
            analyzer: ArticleAnalyzer(classifier: try! Classifier.bundled()),
            inputTopic: "articles.raw",
            outputTopic: "articles.enriched",
            deadLetterTopic: "articles.dlq",
            maxMessageBytes: 1_048_576,
            instanceID: "headers",
            replay: false
        )
    }()

    static func envelope(_ title: String, _ text: String) -> [UInt8] {
        Array(#"{"title": "\#(title)", "text": "\#(text)"}"#.utf8)
    }

    /// Articles with different label sets, none among them.
    static let articles: [[UInt8]] = [
        envelope(
            "وزير الخارجية يلتقي نظيره المصري في القاهرة",
            "بحث وزير الخارجية مع نظيره المصري في القاهرة العلاقات الثنائية وسبل تعزيز التعاون بين البلدين."),
        envelope(
            "مقتل خمسة جنود في هجوم على حاجز عسكري",
            "قتل خمسة جنود وأصيب آخرون في هجوم مسلح استهدف حاجزا للجيش، وأعلنت القوات الأمنية ملاحقة المهاجمين."),
        envelope(
            "البرلمان يصوت على قانون الانتخابات",
            "صوت مجلس النواب على مشروع قانون الانتخابات الجديد بعد جلسة طويلة، وانتقدت أحزاب المعارضة التعديلات."),
        envelope("Local team wins the cup", "The home side won the final two goals to one in front of a full stadium."),
    ]

    @Test func everySetOfLabelsHasItsHeaderValue() {
        let constant = Self.processor.constantHeaders
        for mask in 0..<(1 << Label.allCases.count) {
            let labels = Label.allCases.enumerated().filter { mask >> $0.offset & 1 != 0 }.map(\.element)
            #expect(
                constant.labelsValue(labels) == Array(labels.map(\.rawValue).joined(separator: ",").utf8),
                "labels \(labels)")
        }
    }

    @Test(arguments: ["articles.raw", "articles.other"])
    func recordHeadersMatchTheRecord(topic: String) throws {
        var labelSets = Set<[Label]>()
        for (offset, value) in Self.articles.enumerated() {
            let message = KafkaConsumerMessage(
                topic: topic, partition: 3, offset: Int64(offset), key: nil, value: value, headers: [],
                timestampMilliseconds: nil)
            let (output, outcome) = Self.processor.process(message, fingerprints: nil)
            guard case .record(let labels) = outcome else {
                Issue.record("article \(offset) was dead-lettered")
                continue
            }
            let record = try Self.processor.analyzer.analyze(value)
            #expect(labels == record.labels)
            labelSets.insert(labels)
            let headers = Dictionary(uniqueKeysWithValues: output.headers.map { ($0.key, $0.value) })
            #expect(output.headers.count == 7)
            #expect(headers["content-type"] == Array("application/json".utf8))
            #expect(headers["khabar.labels"] == Array(record.labels.map(\.rawValue).joined(separator: ",").utf8))
            #expect(headers["khabar.analyzer.version"] == Array(ArticleAnalyzer.version.utf8))
            #expect(headers["khabar.lexicon.version"] == Array(record.classification.modelVersion.utf8))
            #expect(headers["khabar.source.topic"] == Array(topic.utf8))
            #expect(headers["khabar.source.partition"] == Array("3".utf8))
            #expect(headers["khabar.source.offset"] == Array(String(offset).utf8))
        }
        // The articles are meant to cover several label sets, the empty one included.
        #expect(labelSets.count >= 3, "label sets \(labelSets)")
        #expect(labelSets.contains([]))
    }
}

/// `--kafka` properties scoped to one kind of client.
@Suite struct KafkaPropertyScopeTests {
    @Test func prefixedKeysReachOnlyTheirKindAndWinOverUnprefixedOnes() {
        var configuration = WorkerConfiguration(bootstrapServers: "localhost:9092")
        configuration.kafkaProperties = [
            "debug": "fetch",
            "linger.ms": "5",
            "producer.linger.ms": "20",
            "consumer.fetch.wait.max.ms": "5",
            "consumer.debug": "cgrp",
        ]
        #expect(
            configuration.kafkaProperties(for: .producer) == ["debug": "fetch", "linger.ms": "20"])
        #expect(
            configuration.kafkaProperties(for: .consumer) == [
                "debug": "cgrp", "linger.ms": "5", "fetch.wait.max.ms": "5",
            ])
    }

    @Test func noPropertiesGiveNone() {
        let configuration = WorkerConfiguration(bootstrapServers: "localhost:9092")
        #expect(configuration.kafkaProperties(for: .consumer).isEmpty)
        #expect(configuration.kafkaProperties(for: .producer).isEmpty)
    }
}
