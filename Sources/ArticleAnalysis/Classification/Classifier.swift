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
        let startRoots = lexicon.startRoots
        let starts = (0..<2).map { root in
            ids.indices.compactMap { ids[$0] >= 0 && startRoots[Int(ids[$0])] >> root & 1 != 0 ? Int32($0) : nil }
        }
        return ids.withUnsafeBufferPointer { ids in
            starts[0].withUnsafeBufferPointer { starts0 in
                starts[1].withUnsafeBufferPointer { starts1 in
                    segments.withUnsafeBufferPointer { segments in
                        classify(stemIDs: ids, starts: (starts0, starts1), segments: segments, language: language)
                    }
                }
            }
        }
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
        let count = text.tokens.count
        let segmentCount = text.segments.count
        // Scratch buffers in one plain allocation. `words` holds the stem identifiers, then the positions where a
        // match of the first trie may start, then those of the second trie: `count` each.
        typealias Segment = (tokens: Range<Int>, zone: Zone)
        var arena = Arena(
            byteCount: Arena.size(of: Int32.self, 3 * count) + Arena.size(of: Segment.self, segmentCount))
        defer { arena.deallocate() }
        let words = arena.take(Int32.self, max(3 * count, 1))
        let segments = arena.take(Segment.self, segmentCount)
        // The stem identifiers and start positions, and the token range of every segment.
        let (count0, count1) = text.tokens.withUnsafeBufferPointer { tokens in
            Self.segmentPass(tokens, zones: text.segments, segments: segments)
            return lexicon.startFilter.withUnsafeBufferPointer { filter in
                lexicon.startTable.withLookup { table in
                    Self.stemPass(tokens, filter: filter, table: table, words: words.baseAddress!)
                }
            }
        }
        return classify(
            stemIDs: UnsafeBufferPointer(rebasing: words[..<count]),
            starts: (
                UnsafeBufferPointer(rebasing: words[count..<(count + count0)]),
                UnsafeBufferPointer(rebasing: words[(2 * count)..<(2 * count + count1)])
            ),
            segments: UnsafeBufferPointer(segments),
            language: language
        )
    }

    /// Pass 0 of ``classify(_:language:)``: writes the stem identifier of every token (−1 for stems the lexicon
    /// does not use) to `words[0..<n]` (`n` = `tokens.count`), the positions where a match of the first trie may
    /// start to `words[n...]` and those of the second trie to `words[2n...]`; returns the two numbers of positions.
    /// `filter` is ``Lexicon/startFilter``: the tokens it rejects (most) get −1 (see
    /// ``StemTable/Lookup/identifier(of:mask:)``).
    /// Out of line, with only the loop's own values live: inlined in its caller, they did not fit the registers.
    @inline(never)
    private static func stemPass(
        _ tokens: UnsafeBufferPointer<ArticleText.TokenInfo>, filter: UnsafeBufferPointer<UInt8>,
        table: StemTable.Lookup, words: UnsafeMutablePointer<Int32>
    ) -> (Int, Int) {
        let count = tokens.count
        let ids = words
        // The next position of each start list (the second and third `count` entries of `words`), moved on by one
        // when a trie may start at the token: pointers rather than counts over bases, so that the loop's values fit
        // the registers.
        var (next0, next1) = (words + count, words + 2 * count)
        // The tokens read through a moving pointer (one add per token, rather than an index times the stride).
        guard var token = tokens.baseAddress else { return (0, 0) }
        for index in 0..<count {
            // `token` is `tokens.baseAddress + index`, in bounds: `index` < `count`.
            let stem = token.pointee.stem
            token += 1
            // All ones when the stem may be in the lexicon (in bounds: the filter has 65,536 entries, the index 16
            // bits); `identifier << 2 | start roots`, or −1. Whether a word is in the lexicon varies from word to
            // word: nothing below branches on it.
            let mask = 0 &- UInt64(filter[Int(truncatingIfNeeded: stem & 0xFFFF)])
            let entry = table.identifier(of: stem, mask: mask)
            // `index` < `count`: in bounds of the first third of `words`. −1 stays −1.
            ids[index] = entry >> 2
            // Each list holds at most `index` < `count` positions so far: in bounds of its third. The position is
            // written at every word and kept when a trie may start there (never for −1, read as 0).
            let starts = Int(max(entry, 0))
            next0.pointee = Int32(truncatingIfNeeded: index)
            next0 += starts & 1
            next1.pointee = Int32(truncatingIfNeeded: index)
            next1 += starts >> 1 & 1
        }
        return (next0 - (words + count), next1 - (words + 2 * count))
    }

    /// Writes the token range and zone of every segment of the text (`zones`: the text's segments) to `segments`.
    /// Tokens are in segment order and a segment may have none: a binary search finds where each one ends.
    private static func segmentPass(
        _ tokens: UnsafeBufferPointer<ArticleText.TokenInfo>, zones: [(range: Range<Int>, zone: Zone)],
        segments: UnsafeMutableBufferPointer<(tokens: Range<Int>, zone: Zone)>
    ) {
        var start = 0
        for segment in zones.indices {
            var (low, high) = (start, tokens.count)
            while low < high {
                let middle = (low + high) / 2
                if tokens[middle].segment <= segment { low = middle + 1 } else { high = middle }
            }
            segments.initializeElement(at: segment, to: (start..<low, zones[segment].zone))
            start = low
        }
    }

    /// The scorer: `ids` are the article's stem identifiers (−1 for stems the lexicon does not use), `starts` the
    /// positions where a match of the label and context trie, and of the state trie, may start (ascending),
    /// `segments` the token ranges of its title, lead and body segments in order.
    private func classify(
        stemIDs ids: UnsafeBufferPointer<Int32>,
        starts: (UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Int32>),
        segments: UnsafeBufferPointer<(tokens: Range<Int>, zone: Zone)>,
        language: Language
    ) -> Classification {
        let weights = lexicon.weights
        // Pass 1: match every segment (label and context terms, then state names: each a left-to-right longest
        // match, at most one per start position); give each occurrence its repeat factor (decay^n for the n-th
        // repeat of the same node, in document order); sum, as the matches are found, the labels' unsuppressed
        // evidence and each context domain's evidence. One flat buffer of occurrences; each matched segment is a
        // range of it.
        typealias Occurrence = (node: Int32, factor: Double)
        typealias Matched = (multiplier: Double, zone: Zone, occurrences: Range<Int>)
        let occurrenceCount = starts.0.count + starts.1.count
        var arena = Arena(
            byteCount: Buffer<Occurrence>.size(occurrenceCount) + Buffer<Matched>.size(segments.count)
                + RepeatCounts.arenaSize(starts.0.count))
        defer { arena.deallocate() }
        var occurrences = Buffer<Occurrence>(&arena, capacity: occurrenceCount)
        var matched = Buffer<Matched>(&arena, capacity: segments.count)
        var repeats = RepeatCounts(&arena, capacity: starts.0.count)
        var bodyMultiplier = weights.body
        var next = (0, 0)
        var voteCount = 0
        // Per label (indexed like `Label.allCases`), the unsuppressed evidence; per label, the context domains that
        // are active and dominate that evidence: a vote naming one of them is suppressed.
        var suppressing = SIMD4<UInt64>(repeating: 0)
        // The label sums (3) then the context domains' (at most 64, checked when the lexicon is built): a small stack
        // buffer (a `SIMD4` lane indexed by a variable went through memory at every vote).
        let domainCount = lexicon.contextDomains.count
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 + domainCount) { raw in
            raw.initialize(repeating: 0)
            lexicon.withTrie { trie in
                /// Adds the occurrence of `node` to the label and context sums; returns its number of votes.
                func tally(_ node: Int, factor: Double, multiplier: Double) -> Int {
                    let range = trie.votes(of: node)
                    for vote in trie.votes[range] {
                        let weight = vote.weight * factor * multiplier
                        if vote.kind < 3 {
                            // 0–2: in bounds.
                            raw[Int(vote.kind)] += weight
                        } else if vote.kind == Lexicon.FlatVote.contextKind {
                            // Context votes name a domain < `contextDomains.count`: in bounds past the labels.
                            raw[3 + Int(vote.target)] += weight
                        }
                    }
                    return range.count
                }
                for segment in segments {
                    let multiplier: Double
                    switch segment.zone {
                    case .title: multiplier = weights.title
                    case .lead: multiplier = weights.lead
                    case .body:
                        multiplier = bodyMultiplier
                        bodyMultiplier = max(weights.bodyFloor, bodyMultiplier * weights.bodyDecay)
                    }
                    let first = occurrences.count
                    let end = segment.tokens.upperBound
                    var free = segment.tokens.lowerBound
                    while next.0 < starts.0.count && Int(starts.0[next.0]) < end {
                        let start = Int(starts.0[next.0])
                        next.0 += 1
                        guard start >= free else { continue }
                        let match = trie.longestMatch(in: ids, at: start, end: end, root: 0)
                        guard match.node >= 0 else { continue }
                        free = match.end
                        let factor = trie.repeatFactors[Int(repeats.next(Int32(match.node)))]
                        voteCount += tally(match.node, factor: factor, multiplier: multiplier)
                        occurrences.append((Int32(match.node), factor))
                    }
                    free = segment.tokens.lowerBound
                    while next.1 < starts.1.count && Int(starts.1[next.1]) < end {
                        let start = Int(starts.1[next.1])
                        next.1 += 1
                        guard start >= free else { continue }
                        let match = trie.longestMatch(in: ids, at: start, end: end, root: Int(lexicon.stateRoot))
                        guard match.node >= 0 else { continue }
                        free = match.end
                        voteCount += tally(match.node, factor: 1, multiplier: multiplier)
                        occurrences.append((Int32(match.node), 1))
                    }
                    if occurrences.count > first {
                        matched.append((multiplier, segment.zone, first..<occurrences.count))
                    }
                }
            }
            for domain in 0..<domainCount where raw[3 + domain] >= weights.contextThreshold {
                let bit: UInt64 = 1 << UInt64(domain)
                for label in 0..<3 where raw[3 + domain] >= weights.contextDominance * raw[label] {
                    suppressing[label] |= bit
                }
            }
        }
        guard matched.count > 0 else { return decision(SIMD4(repeating: 0), evidence: [], language: language) }
        return lexicon.votes.withUnsafeBufferPointer { votes in
            lexicon.voteStarts.withUnsafeBufferPointer { voteStarts in
                score(
                    matched.elements, occurrences.elements, voteCount: voteCount, suppressing: suppressing,
                    votes: votes, voteStarts: voteStarts, language: language)
            }
        }
    }

    /// Scores the matched segments (occurrences: `occurrences[segment.occurrences]`, in document order, with
    /// `voteCount` votes in all; `suppressing`: per label, the context domains that suppress its votes).
    private func score(
        _ matched: UnsafeBufferPointer<(multiplier: Double, zone: Zone, occurrences: Range<Int>)>,
        _ occurrences: UnsafeBufferPointer<(node: Int32, factor: Double)>,
        voteCount: Int,
        suppressing: SIMD4<UInt64>,
        votes: UnsafeBufferPointer<Lexicon.FlatVote>,
        voteStarts: UnsafeBufferPointer<Int32>,
        language: Language
    ) -> Classification {
        let weights = lexicon.weights

        // Pass 2: per segment and label, sum the (possibly suppressed) votes, subtract the zone's noise floor —
        // a passing mention does not earn a label (convention 1) — and weight what remains by the zone.
        var finalRaw = SIMD4<Double>(repeating: 0)
        // A segment's terms (evidence key, weight) and distinct states (state, vote index): each at most one per
        // vote of the segment.
        typealias Term = (key: Int32, weight: Double)
        typealias State = (state: Int32, vote: Int)
        var arena = Arena(
            byteCount: Buffer<Term>.size(voteCount) + Buffer<State>.size(voteCount)
                + EvidenceTable.arenaSize(voteCount, limit: weights.maxEvidence) + Arena.size(of: Double.self, 6)
                + Arena.size(of: UInt64.self, 3))
        defer { arena.deallocate() }
        var terms = Buffer<Term>(&arena, capacity: voteCount)
        var states = Buffer<State>(&arena, capacity: voteCount)
        var evidence = EvidenceTable(&arena, capacity: voteCount)
        // Per label (indexed like `Label.allCases`): a segment's sums, its scales, and the suppressing domains, in
        // plain memory (a `SIMD4` lane indexed by a variable went through the stack at every vote). Labels are 0–2.
        let sums = arena.take(Double.self, 3)
        let scales = arena.take(Double.self, 3)
        let suppressingLabel = arena.take(UInt64.self, 3)
        for label in 0..<3 { suppressingLabel.initializeElement(at: label, to: suppressing[label]) }
        for segment in matched {
            sums.initialize(repeating: 0)
            terms.removeAll()
            states.removeAll()
            for (node, factor) in occurrences[segment.occurrences] {
                for index in Int(voteStarts[Int(node)])..<Int(voteStarts[Int(node) + 1]) {
                    let vote = votes[index]
                    if vote.kind == Lexicon.FlatVote.stateKind
                        && !states.elements.contains(where: { $0.state == vote.target })
                    {
                        states.append((vote.target, index))
                    }
                    guard vote.kind < 3 else { continue }
                    var weight = vote.weight * factor
                    if vote.suppressors & suppressingLabel[Int(vote.kind)] != 0 { weight *= weights.contextFactor }
                    sums[Int(vote.kind)] += weight
                    terms.append((vote.term << 2 | vote.kind, weight))
                }
            }
            // Co-occurrence rule: a segment naming several different states is about relations between them.
            let extraStates = min(Double(states.count - 1), weights.stateMax)
            if extraStates > 0 && weights.stateWeight > 0 {
                let share = weights.stateWeight * extraStates / Double(states.count)
                for (_, index) in states.elements {
                    let vote = votes[index]
                    var weight = share
                    if vote.suppressors & suppressing[diplomacy] != 0 { weight *= weights.contextFactor }
                    sums[diplomacy] += weight
                    terms.append((vote.term << 2 | Int32(diplomacy), weight))
                }
            }
            let floor =
                switch segment.zone {
                case .title: lexicon.zoneFloors.0
                case .lead: lexicon.zoneFloors.1
                case .body: lexicon.zoneFloors.2
                }
            scales.initialize(repeating: 0)
            for index in 0..<3 where sums[index] > floor {
                let kept = sums[index] - floor
                finalRaw[index] += kept * segment.multiplier
                scales[index] = kept / sums[index] * segment.multiplier
            }
            for (key, weight) in terms.elements {
                evidence.add(key, weight: weight * scales[Int(key & 3)], zone: segment.zone)
            }
        }
        return decision(
            finalRaw, evidence: evidence.strongest(weights.maxEvidence, names: lexicon.termNames, arena: &arena),
            language: language)
    }

    /// The lane of ``Label/diplomacy`` (its position in ``Label/allCases``).
    private var diplomacy: Int { Label.diplomacy.index }

    /// The decision from the labels' final raw scores (lanes 0–2, indexed like ``Label/allCases``).
    private func decision(_ finalRaw: SIMD4<Double>, evidence: [Evidence], language: Language) -> Classification {
        var labels: [Label] = []
        var primary: Label?
        var primaryScore = -1.0
        var scores = SIMD4<Double>(repeating: 0)
        let strongest = max(finalRaw[0], finalRaw[1], finalRaw[2])
        for (index, label) in Label.allCases.enumerated() {
            let raw = finalRaw[index]
            let score = 1 - exp(-raw / lexicon.labelScales[index])
            scores[index] = score
            if score >= lexicon.thresholdValues[language.index * 3 + index]
                && raw >= lexicon.weights.secondaryRatio * strongest
            {
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
            scores: lexicon.labelPositions.mapValues { scores[$0] },
            thresholds: lexicon.languageThresholds[language.index],
            evidence: evidence,
            modelVersion: lexicon.version
        )
    }
}

