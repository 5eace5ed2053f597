import Foundation

/// Known names — countries, capitals, other places, organisations and people — loaded once from
/// `Resources/gazetteer/*.tsv` into hash tables keyed by the proclitic-free form of each word
/// (``Word/bareHash``), so matching never builds strings.
struct Gazetteer: Sendable {
    /// What a name denotes.
    enum Kind: String, Sendable {
        /// A UN member state or observer.
        case country
        /// A national capital.
        case capital
        /// Another place (city, region, landmark).
        case city
        /// An organisation or armed group.
        case organization
        /// A person.
        case person
    }

    /// One named thing.
    struct Entry: Sendable {
        /// Kind of the thing.
        var kind: Kind
        /// Canonical Arabic name (may be empty when none is listed).
        var arabic: String
        /// Canonical English name (may be empty when none is listed).
        var english: String
        /// ISO 3166-1 alpha-2 code for places; affiliation (ISO code or organisation) for people.
        var country: String?
        /// Role of a person (`head_of_state`, `foreign_minister`, ...).
        var role: String?

        /// The canonical name in the article's language (falling back to the other one).
        func name(for language: Language) -> String {
            if language == .english { return english.isEmpty ? arabic : english }
            return arabic.isEmpty ? english : arabic
        }
    }

    /// One spelling of an entry as a sequence of word hashes.
    struct Pattern: Sendable {
        /// Range in ``patternWords`` of the ``Word/bareHash`` of each word.
        var words: Range<Int>
        /// Whether every word must be written in capitals ("=US").
        var allCaps: Bool
        /// Whether the spelling is in Latin script (then a capitalised word is required).
        var latin: Bool
        /// Index into ``entries``.
        var entry: Int
    }

    /// All entries.
    var entries: [Entry] { shared.tables.entries }
    /// Each entry as the ``Entity`` reported in Arabic and other non-English articles (no mention yet),
    /// built once so that a match copies it instead of building names.
    var arabicEntities: [Entity] { shared.tables.arabicEntities }
    /// Each entry as the ``Entity`` reported in English articles (no mention yet).
    var englishEntities: [Entity] { shared.tables.englishEntities }
    /// All spellings.
    var patterns: [Pattern] { shared.tables.patterns }
    /// The words of all spellings, each ``Pattern`` holding a range of it (one array, so that matching
    /// reads hashes without touching a per-pattern array).
    var patternWords: [UInt64] { shared.tables.patternWords }
    /// Pattern indices, grouped by first word and longest pattern first within a group (see
    /// ``byFirstWord``).
    var candidates: [Int] { shared.tables.candidates }
    /// The range in ``candidates`` of the patterns starting with a word, by the hash of the word.
    var byFirstWord: SharedTable<Range<Int>> { shared.tables.byFirstWord }
    /// Single-word spellings of at least ``fuzzyMinLength`` letters, by the hash of the word with
    /// one letter position blanked (position mixed into the hash): finds one-letter substitutions.
    var fuzzy: SharedTable<Int> { shared.tables.fuzzy }
    /// A 65,536-bit filter over the halves of the spellings in ``fuzzy`` (see ``fuzzyHalfHashes(_:)``): a word
    /// one substitution away from a spelling keeps the half without the substitution intact, so a clear bit for
    /// a half of the word proves that no position of the other half needs probing.
    var fuzzyFilter: [UInt64] { shared.tables.fuzzyFilter }
    /// ISO code by the stem hash of one-word country names, so that a nisba adjective finds its
    /// country ("العراقي" → عراق → IQ).
    var countryByStem: HashTable64<String> { shared.tables.countryByStem }
    /// What a word may start, by bits 0–15 of its bare hash (65,536 entries): ``ArticleText/Hint/name`` for the
    /// keys of ``byFirstWord``, ``ArticleText/Hint/title`` for ``EntityExtractor/titleFirstWords``,
    /// ``ArticleText/Hint/quote`` for ``QuoteExtractor/arabicVerbList`` and ``ArticleText/Hint/date`` for
    /// ``DateExtractor/startWords``. A clear bit proves that the word is none of them; ``ArticleText`` reads it
    /// once per token.
    var hints: [UInt8] { shared.tables.hints }

    /// The tables, built once and shared by every copy: a copy of a `Gazetteer` (the analyser, the
    /// entity and quote extractors each hold one per article) retains one object.
    private let shared: Shared

    private final class Shared: Sendable {
        let tables: Tables
        init(_ tables: Tables) { self.tables = tables }
    }

