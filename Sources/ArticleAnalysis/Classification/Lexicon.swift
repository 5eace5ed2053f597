import Foundation

/// The classifier's model in memory, built for fast matching.
///
/// Terms and phrases are tokenised and stemmed by the analyser (``TextNormalizer``) exactly like article
/// text, then stored in a trie over stem identifiers: matching an article is one table lookup per token
/// (stem → identifier) plus a walk down the trie from the tokens whose stem starts a phrase (``startRoots``). The
/// longest phrase starting at a token wins.
public struct Lexicon: Sendable {
    /// What a matched term votes for: a label, a context domain, or the presence of a state.
    enum Channel: Hashable {
        case label(Label)
        case context(Int)
        case state(Int)
    }

    /// One vote of a term.
    struct Vote: Sendable {
        /// Index into ``Lexicon/termNames`` (for evidence).
        var term: Int32
        /// The label or context domain voted for.
        var channel: Channel
        /// The weight before zone weighting.
        var weight: Double
        /// Bit i set: context domain i suppresses this vote.
        var suppressors: UInt64
    }

    /// One vote in the matching tables: a ``Vote`` with its channel flattened to two integers, for the scorer's
    /// inner loops.
    struct FlatVote: Sendable {
        /// ``contextKind``: the vote names context domain ``target``.
        static let contextKind: Int32 = 3
        /// ``stateKind``: the vote names state ``target``.
        static let stateKind: Int32 = 4

        /// The weight before zone weighting.
        var weight: Double
        /// Bit i set: context domain i suppresses this vote.
        var suppressors: UInt64
        /// Index into ``Lexicon/termNames`` (for evidence).
        var term: Int32
        /// 0–2: a vote for the label at this position of ``Label/allCases``; else ``contextKind`` or
        /// ``stateKind``.
        var kind: Int32
        /// The context domain or state (unused for labels).
        var target: Int32

        init(_ vote: Vote) {
            weight = vote.weight
            suppressors = vote.suppressors
            term = vote.term
            switch vote.channel {
            case .label(let label): (kind, target) = (Int32(Label.allCases.firstIndex(of: label)!), 0)
            case .context(let domain): (kind, target) = (Self.contextKind, Int32(domain))
            case .state(let state): (kind, target) = (Self.stateKind, Int32(state))
            }
        }
    }

    /// The scalar fields of ``ModelParameters`` the scorer reads (see there).
    struct Weights: Sendable {
        let title: Double
        let lead: Double
        let body: Double
        let bodyDecay: Double
        let bodyFloor: Double
        let contextThreshold: Double
        let contextFactor: Double
        let contextDominance: Double
        let secondaryRatio: Double
        let stateWeight: Double
        let stateMax: Double
        let maxEvidence: Int

        init(_ parameters: ModelParameters) {
            title = parameters.titleWeight
            lead = parameters.leadWeight
            body = parameters.bodyWeight
            bodyDecay = parameters.bodyDecay
            bodyFloor = parameters.bodyFloor
            contextThreshold = parameters.contextThreshold
            contextFactor = parameters.contextFactor
            contextDominance = parameters.contextDominance
            secondaryRatio = parameters.secondaryRatio
            stateWeight = parameters.stateWeight
            stateMax = parameters.stateMax
            maxEvidence = parameters.maxEvidence
        }
    }

    /// One trie node: children by stem identifier and the votes of the phrase ending here.
    struct Node: Sendable {
        var children: [Int32: Int32] = [:]
        var votes: [Vote] = []
    }

    /// The model version recorded with every decision.
    public var version: String
    /// The model parameters.
    public var parameters: ModelParameters
    /// The source the lexicon was built from.
    public var source: LexiconSource
    /// Context domain names, indexed by the bit positions used in ``Vote/suppressors``.
    public private(set) var contextDomains: [String]
    /// The number of distinct terms and phrases.
    public var termCount: Int { termNames.count }

