import Foundation

/// One article with hand-assigned labels, in the dev set's JSONL format
/// (`{"id", "lang", "title", "text", "labels"}`; `source` and other fields are ignored).
public struct LabelledItem: Sendable, Hashable, Codable {
    /// The item's identifier.
    public var id: String
    /// The language code (`ar`, `en`).
    public var lang: String
    /// The headline.
    public var title: String
    /// The body; paragraphs separated by newlines. The first non-empty paragraph is treated as the lead.
    public var text: String
    /// The expected labels (empty for none).
    public var labels: [Label]

    /// Creates an item.
    public init(id: String, lang: String, title: String, text: String, labels: [Label]) {
        self.id = id
        self.lang = lang
        self.title = title
        self.text = text
        self.labels = labels
    }

    /// The item's language (``Language/other`` for unknown codes).
    public var language: Language { Language(rawValue: lang) ?? .other }

    /// The lead (first non-empty paragraph of ``text``) and the remaining paragraphs.
    public var leadAndBody: (lead: String, body: [String]) {
        let paragraphs = text.split(whereSeparator: \.isNewline).map(String.init).filter {
            $0.contains { !$0.isWhitespace }
        }
        return (paragraphs.first ?? "", Array(paragraphs.dropFirst()))
    }

    /// Parses one JSON line.
    public static func parse(jsonLine: String) throws(AnalysisError) -> LabelledItem {
        do {
            return try JSONDecoder().decode(LabelledItem.self, from: Data(jsonLine.utf8))
        } catch {
            throw AnalysisError(.badLabelledItem, "cannot parse labelled item: \(error)")
        }
    }

    /// Parses a JSONL document (blank lines are skipped); errors name the 1-based line.
    public static func parse(jsonLines: String) throws(AnalysisError) -> [LabelledItem] {
        var items: [LabelledItem] = []
        var line = 0
        for text in jsonLines.split(separator: "\n", omittingEmptySubsequences: false) {
            line += 1
            guard text.contains(where: { !$0.isWhitespace }) else { continue }
            do {
                items.append(try parse(jsonLine: String(text)))
            } catch {
                throw AnalysisError(.badLabelledItem, "line \(line): \(error.message)")
            }
        }
        return items
    }
}

/// Precision, recall and F1 of one label.
public struct LabelMetrics: Sendable, Hashable, Codable {
    /// Items that carry the label and were assigned it.
    public var truePositives: Int
    /// Items assigned the label without carrying it.
    public var falsePositives: Int
    /// Items that carry the label but were not assigned it.
    public var falseNegatives: Int

    /// Creates metrics from counts.
    public init(truePositives: Int, falsePositives: Int, falseNegatives: Int) {
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.falseNegatives = falseNegatives
    }

    /// TP / (TP + FP); 1 when nothing was assigned and nothing was expected, 0 when nothing was assigned.
    public var precision: Double {
        let assigned = truePositives + falsePositives
        return assigned == 0 ? (falseNegatives == 0 ? 1 : 0) : Double(truePositives) / Double(assigned)
    }

    /// TP / (TP + FN); 1 when the label never occurs.
    public var recall: Double {
        let expected = truePositives + falseNegatives
        return expected == 0 ? 1 : Double(truePositives) / Double(expected)
    }

    /// The harmonic mean of precision and recall (0 when both are 0).
    public var f1: Double {
        let sum = precision + recall
        return sum == 0 ? 0 : 2 * precision * recall / sum
    }

    /// How many items carry the label.
    public var support: Int { truePositives + falseNegatives }

    private enum CodingKeys: String, CodingKey {
        case truePositives = "tp"
        case falsePositives = "fp"
        case falseNegatives = "fn"
        case precision, recall, f1, support
    }

    /// Encodes the counts and the derived figures.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(truePositives, forKey: .truePositives)
        try container.encode(falsePositives, forKey: .falsePositives)
        try container.encode(falseNegatives, forKey: .falseNegatives)
        try container.encode(precision, forKey: .precision)
        try container.encode(recall, forKey: .recall)
        try container.encode(f1, forKey: .f1)
        try container.encode(support, forKey: .support)
    }

    /// Decodes the counts (derived figures are recomputed).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        truePositives = try container.decode(Int.self, forKey: .truePositives)
        falsePositives = try container.decode(Int.self, forKey: .falsePositives)
        falseNegatives = try container.decode(Int.self, forKey: .falseNegatives)
    }
}

