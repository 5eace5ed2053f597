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

    private static let bundledResult: Result<Classifier, AnalysisError> = Result { () throws(AnalysisError) in
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
    public static func bundled() throws(AnalysisError) -> Classifier {
        try bundledResult.get()
    }

    /// Classifies an article from its headline, lead paragraph and remaining paragraphs.
    public func classify(title: String, lead: String, body: [String], language: Language) -> Classification {
        var ids: [Int32] = []
        ids.reserveCapacity((title.utf8.count + lead.utf8.count + body.reduce(0) { $0 + $1.utf8.count }) / 5)
        var segments: [(tokens: Range<Int>, zone: Zone)] = []
        segments.reserveCapacity(body.count + 2)
        // A plain loop rather than a nested function: appending to an array captured by a nested function's
        // closure defeated the in-place append (the article cost ~250 µs more).
        for index in -2..<body.count {
            let text = index == -2 ? title : index == -1 ? lead : body[index]
            let first = ids.count
            Self.appendStemIDs(of: text, lexicon: lexicon, to: &ids)
            segments.append((first..<ids.count, index == -2 ? .title : index == -1 ? .lead : .body))
        }
        return classify(stemIDs: ids, segments: segments, language: language)
    }

    /// Appends the lexicon stem identifiers of the words of `text` to `ids`.
    private static func appendStemIDs(of text: String, lexicon: Lexicon, to ids: inout [Int32]) {
        // Capture the small table, not the whole `Lexicon`: the closure would copy it (≈ 20 retains) per word.
        let table = lexicon.stemTable
        TextNormalizer.forEachWord(in: text) { word in ids.append(table.identifier(of: word.stemHash)) }
    }

    /// Classifies an article the analyser has already tokenised: the fast entry point (no second tokenisation).
    ///
    /// Same model and scoring as ``classify(title:lead:body:language:)``; each of the text's segments (title,
    /// lead, every highlight, every paragraph) is one zone segment, so highlights count as separate lead
    /// segments rather than as part of one lead.
    func classify(_ text: ArticleText, language: Language) -> Classification {
        let ids = lexicon.stemTable.identifiers(of: text.tokens)
        var segments = [(tokens: Range<Int>, zone: Zone)]()
        segments.reserveCapacity(text.segments.count)
        text.tokens.withUnsafeBufferPointer { tokens in
            var token = 0
            for (index, segment) in text.segments.enumerated() {
                let first = token
                while token < tokens.count && tokens[token].segment == index { token += 1 }
                segments.append((first..<token, segment.zone))
            }
        }
        return classify(stemIDs: ids, segments: segments, language: language)
    }

    /// The scorer: `ids` are the article's stem identifiers (−1 for stems the lexicon does not use), `segments`
    /// the token ranges of its title, lead and body segments in order.
    private func classify(stemIDs ids: [Int32], segments: [(tokens: Range<Int>, zone: Zone)], language: Language)
        -> Classification
    {
        let parameters = lexicon.parameters
        let labelCount = Label.allCases.count

        // Pass 1: match every segment; give each occurrence its repeat factor (decay^n for the n-th repeat of
        // the same node, in document order); sum context evidence and the labels' unsuppressed evidence.
        // One flat buffer of occurrences; each matched segment is a range of it.
        var matched: [(multiplier: Double, zone: Zone, occurrences: Range<Int>)] = []
        matched.reserveCapacity(segments.count)
        var occurrences: [(node: Int32, factor: Double)] = []
        occurrences.reserveCapacity(64)
        // Repeat counts of the few nodes an article matches (a table over all trie nodes cost more to clear).
        var repeats = RepeatCounts()
        var bodyMultiplier = parameters.bodyWeight
        let repeatFactors = lexicon.repeatFactors
        let (votes, voteStarts) = (lexicon.votes, lexicon.voteStarts)
        ids.withUnsafeBufferPointer { ids in
            for segment in segments {
                let multiplier: Double
                switch segment.zone {
                case .title: multiplier = parameters.titleWeight
                case .lead: multiplier = parameters.leadWeight
                case .body:
                    multiplier = bodyMultiplier
                    bodyMultiplier = max(parameters.bodyFloor, bodyMultiplier * parameters.bodyDecay)
                }
                let first = occurrences.count
                lexicon.forEachMatch(in: ids, segment.tokens, root: 0) { node, _, _ in
                    occurrences.append((Int32(node), repeatFactors[Int(repeats.next(Int32(node)))]))
                }
                lexicon.forEachMatch(in: ids, segment.tokens, root: Int(lexicon.stateRoot)) { node, _, _ in
                    occurrences.append((Int32(node), 1))
                }
                if occurrences.count > first {
                    matched.append((multiplier, segment.zone, first..<occurrences.count))
                }
            }
        }
        var labelRaw = (0.0, 0.0, 0.0)
        var contextRaw = [Double](repeating: 0, count: lexicon.contextDomains.count)
        for segment in matched {
            for (node, factor) in occurrences[segment.occurrences] {
                for index in Int(voteStarts[Int(node)])..<Int(voteStarts[Int(node) + 1]) {
                    let vote = votes[index]
                    let weight = vote.weight * factor * segment.multiplier
                    switch vote.channel {
                    case .label(.politics): labelRaw.0 += weight
                    case .label(.security): labelRaw.1 += weight
                    case .label(.diplomacy): labelRaw.2 += weight
                    case .context(let domain): contextRaw[domain] += weight
                    case .state: break
                    }
                }
            }
        }
        // Per label, the context domains that are active and dominate the label's own evidence: a vote naming
        // one of them is suppressed.
        var suppressing: (UInt64, UInt64, UInt64) = (0, 0, 0)
        for (domain, raw) in contextRaw.enumerated() where raw >= parameters.contextThreshold {
            let bit: UInt64 = 1 << UInt64(domain)
            if raw >= parameters.contextDominance * labelRaw.0 { suppressing.0 |= bit }
            if raw >= parameters.contextDominance * labelRaw.1 { suppressing.1 |= bit }
            if raw >= parameters.contextDominance * labelRaw.2 { suppressing.2 |= bit }
        }
        func suppressed(_ suppressors: UInt64, _ label: Label) -> Bool {
            switch label {
            case .politics: suppressors & suppressing.0 != 0
            case .security: suppressors & suppressing.1 != 0
            case .diplomacy: suppressors & suppressing.2 != 0
            }
        }

        // Pass 2: per segment and label, sum the (possibly suppressed) votes, subtract the zone's noise floor —
        // a passing mention does not earn a label (convention 1) — and weight what remains by the zone.
        // Per label (lanes 0–2, indexed like `Label.allCases`; lane 3 unused): no heap arrays.
        var finalRaw = SIMD4<Double>(repeating: 0)
        var evidence = EvidenceTable()
        var sums = SIMD4<Double>(repeating: 0)
        var scales = SIMD4<Double>(repeating: 0)
        var terms: [(key: Int32, weight: Double)] = []
        var states: [(state: Int, vote: Lexicon.Vote)] = []
        terms.reserveCapacity(32)
        states.reserveCapacity(8)
        for segment in matched {
            for index in 0..<labelCount { sums[index] = 0 }
            if !terms.isEmpty { terms.removeAll(keepingCapacity: true) }
            if !states.isEmpty { states.removeAll(keepingCapacity: true) }
            for (node, factor) in occurrences[segment.occurrences] {
                for index in Int(voteStarts[Int(node)])..<Int(voteStarts[Int(node) + 1]) {
                    let vote = votes[index]
                    if case .state(let state) = vote.channel, !states.contains(where: { $0.state == state }) {
                        states.append((state, vote))
                    }
                    guard case .label(let label) = vote.channel else { continue }
                    var weight = vote.weight * factor
                    if suppressed(vote.suppressors, label) { weight *= parameters.contextFactor }
                    sums[label.index] += weight
                    terms.append((EvidenceTable.key(label, vote.term), weight))
                }
            }
            // Co-occurrence rule: a segment naming several different states is about relations between them.
            let extraStates = min(Double(states.count - 1), parameters.stateMax)
            if extraStates > 0 && parameters.stateWeight > 0 {
                let share = parameters.stateWeight * extraStates / Double(states.count)
                for (_, vote) in states {
                    var weight = share
                    if suppressed(vote.suppressors, .diplomacy) { weight *= parameters.contextFactor }
                    sums[Label.diplomacy.index] += weight
                    terms.append((EvidenceTable.key(.diplomacy, vote.term), weight))
                }
            }
            let floor =
                switch segment.zone {
                case .title: lexicon.zoneFloors.0
                case .lead: lexicon.zoneFloors.1
                case .body: lexicon.zoneFloors.2
                }
            for index in 0..<labelCount {
                scales[index] = 0
                guard sums[index] > floor else { continue }
                let kept = sums[index] - floor
                finalRaw[index] += kept * segment.multiplier
                scales[index] = kept / sums[index] * segment.multiplier
            }
            for (key, weight) in terms {
                evidence.add(key, weight: weight * scales[Int(key & 3)], zone: segment.zone)
            }
        }

        let thresholds = lexicon.languageThresholds[language.index]
        var scores: [Label: Double] = [:]
        scores.reserveCapacity(labelCount)
        var labels: [Label] = []
        var primary: Label?
        var primaryScore = -1.0
        let strongest = max(finalRaw[0], finalRaw[1], finalRaw[2])
        for label in Label.allCases {
            let raw = finalRaw[label.index]
            let scale = lexicon.labelScales[label.index]
            let score = 1 - exp(-raw / scale)
            scores[label] = score
            if score >= thresholds[label] ?? 0.5 && raw >= parameters.secondaryRatio * strongest {
                labels.append(label)
                if score > primaryScore {
                    primary = label
                    primaryScore = score
                }
            }
        }
        return Classification(
            labels: labels,
            primary: primary,
            scores: scores,
            thresholds: thresholds,
            evidence: evidence.strongest(parameters.maxEvidence, names: lexicon.termNames),
            modelVersion: lexicon.version
        )
    }
}