    /// The tables' storage (see the properties of the same names).
    private struct Tables {
        var entries: [Entry] = []
        var arabicEntities: [Entity] = []
        var englishEntities: [Entity] = []
        var patterns: [Pattern] = []
        var patternWords: [UInt64] = []
        var candidates: [Int] = []
        var byFirstWord: SharedTable<Range<Int>> = SharedTable<Range<Int>>([:])
        var fuzzy: SharedTable<Int> = SharedTable<Int>([:])
        var fuzzyFilter: [UInt64] = []
        var countryByStem: HashTable64<String> = HashTable64<String>([UInt64: String]())
        var hints: [UInt8] = [UInt8](repeating: 0, count: 1 << 16)
    }

    /// Shortest word that may match with a one-letter substitution.
    static let fuzzyMinLength = 7
    /// Longest word tried for a one-letter substitution (bounds the work on pathological words).
    static let fuzzyMaxLength = 24

    /// The gazetteer shipped with khabar, loaded on first use.
    static let bundled: Gazetteer = {
        do {
            let bundle = Bundle.module
            let candidates = [bundle.resourceURL, bundle.bundleURL].compactMap { $0 }.flatMap {
                [$0.appendingPathComponent("Resources/gazetteer"), $0.appendingPathComponent("gazetteer")]
            }
            let directory =
                candidates.first {
                    FileManager.default.fileExists(atPath: $0.appendingPathComponent("countries.tsv").path)
                } ?? candidates[0]
            return try Gazetteer(directory: directory)
        } catch {
            // The files are part of the module's own resources; a failure is a packaging bug.
            fatalError("khabar: cannot load the bundled gazetteer: \(error)")
        }
    }()

    /// Loads `countries.tsv`, `cities.tsv`, `organizations.tsv` and `persons.tsv` from `directory`.
    init(directory base: URL) throws {
        func rows(_ file: String) throws -> [[Substring]] {
            let text = try String(contentsOf: base.appendingPathComponent(file), encoding: .utf8)
            // Split on the UTF-8 bytes of "\n" and "\t" (splitting on Characters cost ~35 M instructions at
            // start-up); the same fields as long as no separator is followed by a combining mark and lines
            // end in "\n" alone, which holds for the bundled files.
            return text.utf8.split(separator: 0x0A).lazy.map(Substring.init).filter {
                !$0.hasPrefix("#") && !$0.isEmpty
            }.map {
                $0.utf8.split(separator: 0x09, omittingEmptySubsequences: false).map(Substring.init)
            }
        }
        var builder = Builder()
        for row in try rows("countries.tsv") where row.count >= 5 {
            let code = String(row[0])
            builder.add(.init(kind: .country, arabic: "", english: "", country: code), arabic: row[1], english: row[2])
        }
        // Capitals after countries: a name shared by both (الجزائر، تونس) denotes the country.
        for row in try rows("countries.tsv") where row.count >= 5 {
            let code = String(row[0])
            builder.add(.init(kind: .capital, arabic: "", english: "", country: code), arabic: row[3], english: row[4])
        }
        for row in try rows("cities.tsv") where row.count >= 3 {
            let entry = Entry(kind: .city, arabic: "", english: "", country: String(row[0]))
            builder.add(entry, arabic: row[1], english: row[2])
        }
        for row in try rows("organizations.tsv") where row.count >= 2 {
            builder.add(.init(kind: .organization, arabic: "", english: ""), arabic: row[0], english: row[1])
        }
        for row in try rows("persons.tsv") where row.count >= 4 {
            let entry = Entry(kind: .person, arabic: "", english: "", country: String(row[2]), role: String(row[3]))
            builder.add(entry, arabic: row[0], english: row[1])
        }
        var tables = Tables()
        tables.entries = builder.entries
        tables.arabicEntities = tables.entries.map { Self.entity($0, language: .arabic) }
        tables.englishEntities = tables.entries.map { Self.entity($0, language: .english) }
        tables.patterns = builder.patterns
        tables.patternWords = builder.words
        var ranges: [UInt64: Range<Int>] = [:]
        for (key, list) in builder.byFirstWord {
            let patterns = tables.patterns
            let sorted = list.sorted {
                patterns[$0].words.count > patterns[$1].words.count
                    || (patterns[$0].words.count == patterns[$1].words.count && $0 < $1)
            }
            ranges[key] = tables.candidates.count..<(tables.candidates.count + sorted.count)
            tables.candidates.append(contentsOf: sorted)
            tables.hints[Self.hintIndex(key)] |= ArticleText.Hint.name
        }
        tables.byFirstWord = SharedTable(ranges)
        tables.fuzzy = SharedTable(builder.fuzzy)
        tables.fuzzyFilter = builder.fuzzyFilter
        tables.countryByStem = HashTable64(builder.countryByStem)
        let hinted: [(words: [UInt64], hint: UInt8)] = [
            (EntityExtractor.titleFirstWords, ArticleText.Hint.title),
            (QuoteExtractor.arabicVerbList, ArticleText.Hint.quote),
            (DateExtractor.startWords, ArticleText.Hint.date),
        ]
        for (words, hint) in hinted {
            for key in words { tables.hints[Self.hintIndex(key)] |= hint }
        }
        shared = Shared(tables)
    }