/// Scores of a set of items: per-label metrics and their macro average.
public struct EvaluationScores: Sendable, Hashable, Codable {
    /// How many items were scored.
    public var items: Int
    /// Metrics per label (keyed by the label's raw value).
    public var labels: [String: LabelMetrics]
    /// How many items got exactly the expected label set.
    public var exactMatches: Int

    /// Creates scores.
    public init(items: Int, labels: [String: LabelMetrics], exactMatches: Int) {
        self.items = items
        self.labels = labels
        self.exactMatches = exactMatches
    }

    /// The unweighted mean of the labels' F1.
    public var macroF1: Double {
        Label.allCases.map { labels[$0.rawValue]?.f1 ?? 0 }.reduce(0, +) / Double(Label.allCases.count)
    }

    /// Scores `(expected, predicted)` label sets.
    public init(pairs: [(expected: Set<Label>, predicted: Set<Label>)]) {
        var metrics: [String: LabelMetrics] = [:]
        for label in Label.allCases {
            var counts = LabelMetrics(truePositives: 0, falsePositives: 0, falseNegatives: 0)
            for pair in pairs {
                switch (pair.expected.contains(label), pair.predicted.contains(label)) {
                case (true, true): counts.truePositives += 1
                case (false, true): counts.falsePositives += 1
                case (true, false): counts.falseNegatives += 1
                case (false, false): break
                }
            }
            metrics[label.rawValue] = counts
        }
        self.init(items: pairs.count, labels: metrics, exactMatches: pairs.filter { $0.expected == $0.predicted }.count)
    }

    private enum CodingKeys: String, CodingKey {
        case items, labels
        case exactMatches = "exact_matches"
        case macroF1 = "macro_f1"
    }

    /// Encodes the scores, including the macro-F1.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(labels, forKey: .labels)
        try container.encode(exactMatches, forKey: .exactMatches)
        try container.encode(macroF1, forKey: .macroF1)
    }

    /// Decodes the scores (the macro-F1 is recomputed).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        items = try container.decode(Int.self, forKey: .items)
        labels = try container.decode([String: LabelMetrics].self, forKey: .labels)
        exactMatches = try container.decode(Int.self, forKey: .exactMatches)
    }
}

/// An item whose predicted label set differs from the expected one.
public struct MisclassifiedItem: Sendable, Hashable, Codable {
    /// The item's identifier.
    public var id: String
    /// The language code.
    public var lang: String
    /// The headline.
    public var title: String
    /// The hand-assigned labels.
    public var expected: [Label]
    /// The classifier's labels.
    public var predicted: [Label]
    /// The classifier's score per label (keyed by the label's raw value).
    public var scores: [String: Double]
    /// The strongest evidence terms, `label:term`, for a quick look at why.
    public var topEvidence: [String]

    /// Creates a record of a misclassification.
    public init(
        id: String,
        lang: String,
        title: String,
        expected: [Label],
        predicted: [Label],
        scores: [String: Double],
        topEvidence: [String]
    ) {
        self.id = id
        self.lang = lang
        self.title = title
        self.expected = expected
        self.predicted = predicted
        self.scores = scores
        self.topEvidence = topEvidence
    }

    private enum CodingKeys: String, CodingKey {
        case id, lang, title, expected, predicted, scores
        case topEvidence = "top_evidence"
    }
}

/// The result of evaluating a classifier on labelled items.
public struct EvaluationReport: Sendable, Hashable, Codable {
    /// The model version evaluated.
    public var modelVersion: String
    /// Scores over all items.
    public var overall: EvaluationScores
    /// Scores per language code.
    public var languages: [String: EvaluationScores]
    /// Every item whose label set was wrong, in input order.
    public var misclassified: [MisclassifiedItem]

