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
        // The `Resources` folder is copied whole; depending on the platform's bundle layout Foundation reports
        // either the bundle or that folder as the resource directory.
        let bundle = Bundle.module
        let candidates = [bundle.resourceURL, bundle.bundleURL].compactMap { $0 }.flatMap {
            [$0.appendingPathComponent("Resources/lexicon"), $0.appendingPathComponent("lexicon")]
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("model.tsv").path) }
            ?? candidates[0]
    }

    /// The classifier over the lexicon sources bundled with the binary (built once, then shared).
    public static func bundled() throws(LexiconError) -> Classifier {
        try bundledResult.get()
    }

    /// Classifies an article from its headline, lead paragraph and remaining paragraphs.
    public func classify(title: String, lead: String, body: [String], language: Language) -> Classification {
        let parameters = lexicon.parameters
        let labelCount = Label.allCases.count

        // Pass 1: match every segment; give each occurrence its repeat factor (decay^n for the n-th repeat of
        // the same node, in document order); sum context evidence and the labels' unsuppressed evidence.
        // One flat buffer of occurrences; each segment is a range of it (fewer allocations per article).
        var segments: [Segment] = []
        var occurrences: [(node: Int32, factor: Double)] = []
        var repeats: [Int32: Double] = [:]  // node → factor of its next occurrence
        var ids: [Int32] = []
        func scan(_ text: String, zone: Zone, multiplier: Double) {
            let first = occurrences.count
            lexicon.stemIDs(of: text, into: &ids)
            lexicon.forEachMatch(in: ids) { node, _, _ in
                let factor = repeats[node, default: 1]
                repeats[node] = factor * parameters.repeatDecay
                occurrences.append((node, factor))
            }
            lexicon.forEachMatch(in: ids, root: lexicon.stateRoot) { node, _, _ in
                occurrences.append((node, 1))
            }
            if occurrences.count > first {
                segments.append(Segment(zone: zone, multiplier: multiplier, occurrences: first..<occurrences.count))
            }
        }
        scan(title, zone: .title, multiplier: parameters.titleWeight)
        scan(lead, zone: .lead, multiplier: parameters.leadWeight)
        var bodyMultiplier = parameters.bodyWeight
        for paragraph in body {
            scan(paragraph, zone: .body, multiplier: bodyMultiplier)
            bodyMultiplier = max(parameters.bodyFloor, bodyMultiplier * parameters.bodyDecay)
        }
        var labelRaw = [Double](repeating: 0, count: labelCount)
        var contextRaw = [Double](repeating: 0, count: lexicon.contextDomains.count)
        for segment in segments {
            for (node, factor) in occurrences[segment.occurrences] {
                for vote in lexicon.nodes[Int(node)].votes {
                    let weight = vote.weight * factor * segment.multiplier
                    switch vote.channel {
                    case .label(let label): labelRaw[label.index] += weight
                    case .context(let domain): contextRaw[domain] += weight
                    case .state: break
                    }
                }
            }
        }

        // Pass 2: per segment and label, sum the (possibly suppressed) votes, subtract the zone's noise floor —
        // a passing mention does not earn a label (convention 1) — and weight what remains by the zone.
        var finalRaw = [Double](repeating: 0, count: labelCount)
        var contributions: [EvidenceKey: (weight: Double, zone: Zone, count: Int)] = [:]
        var sums = [Double](repeating: 0, count: labelCount)
        var scales = [Double](repeating: 0, count: labelCount)
        var terms: [(key: EvidenceKey, weight: Double)] = []
        var states: [(state: Int, vote: Lexicon.Vote)] = []
        for segment in segments {
            for index in 0..<labelCount { sums[index] = 0 }
            terms.removeAll(keepingCapacity: true)
            states.removeAll(keepingCapacity: true)
            for (node, factor) in occurrences[segment.occurrences] {
                for vote in lexicon.nodes[Int(node)].votes {
                    if case .state(let state) = vote.channel, !states.contains(where: { $0.state == state }) {
                        states.append((state, vote))
                    }
                    guard case .label(let label) = vote.channel else { continue }
                    var weight = vote.weight * factor
                    if suppressed(vote.suppressors, label: label, labelRaw: labelRaw, contextRaw: contextRaw) {
                        weight *= parameters.contextFactor
                    }
                    sums[label.index] += weight
                    terms.append((EvidenceKey(label: label, term: vote.term), weight))
                }
            }
            // Co-occurrence rule: a segment naming several different states is about relations between them.
            let extraStates = min(Double(states.count - 1), parameters.stateMax)
            if extraStates > 0 && parameters.stateWeight > 0 {
                let share = parameters.stateWeight * extraStates / Double(states.count)
                for (_, vote) in states {
                    var weight = share
                    if suppressed(vote.suppressors, label: .diplomacy, labelRaw: labelRaw, contextRaw: contextRaw) {
                        weight *= parameters.contextFactor
                    }
                    sums[Label.diplomacy.index] += weight
                    terms.append((EvidenceKey(label: .diplomacy, term: vote.term), weight))
                }
            }
            let floor = parameters.floor(for: segment.zone)
            for index in 0..<labelCount {
                scales[index] = 0
                guard sums[index] > floor else { continue }
                let kept = sums[index] - floor
                finalRaw[index] += kept * segment.multiplier
                scales[index] = kept / sums[index] * segment.multiplier
            }
            for (key, weight) in terms {
                let scaled = weight * scales[key.label.index]
                if var existing = contributions[key] {
                    existing.weight += scaled
                    existing.count += 1
                    contributions[key] = existing
                } else {
                    contributions[key] = (scaled, segment.zone, 1)
                }
            }
        }
        var evidence = contributions.compactMap { key, value -> Evidence? in
            guard value.weight > 0 else { return nil }
            return Evidence(
                label: key.label,
                term: lexicon.termNames[Int(key.term)],
                weight: value.weight,
                zone: value.zone,
                count: value.count
            )
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
        let strongest = finalRaw.max() ?? 0
        for label in Label.allCases {
            let raw = finalRaw[label.index]
            let scale = parameters.scales[label] ?? 6
            let score = 1 - exp(-raw / scale)
            scores[label] = score
            if score >= thresholds[label] ?? 0.5 && raw >= parameters.secondaryRatio * strongest {
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

/// The lexicon matches of one zone segment (the title, the lead, or one body paragraph).
private struct Segment {
    var zone: Zone
    var multiplier: Double
    /// The segment's matched trie nodes (each with its repeat factor), as a range of the article's buffer.
    var occurrences: Range<Int>
}

/// Evidence is aggregated per label and lexicon term.
private struct EvidenceKey: Hashable {
    var label: Label
    var term: Int32
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