    /// `entry` as reported in an article of `language`, with no mention.
    private static func entity(_ entry: Entry, language: Language) -> Entity {
        let name = entry.name(for: language)
        return Entity(
            name: name, normalized: TextNormalizer.normalize(name),
            country: entry.kind == .organization ? nil : entry.country,
            type: entry.kind == .person ? entry.role : (entry.kind == .organization ? nil : entry.kind.rawValue),
            known: true, mentions: 0, firstToken: 0
        )
    }

    /// The tables while they are being filled (dictionaries), frozen into hash tables by `init`.
    private struct Builder {
        var entries: [Entry] = []
        var patterns: [Pattern] = []
        var words: [UInt64] = []
        var byFirstWord: [UInt64: [Int]] = [:]
        var fuzzy: [UInt64: Int] = [:]
        var fuzzyFilter = [UInt64](repeating: 0, count: 1024)
        var countryByStem: [UInt64: String] = [:]

        mutating func add(_ entry: Entry, arabic: Substring, english: Substring) {
            var entry = entry
            // Split on the byte "|" (as the rows: the same names for the bundled files, far cheaper).
            let arabicNames = arabic.utf8.split(separator: 0x7C).map { String(Substring($0)) }
            let englishNames = english.utf8.split(separator: 0x7C).map { String(Substring($0)) }
            entry.arabic = arabicNames.first ?? ""
            entry.english = englishNames.first.map { $0.hasPrefix("=") ? String($0.dropFirst()) : $0 } ?? ""
            let index = entries.count
            entries.append(entry)
            for name in arabicNames + englishNames {
                let allCaps = name.hasPrefix("=")
                let spelling = allCaps ? String(name.dropFirst()) : name
                var hashes: [UInt64] = []
                var latin = false
                var single: [UInt32] = []
                var stem: UInt64 = 0
                TextNormalizer.forEachWord(in: spelling) { word in
                    hashes.append(word.bareHash)
                    stem = word.stemHash
                    latin = latin || word.kind == .latin
                    single = Array(word.bare)
                }
                // A one-word name of fewer than three letters after its proclitics is too ambiguous (unless an
                // acronym that must be written in capitals).
                guard let first = hashes.first, hashes.count > 1 || single.count >= 3 || allCaps else { continue }
                if entry.kind == .country && hashes.count == 1 && !latin, let code = entry.country,
                    countryByStem[stem] == nil
                {
                    countryByStem[stem] = code
                }
                // The first spelling registered for a word sequence wins.
                if let list = byFirstWord[first],
                    list.contains(where: { words[patterns[$0].words].elementsEqual(hashes) })
                {
                    continue
                }
                byFirstWord[first, default: []].append(patterns.count)
                if hashes.count == 1 && (Gazetteer.fuzzyMinLength...Gazetteer.fuzzyMaxLength).contains(single.count)
                    && !allCaps
                {
                    single.withUnsafeBufferPointer { letters in
                        for offset in letters.indices {
                            let key = Gazetteer.blankedHash(letters, offset: offset)
                            if fuzzy[key] == nil { fuzzy[key] = patterns.count }
                        }
                        let halves = Gazetteer.fuzzyHalfHashes(letters)
                        for half in [halves.front, halves.back] {
                            fuzzyFilter[Int(truncatingIfNeeded: half >> 54)] |= 1 << ((half >> 48) & 63)
                        }
                    }
                }
                let range = self.words.count..<(self.words.count + hashes.count)
                self.words.append(contentsOf: hashes)
                patterns.append(Pattern(words: range, allCaps: allCaps, latin: latin, entry: index))
            }
        }
    }

    /// The entry of ``hints`` for the word of bare hash `bare`: bits 0–15 of the hash.
    @inline(__always)
    static func hintIndex(_ bare: UInt64) -> Int {
        Int(truncatingIfNeeded: bare & 0xFFFF)
    }

