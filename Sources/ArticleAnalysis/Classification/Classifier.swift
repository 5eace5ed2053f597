import Foundation

/// Multi-label topical classifier (politics, security, diplomacy) driven by a weighted ``Lexicon``.
///
/// For each label the raw score is the sum, over matched terms, of the term's weight times its zone
/// multiplier (title ≫ lead > body, decaying along the body), with diminishing returns for repeats. Context
/// domains (sports, economy, …) suppress the entries that name them when they dominate the article. The score
/// is `1 − exp(−raw / k)` and a label is assigned when the score reaches its threshold.
public struct Classifier: Sendable {
    /// The model.
    public let lexicon: Lexicon

    /// Creates a classifier over `lexicon`.
    public init(lexicon: Lexicon) {
        self.lexicon = lexicon
    }

    private static let bundledResult: Result<Classifier, LexiconError> = Result { () throws(LexiconError) in
        try Classifier(lexicon: Lexicon(source: LexiconSource.load(directory: bundledLexiconDirectory)))
    }

    /// The directory of the lexicon sources shipped with the binary.
    public static var bundledLexiconDirectory: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Resources/lexicon", isDirectory: true)
    }

    /// The classifier over the lexicon sources bundled with the binary (built once, then shared).
    public static func bundled() throws(LexiconError) -> Classifier {
        try bundledResult.get()
    }

    /// Classifies an article from its headline, lead paragraph and remaining paragraphs.
    public func classify(title: String, lead: String, body: [String], language: Language) -> Classification {
        let parameters = lexicon.parameters
        var hits: [Int32: Hit] = [:]
        func scan(_ text: String, zone: Zone, multiplier: Double) {
            lexicon.forEachMatch(in: lexicon.stemIDs(of: text)) { node, _, _ in
                hits[node, default: Hit(zone: zone)].add(multiplier, decay: parameters.repeatDecay)
            }
        }
        scan(title, zone: .title, multiplier: parameters.titleWeight)
        scan(lead, zone: .lead, multiplier: parameters.leadWeight)
        var bodyMultiplier = parameters.bodyWeight
        for paragraph in body {
            scan(paragraph, zone: .body, multiplier: bodyMultiplier)
            bodyMultiplier = max(parameters.bodyFloor, bodyMultiplier * parameters.bodyDecay)
        }

        var labelRaw: [Double] = Array(repeating: 0, count: Label.allCases.count)
        var contextRaw: [Double] = Array(repeating: 0, count: lexicon.contextDomains.count)
        // Sorted so that floating-point sums are always added in the same order: scores are deterministic.
        let ordered = hits.sorted { $0.key < $1.key }
        for (node, hit) in ordered {
            for vote in lexicon.nodes[Int(node)].votes {
                switch vote.channel {
                case .label(let label): labelRaw[label.index] += vote.weight * hit.sum
                case .context(let domain): contextRaw[domain] += vote.weight * hit.sum
                }
            }
        }

        var finalRaw: [Double] = Array(repeating: 0, count: Label.allCases.count)
        var evidence: [Evidence] = []
        for (node, hit) in ordered {
            for vote in lexicon.nodes[Int(node)].votes {
                guard case .label(let label) = vote.channel else { continue }
                var weight = vote.weight * hit.sum
                if suppressed(vote.suppressors, label: label, labelRaw: labelRaw, contextRaw: contextRaw) {
                    weight *= parameters.contextFactor
                }
                guard weight > 0 else { continue }
                finalRaw[label.index] += weight
                evidence.append(
                    Evidence(
                        label: label,
                        term: lexicon.termNames[Int(vote.term)],
                        weight: weight,
                        zone: hit.zone,
                        count: hit.count
                    )
                )
            }
        }
        evidence.sort { lhs, rhs in
            lhs.weight != rhs.weight
                ? lhs.weight > rhs.weight
                : (lhs.label, lhs.term) < (rhs.label, rhs.term)
        }

        let thresholds = parameters.thresholds(for: language)
        var scores: [Label: Double] = [:]
        var labels: [Label] = []
        var primary: Label?
        for label in Label.allCases {
            let scale = parameters.scales[label] ?? 6
            let score = 1 - exp(-finalRaw[label.index] / scale)
            scores[label] = score
            if score >= thresholds[label] ?? 0.5 {
                labels.append(label)
                if primary.map({ score > scores[$0]! }) ?? true { primary = label }
            }
        }
        return Classification(
            labels: labels,
            primary: primary,
            scores: scores,
            thresholds: thresholds,
            evidence: evidence,
            modelVersion: lexicon.version
        )
    }

    /// Whether an active context domain named in `suppressors` dominates the label's own evidence.
    private func suppressed(_ suppressors: UInt64, label: Label, labelRaw: [Double], contextRaw: [Double]) -> Bool {
        guard suppressors != 0 else { return false }
        let parameters = lexicon.parameters
        for domain in contextRaw.indices where suppressors & (1 << UInt64(domain)) != 0 {
            let raw = contextRaw[domain]
            if raw >= parameters.contextThreshold && raw >= parameters.contextDominance * labelRaw[label.index] {
                return true
            }
        }
        return false
    }
}

/// The occurrences of one lexicon node in an article.
private struct Hit {
    /// The first (most prominent) zone the node matched in.
    var zone: Zone
    /// How many times it matched.
    var count = 0
    /// Σ multiplierᵢ · decayⁱ over occurrences in document order (title, lead, body: non-increasing multipliers).
    var sum = 0.0

    mutating func add(_ multiplier: Double, decay: Double) {
        sum += multiplier * pow(decay, Double(count))
        count += 1
    }
}

extension Label {
    /// The position of the label in ``Label/allCases``.
    fileprivate var index: Int {
        switch self {
        case .politics: 0
        case .security: 1
        case .diplomacy: 2
        }
    }
}