/// How often each trie node has matched so far in an article: a small open-addressing table over the matched
/// nodes only.
private struct RepeatCounts {
    private var nodes = [Int32](repeating: -1, count: 64)
    private var counts = [UInt8](repeating: 0, count: 64)
    private var used = 0

    /// The number of earlier matches of `node` (at most 255); counts this one.
    mutating func next(_ node: Int32) -> UInt8 {
        var slot = Int((UInt32(bitPattern: node) &* 0x9E37_79B1) >> 16) & (nodes.count - 1)
        while nodes[slot] >= 0 && nodes[slot] != node { slot = (slot + 1) & (nodes.count - 1) }
        if nodes[slot] < 0 {
            nodes[slot] = node
            used += 1
            if used * 2 > nodes.count {
                grow()
                return next(node)
            }
        }
        let seen = counts[slot]
        counts[slot] = seen &+ (seen < 255 ? 1 : 0)
        return seen
    }

    private mutating func grow() {
        let (oldNodes, oldCounts) = (nodes, counts)
        nodes = [Int32](repeating: -1, count: oldNodes.count * 2)
        counts = [UInt8](repeating: 0, count: oldNodes.count * 2)
        for (node, count) in zip(oldNodes, oldCounts) where node >= 0 {
            var slot = Int((UInt32(bitPattern: node) &* 0x9E37_79B1) >> 16) & (nodes.count - 1)
            while nodes[slot] >= 0 { slot = (slot + 1) & (nodes.count - 1) }
            nodes[slot] = node
            counts[slot] = count
        }
    }
}