    /// Creates a report.
    public init(
        modelVersion: String,
        overall: EvaluationScores,
        languages: [String: EvaluationScores],
        misclassified: [MisclassifiedItem]
    ) {
        self.modelVersion = modelVersion
        self.overall = overall
        self.languages = languages
        self.misclassified = misclassified
    }

    private enum CodingKeys: String, CodingKey {
        case modelVersion = "model_version"
        case overall, languages, misclassified
    }

    /// The report as pretty-printed JSON with sorted keys.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain structs of strings and numbers cannot fail.
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    /// A human-readable report: a table per language and overall, then the misclassified items.
    public var text: String {
        var lines = ["model \(modelVersion)"]
        func table(_ name: String, _ scores: EvaluationScores) {
            lines.append("")
            lines.append(
                "\(name): \(scores.items) items, macro-F1 \(format(scores.macroF1)), exact \(scores.exactMatches)"
            )
            lines.append("  label       P      R      F1     TP  FP  FN")
            for label in Label.allCases {
                guard let metrics = scores.labels[label.rawValue] else { continue }
                let name = label.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
                lines.append(
                    "  \(name)  \(format(metrics.precision))  \(format(metrics.recall))  \(format(metrics.f1))  "
                        + "\(pad(metrics.truePositives)) \(pad(metrics.falsePositives)) \(pad(metrics.falseNegatives))"
                )
            }
        }
        for language in languages.keys.sorted() {
            table("language \(language)", languages[language]!)
        }
        if languages.count != 1 { table("overall", overall) }
        lines.append("")
        lines.append("misclassified: \(misclassified.count)")
        for item in misclassified {
            let expected = item.expected.map(\.rawValue).joined(separator: ",")
            let predicted = item.predicted.map(\.rawValue).joined(separator: ",")
            let scores = Label.allCases.map { "\($0.rawValue.prefix(3))=\(format(item.scores[$0.rawValue] ?? 0))" }
            lines.append(
                "  \(item.id) expected [\(expected)] got [\(predicted)] \(scores.joined(separator: " ")) — \(item.title)"
            )
            if !item.topEvidence.isEmpty {
                lines.append("      evidence: \(item.topEvidence.joined(separator: ", "))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func format(_ value: Double) -> String {
        String(format: "%.3f", value)
    }

    private func pad(_ value: Int) -> String {
        let text = String(value)
        return String(repeating: " ", count: max(0, 3 - text.count)) + text
    }
}

/// Evaluation of a classifier against hand-labelled items (the logic behind `khabar eval`).
public enum Evaluation {
    /// Classifies every item (first paragraph of `text` as the lead) and scores the result.
    public static func run(items: [LabelledItem], classifier: Classifier) -> EvaluationReport {
        var pairs: [(lang: String, expected: Set<Label>, predicted: Set<Label>)] = []
        var misclassified: [MisclassifiedItem] = []
        for item in items {
            let (lead, body) = item.leadAndBody
            let result = classifier.classify(title: item.title, lead: lead, body: body, language: item.language)
            let expected = Set(item.labels)
            let predicted = Set(result.labels)
            pairs.append((item.lang, expected, predicted))
            if expected != predicted {
                misclassified.append(
                    MisclassifiedItem(
                        id: item.id,
                        lang: item.lang,
                        title: item.title,
                        expected: expected.sorted(),
                        predicted: result.labels,
                        scores: Dictionary(uniqueKeysWithValues: result.scores.map { ($0.key.rawValue, $0.value) }),
                        topEvidence: result.evidence.prefix(6).map { "\($0.label.rawValue):\($0.term)" }
                    )
                )
            }
        }
        var languages: [String: EvaluationScores] = [:]
        for lang in Set(pairs.map(\.lang)) {
            languages[lang] = EvaluationScores(
                pairs: pairs.filter { $0.lang == lang }.map { ($0.expected, $0.predicted) }
            )
        }
        return EvaluationReport(
            modelVersion: classifier.lexicon.version,
            overall: EvaluationScores(pairs: pairs.map { ($0.expected, $0.predicted) }),
            languages: languages,
            misclassified: misclassified
        )
    }
}

/// Labels are encoded as their raw values (`"politics"`, …), as in the dev set and the record.
extension Label: Codable {}