    /// Hash of `word` with the letter at `offset` (0-based) replaced by a blank, mixed with the offset.
    static func blankedHash(_ word: UnsafeBufferPointer<UInt32>, offset: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(offset &* 0x9E37_79B9)
        for k in 0..<word.count {
            h = (h ^ UInt64(k == offset ? 0x2A : word[k])) &* 0x0000_0100_0000_01B3
        }
        return h
    }

    /// Hashes of the front half (`word[..<(word.count / 2)]`) and of the back half of a word, each mixed with
    /// the word's length, for ``fuzzyFilter``.
    @inline(__always)
    static func fuzzyHalfHashes(_ word: UnsafeBufferPointer<UInt32>) -> (front: UInt64, back: UInt64) {
        let n = word.count
        let half = n / 2
        var front = TextNormalizer.hashSeed ^ UInt64(truncatingIfNeeded: n) << 32
        var back = front ^ 1
        for k in 0..<half { front = TextNormalizer.hash(front, word[k]) }
        for k in half..<n { back = TextNormalizer.hash(back, word[k]) }
        // The filter reads the top bits: spread every bit of the hashes into them.
        return (front &* 0x9E37_79B9_7F4A_7C15, back &* 0x9E37_79B9_7F4A_7C15)
    }

    /// Whether the half of a word with hash `half` (see ``fuzzyHalfHashes(_:)``) may be a half of a ``fuzzy``
    /// spelling (false: certainly not).
    @inline(__always)
    static func mayBeFuzzyHalf(_ half: UInt64, filter: UnsafeBufferPointer<UInt64>) -> Bool {
        filter[Int(truncatingIfNeeded: half >> 54)] & (1 << ((half >> 48) & 63)) != 0
    }
}

/// A 4,096-bit filter over word hashes (one bit per word, chosen by bits 0–11 of the hash) in front of
/// a short word list: a clear bit proves that the word is not in the list, so most tokens cost one test.
struct WordFilter: Sendable {
    private var bits = [UInt64](repeating: 0, count: 64)

    /// A filter admitting `words` (hashes).
    init<S: Sequence<UInt64>>(_ words: S) {
        for word in words { bits[Int(truncatingIfNeeded: word >> 6) & 63] |= 1 << (word & 63) }
    }

    /// Whether `word` may be in the list (false: certainly not).
    @inline(__always)
    func mayContain(_ word: UInt64) -> Bool {
        bits[Int(truncatingIfNeeded: word >> 6) & 63] & (1 << (word & 63)) != 0
    }
}

/// A small growable open-addressing map from 64-bit hashes to non-negative `Int32` values, for the
/// per-article tables of the extractors (a handful of keys, built and read once: `Dictionary` would
/// re-hash every key with SipHash and allocate more).
struct HashMap64 {
    /// Key and value of each slot (one allocation); a value of -1 marks an empty slot.
    private var slots: [(key: UInt64, value: Int32)] = []
    /// Number of keys.
    private(set) var count = 0

    /// The value stored under `key`, or nil.
    func value(for key: UInt64) -> Int32? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var slot = Self.slot(key, mask: mask)
        while slots[slot].value >= 0 {
            if slots[slot].key == key { return slots[slot].value }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Stores `value` (>= 0) under `key` unless the key is present; returns the value in force.
    @discardableResult
    mutating func insertIfAbsent(_ key: UInt64, _ value: Int32) -> Int32 {
        precondition(value >= 0, "HashMap64 stores non-negative values")
        if (count + 1) * 2 > slots.count { grow() }
        let mask = slots.count - 1
        var slot = Self.slot(key, mask: mask)
        while slots[slot].value >= 0 {
            if slots[slot].key == key { return slots[slot].value }
            slot = (slot + 1) & mask
        }
        slots[slot] = (key, value)
        count += 1
        return value
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: (0, -1), count: max(8, old.count * 2))
        count = 0
        for (key, value) in old where value >= 0 { insertIfAbsent(key, value) }
    }

    @inline(__always)
    private static func slot(_ key: UInt64, mask: Int) -> Int {
        hashSlot(key, shift: hashShift(capacity: mask + 1))
    }
}

/// A ``HashTable64`` behind one reference: a copy retains one object instead of the table's three arrays
/// (``Gazetteer``'s tables are read through computed properties, which copy them).
struct SharedTable<Value: Sendable>: Sendable {
    private final class Box: Sendable {
        let table: HashTable64<Value>
        init(_ table: HashTable64<Value>) { self.table = table }
    }

    private let box: Box

    /// Builds the table from a dictionary.
    init(_ dictionary: [UInt64: Value]) {
        box = Box(HashTable64(dictionary))
    }

    /// The value stored under `key`, or nil.
    @inline(__always)
    subscript(key: UInt64) -> Value? { box.table[key] }
}
