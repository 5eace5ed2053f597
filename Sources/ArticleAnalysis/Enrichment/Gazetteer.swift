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
        /// ``Word/bareHash`` of each word.
        var words: [UInt64]
        /// Whether every word must be written in capitals ("=US").
        var allCaps: Bool
        /// Whether the spelling is in Latin script (then a capitalised word is required).
        var latin: Bool
        /// Index into ``entries``.
        var entry: Int
    }

    /// All entries.
    private(set) var entries: [Entry] = []
    /// All spellings.
    private(set) var patterns: [Pattern] = []
    /// Pattern indices by the hash of their first word, longest pattern first.
    private(set) var byFirstWord: [UInt64: [Int]] = [:]
    /// Single-word spellings of at least ``fuzzyMinLength`` letters, by the hash of the word with
    /// one letter position blanked (position mixed into the hash): finds one-letter substitutions.
    private(set) var fuzzy: [UInt64: Int] = [:]
    /// A 65,536-bit filter over the keys of ``byFirstWord`` (bits 0–15 of the hash): a clear bit proves
    /// that no pattern starts with the word, so most tokens skip the dictionary lookup.
    private(set) var firstWordFilter = [UInt64](repeating: 0, count: 1024)
    /// ISO code by the stem hash of one-word country names, so that a nisba adjective finds its
    /// country ("العراقي" → عراق → IQ).
    private(set) var countryByStem: [UInt64: String] = [:]
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
            return text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }.map {
                $0.split(separator: "\t", omittingEmptySubsequences: false)
            }
        }
        for row in try rows("countries.tsv") where row.count >= 5 {
            let code = String(row[0])
            add(.init(kind: .country, arabic: "", english: "", country: code), arabic: row[1], english: row[2])
        }
        // Capitals after countries: a name shared by both (الجزائر، تونس) denotes the country.
        for row in try rows("countries.tsv") where row.count >= 5 {
            let code = String(row[0])
            add(.init(kind: .capital, arabic: "", english: "", country: code), arabic: row[3], english: row[4])
        }
        for row in try rows("cities.tsv") where row.count >= 3 {
            add(.init(kind: .city, arabic: "", english: "", country: String(row[0])), arabic: row[1], english: row[2])
        }
        for row in try rows("organizations.tsv") where row.count >= 2 {
            add(.init(kind: .organization, arabic: "", english: ""), arabic: row[0], english: row[1])
        }
        for row in try rows("persons.tsv") where row.count >= 4 {
            let entry = Entry(kind: .person, arabic: "", english: "", country: String(row[2]), role: String(row[3]))
            add(entry, arabic: row[0], english: row[1])
        }
        for key in byFirstWord.keys {
            byFirstWord[key]!.sort {
                patterns[$0].words.count > patterns[$1].words.count
                    || (patterns[$0].words.count == patterns[$1].words.count && $0 < $1)
            }
        }
        for key in byFirstWord.keys {
            firstWordFilter[Int(truncatingIfNeeded: key >> 6) & 1023] |= 1 << (key & 63)
        }
    }

    private mutating func add(_ entry: Entry, arabic: Substring, english: Substring) {
        var entry = entry
        let arabicNames = arabic.split(separator: "|").map(String.init)
        let englishNames = english.split(separator: "|").map(String.init)
        entry.arabic = arabicNames.first ?? ""
        entry.english = englishNames.first.map { $0.hasPrefix("=") ? String($0.dropFirst()) : $0 } ?? ""
        let index = entries.count
        entries.append(entry)
        for name in arabicNames + englishNames {
            let allCaps = name.hasPrefix("=")
            let spelling = allCaps ? String(name.dropFirst()) : name
            var words: [UInt64] = []
            var latin = false
            var single: [UInt32] = []
            var stem: UInt64 = 0
            TextNormalizer.forEachWord(in: spelling) { word in
                words.append(word.bareHash)
                stem = word.stemHash
                latin = latin || word.kind == .latin
                single = Array(word.bare)
            }
            // A one-word name of fewer than three letters after its proclitics is too ambiguous (unless an
            // acronym that must be written in capitals).
            guard let first = words.first, words.count > 1 || single.count >= 3 || allCaps else { continue }
            let pattern = Pattern(words: words, allCaps: allCaps, latin: latin, entry: index)
            if entry.kind == .country && words.count == 1 && !latin, let code = entry.country,
                countryByStem[stem] == nil
            {
                countryByStem[stem] = code
            }
            // The first spelling registered for a word sequence wins.
            if byFirstWord[first, default: []].contains(where: { patterns[$0].words == words }) { continue }
            byFirstWord[first, default: []].append(patterns.count)
            if words.count == 1 && (Gazetteer.fuzzyMinLength...Gazetteer.fuzzyMaxLength).contains(single.count)
                && !allCaps
            {
                for offset in single.indices {
                    let key = Gazetteer.blankedHash(single[...], offset: offset)
                    if fuzzy[key] == nil { fuzzy[key] = patterns.count }
                }
            }
            patterns.append(pattern)
        }
    }

    /// Whether some pattern may start with the word of hash `bare` (false: certainly none).
    @inline(__always)
    static func mayStart(_ bare: UInt64, filter: UnsafeBufferPointer<UInt64>) -> Bool {
        filter[Int(truncatingIfNeeded: bare >> 6) & 1023] & (1 << (bare & 63)) != 0
    }

    /// Hash of `word` with the letter at `offset` (0-based) replaced by a blank, mixed with the offset.
    static func blankedHash(_ word: ArraySlice<UInt32>, offset: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(offset &* 0x9E37_79B9)
        for (k, v) in word.enumerated() {
            h = (h ^ UInt64(k == offset ? 0x2A : v)) &* 0x0000_0100_0000_01B3
        }
        return h
    }
}
