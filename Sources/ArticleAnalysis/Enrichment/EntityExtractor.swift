/// A person, organisation or place found in an article.
public struct Entity: Sendable, Hashable {
    /// Canonical name (gazetteer name in the article's language, or the text as written).
    public var name: String
    /// ``name`` normalised for matching (``TextNormalizer/normalize(_:)``).
    public var normalized: String
    /// ISO 3166-1 alpha-2 code: the country of a place, the affiliation of a known person; `nil`
    /// for organisations and unknown people.
    public var country: String?
    /// Place type (`country`, `capital`, `city`) or person role (`head_of_state`, ...); `nil` otherwise.
    public var type: String?
    /// Whether the entity comes from the gazetteer (`true`) or from a heuristic (`false`).
    public var known: Bool
    /// Number of mentions in the article.
    public var mentions: Int
    /// Token index of the first mention (orders the lists).
    var firstToken: Int
}

/// Named entities of an article, grouped by kind.
public struct Entities: Sendable, Hashable {
    /// People, by first mention.
    public var persons: [Entity] = []
    /// Organisations, by first mention.
    public var organizations: [Entity] = []
    /// Places, by first mention.
    public var locations: [Entity] = []
}

/// Finds entities: gazetteer matches (with one-letter typo tolerance for long names), people
/// introduced by a title ("الرئيس", "وزير الخارجية", "President", "Mr"), and later mentions of a
/// found person by surname alone.
struct EntityExtractor {
    let text: ArticleText
    let gazetteer: Gazetteer
    let language: Language

    /// One entity found in the article.
    private struct Found {
        var kind: Gazetteer.Kind
        var entity: Entity
        /// The gazetteer entry, or -1 for a person found by a title (identified by `entity.normalized`).
        var entry: Int
    }

    /// Entities in order of discovery.
    private var found: [Found] = []
    /// Index in `found` of each gazetteer entry found, -1 for the others (allocated on the first match).
    private var foundByEntry: [Int32] = []
    /// Mentions of people by token (used by quote attribution): index in `found`, or -1.
    private var personAt: [Int32] = []
    /// Last word of each multi-word person mention (hash) → index in `found` (first person wins); a
    /// handful per article, so a list behind a one-word bit filter (bit = low six bits of the hash).
    private var surnames: [(word: UInt64, found: Int32)] = []
    private var surnameFilter: UInt64 = 0

    init(text: ArticleText, gazetteer: Gazetteer, language: Language) {
        self.text = text
        self.gazetteer = gazetteer
        self.language = language
    }

    /// Title spellings (word-hash sequences) behind a filter on their first words.
    private struct Titles {
        let titles: [[UInt64]]
        let firstWords: HashSet64

        init(_ spellings: [String]) {
            titles = spellings.map(EntityExtractor.hashes)
            firstWords = HashSet64(titles.map { $0[0] })
        }

        /// Number of tokens of the longest title starting at token `i`, 0 for none.
        @inline(__always)
        func longest(at i: Int, in tokens: [ArticleText.TokenInfo]) -> Int {
            guard firstWords.contains(tokens[i].bare) else { return 0 }
            var best = 0
            for title in titles where title.count > best && i + title.count <= tokens.count {
                var ok = true
                for (k, word) in title.enumerated()
                where tokens[i + k].bare != word || (k > 0 && tokens[i + k].breakBefore) {
                    ok = false
                    break
                }
                if ok { best = title.count }
            }
            return best
        }
    }