/// One plain allocation carved into typed scratch buffers: the scorer's per-article data costs one allocation per
/// phase instead of one per buffer (an `Array` costs several times more again). The owner deallocates it.
private struct Arena {
    private let base: UnsafeMutableRawPointer
    private let byteCount: Int
    private var used = 0

    /// The bytes that `capacity` elements of `type` take in an arena, alignment padding included.
    static func size<T>(of type: T.Type, _ capacity: Int) -> Int {
        max(capacity, 1) * MemoryLayout<T>.stride + MemoryLayout<T>.alignment
    }

    /// An arena of `byteCount` bytes: the sum of ``size(of:_:)`` over the buffers it will hold.
    init(byteCount: Int) {
        base = .allocate(byteCount: byteCount, alignment: 16)
        self.byteCount = byteCount
    }

    /// Room for `capacity` elements of `type`, uninitialised (checked against the arena's size).
    mutating func take<T>(_ type: T.Type, _ capacity: Int) -> UnsafeMutableBufferPointer<T> {
        let alignment = MemoryLayout<T>.alignment
        used = (used + alignment - 1) & ~(alignment - 1)
        let bytes = max(capacity, 1) * MemoryLayout<T>.stride
        precondition(used + bytes <= byteCount, "scratch arena too small")
        defer { used += bytes }
        return UnsafeMutableBufferPointer(
            start: (base + used).bindMemory(to: T.self, capacity: max(capacity, 1)), count: capacity)
    }