/// Evidence aggregated per (label, lexicon term) in a small open-addressing table: total contribution, first
/// (most prominent) zone, number of matches. Built per article; no `String` is touched until the strongest
/// entries are rendered.
private struct EvidenceTable {
    private struct Entry {
        var key: Int32
        var zone: Zone
        var count: Int
        var weight: Double
    }

    private var slots = [Int32](repeating: -1, count: 64)
    private var entries: [Entry] = []

    init() {
        entries.reserveCapacity(32)
    }

    /// The key of a (label, term) pair: `term << 2 | label index`.
    static func key(_ label: Label, _ term: Int32) -> Int32 {
        term << 2 | Int32(label.index)
    }

    mutating func add(_ key: Int32, weight: Double, zone: Zone) {
        var slot = Int((UInt32(bitPattern: key) &* 0x9E37_79B1) >> 16) & (slots.count - 1)
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { break }
            if entries[entry].key == key {
                entries[entry].weight += weight
                entries[entry].count += 1
                return
            }
            slot = (slot + 1) & (slots.count - 1)
        }
        slots[slot] = Int32(entries.count)
        entries.append(Entry(key: key, zone: zone, count: 1, weight: weight))
        if entries.count * 2 > slots.count { grow() }
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        for (index, entry) in entries.enumerated() {
            var slot = Int((UInt32(bitPattern: entry.key) &* 0x9E37_79B1) >> 16) & (slots.count - 1)
            while slots[slot] >= 0 { slot = (slot + 1) & (slots.count - 1) }
            slots[slot] = Int32(index)
        }
    }

    /// The `limit` strongest positive entries, strongest first (ties: label, then term, in canonical order).
    func strongest(_ limit: Int, names: [String]) -> [Evidence] {
        var order = entries.filter { $0.weight > 0 }
        order.sort { lhs, rhs in
            if lhs.weight != rhs.weight { return lhs.weight > rhs.weight }
            let (left, right) = (lhs.key & 3, rhs.key & 3)
            if left != right { return left < right }
            return names[Int(lhs.key >> 2)] < names[Int(rhs.key >> 2)]
        }
        return order.prefix(limit).map { entry in
            Evidence(
                label: Label.allCases[Int(entry.key & 3)],
                term: names[Int(entry.key >> 2)],
                weight: entry.weight,
                zone: entry.zone,
                count: entry.count
            )
        }
    }
}

extension Language {
    /// The position of the language in ``Language/allCases``.
    fileprivate var index: Int {
        switch self {
        case .arabic: 0
        case .english: 1
        case .other: 2
        }
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
