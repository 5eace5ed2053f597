/// The enriched record published for one article. Its JSON form (``jsonBytes()``) is documented
/// field by field in `docs/record-schema.md` and specified by `docs/record.schema.json`.
///
/// Determinism: for the same input and the same analyser and lexicon versions every field except
/// ``provenance`` is identical, byte for byte.
public struct ArticleRecord: Sendable {
    /// Version of the record schema (`schema_version`).
    public static let schemaVersion = 1

    /// Article id: the envelope `id`, else its `url`, else `"fp:"` + the exact fingerprint.
    public var id: String
    /// Detected language.
    public var language: Language
    /// Confidence of ``language`` in [0, 1].
    public var languageConfidence: Double
    /// The input format the payload was detected as.
    public var format: InputFormat
    /// Canonical URL from the envelope, if any.
    public var url: String?
    /// Source from the envelope, if any.
    public var source: String?
    /// Publication time from the envelope, as given, if any.
    public var publishedAt: String?
    /// The headline (display text, original spelling).
    public var title: String
    /// The lead paragraph.
    public var lead: String {
        didSet { escapeFree.lead = false }
    }
    /// Bullet highlights.
    public var highlights: [String] {
        didSet { escapeFree.highlights = 0 }
    }
    /// Body paragraphs after the lead.
    public var paragraphs: [String] {
        didSet { escapeFree.paragraphs = 0 }
    }
    /// Number of words in lead, highlights and paragraphs.
    public var wordCount: Int
    /// Estimated reading time in seconds.
    public var readingTimeSeconds: Int
    /// The classifier's decision.
    public var classification: Classification
    /// The assigned labels (``Classification/labels``).
    public var labels: [Label] { classification.labels }
    /// Named entities.
    public var entities: Entities
    /// Attributed quotations.
    public var quotes: [Quote]
    /// Dates mentioned.
    public var dates: [DateMention]
    /// Content fingerprints.
    public var fingerprint: Fingerprint
    /// Id of an earlier article this one duplicates; set by the worker from shared state.
    public var duplicateOf: String?
    /// Where the record came from.
    public var provenance: Provenance
    /// Which of ``lead``, ``highlights`` and ``paragraphs`` the parser found free of bytes to escape
    /// (forgotten when they are changed).
    var escapeFree = EscapeFreeText()

    /// The record as one compact JSON object in a fixed field order, without a trailing newline.
    public func jsonBytes() -> [UInt8] {
        // Room for the strings as they are plus the fixed text around them, so that the buffer rarely
        // grows (escapes may still make it).
        var estimate = title.utf8.count + lead.utf8.count + 1536
        for p in paragraphs { estimate += p.utf8.count + 3 }
        for h in highlights { estimate += h.utf8.count + 3 }
        for e in classification.evidence { estimate += e.term.utf8.count + 80 }
        for q in quotes { estimate += q.text.utf8.count + (q.speaker?.utf8.count ?? 4) + 24 }
        estimate += (entities.persons.count + entities.organizations.count + entities.locations.count) * 160
        estimate += dates.count * 80
        return JSONWriter.bytes(capacity: estimate + estimate / 16) { w in write(&w) }
    }

    /// Writes the record object. Runs of the schema's fixed text are written as one literal each; the
    /// arrays are read through buffer pointers, so that their elements are borrowed, not copied.
    private func write(_ w: inout JSONWriter) {
        w.opening("{\"schema_version\":")
        w.int(Self.schemaVersion)
        w.key("id")
        w.string(id)
        w.key("language")
        w.string(language.rawValue)
        w.key("language_confidence")
        w.decimal(languageConfidence)
        w.key("format")
        w.string(format.rawValue)
        w.key("url")
        w.string(url)
        w.key("source")
        w.string(source)
        w.key("published_at")
        w.string(publishedAt)
        w.key("title")
        w.string(title)
        w.key("lead")
        if escapeFree.lead { w.escapeFreeString(lead) } else { w.string(lead) }
        w.opening("\"highlights\":[")
        writeStrings(highlights, escapeFree: escapeFree.highlights, &w)
        w.joining("],\"paragraphs\":[")
        writeStrings(paragraphs, escapeFree: escapeFree.paragraphs, &w)
        w.closing("]")
        w.key("word_count")
        w.int(wordCount)
        w.key("reading_time_seconds")
        w.int(readingTimeSeconds)
        w.opening("\"labels\":[")
        for label in labels { w.plainString(label.jsonName) }
        w.joining("],\"classification\":{\"primary\":")
        writeClassification(&w)
        w.joining("},\"entities\":{\"persons\":[")
        writeEntities(entities.persons, kind: .person, &w)
        w.joining("],\"organizations\":[")
        writeEntities(entities.organizations, kind: .organization, &w)
        w.joining("],\"locations\":[")
        writeEntities(entities.locations, kind: .location, &w)
        w.joining("]},\"quotes\":[")
        quotes.withUnsafeBufferPointer { quotes in
            for quote in quotes.indices {
                w.opening("{\"text\":")
                w.string(quotes[quote].text)
                w.key("speaker")
                w.string(quotes[quote].speaker)
                w.closing("}")
            }
        }
        w.joining("],\"dates\":[")
        dates.withUnsafeBufferPointer { dates in
            for date in dates.indices {
                w.opening("{\"text\":")
                w.string(dates[date].text)
                w.key("kind")
                w.string(dates[date].kind.rawValue)
                w.key("value")
                w.string(dates[date].value)
                w.closing("}")
            }
        }
        w.joining("],\"fingerprint\":{\"exact\":")
        w.hex(fingerprint.exact)
        w.key("simhash")
        w.hex(fingerprint.simhash)
        w.closing("}")
        w.key("duplicate_of")
        w.string(duplicateOf)
        w.opening("\"provenance\":{\"topic\":")
        w.string(provenance.topic)
        w.key("partition")
        w.int(provenance.partition)
        w.key("offset")
        w.int(provenance.offset)
        w.key("timestamp")
        w.int(provenance.timestamp)
        w.key("worker")
        w.string(provenance.worker)
        w.key("processed_at")
        w.int(provenance.processedAt)
        w.key("analyzer_version")
        w.string(ArticleAnalyzer.version)
        w.key("lexicon_version")
        w.string(classification.modelVersion)
        w.key("replay")
        w.bool(provenance.replay)
        w.closing("}}")
    }