    func deallocate() {
        base.deallocate()
    }
}

/// A fixed-capacity list of trivial values in arena memory, for the scorer's per-article scratch data (an `Array`
/// checks uniqueness at every append). Every access is checked against the count or capacity.
private struct Buffer<Element> {
    private let base: UnsafeMutablePointer<Element>
    private let capacity: Int
    /// The number of elements.
    private(set) var count = 0

    /// The arena bytes a buffer of `capacity` elements takes.
    static func size(_ capacity: Int) -> Int { Arena.size(of: Element.self, capacity) }

    init(_ arena: inout Arena, capacity: Int) {
        base = arena.take(Element.self, capacity).baseAddress!
        self.capacity = capacity
    }

    /// The elements.
    var elements: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }

    /// Appends `element`; the caller guarantees that there is room.
    @inline(__always)
    mutating func append(_ element: Element) {
        precondition(count < capacity)
        (base + count).initialize(to: element)
        count += 1
    }

    /// Inserts `element` at `index` (at most ``count``); the caller guarantees that there is room.
    mutating func insert(_ element: Element, at index: Int) {
        precondition(count < capacity && index >= 0 && index <= count)
        (base + index + 1).moveInitialize(from: base + index, count: count - index)
        (base + index).initialize(to: element)
        count += 1
    }

    /// Updates the element at `index` in place.
    func update(at index: Int, _ body: (inout Element) -> Void) {
        precondition(index >= 0 && index < count)
        body(&base[index])
    }

    /// Forgets the last element (trivial: nothing to deinitialise).
    mutating func removeLast() {
        precondition(count > 0)
        count -= 1
    }

    /// Forgets the elements (all trivial).
    mutating func removeAll() {
        count = 0
    }
}