    /// Stem hash (``Word/stemHash``) → dense identifier, for every stem some lexicon term uses.
    var stemIDs: [UInt64: Int32] = [:]
    /// ``stemIDs`` as a read-only open-addressing table (the article path reads ``startTable`` instead; this
    /// one serves `classify(title:lead:body:)`).
    var stemTable = StemTable([:])
    /// Trie nodes while building; node 0 is the root of the label and context terms, node ``stateRoot`` the root
    /// of the state names (matched in a separate pass, so that a state inside a longer phrase — "القوات
    /// الأمريكية" — counts). Emptied once the flat matching tables below are built.
    private var nodes: [Node] = [Node(), Node()]
    /// The root of the state-name trie.
    let stateRoot: Int32 = 1
    /// The number of trie nodes.
    private(set) var nodeCount = 0
    /// The number of distinct stems used by lexicon terms.
    private(set) var stemCount = 0
    var termNames: [String] = []
    /// The children of the two roots as one dense array indexed by `root × stem count + stem identifier` (−1:
    /// none), so that the lookup made at every token is an array access rather than a dictionary probe.
    var rootChildren: [Int32] = []
    /// Per stem identifier, the roots with a child along it (bit `root`): the words a match may start at.
    var startRoots: [UInt8] = []
    /// ``stemTable`` with ``startRoots`` folded in: stem hash → `identifier << 2 | startRoots[identifier]`, so that
    /// one probe per token of an article gives both.
    var startTable = StemTable([:])
    /// Per value of bits 0–15 of a stem hash, 1 when some stem of ``stemIDs`` has those bits (65,536 entries): a 0
    /// proves that a token's stem is none, without probing ``startTable``.
    var startFilter = [UInt8](repeating: 0, count: 1 << 16)
    /// Every other trie edge: key `parent << 32 | stem identifier` → child node.
    var edges = StemTable([:])
    /// Whether a node has children (no edge lookup needed otherwise).
    var hasChildren: [Bool] = []
    /// The votes of node `i` are `votes[voteStarts[i]..<voteStarts[i + 1]]`.
    var voteStarts: [Int32] = []
    /// All votes, grouped by node.
    var votes: [FlatVote] = []
    /// `repeatDecay^n` for n = 0…255 (the factor of a term's n-th repeat).
    var repeatFactors: [Double] = []
    /// The thresholds per language, indexed like ``Language/allCases``.
    var languageThresholds: [[Label: Double]] = []
    /// ``languageThresholds`` as numbers: `[language × 3 + label]`, 0.5 where a label has none.
    var thresholdValues: [Double] = []
    /// Each label → its position in ``Label/allCases``: the scores dictionary is mapped from it (same keys, no
    /// hashing).
    var labelPositions: [Label: Int] = [:]
    /// The scalar model parameters, for the scorer (reading ``parameters`` would copy its dictionaries).
    private(set) var weights: Weights
    /// The noise floors of the title, lead and body.
    var zoneFloors: (Double, Double, Double) = (0, 0, 0)
    /// The saturation constant per label, indexed like ``Label/allCases``.
    var labelScales: [Double] = []

