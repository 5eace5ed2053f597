import Foundation

/// One vote of a lexicon term for a label, as read from a label source file (`politics.tsv`, …).
public struct LexiconEntry: Sendable, Hashable {
    /// The term or phrase as written in the source (matched after the analyser's normalisation and stemming).
    public var term: String
    /// The label the term votes for.
    public var label: Label
    /// The vote before zone weighting.
    public var weight: Double
    /// Context domains (see ``ContextEntry``) that suppress this entry when active in an article.
    public var contexts: [String]

    /// Creates an entry.
    public init(term: String, label: Label, weight: Double, contexts: [String] = []) {
        self.term = term
        self.label = label
        self.weight = weight
        self.contexts = contexts
    }
}

/// One term of a context domain (sports, economy, …), as read from `context.tsv`.
public struct ContextEntry: Sendable, Hashable {
    /// The context domain the term signals.
    public var domain: String
    /// The term or phrase as written in the source.
    public var term: String
    /// How strongly the term signals the domain.
    public var weight: Double

    /// Creates a context entry.
    public init(domain: String, term: String, weight: Double) {
        self.domain = domain
        self.term = term
        self.weight = weight
    }
}

/// One name of a state (country, capital or nationality adjective), as read from `states.tsv`.
public struct StateEntry: Sendable, Hashable {
    /// The state's identifier; all names with the same identifier count as one state.
    public var state: String
    /// The name as written in the source.
    public var term: String

    /// Creates a state entry.
    public init(state: String, term: String) {
        self.state = state
        self.term = term
    }
}

/// The whole model as data: label entries, context entries and model parameters, plus its version.
///
/// This is what the readable source files describe and what the SQLite database stores; a ``Lexicon`` (the
/// fast in-memory matcher) is built from it.
public struct LexiconSource: Sendable, Hashable {
    /// Names of the source files, in the order they are read and hashed.
    public static let fileNames = [
        "model.tsv", "politics.tsv", "security.tsv", "diplomacy.tsv", "context.tsv", "states.tsv",
    ]

    /// Every label entry.
    public var entries: [LexiconEntry]
    /// Every context entry.
    public var contextEntries: [ContextEntry]
    /// Every state name (for the diplomacy co-occurrence rule).
    public var stateEntries: [StateEntry]
    /// The model parameters (`model.tsv`).
    public var parameters: ModelParameters
    /// The model version: `<declared version>+<content hash>`, where the hash (64-bit FNV-1a) covers every
    /// parameter, entry and context entry in order. Comments and layout of the source files do not change it;
    /// any change to the model does, whether made in the source files or directly in a compiled database.
    public private(set) var version: String

    /// Creates a source from its parts; the version is computed from them (see ``version``).
    public init(
        entries: [LexiconEntry],
        contextEntries: [ContextEntry],
        stateEntries: [StateEntry],
        parameters: ModelParameters
    ) {
        self.entries = entries
        self.contextEntries = contextEntries
        self.stateEntries = stateEntries
        self.parameters = parameters
        var hasher = FNV1a64()
        for (key, value) in parameters.keyValues {
            hasher.combine(key)
            hasher.combine(value)
        }
        for entry in entries {
            hasher.combine(entry.label.rawValue)
            hasher.combine(entry.term)
            hasher.combine("\(entry.weight)")
            hasher.combine(entry.contexts.joined(separator: ","))
        }
        for entry in contextEntries {
            hasher.combine(entry.domain)
            hasher.combine(entry.term)
            hasher.combine("\(entry.weight)")
        }
        for entry in stateEntries {
            hasher.combine(entry.state)
            hasher.combine(entry.term)
        }
        self.version = "\(parameters.declaredVersion)+\(hasher.hexDigest)"
    }