    // Arabic title words (normalised, without proclitics) that introduce a person's name.
    // Only titles that are nearly always followed by a name (not "رئيس" / "وزير" alone: "رئيس هيئة ...").
    private static let arabicTitles = Titles([
        "رئيس الوزراء", "رئيس مجلس الوزراء", "رئيس الحكومة", "الرئيس", "وزير الخارجية", "وزيرة الخارجية",
        "وزير الدفاع", "وزير الداخلية", "وزير المالية", "السفير", "الملك", "الأمير", "الشيخ", "الجنرال", "اللواء",
        "العميد", "المرشح", "المرشحة", "المستشارة", "نائب الرئيس",
    ])
    private static let englishTitles = Titles([
        "president", "prime minister", "minister", "secretary", "chancellor", "mr", "mrs", "ms", "dr", "senator",
        "governor", "king", "queen", "prince", "leader", "spokesman", "spokeswoman", "ambassador", "mp", "sir",
        "lord",
    ])
    /// Capitalised English words that are never part of a person's name.
    static let englishNonNames = HashSet64(
        ("election elections minister ministers secretary justice party government office house department "
            + "committee council commission court union state states news chancellor general chief lord mr mrs "
            + "ms president prime the a an")
            .split(separator: " ").flatMap { hashes(String($0)) }
    )
    /// Function words that never belong to a name.
    static let stopwords = HashSet64(
        ("في من على الي إلى عن ان إن أن مع خلال الذي التي قد لم لن هذا هذه بعد قبل عند كان ما لا او أو ثم حيث كما "
            + "يوم اليوم امس أمس غدا منذ حول ضد بين عبر لدى اي أي كل هو هي انه إنه أنه وهو وهي قال يقول اكد أكد "
            + "the of and to in a is that for on was with he she it as at by said from has have be are this an not "
            + "but his her had were which who told says after before during new former")
            .split(separator: " ").flatMap { hashes(String($0)) }
    )
    /// Arabic reporting verbs (a name is often followed by one).
    static let speechVerbs = HashSet64(
        "قال قالت يقول تقول اكد اكدت يؤكد اضاف اضافت اوضح صرح اعلن اعلنت اعتبر شدد اشار ذكر تابع راي نفي حذر"
            .split(separator: " ").flatMap { hashes(String($0)) }
    )
    /// Name parts that take a following word with the article (عبد الله، أبو بكر، بن سلمان).
    private static let nameJoiners = HashSet64(["عبد", "ابو", "أبو", "بن", "ابن", "آل"].flatMap(hashes))

    private static func hashes(_ s: String) -> [UInt64] {
        var out: [UInt64] = []
        TextNormalizer.forEachWord(in: s) { out.append($0.bareHash) }
        return out
    }

    /// Runs all passes and returns the entities (each list capped at `limit`).
    mutating func extract(limit: Int) -> Entities {
        var covered = [Bool](repeating: false, count: text.tokens.count)
        personAt = [Int32](repeating: -1, count: text.tokens.count)
        gazetteerPass(&covered)
        titlePass(&covered)
        surnamePass(&covered)
        var result = Entities()
        let ordered = found.sorted {
            $0.entity.firstToken != $1.entity.firstToken
                ? $0.entity.firstToken < $1.entity.firstToken : $0.entity.name < $1.entity.name
        }
        for item in ordered {
            switch item.kind {
            case .person where result.persons.count < limit: result.persons.append(item.entity)
            case .organization where result.organizations.count < limit: result.organizations.append(item.entity)
            case .country, .capital, .city:
                if result.locations.count < limit { result.locations.append(item.entity) }
            default: break
            }
        }
        return result
    }

    /// Counts a mention of the entity at `index` in `found`, or, when `index` is nil, adds the entity
    /// `make` builds; returns its index in `found`.
    private mutating func record(
        _ index: Int?, kind: Gazetteer.Kind, entry: Int, at token: Int, make: () -> Entity
    ) -> Int {
        if let index {
            found[index].entity.mentions += 1
            return index
        }
        var entity = make()
        entity.firstToken = token
        entity.mentions = 1
        found.append(Found(kind: kind, entity: entity, entry: entry))
        return found.count - 1
    }

    /// The person whose surname has hash `word`, as an index in `found`.
    @inline(__always)
    private func surname(_ word: UInt64) -> Int? {
        guard surnameFilter & (1 << (word & 63)) != 0 else { return nil }
        for item in surnames where item.word == word { return Int(item.found) }
        return nil
    }