    /// Builds the matcher from a parsed source.
    public init(source: LexiconSource) throws(AnalysisError) {
        version = source.version
        parameters = source.parameters
        weights = Weights(source.parameters)
        self.source = source
        var domains: [String] = []
        for entry in source.contextEntries where !domains.contains(entry.domain) {
            domains.append(entry.domain)
        }
        guard domains.count <= 64 else {
            throw AnalysisError(.lexiconSyntax, "at most 64 context domains are supported")
        }
        contextDomains = domains
        var globalMask: UInt64 = 0
        for name in source.parameters.globalContexts {
            guard let bit = domains.firstIndex(of: name) else {
                throw AnalysisError(.lexiconUnknownContext, "model names unknown global context \(name)")
            }
            globalMask |= 1 << UInt64(bit)
        }
        var termIndex: [String: Int32] = [:]
        for entry in source.entries {
            var mask = globalMask
            for context in entry.contexts {
                guard let bit = domains.firstIndex(of: context) else {
                    throw AnalysisError(.lexiconUnknownContext, "\(entry.term) names unknown context \(context)")
                }
                mask |= 1 << UInt64(bit)
            }
            try add(entry.term, channel: .label(entry.label), weight: entry.weight, suppressors: mask, &termIndex)
        }
        for entry in source.contextEntries {
            let domain = domains.firstIndex(of: entry.domain)!
            try add(entry.term, channel: .context(domain), weight: entry.weight, suppressors: 0, &termIndex)
        }
        var states: [String: Int] = [:]
        for entry in source.stateEntries {
            let state = states[entry.state] ?? states.count
            states[entry.state] = state
            try add(entry.term, channel: .state(state), weight: 1, suppressors: globalMask, root: stateRoot, &termIndex)
        }
        stemTable = StemTable(stemIDs)
        rootChildren = [Int32](repeating: -1, count: 2 * stemIDs.count)
        for root in 0..<2 {
            for (stem, child) in nodes[root].children { rootChildren[root * stemIDs.count + Int(stem)] = child }
        }
        startRoots = (0..<stemIDs.count).map { stem in
            (rootChildren[stem] >= 0 ? 1 : 0) | (rootChildren[stemIDs.count + stem] >= 0 ? 2 : 0)
        }
        startTable = StemTable(stemIDs.mapValues { $0 << 2 | Int32(startRoots[Int($0)]) })
        for stem in stemIDs.keys { startFilter[Int(truncatingIfNeeded: stem & 0xFFFF)] = 1 }
        var edgeMap: [UInt64: Int32] = [:]
        for (parent, node) in nodes.enumerated() {
            hasChildren.append(!node.children.isEmpty)
            voteStarts.append(Int32(votes.count))
            votes += node.votes.map(FlatVote.init)
            guard parent > 1 else { continue }
            for (stem, child) in node.children { edgeMap[UInt64(parent) << 32 | UInt64(stem)] = child }
        }
        voteStarts.append(Int32(votes.count))
        edges = StemTable(edgeMap)
        nodeCount = nodes.count
        stemCount = stemIDs.count
        nodes = []
        repeatFactors = (0..<256).map { pow(parameters.repeatDecay, Double($0)) }
        languageThresholds = Language.allCases.map { parameters.thresholds(for: $0) }
        thresholdValues = languageThresholds.flatMap { thresholds in Label.allCases.map { thresholds[$0] ?? 0.5 } }
        labelPositions = Dictionary(uniqueKeysWithValues: Label.allCases.enumerated().map { ($1, $0) })
        zoneFloors = (parameters.floor(for: .title), parameters.floor(for: .lead), parameters.floor(for: .body))
        labelScales = Label.allCases.map { parameters.scales[$0] ?? 6 }
    }

    private mutating func add(
        _ term: String,
        channel: Channel,
        weight: Double,
        suppressors: UInt64,
        root: Int32 = 0,
        _ termIndex: inout [String: Int32]
    ) throws(AnalysisError) {
        let stems = Self.stemHashes(of: term)
        guard !stems.isEmpty else {
            throw AnalysisError(.lexiconSyntax, "term \"\(term)\" has no tokens")
        }
        var node = root
        for stem in stems {
            let id: Int32
            if let known = stemIDs[stem] {
                id = known
            } else {
                id = Int32(stemIDs.count)
                stemIDs[stem] = id
            }
            if let next = nodes[Int(node)].children[id] {
                node = next
            } else {
                nodes.append(Node())
                let next = Int32(nodes.count - 1)
                nodes[Int(node)].children[id] = next
                node = next
            }
        }
        // Two spellings with the same stems ("الحكومة", "حكومة") share a node: keep one vote per channel.
        if let existing = nodes[Int(node)].votes.firstIndex(where: { $0.channel == channel }) {
            nodes[Int(node)].votes[existing].weight = max(nodes[Int(node)].votes[existing].weight, weight)
            nodes[Int(node)].votes[existing].suppressors |= suppressors
            return
        }
        let index: Int32
        if let known = termIndex[term] {
            index = known
        } else {
            index = Int32(termNames.count)
            termNames.append(term)
            termIndex[term] = index
        }
        nodes[Int(node)].votes.append(Vote(term: index, channel: channel, weight: weight, suppressors: suppressors))
    }

