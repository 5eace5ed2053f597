/// The topical labels khabar assigns. An article carries any subset of them, possibly none.
///
/// Definitions (from the team's labelling guide):
/// - ``politics``: domestic political life of a state — government, parliament, elections, parties, legislation.
/// - ``security``: armed forces, wars, terrorism and militant groups, attacks, security-service operations.
/// - ``diplomacy``: relations between states or with international organisations.
public enum Label: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Domestic political life of a state or territory.
    case politics
    /// Armed forces, conflict, terrorism, security operations.
    case security
    /// Relations between states or with international organisations.
    case diplomacy

    /// Orders labels in their canonical order (politics, security, diplomacy).
    public static func < (lhs: Label, rhs: Label) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The part of an article a piece of evidence was found in. Earlier zones weigh more.
public enum Zone: String, Sendable, Hashable, CaseIterable {
    /// The headline.
    case title
    /// The lead paragraph (and highlights).
    case lead
    /// Everything after the lead.
    case body
}

/// The language of an article as detected by the analyser.
public enum Language: String, Sendable, Hashable, CaseIterable {
    /// Arabic.
    case arabic = "ar"
    /// English.
    case english = "en"
    /// Anything else, or too little text to tell.
    case other
}

/// One matched lexicon entry that contributed to a label's score.
public struct Evidence: Sendable, Hashable {
    /// The label the entry votes for.
    public var label: Label
    /// The matched term or phrase, as written in the lexicon.
    public var term: String
    /// The total contribution of this term to the label's raw score (after zone weighting).
    public var weight: Double
    /// The most prominent zone the term matched in.
    public var zone: Zone
    /// How many times the term matched.
    public var count: Int

    /// Creates a piece of evidence.
    public init(label: Label, term: String, weight: Double, zone: Zone, count: Int) {
        self.label = label
        self.term = term
        self.weight = weight
        self.zone = zone
        self.count = count
    }
}

/// The classifier's decision for one article: a score per label, the assigned labels and why.
///
/// Encoded in the record as `classification` (see `docs/record-schema.md`):
/// `{"primary": "security"|null, "scores": {"politics": 0.12, ...}, "thresholds": {...},
///   "evidence": [{"label", "term", "weight", "zone", "count"}], "model_version": "..."}`
/// and the record's top-level `labels` array is ``labels``.
public struct Classification: Sendable, Hashable {
    /// The assigned labels, in canonical order (politics, security, diplomacy); possibly empty.
    public var labels: [Label]
    /// The assigned label with the highest score, or `nil` when none is assigned.
    public var primary: Label?
    /// A score in [0, 1] for every label.
    public var scores: [Label: Double]
    /// The per-label decision thresholds the scores were compared against.
    public var thresholds: [Label: Double]
    /// The matched terms that produced the scores, strongest first.
    public var evidence: [Evidence]
    /// The version of the lexicon (the model) that produced this decision.
    public var modelVersion: String

    /// Creates a classification.
    public init(
        labels: [Label],
        primary: Label?,
        scores: [Label: Double],
        thresholds: [Label: Double],
        evidence: [Evidence],
        modelVersion: String
    ) {
        self.labels = labels
        self.primary = primary
        self.scores = scores
        self.thresholds = thresholds
        self.evidence = evidence
        self.modelVersion = modelVersion
    }
}