    /// Registers `word` as the surname of `found[index]` unless it already names someone.
    private mutating func addSurname(_ word: UInt64, _ index: Int) {
        guard surname(word) == nil else { return }
        surnames.append((word, Int32(index)))
        surnameFilter |= 1 << (word & 63)
    }

    private mutating func gazetteerPass(_ covered: inout [Bool]) {
        let tokens = text.tokens
        let filter = gazetteer.firstWordFilter
        let byFirstWord = gazetteer.byFirstWord
        let candidates = gazetteer.candidates
        let patterns = gazetteer.patterns
        var i = 0
        while i < tokens.count {
            var matched: (pattern: Int, length: Int)? = nil
            let mayStart = filter.withUnsafeBufferPointer { Gazetteer.mayStart(tokens[i].bare, filter: $0) }
            if mayStart, let range = byFirstWord[tokens[i].bare] {
                for index in candidates[range] where matches(patterns[index], at: i) {
                    matched = (index, patterns[index].words.count)
                    break
                }
            } else if tokens[i].fuzzyPattern >= 0 && tokens[i].kind == .arabic {
                matched = (tokens[i].fuzzyPattern, 1)
            }
            guard let (patternIndex, length) = matched else {
                i += 1
                continue
            }
            let entryIndex = patterns[patternIndex].entry
            let entry = gazetteer.entries[entryIndex]
            if foundByEntry.isEmpty { foundByEntry = [Int32](repeating: -1, count: gazetteer.entries.count) }
            let known = foundByEntry[entryIndex]
            let language = self.language
            let index = record(known < 0 ? nil : Int(known), kind: entry.kind, entry: entryIndex, at: i) {
                Entity(
                    name: entry.name(for: language), normalized: entry.normalizedName(for: language),
                    country: entry.kind == .organization ? nil : entry.country,
                    type: entry.kind == .person
                        ? entry.role : (entry.kind == .organization ? nil : entry.kind.rawValue),
                    known: true, mentions: 0, firstToken: i
                )
            }
            foundByEntry[entryIndex] = Int32(index)
            for k in i..<(i + length) {
                covered[k] = true
                if entry.kind == .person { personAt[k] = Int32(index) }
            }
            if entry.kind == .person && length > 1 { addSurname(tokens[i + length - 1].bare, index) }
            i += length
        }
    }

    private func matches(_ pattern: Gazetteer.Pattern, at i: Int) -> Bool {
        let tokens = text.tokens
        guard i + pattern.words.count <= tokens.count else { return false }
        var capitalized = false
        var k = i
        for word in gazetteer.patternWords[pattern.words] {
            let token = tokens[k]
            if token.bare != word { return false }
            if k > i && token.breakBefore { return false }
            if pattern.allCaps && !token.allCaps { return false }
            capitalized = capitalized || token.capitalized
            k += 1
        }
        return !pattern.latin || capitalized
    }