    /// Parses the source files, given as file name → UTF-8 text (see ``fileNames``).
    ///
    public static func parse(files: [String: String]) throws(AnalysisError) -> LexiconSource {
        for name in fileNames where files[name] == nil {
            throw AnalysisError(.lexiconMissingFile, "lexicon source \(name) is missing")
        }
        let parameters = try ModelParameters.parse(files["model.tsv"]!, file: "model.tsv")
        var entries: [LexiconEntry] = []
        for label in Label.allCases {
            let name = "\(label.rawValue).tsv"
            for (line, fields) in try rows(files[name]!, file: name) {
                guard fields.count == 2 || fields.count == 3 else {
                    throw AnalysisError(.lexiconSyntax, "\(name):\(line): expected term, weight[, contexts]")
                }
                let weight = try number(fields[1], file: name, line: line)
                let contexts = fields.count == 3 ? fields[2].split(separator: ",").map(String.init) : []
                entries.append(LexiconEntry(term: fields[0], label: label, weight: weight, contexts: contexts))
            }
        }
        var contextEntries: [ContextEntry] = []
        for (line, fields) in try rows(files["context.tsv"]!, file: "context.tsv") {
            guard fields.count == 3 else {
                throw AnalysisError(.lexiconSyntax, "context.tsv:\(line): expected domain, term, weight")
            }
            let weight = try number(fields[2], file: "context.tsv", line: line)
            contextEntries.append(ContextEntry(domain: fields[0], term: fields[1], weight: weight))
        }
        var stateEntries: [StateEntry] = []
        for (line, fields) in try rows(files["states.tsv"]!, file: "states.tsv") {
            guard fields.count == 2 else {
                throw AnalysisError(.lexiconSyntax, "states.tsv:\(line): expected state, term")
            }
            stateEntries.append(StateEntry(state: fields[0], term: fields[1]))
        }
        let domains = Set(contextEntries.map(\.domain))
        for entry in entries {
            for context in entry.contexts where !domains.contains(context) {
                throw AnalysisError(
                    .lexiconUnknownContext,
                    "\(entry.label.rawValue).tsv: \(entry.term) names unknown context \(context)"
                )
            }
        }
        return LexiconSource(
            entries: entries,
            contextEntries: contextEntries,
            stateEntries: stateEntries,
            parameters: parameters
        )
    }

    /// Non-comment, non-blank lines split on tabs, with 1-based line numbers.
    static func rows(_ text: String, file: String) throws(AnalysisError) -> [(Int, [String])] {
        var result: [(Int, [String])] = []
        var number = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            guard let first = line.first(where: { $0 != " " && $0 != "\t" }), first != "#" else { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map {
                String($0.trimmingSpaces())
            }
            guard !fields.contains(where: \.isEmpty) else {
                throw AnalysisError(.lexiconSyntax, "\(file):\(number): empty field")
            }
            result.append((number, fields))
        }
        return result
    }

    static func number(_ field: String, file: String, line: Int) throws(AnalysisError) -> Double {
        guard let value = Double(field), value.isFinite, value >= 0 else {
            throw AnalysisError(.lexiconSyntax, "\(file):\(line): \(field) is not a non-negative number")
        }
        return value
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var slice = self
        while let first = slice.first, first == " " { slice = slice.dropFirst() }
        while let last = slice.last, last == " " { slice = slice.dropLast() }
        return slice
    }
}

/// 64-bit FNV-1a over UTF-8 bytes: a stable, dependency-free content hash for model versions (not a
/// cryptographic hash; it only has to change when the model changes).
struct FNV1a64 {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func combine(_ text: String) {
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value &*= 0x0000_0100_0000_01b3
        }
        value ^= 0xff  // separator, so ("ab", "c") and ("a", "bc") differ
        value &*= 0x0000_0100_0000_01b3
    }

    var hexDigest: String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension LexiconSource {
    /// Reads and parses the source files (``fileNames``) from `directory`.
    public static func load(directory: URL) throws(AnalysisError) -> LexiconSource {
        var files: [String: String] = [:]
        for name in fileNames {
            let url = directory.appendingPathComponent(name)
            do {
                files[name] = try String(contentsOf: url, encoding: .utf8)
            } catch {
                throw AnalysisError(.lexiconMissingFile, "cannot read \(url.path): \(error)")
            }
        }
        return try parse(files: files)
    }
}
