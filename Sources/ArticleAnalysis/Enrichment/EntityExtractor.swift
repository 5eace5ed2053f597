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
        /// The gazetteer entry (index in ``Gazetteer/entries``), or −1 for a person found by a title.
        var entry: Int32
    }

    /// Entities in order of discovery; a gazetteer entry is found again by a linear search on ``Found/entry`` (a
    /// few dozen per article, at most the gazetteer's size).
    private var found: [Found] = []
    /// Per token: the person mentioned there (index in `found`; used by quote attribution), ``coveredOther``
    /// for a token inside another entity's mention, or ``uncovered``. One array records both what the passes have
    /// covered and who is mentioned where.
    private var personAt: [Int32] = []
    /// ``personAt`` of a token inside the mention of an entity other than a person.
    private static let coveredOther: Int32 = -1
    /// ``personAt`` of a token no entity mention covers.
    private static let uncovered: Int32 = -2
    /// Last word of each multi-word person mention (hash) → index in `found` (first person wins).
    private var surnames = HashMap64()
    /// One bit (the low six bits of the hash) per key of `surnames`: most tokens skip the lookup.
    private var surnameFilter: UInt64 = 0
    /// People found by a title, by the hash of the bytes of their first mention: a later mention written
    /// the same way is that person, found without building and normalising its name.
    private var titledSources = HashMap64()
    /// The byte range of each mention in `titledSources` (whose values index it) and its person.
    private var titledSourceList: [(source: Range<Int>, found: Int32)] = []
    /// People found by a title, by the hash of their normalised name: index in `found`.
    private var titledNames = HashMap64()
    /// Per word (bare hash), its first occurrence right after a word that may be an English first name
    /// (``isFirstNameWord(_:)``): built by the first ``firstNameBefore(_:source:in:)`` call, one pass over the tokens.
    private var firstNamedWords: HashMap64? = nil

    init(text: ArticleText, gazetteer: Gazetteer, language: Language) {
        self.text = text
        self.gazetteer = gazetteer
        self.language = language
    }

    /// The article's tokens, read through a pointer in the passes (no retain, no bounds check in release).
    typealias Tokens = UnsafeBufferPointer<ArticleText.TokenInfo>

    /// Title spellings as word-hash sequences, longest first.
    private struct Titles {
        /// The words of all titles, one after the other.
        let words: [UInt64]
        /// The range of each title in `words`, longest title first.
        let spans: [Range<Int>]
        /// The first word of each title (same order as `spans`).
        let firstWords: [UInt64]

        init(_ spellings: [String]) {
            var words: [UInt64] = []
            var spans: [Range<Int>] = []
            for title in spellings.map(EntityExtractor.hashes).sorted(by: { $0.count > $1.count }) {
                spans.append(words.count..<(words.count + title.count))
                words.append(contentsOf: title)
            }
            self.words = words
            self.spans = spans
            firstWords = spans.map { words[$0.lowerBound] }
        }

        /// Number of tokens of the longest title starting at token `i`, 0 for none. A title's words follow each
        /// other with only spaces between them, or with a hyphen where `joinedByHyphen` says so ("co-ordinator",
        /// "Secretary-General").
        func longest(at i: Int, in tokens: Tokens, joinedByHyphen: (Int) -> Bool = { _ in false }) -> Int {
            let first = tokens[i].bare
            return words.withUnsafeBufferPointer { words in
                for (t, word) in firstWords.enumerated() where word == first && i + spans[t].count <= tokens.count {
                    let span = spans[t]
                    var k = i + 1
                    var ok = true
                    for word in words[(span.lowerBound + 1)..<span.upperBound] {
                        if tokens[k].bare != word || (tokens[k].breakBefore && !joinedByHyphen(k)) {
                            ok = false
                            break
                        }
                        k += 1
                    }
                    if ok { return span.count }
                }
                return 0
            }
        }
    }

    // Arabic title words (normalised, without proclitics) that introduce a person's name.
    // Only titles that are nearly always followed by a name (not "رئيس" / "وزير" alone: "رئيس هيئة ...").
    private static let arabicTitles = Titles([
        "رئيس الوزراء", "رئيس مجلس الوزراء", "رئيس الحكومة", "الرئيس", "وزير الخارجية", "وزيرة الخارجية",
        "وزير الدفاع", "وزير الداخلية", "وزير المالية", "السفير", "الملك", "الأمير", "الشيخ", "الجنرال", "اللواء",
        "العميد", "المرشح", "المرشحة", "المستشارة", "نائب الرئيس", "المتحدث باسم", "المتحدثة باسم", "الناطق باسم",
        "الناطقة باسم", "ولي العهد",
    ])
    /// The last word of the spokesperson titles ("المتحدث باسم"): what follows is whom the person speaks for, then
    /// the name.
    private static let onBehalfOf = hashes("باسم")[0]
    private static let englishTitles = Titles([
        "president", "prime minister", "minister", "secretary", "chancellor", "mr", "mrs", "ms", "dr", "senator",
        "governor", "king", "queen", "prince", "leader", "spokesman", "spokeswoman", "ambassador", "mp", "sir",
        "lord",
        // Roles written before a name ("chief executive Tom McKillop", "political editor Andrew Marr", "striker
        // James Beattie"); not those that also head names of things ("General Motors", "Centre Court", "The
        // Economist Intelligence Unit").
        "coordinator", "co-ordinator", "commissioner", "director", "chairman", "chairwoman", "chief executive",
        "editor", "chief economist", "analyst", "spokesperson", "coach", "manager", "captain", "striker", "inspector",
        "superintendent", "judge", "professor", "attorney general", "secretary general", "director general",
        "vice president", "co-founder",
    ])
    /// The first words of all titles.
    static let titleFirstWords = arabicTitles.firstWords + englishTitles.firstWords
    /// Capitalised English words that are never part of a person's name.
    static let englishNonNames = HashSet64(
        ("election elections minister ministers secretary justice party government office house department "
            + "committee council commission court union state states news chancellor general chief lord mr mrs "
            + "ms president prime the a an sir dame")
            .split(separator: " ").flatMap { hashes(String($0)) }
    )
    /// Function words that never belong to a name.
    static let stopwords = HashSet64(
        ("في من على الي إلى عن ان إن أن مع خلال الذي التي قد لم لن هذا هذه بعد قبل عند كان ما لا او أو ثم حيث كما "
            + "يوم اليوم امس أمس غدا منذ حول ضد بين عبر لدى اي أي كل هو هي انه إنه أنه بأنه بأنها لأنه لأنها وهو وهي "
            + "وفي ففي لكن غير عندما ومع ذلك بل اثناء أثناء نفسه نفسها تماما مباشرة عقب فقط أيضا كذلك مجددا شخصيا "
            + "بدوره بدورها بذلك لذلك مرارا مؤخرا سابقا لاحقا حاليا "
            + "قال يقول اكد أكد "
            + "the of and to in a is that for on was with he she it as at by said from has have be are this an not "
            + "but his her had were which who told says after before during new former")
            .split(separator: " ").flatMap { hashes(String($0)) }
    )
    /// Arabic reporting verbs (a name is often followed by one).
    static let speechVerbs = HashSet64(
        "قال قالت يقول تقول اكد اكدت يؤكد اضاف اضافت اوضح صرح اعلن اعلنت اعتبر شدد اشار ذكر تابع راي نفي حذر"
            .split(separator: " ").flatMap { hashes(String($0)) }
    )
    /// Nouns of institutions: after a title written without its article ("رئيس مجلس النواب", "رئيس هيئة
    /// الرقابة", both "رئيس" once proclitics are set aside) they name what the person heads, never the person.
    private static let institutionNouns = HashSet64(
        "مجلس هيئة جمهورية وزارة لجنة حزب حركة منظمة جامعة شركة مؤسسة اتحاد محكمة جهاز دائرة مكتب سلطة حكومة"
            .split(separator: " ").flatMap { hashes(String($0)) }
    )
    /// Capitalised words that are no one's first name (``mayBeFirstName(_:_:)``): the English title words, weekdays,
    /// months, and adverbs that often open a sentence.
    private static let notFirstNames = HashSet64(
        englishTitles.words + DateExtractor.startWords
            + hashes(
                "yesterday today tomorrow however meanwhile earlier later when while if although though because since "
                    + "then now also so even still instead last next this that these those there here")
    )
    /// "Son of" in a name: the word before it is a name.
    private static let sonOf = HashSet64(["بن", "ابن"].flatMap(hashes))
    /// Name parts that take a following word with the article (عبد الله، أبو بكر، بن سلمان).
    private static let nameJoiners = HashSet64(["عبد", "ابو", "أبو", "بن", "ابن", "آل"].flatMap(hashes))

    private static func hashes(_ s: String) -> [UInt64] {
        var out: [UInt64] = []
        TextNormalizer.forEachWord(in: s) { out.append($0.bareHash) }
        return out
    }

    /// Runs all passes and returns the entities (each list capped at `limit`).
    @inline(never)  // one call per article; out of line, the stage stays visible in profiles
    mutating func extract(limit: Int) -> Entities {
        personAt = [Int32](repeating: Self.uncovered, count: text.tokens.count)
        found.reserveCapacity(16)
        gazetteerPass()
        titlePass()
        appositivePass()
        if language != .arabic { englishAppositivePass() }
        surnamePass()
        let found = self.found
        return found.withUnsafeBufferPointer { found in
            // By first mention, then name: a stable insertion sort of the indices (the passes find entities nearly
            // in order, and a few dozen at most), reading the entities in place.
            withUnsafeTemporaryAllocation(of: Int.self, capacity: found.count) { ordered in
                for index in found.indices { ordered.initializeElement(at: index, to: index) }
                func precedes(_ lhs: Int, _ rhs: Int) -> Bool {
                    let (left, right) = (found[lhs].entity.firstToken, found[rhs].entity.firstToken)
                    return left != right ? left < right : found[lhs].entity.name < found[rhs].entity.name
                }
                for position in ordered.indices.dropFirst() {
                    let index = ordered[position]
                    var slot = position
                    while slot > 0 && precedes(index, ordered[slot - 1]) {
                        ordered[slot] = ordered[slot - 1]
                        slot -= 1
                    }
                    ordered[slot] = index
                }
                return Self.entities(found, in: UnsafeBufferPointer(ordered), limit: limit)
            }
        }
    }

    /// The entities `found[ordered[0]]`, `found[ordered[1]]`, ... grouped by kind, each list capped at `limit`.
    private static func entities(
        _ found: UnsafeBufferPointer<Found>, in ordered: UnsafeBufferPointer<Int>, limit: Int
    ) -> Entities {
        var result = Entities()
        // One allocation per list (appending to an empty list reallocates as it grows).
        var counts = (persons: 0, organizations: 0, locations: 0)
        for entry in found {
            switch entry.kind {
            case .person: counts.persons += 1
            case .organization: counts.organizations += 1
            case .country, .capital, .city: counts.locations += 1
            }
        }
        result.persons.reserveCapacity(min(counts.persons, limit))
        result.organizations.reserveCapacity(min(counts.organizations, limit))
        result.locations.reserveCapacity(min(counts.locations, limit))
        for index in ordered {
            switch found[index].kind {
            case .person where result.persons.count < limit: result.persons.append(found[index].entity)
            case .organization where result.organizations.count < limit:
                result.organizations.append(found[index].entity)
            case .country, .capital, .city:
                if result.locations.count < limit { result.locations.append(found[index].entity) }
            default: break
            }
        }
        return result
    }

    /// Adds a newly found entity; returns its index in `found`.
    private mutating func add(_ entity: Entity, kind: Gazetteer.Kind, entry: Int32 = -1) -> Int {
        found.append(Found(kind: kind, entity: entity, entry: entry))
        return found.count - 1
    }

    /// The person whose surname has hash `word`, as an index in `found`.
    @inline(__always)
    private func surname(_ word: UInt64) -> Int? {
        guard surnameFilter & (1 << (word & 63)) != 0, let index = surnames.value(for: word) else { return nil }
        return Int(index)
    }

    /// Registers `word` as the surname of `found[index]` unless it already names someone.
    private mutating func addSurname(_ word: UInt64, _ index: Int) {
        guard surname(word) == nil else { return }
        surnames.insertIfAbsent(word, Int32(index))
        surnameFilter |= 1 << (word & 63)
    }

    /// Every token whose ``ArticleText/Hint/name`` bit is set (a first word of a spelling, or a fuzzy match),
    /// except those inside an earlier match. The hints come from the gazetteer the text was built with, which
    /// must be this extractor's (``ArticleAnalyzer`` gives both `Gazetteer.bundled`): another gazetteer's
    /// names would be missed.
    private mutating func gazetteerPass() {
        visitHinted(ArticleText.Hint.name) { extractor, k, tokens in k + extractor.gazetteerMatch(at: k, tokens) }
    }

    /// Calls `visit` with the index of every token whose ``ArticleText/hinted`` entry has the hint `bit`, in order,
    /// skipping those before the index it returned for the previous one (the end of a mention found there).
    private mutating func visitHinted(_ bit: UInt8, _ visit: (inout Self, Int, Tokens) -> Int) {
        let tokenArray = text.tokens
        let hintedArray = text.hinted
        let mask = UInt64(bit)
        tokenArray.withUnsafeBufferPointer { tokens in
            hintedArray.withUnsafeBufferPointer { hinted in
                var i = 0
                for entry in hinted where entry & mask != 0 && Int(truncatingIfNeeded: entry >> 8) >= i {
                    i = visit(&self, Int(truncatingIfNeeded: entry >> 8), tokens)
                }
            }
        }
    }

    /// Records the gazetteer name starting at token `i`, if any; returns the number of tokens to skip.
    @inline(never)  // keeps the caller's per-token loop small
    private mutating func gazetteerMatch(at i: Int, _ tokens: Tokens) -> Int {
        var matched: (pattern: Int, length: Int)? = nil
        // (The hint that led here has no false negatives: the table alone decides.)
        if let range = gazetteer.byFirstWord[tokens[i].bare] {
            matched = Self.longestPattern(gazetteer, candidates: range, at: i, in: tokens)
        } else if tokens[i].fuzzyPattern >= 0 && tokens[i].kind == .arabic {
            matched = (tokens[i].fuzzyPattern, 1)
        }
        guard let (patternIndex, length) = matched else { return 1 }
        let entry = gazetteer.patterns[patternIndex].entry
        if length == 1 && followsAnotherFirstName(i, entry: entry, tokens) { return 1 }
        noteGazetteerMatch(entry, at: i, length: length, tokens)
        return length
    }

    /// Whether the one-word Latin match of gazetteer `entry` at token `i` is the surname alias of a person written
    /// right after a capitalised word that may be another first name: "Sir Ian Blair", "Cherie Blair" are not Tony
    /// Blair. The word must follow with nothing but spaces between, be uncovered, and be no title, function word,
    /// weekday or month, nor a possessive ("Labour's Blair"); a sentence's first word is not taken as a first name.
    private func followsAnotherFirstName(_ i: Int, entry: Int, _ tokens: Tokens) -> Bool {
        guard i > 0, tokens[i].kind == .latin, !tokens[i].breakBefore, !tokens[i - 1].breakBefore,
            mayBeFirstName(i - 1, tokens)
        else { return false }
        return gazetteer.entries.withUnsafeBufferPointer { $0[entry].kind == .person }
            && gazetteer.englishEntities.withUnsafeBufferPointer { $0[entry].normalized.utf8.contains(0x20) }
    }

    /// Whether token `k` may be an English first name: uncovered, and a word that may be one (``isFirstNameWord(_:)``).
    private func mayBeFirstName(_ k: Int, _ tokens: Tokens) -> Bool {
        personAt[k] == Self.uncovered && Self.isFirstNameWord(tokens[k])
    }

    /// Whether a word may be an English first name: capitalised Latin (not all capitals, no possessive), and no
    /// function word, word that never names, title word, weekday, month or sentence adverb.
    private static func isFirstNameWord(_ token: ArticleText.TokenInfo) -> Bool {
        let word = token.bare
        return token.kind == .latin && token.capitalized && !token.allCaps && word == token.normalized
            && !englishNonNames.contains(word) && !stopwords.contains(word) && !notFirstNames.contains(word)
    }

    /// Records the mention of gazetteer entry `entryIndex` over tokens `i..<i + length`.
    private mutating func noteGazetteerMatch(
        _ entryIndex: Int, at i: Int, length: Int, _ tokens: Tokens
    ) {
        // Read through a pointer, so that no copy of the entry (and its strings) is made.
        let kind = gazetteer.entries.withUnsafeBufferPointer { $0[entryIndex].kind }
        let index: Int
        let entry = Int32(entryIndex)
        if let known = found.withUnsafeBufferPointer({ found in found.firstIndex { $0.entry == entry } }) {
            index = known
            found[index].entity.mentions += 1
        } else {
            // Copied straight into `found` (a local copy would retain and release its strings once more).
            index = add(
                language == .english ? gazetteer.englishEntities[entryIndex] : gazetteer.arabicEntities[entryIndex],
                kind: kind, entry: entry)
            found[index].entity.mentions = 1
            found[index].entity.firstToken = i
        }
        for k in i..<(i + length) {
            if kind == .person {
                personAt[k] = Int32(index)
            } else if personAt[k] == Self.uncovered {
                personAt[k] = Self.coveredOther
            }
        }
        if kind == .person && length > 1 { addSurname(tokens[i + length - 1].bare, index) }
    }

    /// The first of the `candidates` patterns (longest first) written at token `i`, and its length.
    private static func longestPattern(
        _ gazetteer: Gazetteer, candidates range: Range<Int>, at i: Int, in tokens: Tokens
    ) -> (pattern: Int, length: Int)? {
        gazetteer.candidates.withUnsafeBufferPointer { candidates in
            gazetteer.patterns.withUnsafeBufferPointer { patterns in
                gazetteer.patternWords.withUnsafeBufferPointer { words in
                    for index in candidates[range] {
                        let pattern = patterns[index]
                        if matches(pattern, words[pattern.words], at: i, in: tokens) {
                            return (index, pattern.words.count)
                        }
                    }
                    return nil
                }
            }
        }
    }

    private static func matches(
        _ pattern: Gazetteer.Pattern, _ words: Slice<UnsafeBufferPointer<UInt64>>, at i: Int, in tokens: Tokens
    ) -> Bool {
        guard i + words.count <= tokens.count else { return false }
        var capitalized = false
        var k = i
        for word in words {
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
    private mutating func titlePass() {
        // Every token whose ``ArticleText/Hint/title`` bit is set, except those inside an earlier mention.
        visitHinted(ArticleText.Hint.title) { extractor, i, tokens in extractor.titleMention(at: i, in: tokens) }
    }

    /// Words that, right after a name, say what the person is ("وقال جول ميلمان المتحدث باسم المنظمة", "ليث خلف
    /// المحلل لدى ..."): with the article, or heading a construct without it ("رئيس لجنة ...").
    private static let appositiveHeadList = hashes(
        "المتحدث المتحدثة الناطق الناطقة الصحفي الصحفية المحلل المحللة المسؤول المسؤولة الخبير الخبيرة الباحث "
            + "الباحثة المستشار المستشارة المدير المديرة الاستاذ الاستاذة المراسل المراسلة المدرب السفير السفيرة "
            + "الامين رئيس رئيسة عضو مدير مديرة نائب وزير وزيرة سفير امين مستشار مساعد قائد محافظ مدرب")
    private static let appositiveHeads = HashSet64(appositiveHeadList)
    /// Words that start a role, not a name, after a reporting verb: the apposition heads, and subjects such as
    /// "مصدر", "مسؤولون", "شهود".
    private static let roleSubjects = HashSet64(
        appositiveHeadList + hashes("متحدث متحدثة مسؤول مسؤولة مصدر مصادر مسؤولون خبير خبراء محلل محللون شهود سكان"))

    /// People named between an Arabic reporting verb and an apposition that says what they are: "وقال جول ميلمان
    /// المتحدث باسم المنظمة", "وقال محمد راشد المزروعي المسؤول في وزارة الداخلية". The name: two or three words
    /// right after the verb, without proclitics (a final nisba surname aside), none a function word.
    private mutating func appositivePass() {
        visitHinted(ArticleText.Hint.quote) { extractor, v, tokens in
            if QuoteExtractor.isArabicVerb(tokens[v]) {
                extractor.appositiveMention(after: v, in: tokens)
            }
            return v + 1
        }
    }

    /// The person named right after the reporting verb at token `v` and before an apposition, if any.
    private mutating func appositiveMention(after v: Int, in tokens: Tokens) {
        let j = v + 1
        // The apposition first (most verbs are followed by إن or a word with the article): two or three words on.
        guard j + 2 < tokens.count, !tokens[j].hasArticle else { return }
        var end = j + 2
        if !Self.appositiveHeads.contains(tokens[end].bare) {
            end += 1
            guard end < tokens.count, Self.appositiveHeads.contains(tokens[end].bare) else { return }
        }
        guard !tokens[end].breakBefore, personAt[end] == Self.uncovered, !Self.roleSubjects.contains(tokens[j].bare)
        else { return }
        for k in j..<end {
            let token = tokens[k]
            guard token.kind == .arabic, !token.breakBefore, personAt[k] == Self.uncovered,
                !Self.stopwords.contains(token.bare), !Self.speechVerbs.contains(token.bare),
                !Self.institutionNouns.contains(token.bare), Self.arabicTitles.longest(at: k, in: tokens) == 0
            else { return }
            // Name words carry no proclitic; the last may be a nisba surname with the article (المزروعي).
            if token.hasArticle {
                guard k == end - 1, isSurnameWithArticle(token) else { return }
            } else if token.bare != token.normalized {
                return
            }
        }
        notePerson(words: j..<end, tokens)
    }

    /// English role nouns that, after a comma, say what the capitalised name before them is ("David Frost, director
    /// general of the British Chambers of Commerce", "Nick Turner, analyst at ...").
    private static let englishAppositiveHeads = HashSet64(
        ("director chairman chairwoman chair chief head spokesman spokeswoman spokesperson editor secretary president "
            + "leader member professor author founder manager executive minister governor mayor analyst economist "
            + "commissioner deputy correspondent researcher lawyer solicitor officer adviser advisor campaigner "
            + "coordinator organiser organizer")
            .split(separator: " ").flatMap { hashes(String($0)) }
    )

    /// Prepositions that continue an English role ("director general of", "analyst at").
    private static let englishPrepositions = HashSet64(
        "of at for with to in from on".split(separator: " ").flatMap { hashes(String($0)) })

    /// People named by two or three capitalised words, a comma and a role noun: "David Frost, director general of the
    /// British Chambers of Commerce, warned ...". The first word may be a first name (``isFirstNameWord(_:)``).
    private mutating func englishAppositivePass() {
        let tokenArray = text.tokens
        tokenArray.withUnsafeBufferPointer { tokens in
            var k = 0
            while k + 2 < tokens.count {
                defer { k += 1 }
                // The start of a name: the word before is no name word ("But David Frost, ...").
                guard mayBeFirstName(k, tokens), k == 0 || tokens[k].breakBefore || !Self.isFirstNameWord(tokens[k - 1])
                else {
                    continue
                }
                var end = k + 1
                while end < tokens.count, end - k < 3, tokens[end].kind == .latin, tokens[end].capitalized,
                    !tokens[end].breakBefore || joinsByHyphen(end, tokens), personAt[end] == Self.uncovered,
                    !Self.englishNonNames.contains(tokens[end].bare), !Self.stopwords.contains(tokens[end].bare)
                {
                    end += 1
                }
                guard end - k >= 2, end < tokens.count, personAt[end] == Self.uncovered, tokens[end].kind == .latin,
                    !tokens[end].capitalized, Self.englishAppositiveHeads.contains(tokens[end].bare),
                    isCommaOrQuoteGap(before: end, tokens), text.bytes[tokens[end - 1].range.upperBound] == 0x2C
                else { continue }
                // The role reads as an apposition: its lowercase words reach a preposition or a break ("director general
                // of the ...", "spokesman, said"), not a capitalised name it would be the title of ("Goldman Sachs,
                // chief economist Jim O'Neill").
                var r = end + 1
                var apposition = false
                while !apposition, r < tokens.count, r - end < 5, tokens[r].kind == .latin {
                    apposition = tokens[r].breakBefore || Self.englishPrepositions.contains(tokens[r].bare)
                    if tokens[r].capitalized { break }
                    r += 1
                }
                guard apposition || r == tokens.count else { continue }
                notePerson(words: k..<end, tokens)
                k = end
            }
        }
    }

    /// The person named after a title possibly starting at token `i`; returns the token to go on from.
    private mutating func titleMention(at i: Int, in tokens: Tokens) -> Int {
        let arabic = tokens[i].kind == .arabic
        let titleLength =
            arabic
            ? Self.arabicTitles.longest(at: i, in: tokens)
            : Self.englishTitles.longest(at: i, in: tokens) { joinsByHyphen($0, tokens) }
        guard titleLength > 0 else { return i + 1 }
        let stopwords = Self.stopwords
        var j = i + titleLength
        if arabic {
            // Skip adjectives and places qualifying the title (العراقي، الأميركي، الخارجية); after a spokesperson's
            // title, also whom they speak for (وزارة الخارجية، ترامب).
            let spokesperson = tokens[j - 1].bare == Self.onBehalfOf
            var skipped = 0
            while j < tokens.count, skipped < 4, !tokens[j].breakBefore, tokens[j].kind == .arabic,
                tokens[j].hasArticle || personAt[j] == Self.coveredOther
                    || (spokesperson && (personAt[j] >= 0 || Self.institutionNouns.contains(tokens[j].bare))),
                !stopwords.contains(tokens[j].bare),
                // A word before بن / ابن is a name, article or not (الأمير الوليد بن طلال).
                !(j + 1 < tokens.count && Self.sonOf.contains(tokens[j + 1].bare))
            {
                j += 1
                skipped += 1
            }
        }
        // An Arabic name must be followed by punctuation, a function word or the end of the
        // paragraph ("الرئيس المصري محمد مرسي، ..."), which filters most non-names.
        func closes(_ k: Int) -> Bool {
            k >= tokens.count || tokens[k].breakBefore || tokens[k].segment != tokens[j].segment
                || stopwords.contains(tokens[k].bare) || Self.speechVerbs.contains(tokens[k].bare)
                // A word with a proclitic other than the article (لكبح، وأضاف) starts a new phrase.
                || (tokens[k].kind == .arabic && tokens[k].bare != tokens[k].normalized && !tokens[k].hasArticle)
        }
        // After a title the name follows at once, after a comma or in quotation marks ("المتحدثة باسم وزارة العدل،
        // سارة ...", "the Kyrgyz President, Askar Akaev"), or after an abbreviation's period ("Mr. Smith"); never
        // after other punctuation ("الصدر أم ولي العهد السعودي؟"، يعدد ...", "said a spokesman. Speaking in London").
        if j < tokens.count && tokens[j].breakBefore && !isCommaOrQuoteGap(before: j, tokens)
            && (arabic || !isAbbreviationPeriod(before: j, tokens))
        {
            return j
        }
        var end = j
        var closedByNoun = false
        while end < tokens.count, end - j < 4, !(end > j && tokens[end].breakBefore && !joinsByHyphen(end, tokens)),
            personAt[end] == Self.uncovered
        {
            let token = tokens[end]
            // A function word ends the name, unless a hyphen joins it to the name ("ري يونغ-هو": هو is "he").
            if stopwords.contains(token.bare) && !(end > j && joinsByHyphen(end, tokens)) { break }
            if arabic && end == j && Self.institutionNouns.contains(token.bare) { break }
            if arabic {
                // A title of two words or more ends the name ("الملك الحقيقي ولي العهد"); one word may be a first name
                // (أمير، ملك). With the article, after two name words, it closes the name as such a noun does ("وقال
                // العميد يحيى رسول المتحدث باسم ..."; not "حسين دهقان منصب وزير الدفاع").
                if Self.arabicTitles.longest(at: end, in: tokens) >= 2 {
                    closedByNoun = end - j >= 2 && startsWithArticle(token)
                    break
                }
                // A last name word after the first may start with ف, which the stemmer takes for a conjunction
                // (فلوريس، فابيوس): when the name closes right after it.
                if end > j && token.kind == .arabic && !Self.speechVerbs.contains(token.bare)
                    && hasFehConjunctionOnly(token) && closes(end + 1)
                {
                    end += 1
                    break
                }
                // Name words carry no proclitic (و، ب، ل ...) other than a final nisba's article.
                guard token.kind == .arabic, token.bare == token.normalized || token.hasArticle else { break }
                if token.hasArticle {
                    let afterJoiner = end > j && Self.nameJoiners.contains(tokens[end - 1].bare)
                    let beforeSonOf = end + 1 < tokens.count && Self.sonOf.contains(tokens[end + 1].bare)
                    if !afterJoiner && !beforeSonOf {
                        // A final nisba surname (الكاظمي); another word starting with the article after two name
                        // words is a noun that closes the name ("شون سبايسر الرد على سؤال", "شانزو آبي بالالتزام").
                        if end > j && isSurnameWithArticle(token) {
                            end += 1
                        } else {
                            closedByNoun = end - j >= 2 && startsWithArticle(token)
                        }
                        break
                    }
                }
            } else if !(token.kind == .latin && token.capitalized) || Self.englishNonNames.contains(token.bare)
                // An acronym names no one: "the Office of the Deputy Prime Minister (ODPM)".
                || (end == j && token.allCaps && token.range.count > 1)
            {
                break
            }
            end += 1
        }
        // A first word with ل before two more names is whom the title is for ("الرئيس التنفيذي لأبل تيم كوك"): ل is
        // no proclitic the stemmer strips, and three-word names rarely start with the letter.
        if arabic && end - j >= 3 && text.bytes[tokens[j].range.lowerBound] == 0xD9
            && text.bytes[tokens[j].range.lowerBound + 1] == 0x84
        {
            j += 1
        }
        let count = end - j
        if arabic && !closedByNoun && !closes(end) {
            return i + max(1, titleLength)
        } else if count == 1, let index = surname(tokens[j].bare) {
            // "Mr Blair" after "Tony Blair".
            found[index].entity.mentions += 1
            personAt[j] = Int32(index)
            return end
        } else if count >= (arabic ? 2 : 1) && count <= 4 && !(j < tokens.count && personAt[j] != Self.uncovered) {
            let source = tokens[j].range.lowerBound..<tokens[end - 1].range.upperBound
            if !arabic && count <= 2, let first = firstNameBefore(j..<end, source: source, in: tokens) {
                // "Michael Howard ... Mr Howard": one person, named in full, first mentioned there.
                let full = tokens[first].range.lowerBound..<tokens[first + count].range.upperBound
                let index = titledPerson(full, firstToken: first)
                found[index].entity.mentions += 1
                for k in Array(first...(first + count)) + Array(j..<end) {
                    personAt[k] = Int32(index)
                }
                addSurname(tokens[end - 1].bare, index)
                return end
            }
            notePerson(words: j..<end, tokens)
            return end
        } else {
            return i + max(1, titleLength)
        }
    }

    /// The first name of an earlier mention of the English name written after a title at tokens `name` (bytes
    /// `source`): the first occurrence of its first word right after a word that may be a first name, if it is
    /// the same bytes and uncovered ("Michael Howard said ... Mr Howard"); the index of that word, or nil. One
    /// lookup per call: the occurrences are indexed once per article (a text of thousands of titled names stays
    /// linear).
    private mutating func firstNameBefore(_ name: Range<Int>, source: Range<Int>, in tokens: Tokens) -> Int? {
        if firstNamedWords == nil {
            var index = HashMap64()
            for k in tokens.indices.dropFirst()
            where tokens[k].kind == .latin && !tokens[k].breakBefore && Self.isFirstNameWord(tokens[k - 1]) {
                _ = index.insertIfAbsent(tokens[k].bare, Int32(k))
            }
            firstNamedWords = index
        }
        let count = name.count
        guard let found = firstNamedWords?.value(for: tokens[name.lowerBound].bare) else { return nil }
        let k = Int(found)
        guard k + count <= name.lowerBound, personAt[k - 1] == Self.uncovered, personAt[k] == Self.uncovered,
            personAt[k + count - 1] == Self.uncovered
        else { return nil }
        let same = text.bytes.withUnsafeBufferPointer {
            $0[tokens[k].range.lowerBound..<tokens[k + count - 1].range.upperBound].elementsEqual($0[source])
        }
        return same ? k - 1 : nil
    }

    /// Whether an Arabic word with the article may end a name (الكاظمي، الأسد، المهندس): no preposition before the
    /// article (بالالتزام، للعاملين), no plural ending ات (التغريدات), and at least three letters after the article
    /// unless a و / ف precedes it (الرد is a noun: "شون سبايسر الرد على سؤال"; فالون, read as ف and the article, stays).
    private func isSurnameWithArticle(_ token: ArticleText.TokenInfo) -> Bool {
        text.bytes.withUnsafeBufferPointer { bytes in
            let range = token.range
            // ب is D8 A8, ك D9 83, ل D9 84, و D9 88, ف D9 81; ات is D8 A7 D8 AA. The word has the article: at least 3
            // letters (6 bytes).
            guard range.count >= 6 else { return false }
            let (lead, second) = (bytes[range.lowerBound], bytes[range.lowerBound + 1])
            if (lead == 0xD8 && second == 0xA8) || (lead == 0xD9 && (second == 0x83 || second == 0x84)) { return false }
            let end = range.upperBound
            let alef = bytes[end - 4] == 0xD8 && bytes[end - 3] == 0xA7
            if alef && bytes[end - 2] == 0xD8 && bytes[end - 1] == 0xAA { return false }
            // Letters: Arabic lead bytes (D8–DB) except those of tatweel and marks (U+0640–U+065F, U+0670: D9 80–9F,
            // D9 B0).
            var letters = 0
            for k in range where bytes[k] >= 0xD8 && bytes[k] <= 0xDB && k + 1 < end {
                let next = bytes[k + 1]
                letters += bytes[k] == 0xD9 && (next == 0x80 || (next >= 0x8B && next <= 0x9F) || next == 0xB0) ? 0 : 1
            }
            return (lead == 0xD9 && (second == 0x88 || second == 0x81)) || letters - 2 >= 3
        }
    }

    /// Whether the Arabic word `token` starts with the article ال, or with بال / كال: a noun, not a name, when it
    /// is no surname (لل is left out: a name word written with ل before it is often no name, "لفريق مرسيدس للفورمولا").
    private func startsWithArticle(_ token: ArticleText.TokenInfo) -> Bool {
        text.bytes.withUnsafeBufferPointer { bytes in
            // ا is D8 A7, ل D9 84, ب D8 A8, ك D9 83.
            var start = token.range.lowerBound
            if token.range.count >= 6
                && ((bytes[start] == 0xD8 && bytes[start + 1] == 0xA8)
                    || (bytes[start] == 0xD9 && bytes[start + 1] == 0x83))
            {
                start += 2
            }
            return start + 4 <= token.range.upperBound && bytes[start] == 0xD8 && bytes[start + 1] == 0xA7
                && bytes[start + 2] == 0xD9 && bytes[start + 3] == 0x84
        }
    }

    /// Whether `token`'s only proclitic is a conjunction ف, which the stemmer also strips from foreign names
    /// (فلوريس، فابيوس): its normalised letters after the ف are its bare form, and the word is five letters long at
    /// least.
    private func hasFehConjunctionOnly(_ token: ArticleText.TokenInfo) -> Bool {
        text.bytes.withUnsafeBufferPointer { bytes in
            let range = token.range
            // ف is D9 81; five letters are ten bytes.
            guard range.count >= 10, bytes[range.lowerBound] == 0xD9, bytes[range.lowerBound + 1] == 0x81,
                token.bare != token.normalized
            else { return false }
            var rest: UInt64?
            var words = 0
            TextNormalizer.forEachWord(
                in: UnsafeBufferPointer(rebasing: bytes[(range.lowerBound + 2)..<range.upperBound])
            ) {
                rest = $0.normalizedHash
                words += 1
            }
            return words == 1 && rest == token.bare
        }
    }

    /// Whether only spaces, quotation marks and at most one comma separate token `k` from token `k - 1`.
    private func isCommaOrQuoteGap(before k: Int, _ tokens: Tokens) -> Bool {
        guard k > 0 else { return false }
        let end = tokens[k].range.lowerBound
        return text.bytes.withUnsafeBufferPointer { bytes in
            var b = tokens[k - 1].range.upperBound
            var commas = 0
            while b < end {
                if bytes[b] == 0x20 {
                    b += 1
                    continue
                }
                let length = ArticleText.quoteOrCommaLength(bytes, at: b, end: end)
                guard length > 0 else { return false }
                // A comma: , or ، (D8 8C, the only mark starting with D8).
                commas += bytes[b] == 0x2C || bytes[b] == 0xD8 ? 1 : 0
                b += length
            }
            return commas <= 1
        }
    }

    /// Whether token `k` follows an English abbreviation's period: token `k - 1` has at most three letters ("Mr",
    /// "Dr", "Mrs") and only a period and spaces come between them.
    private func isAbbreviationPeriod(before k: Int, _ tokens: Tokens) -> Bool {
        guard k > 0, tokens[k - 1].range.count <= 3 else { return false }
        let gap = tokens[k - 1].range.upperBound..<tokens[k].range.lowerBound
        guard !gap.isEmpty else { return false }
        return text.bytes.withUnsafeBufferPointer { bytes in
            bytes[gap.lowerBound] == 0x2E && bytes[gap.dropFirst()].allSatisfy { $0 == 0x20 }
        }
    }

    /// Whether token `k` follows token `k - 1` after a single hyphen ("Haji-Ioannou", "جونغ-أون"): one name.
    private func joinsByHyphen(_ k: Int, _ tokens: Tokens) -> Bool {
        let previousEnd = tokens[k - 1].range.upperBound
        return tokens[k].range.lowerBound == previousEnd + 1 && text.bytes[previousEnd] == 0x2D
    }

    /// Counts the heuristic person named by the tokens `words` (see ``titledPerson(_:firstToken:)``), marks them as
    /// theirs, and makes the last word of a longer name a surname for later mentions ("وأضاف الكاظمي").
    private mutating func notePerson(words: Range<Int>, _ tokens: Tokens) {
        let last = words.upperBound - 1
        let index = titledPerson(
            tokens[words.lowerBound].range.lowerBound..<tokens[last].range.upperBound,
            firstToken: words.lowerBound)
        for k in words {
            personAt[k] = Int32(index)
        }
        if words.count > 1 { addSurname(tokens[last].bare, index) }
    }

    /// The index in `found` of the person named by the bytes `source` (first mention at token `j`),
    /// counting the mention; adds the person when new.
    private mutating func titledPerson(_ source: Range<Int>, firstToken j: Int) -> Int {
        let (key, seen) = text.bytes.withUnsafeBufferPointer { bytes in
            let key = Self.hash(bytes[source])
            guard let seen = titledSources.value(for: key).map({ titledSourceList[Int($0)] }),
                bytes[seen.source].elementsEqual(bytes[source])
            else {
                return (key, Int32?.none)
            }
            return (key, seen.found)
        }
        if let seen {
            found[Int(seen)].entity.mentions += 1
            return Int(seen)
        }
        var name = text.sliceText(source)
        // A possessive "'s" / "’s" ends in an "s" byte: the Character-wise test runs only then.
        if text.bytes[source.upperBound - 1] == 0x73, name.hasSuffix("'s") || name.hasSuffix("\u{2019}s") {
            name = String(name.dropLast(2))
        }
        let normalized = TextNormalizer.normalize(name)
        let index: Int
        // A native String's bytes are contiguous: hashed through a pointer, not the generic UTF-8 view.
        let nameKey = normalized.utf8.withContiguousStorageIfAvailable { Self.hash($0) } ?? Self.hash(normalized.utf8)
        if let known = titledNames.value(for: nameKey).map({ Int($0) }).flatMap({
            // Another name with the same hash: search them all.
            found[$0].entity.normalized == normalized
                ? $0 : found.firstIndex { !$0.entity.known && $0.entity.normalized == normalized }
        }) {
            index = known
            found[index].entity.mentions += 1
        } else {
            let entity = Entity(
                name: name, normalized: normalized, country: nil, type: nil, known: false, mentions: 1, firstToken: j
            )
            index = add(entity, kind: .person)
            titledNames.insertIfAbsent(nameKey, Int32(index))
        }
        if titledSources.value(for: key) == nil {
            titledSources.insertIfAbsent(key, Int32(titledSourceList.count))
            titledSourceList.append((source, Int32(index)))
        }
        return index
    }

    /// FNV-1a hash of bytes.
    private static func hash<S: Sequence<UInt8>>(_ bytes: S) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// Later mentions of a found multi-word person by their last name alone ("وأضاف حسين", "Ms Hewitt").
    private mutating func surnamePass() {
        guard surnames.count > 0 else { return }
        let tokenArray = text.tokens
        tokenArray.withUnsafeBufferPointer { surnamePass($0) }
    }

    private mutating func surnamePass(_ tokens: Tokens) {
        // No surname is added in this pass: the filter is read once.
        let filter = surnameFilter
        guard let base = tokens.baseAddress else { return }
        let end = base + tokens.count
        var token = base
        while true {
            // The surname filter first, in a tight loop over the records through a moving pointer (no index times the
            // stride): it rejects nearly every token. In bounds: `token` < `end` when read.
            while token < end && filter & (1 << (token.pointee.bare & 63)) == 0 { token += 1 }
            guard token < end else { break }
            let i = token - base
            token += 1
            guard let index = surname(tokens[i].bare),
                personAt[i] == Self.uncovered,
                tokens[i].kind != .latin || tokens[i].capitalized
            else {
                continue
            }
            if i + 1 < tokens.count, !tokens[i + 1].breakBefore, personAt[i + 1] == Self.uncovered,
                tokens[i + 1].kind == .latin && tokens[i + 1].capitalized
            {
                continue
            }
            found[index].entity.mentions += 1
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

extension ArticleText {
    /// The source text of a byte range, copied without re-validation when the range starts and ends at character
    /// boundaries: `bytes` is valid UTF-8 (the segments' strings joined by newlines), and so is such a slice of
    /// it. A range cut inside a character decodes with repair (`String(decoding:as:)`).
    func sliceText(_ range: Range<Int>) -> String {
        bytes.withUnsafeBufferPointer { p in
            let slice = UnsafeBufferPointer(rebasing: p[range])
            func isBoundary(_ i: Int) -> Bool { i >= p.count || p[i] & 0xC0 != 0x80 }
            guard isBoundary(range.lowerBound) && isBoundary(range.upperBound) else {
                return String(decoding: slice, as: UTF8.self)
            }
            return ByteScan.string(validUTF8: slice, isASCII: false)
        }
    }

    /// The source text spanning tokens `from...to`, copied without re-validation (``sliceText(_:)``: words
    /// start and end at character boundaries).
    func sliceText(tokens from: Int, _ to: Int) -> String {
        sliceText(tokens[from].range.lowerBound..<tokens[to].range.upperBound)
    }
}
