/// Turns one raw payload (JSON envelope, plain text or HTML) into an ``ArticleRecord``: validates,
/// parses, normalises, enriches (language, structure, entities, quotes, dates, fingerprints) and
/// classifies. Stateless and `Sendable`: share one instance between tasks.
public struct ArticleAnalyzer: Sendable {
    /// The analyser version, recorded in `provenance.analyzer_version`.
    public static let version = "1.0.0"

    /// Limits in force.
    public let configuration: AnalyzerConfiguration
    /// The classifier producing `classification` and `labels`.
    public let classifier: Classifier

    /// Creates an analyser.
    public init(configuration: AnalyzerConfiguration = .init(), classifier: Classifier) {
        self.configuration = configuration
        self.classifier = classifier
    }

    /// Analyses one payload. Throws ``AnalysisError`` for input that is not an article (never crashes
    /// on hostile input: size, nesting and markup are bounded by ``configuration``).
    public func analyze(_ payload: [UInt8], provenance: Provenance = .init()) throws(AnalysisError) -> ArticleRecord {
        let text = try Self.validate(payload, configuration: configuration)
        let parsed = try ArticleParser.parse(text, configuration: configuration)
        let gazetteer = Gazetteer.bundled
        let article = ArticleText(
            title: parsed.title, lead: parsed.lead, highlights: parsed.highlights, paragraphs: parsed.paragraphs,
            gazetteer: gazetteer
        )
        guard !article.tokens.isEmpty else { throw AnalysisError(.noText, "the article contains no words") }
        let (language, confidence) = article.language()
        var extractor = EntityExtractor(text: article, gazetteer: gazetteer, language: language)
        let entities = extractor.extract(limit: configuration.maxEntities)
        let quotes = QuoteExtractor(text: article, entities: extractor).extract(limit: configuration.maxQuotes)
        let dates = DateExtractor(text: article, published: DateExtractor.parsePublished(parsed.publishedAt)).extract()
        let fingerprint = Fingerprint(text: article)
        let words = article.bodyWordCount
        let wpm = max(1, configuration.wordsPerMinute)
        // The article is tokenised once: the classifier reuses the analyser's tokens.
        let classification = classifier.classify(article, language: language)
        return ArticleRecord(
            id: parsed.envelopeID ?? parsed.url ?? "fp:" + fingerprint.exactHex,
            language: language,
            languageConfidence: confidence,
            format: parsed.format,
            url: parsed.url,
            source: parsed.source,
            publishedAt: parsed.publishedAt,
            title: parsed.title,
            lead: parsed.lead,
            highlights: parsed.highlights,
            paragraphs: parsed.paragraphs,
            wordCount: words,
            readingTimeSeconds: words == 0 ? 0 : (words * 60 + wpm - 1) / wpm,
            classification: classification,
            entities: entities,
            quotes: quotes,
            dates: dates,
            fingerprint: fingerprint,
            duplicateOf: nil,
            provenance: provenance
        )
    }

    /// Size, emptiness, binary and UTF-8 checks; returns the payload as a string.
    static func validate(_ payload: [UInt8], configuration: AnalyzerConfiguration) throws(AnalysisError) -> String {
        if payload.count > configuration.maxInputBytes {
            throw AnalysisError(
                .tooLarge, "payload of \(payload.count) bytes exceeds the limit of \(configuration.maxInputBytes)"
            )
        }
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
            throw AnalysisError(.empty, payload.isEmpty ? "the payload is empty" : "the payload is whitespace only")
        }
        if controls * 10 >= payload.count || payload.prefix(1024).contains(0) && controls * 100 >= payload.count {
            throw AnalysisError(.binary, "\(controls) of \(payload.count) bytes are NUL or control bytes")
        }
        guard let text = String(validating: payload, as: UTF8.self) else {
            throw AnalysisError(.invalidUTF8, "the payload is not valid UTF-8")
        }
        return text
    }
}