    /// The strings of an array (its brackets written by the caller); those whose bit is set in
    /// `escapeFree` (bit i: `strings[i]`) are copied without checking their bytes.
    private func writeStrings(_ strings: [String], escapeFree: UInt64, _ w: inout JSONWriter) {
        strings.withUnsafeBufferPointer { strings in
            for i in strings.indices {
                if i < 64 && escapeFree & 1 << i != 0 {
                    w.escapeFreeString(strings[i])
                } else {
                    w.string(strings[i])
                }
            }
        }
    }

    /// The classification object's members after `"primary":` (its braces written by the caller).
    private func writeClassification(_ w: inout JSONWriter) {
        w.string(classification.primary?.rawValue)
        w.key("scores")
        writeByLabel(classification.scores, &w)
        w.key("thresholds")
        writeByLabel(classification.thresholds, &w)
        w.opening("\"evidence\":[")
        classification.evidence.withUnsafeBufferPointer { evidence in
            for e in evidence.indices {
                w.opening("{\"label\":")
                w.plainString(evidence[e].label.jsonName)
                w.key("term")
                w.string(evidence[e].term)
                w.key("weight")
                w.decimal(evidence[e].weight)
                w.key("zone")
                w.plainString(evidence[e].zone.jsonName)
                w.key("count")
                w.int(evidence[e].count)
                w.closing("}")
            }
        }
        w.closing("]")
        w.key("model_version")
        w.string(classification.modelVersion)
    }

    /// An object with one member per label, in ``Label/allCases`` order, 0 where `values` has none.
    /// The dictionary is walked rather than looked up: hashing a `Label` hashes its raw `String`.
    private func writeByLabel(_ values: [Label: Double], _ w: inout JSONWriter) {
        var ordered = (politics: 0.0, security: 0.0, diplomacy: 0.0)
        for (label, value) in values {
            switch label {
            case .politics: ordered.politics = value
            case .security: ordered.security = value
            case .diplomacy: ordered.diplomacy = value
            }
        }
        w.opening("{\"politics\":")
        w.decimal(ordered.politics)
        w.key("security")
        w.decimal(ordered.security)
        w.key("diplomacy")
        w.decimal(ordered.diplomacy)
        w.closing("}")
    }

    private enum EntityKind {
        case person, organization, location
    }

    /// The entity objects of an array (its brackets written by the caller).
    private func writeEntities(_ list: [Entity], kind: EntityKind, _ w: inout JSONWriter) {
        list.withUnsafeBufferPointer { list in
            for e in list.indices {
                w.opening("{\"name\":")
                w.string(list[e].name)
                w.key("normalized")
                w.string(list[e].normalized)
                switch kind {
                case .person:
                    w.key("role")
                    w.string(list[e].type)
                    w.key("affiliation")
                    w.string(list[e].country)
                case .location:
                    w.key("country")
                    w.string(list[e].country)
                    w.key("type")
                    w.string(list[e].type)
                case .organization:
                    break
                }
                w.key("known")
                w.bool(list[e].known)
                w.key("mentions")
                w.int(list[e].mentions)
                w.closing("}")
            }
        }
    }
}

/// Which text fields of a record hold no byte that JSON output must escape (no `"`, `\`, control
/// character, U+2028 or U+2029), as far as the parser knows: such fields are copied into the record's
/// JSON without being checked. Unknown (the default) is always safe.
struct EscapeFreeText: Sendable {
    /// The lead paragraph.
    var lead = false
    /// Bit i: the i-th highlight (of the first 64).
    var highlights: UInt64 = 0
    /// Bit i: the i-th paragraph (of the first 64).
    var paragraphs: UInt64 = 0
}

extension Label {
    /// ``rawValue`` as a literal, written into records without escape checks.
    var jsonName: StaticString {
        switch self {
        case .politics: "politics"
        case .security: "security"
        case .diplomacy: "diplomacy"
        }
    }
}

extension Zone {
    /// ``rawValue`` as a literal, written into records without escape checks.
    var jsonName: StaticString {
        switch self {
        case .title: "title"
        case .lead: "lead"
        case .body: "body"
        }
    }
}