/// The number of slots (a power of two, at least 16) of an open-addressing table for at most `capacity`
/// keys, kept at most half full so that a probe always ends.
private func halfFullSlotCount(_ capacity: Int) -> Int {
    var size = 16
    while size < 2 * capacity { size *= 2 }
    return size
}

/// How often each trie node has matched so far in an article: a small open-addressing table over the matched
/// nodes only (a table over all trie nodes costs more to clear).
private struct RepeatCounts {
    /// The node in each slot (−1: empty), then the count of each slot.
    private let slots: UnsafeMutableBufferPointer<Int32>
    private let size: Int

    /// The arena bytes a table for at most `capacity` distinct nodes takes.
    static func arenaSize(_ capacity: Int) -> Int { Arena.size(of: Int32.self, 2 * halfFullSlotCount(capacity)) }

    /// A table for at most `capacity` distinct nodes.
    init(_ arena: inout Arena, capacity: Int) {
        size = halfFullSlotCount(capacity)
        slots = arena.take(Int32.self, 2 * size)
        UnsafeMutableBufferPointer(rebasing: slots[..<size]).initialize(repeating: -1)
        UnsafeMutableBufferPointer(rebasing: slots[size...]).initialize(repeating: 0)
    }

    /// The number of earlier matches of `node` (at most 255); counts this one.
    @inline(__always)
    mutating func next(_ node: Int32) -> UInt8 {
        // Slots are masked to `size`; counts are at `size + slot` < `2 * size`.
        var slot = Int((UInt32(bitPattern: node) &* 0x9E37_79B1) >> 16) & (size - 1)
        while slots[slot] >= 0 && slots[slot] != node { slot = (slot + 1) & (size - 1) }
        slots[slot] = node
        let seen = slots[size + slot]
        slots[size + slot] = seen + (seen < 255 ? 1 : 0)
        return UInt8(seen)
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

    /// Entry index per slot, −1 for an empty slot.
    private let slots: UnsafeMutableBufferPointer<Int32>
    private var entries: Buffer<Entry>
    private let mask: Int

    /// The arena bytes a table for at most `capacity` entries takes, with room to select `limit` of them.
    static func arenaSize(_ capacity: Int, limit: Int) -> Int {
        Arena.size(of: Int32.self, halfFullSlotCount(capacity)) + Buffer<Entry>.size(capacity)
            + Buffer<Entry>.size(limit + 1)
    }

    /// A table for at most `capacity` entries.
    init(_ arena: inout Arena, capacity: Int) {
        let size = halfFullSlotCount(capacity)
        slots = arena.take(Int32.self, size)
        slots.initialize(repeating: -1)
        entries = Buffer(&arena, capacity: capacity)
        mask = size - 1
    }

    /// Adds `weight` to the entry of `key` (`term << 2 | label index`), creating it in `zone` if new.
    mutating func add(_ key: Int32, weight: Double, zone: Zone) {
        var slot = Int((UInt32(bitPattern: key) &* 0x9E37_79B1) >> 16) & mask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { break }
            if entries.elements[entry].key == key {
                entries.update(at: entry) { entry in
                    entry.weight += weight
                    entry.count += 1
                }
                return
            }
            slot = (slot + 1) & mask
        }
        slots[slot] = Int32(entries.count)
        entries.append(Entry(key: key, zone: zone, count: 1, weight: weight))
    }

    /// The `limit` strongest positive entries, strongest first (ties: label, then term, in canonical order).
    func strongest(_ limit: Int, names: [String], arena: inout Arena) -> [Evidence] {
        // Keys are distinct and so are the names of distinct terms: the order is total, and an insertion into the
        // kept prefix gives exactly the first `limit` entries of the full sort.
        func precedes(_ lhs: Entry, _ rhs: Entry) -> Bool {
            if lhs.weight != rhs.weight { return lhs.weight > rhs.weight }
            let (left, right) = (lhs.key & 3, rhs.key & 3)
            if left != right { return left < right }
            return names[Int(lhs.key >> 2)] < names[Int(rhs.key >> 2)]
        }
        var order = Buffer<Entry>(&arena, capacity: limit + 1)
        for entry in entries.elements where entry.weight > 0 {
            var position = order.count
            while position > 0 && precedes(entry, order.elements[position - 1]) { position -= 1 }
            guard position < limit else { continue }
            order.insert(entry, at: position)
            if order.count > limit { order.removeLast() }
        }
        return order.elements.map { entry in
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