    /// People introduced by a title: "رئيس الوزراء العراقي مصطفى الكاظمي", "Secretary Patricia Hewitt".
    private mutating func titlePass(_ covered: inout [Bool]) {
        let tokens = text.tokens
        let arabicTitles = Self.arabicTitles
        let englishTitles = Self.englishTitles
        let stopwords = Self.stopwords
        var i = 0
        while i < tokens.count {
            let arabic = tokens[i].kind == .arabic
            let titleLength = (arabic ? arabicTitles : englishTitles).longest(at: i, in: tokens)
            guard titleLength > 0 else {
                i += 1
                continue
            }
            var j = i + titleLength
            if arabic {
                // Skip adjectives and places qualifying the title (العراقي، الأميركي، الخارجية).
                var skipped = 0
                while j < tokens.count, skipped < 4, !tokens[j].breakBefore, tokens[j].kind == .arabic,
                    tokens[j].hasArticle || (covered[j] && personAt[j] < 0), !stopwords.contains(tokens[j].bare)
                {
                    j += 1
                    skipped += 1
                }
            }
            var end = j
            while end < tokens.count, end - j < 4, !(end > j && tokens[end].breakBefore), !covered[end] {
                let token = tokens[end]
                if stopwords.contains(token.bare) { break }
                if arabic {
                    // Name words carry no proclitic (و، ب، ل ...) other than a final nisba's article.
                    guard token.kind == .arabic, token.bare == token.normalized || token.hasArticle else { break }
                    if token.hasArticle {
                        let afterJoiner = end > j && Self.nameJoiners.contains(tokens[end - 1].bare)
                        if !afterJoiner {
                            if end > j { end += 1 }  // a final nisba surname (الكاظمي)
                            break
                        }
                    }
                } else if !(token.kind == .latin && token.capitalized) || Self.englishNonNames.contains(token.bare) {
                    break
                }
                end += 1
            }
            let count = end - j
            // An Arabic name must be followed by punctuation, a function word or the end of the
            // paragraph ("الرئيس المصري محمد مرسي، ..."), which filters most non-names.
            let closed =
                end >= tokens.count || tokens[end].breakBefore || tokens[end].segment != tokens[j].segment
                || stopwords.contains(tokens[end].bare) || Self.speechVerbs.contains(tokens[end].bare)
            if arabic && !closed {
                i += max(1, titleLength)
            } else if count == 1, let index = surname(tokens[j].bare) {
                // "Mr Blair" after "Tony Blair".
                found[index].entity.mentions += 1
                covered[j] = true
                personAt[j] = Int32(index)
                i = end
            } else if count >= (arabic ? 2 : 1) && count <= 4 && !(j < tokens.count && covered[j]) {
                var name = text.text(tokens: j, end - 1)
                if name.hasSuffix("'s") || name.hasSuffix("\u{2019}s") { name = String(name.dropLast(2)) }
                let normalized = TextNormalizer.normalize(name)
                let known = found.firstIndex { $0.entry < 0 && $0.entity.normalized == normalized }
                let index = record(known, kind: .person, entry: -1, at: j) {
                    Entity(
                        name: name, normalized: normalized, country: nil, type: nil, known: false, mentions: 0,
                        firstToken: j
                    )
                }
                for k in j..<end {
                    covered[k] = true
                    personAt[k] = Int32(index)
                }
                if count > 1 { addSurname(tokens[end - 1].bare, index) }
                i = end
            } else {
                i += max(1, titleLength)
            }
        }
    }

    /// Later mentions of a found multi-word person by their last name alone ("وأضاف حسين", "Ms Hewitt").
    private mutating func surnamePass(_ covered: inout [Bool]) {
        guard !surnames.isEmpty else { return }
        let tokens = text.tokens
        for i in tokens.indices where !covered[i] {
            guard let index = surname(tokens[i].bare), tokens[i].kind != .latin || tokens[i].capitalized else {
                continue
            }
            if i + 1 < tokens.count, !tokens[i + 1].breakBefore, !covered[i + 1],
                tokens[i + 1].kind == .latin && tokens[i + 1].capitalized
            {
                continue
            }
            found[index].entity.mentions += 1
            covered[i] = true
            personAt[i] = Int32(index)
        }
    }

    /// The canonical name of the gazetteer person found in this article with the given role and
    /// affiliation, when exactly one matches ("وزير الخارجية العراقي" → فؤاد حسين).
    func person(role: String, country: String) -> String? {
        let matches = found.filter {
            $0.kind == .person && $0.entity.type == role && $0.entity.country == country
        }
        return matches.count == 1 ? matches[0].entity.name : nil
    }

    /// The canonical name of the person mentioned at token `i`, if any.
    func person(at i: Int) -> String? {
        guard i < personAt.count, personAt[i] >= 0 else { return nil }
        return found[Int(personAt[i])].entity.name
    }
}
