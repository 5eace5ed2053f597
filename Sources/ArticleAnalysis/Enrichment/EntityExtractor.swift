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
    /// A mention of an entity over tokens `start..<end`.
    struct Mention {
        var start: Int
        var end: Int
        var key: String
    }

    let text: ArticleText
    let gazetteer: Gazetteer
    let language: Language

    /// Mentions of people by token index (used by quote attribution): token → person key.
    private(set) var personAt: [Int: String] = [:]
    private var found: [String: (kind: Gazetteer.Kind, entity: Entity)] = [:]
    /// Last word of each multi-word person mention → the person's key (first person wins).
    private var surnames: [UInt64: String] = [:]

    init(text: ArticleText, gazetteer: Gazetteer, language: Language) {
        self.text = text
        self.gazetteer = gazetteer
        self.language = language
    }

    // Arabic title words (normalised, without proclitics) that introduce a person's name.
    // Only titles that are nearly always followed by a name (not "رئيس" / "وزير" alone: "رئيس هيئة ...").
    private static let arabicTitles: [[UInt64]] = [
        "رئيس الوزراء", "رئيس مجلس الوزراء", "رئيس الحكومة", "الرئيس", "وزير الخارجية", "وزيرة الخارجية",
        "وزير الدفاع", "وزير الداخلية", "وزير المالية", "السفير", "الملك", "الأمير", "الشيخ", "الجنرال", "اللواء",
        "العميد", "المرشح", "المرشحة", "المستشارة", "نائب الرئيس",
    ].map(hashes)
    private static let englishTitles: [[UInt64]] = [
        "president", "prime minister", "minister", "secretary", "chancellor", "mr", "mrs", "ms", "dr", "senator",
        "governor", "king", "queen", "prince", "leader", "spokesman", "spokeswoman", "ambassador", "mp", "sir",
        "lord",
    ].map(hashes)
    /// One bit (the low six bits of the hash) per first word of a title: most tokens are rejected by one
    /// AND before the title list is scanned.
    private static func firstWordMask(_ titles: [[UInt64]]) -> UInt64 {
        titles.reduce(0) { $0 | 1 << ($1[0] & 63) }
    }
    private static let arabicTitleMask = firstWordMask(arabicTitles)
    private static let englishTitleMask = firstWordMask(englishTitles)
    /// Capitalised English words that are never part of a person's name.
    static let englishNonNames: Set<UInt64> = Set(
        ("election elections minister ministers secretary justice party government office house department "
            + "committee council commission court union state states news chancellor general chief lord mr mrs "
            + "ms president prime the a an")
            .split(separator: " ").flatMap { hashes(String($0)) }
    )
    /// Function words that never belong to a name.
    static let stopwords: Set<UInt64> = Set(
        ("في من على الي إلى عن ان إن أن مع خلال الذي التي قد لم لن هذا هذه بعد قبل عند كان ما لا او أو ثم حيث كما "
            + "يوم اليوم امس أمس غدا منذ حول ضد بين عبر لدى اي أي كل هو هي انه إنه أنه وهو وهي قال يقول اكد أكد "
            + "the of and to in a is that for on was with he she it as at by said from has have be are this an not "
            + "but his her had were which who told says after before during new former")
            .split(separator: " ").flatMap { hashes(String($0)) }
    )
    /// Arabic reporting verbs (a name is often followed by one).
    static let speechVerbs: Set<UInt64> = Set(
        "قال قالت يقول تقول اكد اكدت يؤكد اضاف اضافت اوضح صرح اعلن اعلنت اعتبر شدد اشار ذكر تابع راي نفي حذر"
            .split(separator: " ").flatMap { hashes(String($0)) }
    )
    /// Name parts that take a following word with the article (عبد الله، أبو بكر، بن سلمان).
    private static let nameJoiners: Set<UInt64> = Set(["عبد", "ابو", "أبو", "بن", "ابن", "آل"].flatMap(hashes))

    private static func hashes(_ s: String) -> [UInt64] {
        var out: [UInt64] = []
        TextNormalizer.forEachWord(in: s) { out.append($0.bareHash) }
        return out
    }

    /// Runs all passes and returns the entities (each list capped at `limit`).
    mutating func extract(limit: Int) -> Entities {
        var covered = [Bool](repeating: false, count: text.tokens.count)
        gazetteerPass(&covered)
        titlePass(&covered)
        surnamePass(&covered)
        var result = Entities()
        let ordered = found.values.sorted {
            $0.entity.firstToken != $1.entity.firstToken
                ? $0.entity.firstToken < $1.entity.firstToken : $0.entity.name < $1.entity.name
        }
        for (kind, entity) in ordered {
            switch kind {
            case .person where result.persons.count < limit: result.persons.append(entity)
            case .organization where result.organizations.count < limit: result.organizations.append(entity)
            case .country, .capital, .city:
                if result.locations.count < limit { result.locations.append(entity) }
            default: break
            }
        }
        return result
    }

    private mutating func record(_ key: String, kind: Gazetteer.Kind, at token: Int, make: () -> Entity) {
        if found[key] != nil {
            found[key]!.entity.mentions += 1
        } else {
            var entity = make()
            entity.firstToken = token
            entity.mentions = 1
            found[key] = (kind, entity)
        }
    }

    private mutating func gazetteerPass(_ covered: inout [Bool]) {
        let tokens = text.tokens
        let filter = gazetteer.firstWordFilter
        var i = 0
        while i < tokens.count {
            var matched: (pattern: Int, length: Int)? = nil
            let mayStart = filter.withUnsafeBufferPointer { Gazetteer.mayStart(tokens[i].bare, filter: $0) }
            if mayStart, let candidates = gazetteer.byFirstWord[tokens[i].bare] {
                for index in candidates where matches(gazetteer.patterns[index], at: i) {
                    matched = (index, gazetteer.patterns[index].words.count)
                    break
                }
            } else if tokens[i].fuzzyPattern >= 0 && tokens[i].kind == .arabic {
                matched = (tokens[i].fuzzyPattern, 1)
            }
            guard let (patternIndex, length) = matched else {
                i += 1
                continue
            }
            let entryIndex = gazetteer.patterns[patternIndex].entry
            let entry = gazetteer.entries[entryIndex]
            let key = "g\(entryIndex)"
            let language = self.language
            record(key, kind: entry.kind, at: i) {
                let name = entry.name(for: language)
                return Entity(
                    name: name, normalized: TextNormalizer.normalize(name),
                    country: entry.kind == .organization ? nil : entry.country,
                    type: entry.kind == .person
                        ? entry.role : (entry.kind == .organization ? nil : entry.kind.rawValue),
                    known: true, mentions: 0, firstToken: i
                )
            }
            for k in i..<(i + length) {
                covered[k] = true
                if entry.kind == .person { personAt[k] = key }
            }
            if entry.kind == .person && length > 1 && surnames[tokens[i + length - 1].bare] == nil {
                surnames[tokens[i + length - 1].bare] = key
            }
            i += length
        }
    }

    private func matches(_ pattern: Gazetteer.Pattern, at i: Int) -> Bool {
        let tokens = text.tokens
        guard i + pattern.words.count <= tokens.count else { return false }
        var capitalized = false
        for (k, word) in pattern.words.enumerated() {
            let token = tokens[i + k]
            if token.bare != word { return false }
            if k > 0 && token.breakBefore { return false }
            if pattern.allCaps && !token.allCaps { return false }
            capitalized = capitalized || token.capitalized
        }
        return !pattern.latin || capitalized
    }

    private func startsTitle(_ titles: [[UInt64]], mask: UInt64, at i: Int) -> Int {
        let tokens = text.tokens
        if mask & (1 << (tokens[i].bare & 63)) == 0 { return 0 }
        var best = 0
        for title in titles where title.count > best && i + title.count <= tokens.count {
            var ok = true
            for (k, word) in title.enumerated() where tokens[i + k].bare != word || (k > 0 && tokens[i + k].breakBefore)
            {
                ok = false
                break
            }
            if ok { best = title.count }
        }
        return best
    }

    /// People introduced by a title: "رئيس الوزراء العراقي مصطفى الكاظمي", "Secretary Patricia Hewitt".
    private mutating func titlePass(_ covered: inout [Bool]) {
        let tokens = text.tokens
        var i = 0
        while i < tokens.count {
            let arabic = tokens[i].kind == .arabic
            let titleLength = startsTitle(
                arabic ? Self.arabicTitles : Self.englishTitles,
                mask: arabic ? Self.arabicTitleMask : Self.englishTitleMask, at: i
            )
            guard titleLength > 0 else {
                i += 1
                continue
            }
            var j = i + titleLength
            if arabic {
                // Skip adjectives and places qualifying the title (العراقي، الأميركي، الخارجية).
                var skipped = 0
                while j < tokens.count, skipped < 4, !tokens[j].breakBefore, tokens[j].kind == .arabic,
                    tokens[j].hasArticle || (covered[j] && personAt[j] == nil), !Self.stopwords.contains(tokens[j].bare)
                {
                    j += 1
                    skipped += 1
                }
            }
            var end = j
            while end < tokens.count, end - j < 4, !(end > j && tokens[end].breakBefore), !covered[end] {
                let token = tokens[end]
                if Self.stopwords.contains(token.bare) { break }
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
                || Self.stopwords.contains(tokens[end].bare) || Self.speechVerbs.contains(tokens[end].bare)
            if arabic && !closed {
                i += max(1, titleLength)
            } else if count == 1, let key = surnames[tokens[j].bare] {
                // "Mr Blair" after "Tony Blair".
                found[key]!.entity.mentions += 1
                covered[j] = true
                personAt[j] = key
                i = end
            } else if count >= (arabic ? 2 : 1) && count <= 4 && !(j < tokens.count && covered[j]) {
                var name = text.text(tokens: j, end - 1)
                if name.hasSuffix("'s") || name.hasSuffix("\u{2019}s") { name = String(name.dropLast(2)) }
                let normalized = TextNormalizer.normalize(name)
                let key = "h" + normalized
                record(key, kind: .person, at: j) {
                    Entity(
                        name: name, normalized: normalized, country: nil, type: nil, known: false, mentions: 0,
                        firstToken: j
                    )
                }
                for k in j..<end {
                    covered[k] = true
                    personAt[k] = key
                }
                if count > 1 && surnames[tokens[end - 1].bare] == nil { surnames[tokens[end - 1].bare] = key }
                i = end
            } else {
                i += max(1, titleLength)
            }
        }
    }

    /// Later mentions of a found multi-word person by their last name alone ("وأضاف حسين", "Ms Hewitt").
    private mutating func surnamePass(_ covered: inout [Bool]) {
        let tokens = text.tokens
        for i in tokens.indices where !covered[i] {
            guard let key = surnames[tokens[i].bare], tokens[i].kind != .latin || tokens[i].capitalized else {
                continue
            }
            if i + 1 < tokens.count, !tokens[i + 1].breakBefore, !covered[i + 1],
                tokens[i + 1].kind == .latin && tokens[i + 1].capitalized
            {
                continue
            }
            found[key]!.entity.mentions += 1
            covered[i] = true
            personAt[i] = key
        }
    }

    /// The canonical name of the gazetteer person found in this article with the given role and
    /// affiliation, when exactly one matches ("وزير الخارجية العراقي" → فؤاد حسين).
    func person(role: String, country: String) -> String? {
        let matches = found.values.filter {
            $0.kind == .person && $0.entity.type == role && $0.entity.country == country
        }
        return matches.count == 1 ? matches[0].entity.name : nil
    }

    /// The canonical name of the person mentioned at token `i`, if any.
    func person(at i: Int) -> String? {
        personAt[i].flatMap { found[$0]?.entity.name }
    }
}