    /// The hashes of the analyser's stems of `text`, in order.
    static func stemHashes(of text: String) -> [UInt64] {
        var hashes: [UInt64] = []
        TextNormalizer.forEachWord(in: text) { word in hashes.append(word.stemHash) }
        return hashes
    }

    /// Calls `body` with the matching tables read through pointers (no retain, no bounds check per access).
    @inline(__always)
    func withTrie<Result>(_ body: (Trie) -> Result) -> Result {
        rootChildren.withUnsafeBufferPointer { rootChildren in
            hasChildren.withUnsafeBufferPointer { hasChildren in
                voteStarts.withUnsafeBufferPointer { voteStarts in
                    votes.withUnsafeBufferPointer { votes in
                        repeatFactors.withUnsafeBufferPointer { repeatFactors in
                            edges.withLookup { edges in
                                body(
                                    Trie(
                                        rootChildren: rootChildren, stemCount: stemCount, hasChildren: hasChildren,
                                        voteStarts: voteStarts, votes: votes, repeatFactors: repeatFactors,
                                        edges: edges))
                            }
                        }
                    }
                }
            }
        }
    }

    /// The matching tables (see the properties of the same names), valid inside ``withTrie(_:)``.
    ///
    /// Every index is in bounds by construction of the lexicon: a stem identifier (an article word's, from
    /// ``startTable``) is below ``stemCount`` and a root is 0 or 1 (``rootChildren`` has `2 × stemCount` entries); a
    /// node, read from ``rootChildren`` or ``edges``, is below ``nodeCount`` (``hasChildren`` has `nodeCount`
    /// entries, ``voteStarts`` one more, and its values are positions in ``votes``); a repeat count is at most
    /// 255 (``repeatFactors`` has 256 entries).
    struct Trie {
        let rootChildren: UnsafeBufferPointer<Int32>
        let stemCount: Int
        let hasChildren: UnsafeBufferPointer<Bool>
        let voteStarts: UnsafeBufferPointer<Int32>
        let votes: UnsafeBufferPointer<FlatVote>
        let repeatFactors: UnsafeBufferPointer<Double>
        let edges: StemTable.Lookup

        /// The range in ``votes`` of the votes of `node`.
        @inline(__always)
        func votes(of node: Int) -> Range<Int> {
            Int(voteStarts[node])..<Int(voteStarts[node + 1])
        }

        /// Whether a phrase ends at `node`.
        @inline(__always)
        func hasVotes(_ node: Int) -> Bool {
            voteStarts[node + 1] > voteStarts[node]
        }

        /// The child of `node` along stem identifier `stem`, or −1.
        @inline(__always)
        func child(of node: Int, stem: Int32) -> Int {
            if node < 2 { return Int(rootChildren[node * stemCount + Int(stem)]) }
            guard hasChildren[node] else { return -1 }
            return Int(edges.identifier(of: UInt64(node) << 32 | UInt64(stem)))
        }

        /// The longest phrase of the trie under `root` that starts at `ids[start]` (not −1) and ends by `end`: its
        /// node and end position, or node −1 when none does.
        @inline(__always)
        func longestMatch(
            in ids: UnsafeBufferPointer<Int32>, at start: Int, end: Int, root: Int
        ) -> (node: Int, end: Int) {
            var node = Int(rootChildren[root * stemCount + Int(ids[start])])
            guard node >= 0 else { return (-1, start) }
            var best = (node: hasVotes(node) ? node : -1, end: start + 1)
            var position = start + 1
            while position < end, hasChildren[node], ids[position] >= 0 {
                let next = child(of: node, stem: ids[position])
                guard next >= 0 else { break }
                node = next
                position += 1
                if hasVotes(node) { best = (node, position) }
            }
            return best
        }
    }
}
