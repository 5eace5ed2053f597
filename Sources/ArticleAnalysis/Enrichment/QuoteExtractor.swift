import Foundation

/// A quotation found in an article.
public struct Quote: Sendable, Hashable {
    /// The quoted words (without the quotation marks).
    public var text: String
    /// Who said it: a person's canonical name, a role as written ("وزير الخارجية العراقي"), or `nil`
    /// when the quote is not attributed.
    public var speaker: String?
}

/// Finds attributed quotations: Arabic reporting verbs followed by إن / أن ("قال X إن «…»",
/// "أكد X أن …", "X يقول إن …") and English quotations next to said / says / told / added.
/// A reporting verb with no speaker ("كما أكد أن …", "he said") continues the previous speaker.
struct QuoteExtractor {
    let text: ArticleText
    let entities: EntityExtractor

    private static func hashes(_ words: String) -> [UInt64] {
        var out: [UInt64] = []
        TextNormalizer.forEachWord(in: words) { out.append($0.bareHash) }
        return out
    }

    private static func wordSet(_ words: String) -> HashSet64 {
        HashSet64(hashes(words))
    }

    /// The normalised forms of `words` (the article kept: "المعروف" is not "معروف").
    private static func normalizedSet(_ words: String) -> HashSet64 {
        var out: [UInt64] = []
        TextNormalizer.forEachWord(in: words) { out.append($0.normalizedHash) }
        return HashSet64(out)
    }

    /// The Arabic reporting verbs (bare hashes).
    static let arabicVerbList = hashes(
        "قال قالت يقول تقول اكد اكدت يؤكد تؤكد اضاف اضافت يضيف اوضح اوضحت يوضح صرح صرحت اعلن اعلنت يعلن "
            + "اعتبر اعتبرت يعتبر شدد شددت يشدد لفت لفتت اشار اشارت يشير ذكر ذكرت تابع تابعت راي رات يري نفي "
            + "نفت حذر حذرت يحذر طالب طالبت اعرب اعربت كشف كشفت غرد غردت"
    )
    private static let arabicVerbs = HashSet64(arabicVerbList)
    /// The feminine forms among ``arabicVerbList``: past in ـت, present in تـ.
    private static let feminineVerbs = wordSet(
        "قالت تقول اكدت تؤكد اضافت اوضحت صرحت اعلنت اعتبرت شددت لفتت اشارت ذكرت تابعت رات نفت حذرت طالبت "
            + "اعربت كشفت غردت")
    private static let complementizerList = hashes("ان انه انها انهم بان")
    private static let complementizers = HashSet64(complementizerList)
    private static let complementizerFilter = WordFilter(complementizerList)
    private static let englishVerbs = wordSet("said says saying told added adding warned insisted argued stated")
    private static let pronouns = wordSet("he she they it هو هي")
    private static let personalPronouns = wordSet("he she")
    /// The English reporting verbs that are participles ("…, saying: "…""): their subject is the sentence's.
    private static let participles = wordSet("saying adding")
    /// Words that start no subject after an Arabic reporting verb ("قال فيها إن", "أكد أيضا أن", "قال
    /// عندما ...", "يجب"): what follows them is not who spoke.
    private static let nonSubjects = wordSet(
        "فيها فيه فيهم عليه عليها عليهم علينا ايضا لقد عندما الذين الذي التي يجب قائلا قائلة متحدثا")
    /// Words that end no role after an Arabic reporting verb but qualify the verb: times ("الثلاثاء", "أمس",
    /// "حينها"), "أيضا", "قائلا", "متحدثا", "تعليقا" (and every weekday and month name).
    private static let trailingWords = HashSet64(
        hashes("امس اليوم حينها ايضا قائلا قائلة متحدثا متحدثة تعليقا الماضي الماضية") + DateExtractor.startWords)
    /// Words after which أن / إن introduces a time or a purpose, not what was said ("قبل أن", "بعد أن").
    private static let temporalConjunctions = wordSet("قبل بعد منذ دون بدون حتى لدرجه بمجرد")
    /// Particles between a subject and its verb ("كومي قد قال"), and verbs that carry the subject before one ("كان").
    private static let auxiliaries = wordSet("قد لقد كان كانت")
    /// Words after which a clause, and its subject, starts ("لكن شركة أرامكو قالت"); none of them is a subject.
    private static let clauseOpeners = wordSet("لكن لكنه لكنها كما ثم بينما فيما اذ حيث كان كانت اما")
    /// The pronouns among the addressees (``isAddressee(_:)``): "قال لي", "قال لهم".
    private static let pronounAddressees = normalizedSet("لي لنا له لها لهم لكم")
    /// "known as" ("رئاسة الشؤون الدينية المعروفة باسم «ديانت»"): what follows names the role's holder again.
    private static let knownAs = normalizedSet("المعروف المعروفة")
    /// Words right before a reporting verb that carry its subject, the one spoken of before ("لكنه قال", "غير أنه
    /// أوضح", "إذ قال", "ولذا يرى"), or open a clause that continues it ("كما أكد أن", "ثم قال").
    private static let subjectCarriers = wordSet("لكنه لكنها انه انها اذ لذا لذلك كما ثم بينما فيما")
    /// Quantifiers that take their subject after من ("العديد من المسؤولين").
    private static let quantifiers = wordSet("العديد بعض عدد كثير كثيرون معظم اغلب غالبيه")
    private static let from = hashes("من")[0]
    /// Words that make "الماضي" a time ("العام الماضي", "الأسبوع الماضي").
    private static let pastPeriods = wordSet("العام الاسبوع الشهر")
    private static let past = wordSet("الماضي الماضية")
    /// English nouns that name a speaker by role ("the spokesman said"), including the last word of longer roles
    /// ("prime minister", "foreign secretary", "chief executive").
    private static let englishRoles = wordSet(
        "spokesman spokeswoman spokesperson minister secretary president chancellor chairman chairwoman executive "
            + "director commissioner official officials leader ambassador envoy governor senator mp mayor")
    /// The English articles that open a role ("the", "a", "an").
    private static let articles = wordSet("the a an")
    /// Words after which a capitalised word modifies something else ("an economist at a London bank",
    /// "editor of Hazards magazine") instead of naming the speaker.
    private static let modifierLeads = wordSet("a an at of in for from with by on")

    /// Quotes in order of appearance, at most `limit`.
    func extract(limit: Int) -> [Quote] {
        var quotes: [Quote] = []
        // The last speaker named, and whether the verb that introduced them was feminine.
        var lastSpeaker: (name: String, feminine: Bool)? = nil
        let quote = UInt64(ArticleText.Hint.quote)
        text.tokens.withUnsafeBufferPointer { tokens in
            text.hinted.withUnsafeBufferPointer { hinted in
                // Only the tokens whose ``ArticleText/Hint/quote`` bit is set may be reporting verbs; the limit is
                // checked after each quote (the count changes only then).
                var i = limit > 0 ? 0 : tokens.count
                for entry in hinted where entry & quote != 0 && Int(truncatingIfNeeded: entry >> 8) >= i {
                    let k = Int(truncatingIfNeeded: entry >> 8)
                    guard Self.isArabicVerb(tokens[k]),
                        let (found, next) = arabicQuote(verb: k, lastSpeaker: lastSpeaker)
                    else { continue }
                    // One allocation for the usual few quotes (appending to an empty list reallocates as it grows).
                    if quotes.isEmpty { quotes.reserveCapacity(min(limit, 8)) }
                    quotes.append(found)
                    if let speaker = found.speaker {
                        lastSpeaker = (speaker, Self.feminineVerbs.contains(tokens[k].bare))
                    }
                    if quotes.count >= limit { break }
                    i = next
                }
            }
        }
        if quotes.count < limit && entities.language != .arabic { englishQuotes(into: &quotes, limit: limit) }
        return quotes
    }

    private func arabicQuote(verb v: Int, lastSpeaker: (name: String, feminine: Bool)?) -> (Quote, Int)? {
        let tokens = text.tokens
        let segment = tokens[v].segment
        let complementizers = Self.complementizers
        let filter = Self.complementizerFilter
        // A complementizer after قبل / بعد ... ("قبل أن", "بعد أن") introduces a time, not what was said.
        func isComplementizer(_ k: Int) -> Bool {
            let word = tokens[k].bare
            return filter.mayContain(word) && complementizers.contains(word)
                && !Self.temporalConjunctions.contains(tokens[k - 1].bare)
        }
        let segmentEnd = text.segments[segment].range.upperBound
        // The complementizer within 16 words, or before it a quotation of four words or more, which is the quote
        // ("وقال بوتين «لا أحد توقع فوزه إلا نحن»"; a shorter one names something: قالت لبرنامج «اليوم» إن).
        var c = v + 1
        var direct: (text: String, end: Int)? = nil
        // Bytes before this are inside a quotation already read (its closing mark opens nothing).
        var read = 0
        while c < tokens.count, c - v <= 16, tokens[c].segment == segment, !isComplementizer(c) {
            if tokens[c].breakBefore, let quotation = quotation(before: c, from: read, segmentEnd: segmentEnd) {
                if let quote = quotation.text {
                    direct = (quote, quotation.end)
                    break
                }
                // A short quotation: its words are read no further.
                read = quotation.end
                repeat { c += 1 } while c < tokens.count && tokens[c].range.lowerBound < quotation.end
                continue
            }
            // The sentence ended without a complementizer, or a clause of another reporting verb starts (the verb
            // with و / ف, after a break or after إذ، كما ...; its own quote follows): no quote ("وأعلن الرئيس عن خطة.
            // وقال الوزير إن ...", "أعلنت قطع علاقاتها وقالت إن ...", "أعلنت بكين مطالبتها ...، إذ قال الوزير إن";
            // not "مسؤول الذي أضاف أن").
            if tokens[c].breakBefore && sentenceEnds(before: c, from: read) { return nil }
            if Self.isArabicVerb(tokens[c])
                && (tokens[c].bare != tokens[c].normalized || tokens[c].breakBefore
                    || Self.clauseOpeners.contains(tokens[c - 1].bare))
            {
                return nil
            }
            c += 1
        }
        guard c < tokens.count, tokens[c].segment == segment, direct != nil || isComplementizer(c) else {
            return nil
        }
        var speaker: String? = nil
        // A colon right after the verb ("وقال: قررت أن ...") opens the quote (a quotation there is the quote itself,
        // `direct`): the speaker is written before the verb, if at all.
        let quoteFollows = direct == nil && c > v + 1 && colonFollows(v)
        if !quoteFollows {
            for k in (v + 1)..<c {
                if let name = entities.person(at: k) {
                    speaker = name
                    break
                }
            }
        }
        if speaker == nil && (quoteFollows || noSubjectAfter(verb: v, complementizer: c)) {
            // Subject before a present-tense verb ("مصطفى الكاظمي يقول إن"), else the previous speaker.
            var k = v - 1
            while k >= 0, v - k <= 3, tokens[k].segment == segment {
                if let name = entities.person(at: k) {
                    speaker = name
                    break
                }
                k -= 1
            }
            // Else the subject written before a verb that starts no clause of its own (no و / ف): "لكن شركة أرامكو
            // قالت إن", "وكان كومي قد قال إن".
            if speaker == nil, tokens[v].bare == tokens[v].normalized, let subject = subjectBefore(verb: v) {
                speaker =
                    personByRole(in: subject) ?? text.sliceText(tokens: subject.lowerBound, subject.upperBound - 1)
            }
            // Else the previous speaker, when the verb opens its clause (with و / ف, or after a break) or follows a word
            // that carries its subject ("ولكنه قال", "إذ قال", "كما أكد"): a verb written after other words has its subject
            // there ("وكان المفتش العام لوزارة العدل مايكل هوروفيتز قال"), even when it was not read. A verb of the
            // other gender has another subject ("قال ... وقالت إن").
            if speaker == nil,
                tokens[v].bare != tokens[v].normalized || tokens[v].breakBefore
                    || (v > 0 && Self.subjectCarriers.contains(tokens[v - 1].bare)),
                let last = lastSpeaker, last.feminine == Self.feminineVerbs.contains(tokens[v].bare)
            {
                speaker = last.name
            }
        }
        if speaker == nil && c > v + 1 && !quoteFollows {
            var end = v + 1
            while end < c, end == v + 1 || !tokens[end].breakBefore { end += 1 }
            let words = (v + 1)..<end
            if let name = personByRole(in: words) {
                speaker = name
            } else if let role = rolePhrase(in: words) {
                speaker = text.sliceText(tokens: role.lowerBound, role.upperBound - 1)
            }
        }
        // The quote: the direct quotation, else the quoted span right after the complementizer, else the clause to
        // the sentence end.
        guard
            let (quoteText, endByte) = direct
                ?? quotedOrClause(from: tokens[c].range.upperBound, segmentEnd: segmentEnd)
        else { return nil }
        var next = c + 1
        while next < tokens.count && tokens[next].range.lowerBound < endByte { next += 1 }
        return (Quote(text: quoteText, speaker: speaker), next)
    }

    /// Whether no subject is written between the reporting verb at `v` and its complementizer at `c` (`c > v`):
    /// nothing between them ("قال إن"), only times ("وكان ترامب قال الأسبوع الماضي إنه") or whom it was said to
    /// ("وقال لهم إن"), or a function word right after the verb ("وكان ترامب قال في مؤتمره الصحفي إنه", "وأشار إلى
    /// أن").
    private func noSubjectAfter(verb v: Int, complementizer c: Int) -> Bool {
        let tokens = text.tokens
        return c == v + 1 || endBeforeTimes((v + 1)..<c) == v + 1 || (c == v + 2 && isAddressee(tokens[v + 1]))
            || EntityExtractor.stopwords.contains(tokens[v + 1].bare)
    }

    /// The quotation that opens in the gap before token `k` (after a reporting verb), from byte `from` on: the byte
    /// after its closing mark, and its text when it is a quote (four words or more) rather than a quoted name or
    /// title. A straight quotation mark opens only when a word follows it directly (`"word`, not `word" `).
    private func quotation(before k: Int, from: Int, segmentEnd: Int) -> (end: Int, text: String?)? {
        let gap = max(text.tokens[k - 1].range.upperBound, from)..<text.tokens[k].range.lowerBound
        return text.bytes.withUnsafeBufferPointer { bytes in
            func opens(_ i: Int) -> Bool {
                bytes[i] == 0x22 ? i + 1 < bytes.count && bytes[i + 1] != 0x20 : Self.isOpeningQuote(bytes, i) != nil
            }
            guard let open = gap.first(where: opens), let length = Self.isOpeningQuote(bytes, open) else { return nil }
            let start = open + length
            let close = Self.closingQuote(bytes, from: start, to: segmentEnd)
            let end = min(close + 1, segmentEnd)
            // Four words: three spaces between letters (counted on the bytes; the text is built only for a quote).
            var spaces = 0
            var i = start
            while i < close && bytes[i] == 0x20 { i += 1 }
            while i < close && spaces < 3 {
                if bytes[i] == 0x20 && i + 1 < close && bytes[i + 1] != 0x20 { spaces += 1 }
                i += 1
            }
            return (end, spaces >= 3 ? text.quoteText(start..<close) : nil)
        }
    }

    /// The words right before the reporting verb at `v` (or before its قد) that are its subject: back to a break, a
    /// function word, a time, a word with a proclitic other than the article, or another verb; at most four, in the verb's
    /// segment, and opening a clause (after a break, or after لكن، كما، كان ...: not "من الجامعة العبرية قال").
    /// Nil when there are none.
    private func subjectBefore(verb v: Int) -> Range<Int>? {
        let tokens = text.tokens
        var end = v
        if end > 0, !tokens[end].breakBefore, Self.auxiliaries.contains(tokens[end - 1].bare) { end -= 1 }
        guard !tokens[end].breakBefore else { return nil }
        var first = end
        while first > 0, end - first < 4 {
            let token = tokens[first - 1]
            guard token.kind == .arabic, token.segment == tokens[v].segment,
                !EntityExtractor.stopwords.contains(token.bare), token.bare == token.normalized || token.hasArticle,
                !Self.isArabicVerb(token), !Self.auxiliaries.contains(token.bare),
                // A time is no subject ("… في الـ 28 من تشرين الأول / أكتوبر الماضي قال فيها إن").
                !Self.trailingWords.contains(token.bare)
            else { break }
            first -= 1
            if token.breakBefore { break }
        }
        guard first < end,
            first == 0 || tokens[first].breakBefore || Self.clauseOpeners.contains(tokens[first - 1].bare),
            !Self.clauseOpeners.contains(tokens[first].bare)
        else { return nil }
        return first..<end
    }

    /// Whether `token` is an Arabic reporting verb: a verb never carries the article (الرأي، للرأي are nouns).
    static func isArabicVerb(_ token: ArticleText.TokenInfo) -> Bool {
        token.kind == .arabic && !token.hasArticle && arabicVerbs.contains(token.bare)
    }

    /// Whether a full stop, question mark or exclamation mark (. ? ! ؟) lies between token `k - 1` and token `k`,
    /// from byte `from` on (before it: inside a quotation already read).
    private func sentenceEnds(before k: Int, from: Int) -> Bool {
        let gap = max(text.tokens[k - 1].range.upperBound, from)..<text.tokens[k].range.lowerBound
        return text.bytes.withUnsafeBufferPointer { bytes in
            // ؟ is D8 9F.
            gap.contains { i in
                bytes[i] == 0x2E || bytes[i] == 0x3F || bytes[i] == 0x21
                    || (bytes[i] == 0xD8 && i + 1 < gap.upperBound && bytes[i + 1] == 0x9F)
            }
        }
    }

    /// Whether a colon comes right after token `k`, spaces aside.
    private func colonFollows(_ k: Int) -> Bool {
        let bytes = text.bytes
        var i = text.tokens[k].range.upperBound
        while i < bytes.count && bytes[i] == 0x20 { i += 1 }
        return i < bytes.count && bytes[i] == 0x3A
    }

    /// The role written after a reporting verb (`words`: the words up to the complementizer or the first break), as
    /// token indices: up to the first function word or addressee ("رئيس مجلس النواب في مؤتمر صحفي", "مسؤولون
    /// لصحيفة نيويورك تايمز"), without the times and "قائلا" that end it ("متحدث باسم البيت الأبيض الثلاثاء"); at
    /// most eight words, after a pronoun saying whom they were said to ("قال لي الأب ثابت"). Nil when nothing is left
    /// or the first word starts no subject.
    private func rolePhrase(in words: Range<Int>) -> Range<Int>? {
        let tokens = text.tokens
        guard var first = words.first else { return nil }
        // The subject may follow a pronoun saying whom the words were said to ("قال لي الأب ثابت إنه").
        if Self.pronounAddressees.contains(tokens[first].normalized) && first + 1 < words.upperBound { first += 1 }
        guard !Self.nonSubjects.contains(tokens[first].bare) else { return nil }
        func endsRole(_ k: Int) -> Bool {
            EntityExtractor.stopwords.contains(tokens[k].bare) || isAddressee(tokens[k])
                || Self.knownAs.contains(tokens[k].normalized)
        }
        var end = words[first...].first(where: endsRole) ?? words.upperBound
        // A quantifier's من belongs to the role ("العديد من المقاتلين في الجماعات ...").
        if end == first + 1, end < words.upperBound, Self.quantifiers.contains(tokens[first].bare),
            tokens[end].bare == Self.from
        {
            end = words[(end + 1)...].first(where: endsRole) ?? words.upperBound
        }
        end = endBeforeTimes(first..<end)
        guard end > first, end - first <= 8 else { return nil }
        return first..<end
    }

    /// The end of `words` without the times and "قائلا" that close them ("الثلاثاء", "الأسبوع الماضي", "أمس").
    private func endBeforeTimes(_ words: Range<Int>) -> Int {
        let tokens = text.tokens
        var end = words.upperBound
        while end > words.lowerBound, Self.trailingWords.contains(tokens[end - 1].bare) {
            end -= 1
            if Self.past.contains(tokens[end].bare), end > words.lowerBound,
                Self.pastPeriods.contains(tokens[end - 1].bare)
            {
                end -= 1
            }
        }
        return end
    }

    /// Whether a word names, with the preposition ل, whom words were said to ("لصحيفة", "لرويترز", "لهم"): after a
    /// reporting verb it ends the speaker's role. (ل is not a proclitic the stemmer strips: too many words start
    /// with the radical, لبنان among them, so the addressees are listed.)
    private func isAddressee(_ token: ArticleText.TokenInfo) -> Bool {
        token.kind == .arabic && Self.addressees.contains(token.normalized)
    }

    /// The normalised forms of ``isAddressee(_:)``'s words.
    private static let addressees = normalizedSet(
        "لصحيفة لجريدة لمجلة لوكالة لوكالات لقناة لشبكة لتلفزيون لإذاعة لبرنامج لموقع لوسائل لرويترز "
            + "لهم له لها لنا لكم لي لبي للصحفيين للصحافيين للصحفيون للصحافيون للصحافة للإعلام لـ")

    private static let roleWords: [(words: [UInt64], role: String)] = [
        (hashes("وزير الخارجيه"), "foreign_minister"), (hashes("وزيره الخارجيه"), "foreign_minister"),
        (hashes("رئيس الوزراء"), "head_of_government"), (hashes("رئيس الحكومه"), "head_of_government"),
    ]
    private static let president = hashes("الرئيس")[0]
    /// Every word of `roleWords` and `president`: without one of them, no role is written.
    private static let roleVocabulary = WordFilter(roleWords.flatMap(\.words) + [president])

    /// A role and nationality written instead of a name ("وزير الخارجية العراقي") resolved to the one
    /// person of the article holding that role for that country.
    private func personByRole(in words: Range<Int>) -> String? {
        let tokens = text.tokens
        let vocabulary = Self.roleVocabulary
        guard words.contains(where: { vocabulary.mayContain(tokens[$0].bare) }) else { return nil }
        func present(_ word: UInt64) -> Bool { words.contains { tokens[$0].bare == word } }
        var role: String? = nil
        for (required, name) in Self.roleWords where required.allSatisfy(present) {
            role = name
            break
        }
        if role == nil && present(Self.president) { role = "head_of_state" }
        guard let role else { return nil }
        for k in words {
            if let country = entities.gazetteer.countryByStem[tokens[k].stem] {
                return entities.person(role: role, country: country)
            }
        }
        return nil
    }

    private static func isOpeningQuote(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        if bytes[i] == 0x22 { return 1 }
        if i + 1 < bytes.count, bytes[i] == 0xC2, bytes[i + 1] == 0xAB { return 2 }  // «
        if i + 2 < bytes.count, bytes[i] == 0xE2, bytes[i + 1] == 0x80, bytes[i + 2] == 0x9C { return 3 }  // “
        return nil
    }

    @inline(__always)
    private static func isClosingQuote(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        // Most bytes are none of the three lead bytes: one test each.
        switch bytes[i] {
        case 0x22: return true
        case 0xC2: return i + 1 < bytes.count && bytes[i + 1] == 0xBB  // »
        case 0xE2: return i + 2 < bytes.count && bytes[i + 1] == 0x80 && bytes[i + 2] == 0x9D  // ”
        default: return false
        }
    }

    /// The index of the first byte in `start..<end` that is `"`, 0xE2 or (when `guillemets`) 0xC2: the first byte
    /// of every quotation mark " « » “ ” (`"` or 0xE2 alone for the opening marks of English quotes); `end` if none.
    /// Sixteen bytes a round (`end` ≤ `bytes.count`).
    @inline(__always)
    private static func firstQuoteLead(
        _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, guillemets: Bool
    ) -> Int {
        let quote = ByteScan.Lanes(repeating: 0x22)
        let e2 = ByteScan.Lanes(repeating: Int8(bitPattern: 0xE2))
        // Without guillemets, 0xC2 is tested as 0xE2 (no new match).
        let c2 = ByteScan.Lanes(repeating: Int8(bitPattern: guillemets ? 0xC2 : 0xE2))
        var i = start
        // In bounds: `i + 16 <= end <= bytes.count`.
        while i + 16 <= end {
            let v = ByteScan.lanes(bytes, at: i)
            let lane = ByteScan.firstTrue(v .== quote .| v .== e2 .| v .== c2)
            if lane < 16 { return i + lane }
            i += 16
        }
        while i < end && bytes[i] != 0x22 && bytes[i] != 0xE2 && (!guillemets || bytes[i] != 0xC2) { i += 1 }
        return i
    }

    /// The index of the first closing quotation mark (see ``isClosingQuote(_:_:)``) in `start..<end`, `end` if none.
    private static func closingQuote(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
        var j = start
        while true {
            j = firstQuoteLead(bytes, from: j, to: end, guillemets: true)
            if j >= end || isClosingQuote(bytes, j) { return j }
            j += 1
        }
    }

    private func quotedOrClause(from: Int, segmentEnd: Int) -> (String, Int)? {
        text.bytes.withUnsafeBufferPointer { quotedOrClause($0, from: from, segmentEnd: segmentEnd) }
    }

    private func quotedOrClause(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, segmentEnd: Int) -> (String, Int)? {
        var i = from
        // Up to a few bytes of space / punctuation before an opening quotation mark.
        while i < segmentEnd, i - from < 8, bytes[i] == 0x20 || bytes[i] == 0x3A || bytes[i] == 0x2C { i += 1 }
        if i < segmentEnd, let open = Self.isOpeningQuote(bytes, i) {
            let start = i + open
            let j = Self.closingQuote(bytes, from: start, to: segmentEnd)
            let quote = text.quoteText(start..<j)
            return quote.isEmpty ? nil : (quote, min(j + 1, segmentEnd))
        }
        // The clause ends at the first period within 600 bytes (memchr: a vector scan).
        let limit = min(segmentEnd, from + 600)
        var j = limit
        if from < limit, let base = bytes.baseAddress, let period = memchr(base + from, 0x2E, limit - from) {
            j = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(period))
        }
        let clause = text.quoteText(from..<j)
        return clause.utf8.count < 8 ? nil : (clause, j)
    }

    /// English: "…," X said / said X / X said: "…".
    private func englishQuotes(into quotes: inout [Quote], limit: Int) {
        text.bytes.withUnsafeBufferPointer { englishQuotes($0, into: &quotes, limit: limit) }
    }

    private func englishQuotes(_ bytes: UnsafeBufferPointer<UInt8>, into quotes: inout [Quote], limit: Int) {
        let tokens = text.tokens
        var tokenIndex = 0
        // The last speaker named, and whether they are a person the entities found (whom "it said" cannot continue).
        var lastSpeaker: EnglishSpeaker? = nil
        for segment in text.segments {
            var i = segment.range.lowerBound
            while i < segment.range.upperBound && quotes.count < limit {
                i = Self.firstQuoteLead(bytes, from: i, to: segment.range.upperBound, guillemets: false)
                guard i < segment.range.upperBound else { break }
                guard
                    bytes[i] == 0x22
                        || (i + 2 < bytes.count && bytes[i] == 0xE2 && bytes[i + 1] == 0x80 && bytes[i + 2] == 0x9C)
                else {
                    i += 1
                    continue
                }
                let opening = i
                let start = i + (bytes[i] == 0x22 ? 1 : 3)
                let j = Self.closingQuote(bytes, from: start, to: segment.range.upperBound)
                guard j < segment.range.upperBound else { break }
                let quote = text.quoteText(start..<j)
                i = j + 1
                guard quote.utf8.lazy.filter({ $0 == 0x20 }).count >= 3 else { continue }
                while tokenIndex < tokens.count && tokens[tokenIndex].range.lowerBound < start { tokenIndex += 1 }
                var inside = tokenIndex
                while inside < tokens.count && tokens[inside].range.lowerBound < j { inside += 1 }
                guard tokenIndex < tokens.count,
                    tokens[tokenIndex].kind == .latin || inside < tokens.count && tokens[inside].kind == .latin
                else { continue }
                // A quote after a colon ("X said: "…"") is introduced by its speaker: the words before it come first.
                var lead = opening - 1
                while lead > segment.range.lowerBound && bytes[lead] == 0x20 { lead -= 1 }
                let speaker = englishSpeaker(
                    before: tokenIndex, after: inside, segment: tokens[min(tokenIndex, tokens.count - 1)].segment,
                    lastSpeaker: lastSpeaker, introduced: lead >= segment.range.lowerBound && bytes[lead] == 0x3A)
                if let speaker {
                    quotes.append(Quote(text: quote, speaker: speaker.name))
                    if speaker.name != nil { lastSpeaker = speaker }
                }
            }
        }
    }

    /// The person mentioned last before token `k`, at most 80 words back (and in its sentence, if `inSentence`).
    private func personBefore(_ k: Int, inSentence: Bool = false) -> String? {
        var i = k - 1
        while i >= 0 && k - i <= 80 {
            if inSentence
                && (text.tokens[i].segment != text.tokens[k].segment || sentenceEnds(before: i + 1, from: 0))
            {
                return nil
            }
            if let name = entities.person(at: i) { return name }
            i -= 1
        }
        return nil
    }

    /// Who spoke an English quote: a name (`nil` when the quote is reported but its speaker not named) and whether
    /// it is a person the entities found (a capitalised name next to the verb may be an organisation's).
    private typealias EnglishSpeaker = (name: String?, isPerson: Bool)

    /// The speaker of an English quote: looks at up to 6 words after the quote, then up to 8 before it (before,
    /// then after, when the quote is `introduced` by a colon). Returns `nil` when no reporting verb is near (not a
    /// reported quote).
    private func englishSpeaker(
        before: Int, after: Int, segment: Int, lastSpeaker: EnglishSpeaker?, introduced: Bool
    ) -> EnglishSpeaker? {
        let tokens = text.tokens
        let following = after..<min(after + 6, tokens.count)
        let preceding = max(0, before - 8)..<before
        for range in introduced ? [preceding, following] : [following, preceding] {
            guard
                let verb = range.first(where: {
                    tokens[$0].segment == segment && Self.englishVerbs.contains(tokens[$0].bare)
                })
            else {
                continue
            }
            // The person mentioned nearest the verb, before it on a tie ("with BBC political editor Andrew Marr, Mr
            // Brown said:" is Brown's).
            for distance in 1..<range.count {
                for k in [verb - distance, verb + distance] where range.contains(k) && tokens[k].segment == segment {
                    if let name = entities.person(at: k) { return (name, true) }
                }
            }
            for k in range where tokens[k].segment == segment && Self.pronouns.contains(tokens[k].bare) {
                // "he said" / "she said": the person mentioned last before the quote ("Mr Idris said the community
                // was raising money. "It is a landmark building," he said."), else the last speaker.
                if Self.personalPronouns.contains(tokens[k].bare) {
                    return personBefore(before).map { ($0, true) } ?? lastSpeaker ?? (nil, false)
                }
                // "it said" / "they said": an organisation or a group, never a person.
                guard let lastSpeaker, !lastSpeaker.isPerson else { return (nil, false) }
                return lastSpeaker
            }
            // Capitalised words next to the verb.
            var names: [Int] = []
            for k in range
            where tokens[k].segment == segment && tokens[k].capitalized && !Self.englishVerbs.contains(tokens[k].bare) {
                names.append(k)
            }
            let plausible = names.allSatisfy {
                !EntityExtractor.stopwords.contains(tokens[$0].bare)
                    && !EntityExtractor.englishNonNames.contains(tokens[$0].bare)
            }
            if plausible, let first = names.first, let last = names.last, last - first == names.count - 1,
                names.count <= 3, !isModifier(first: first, last: last)
            {
                return (text.sliceText(tokens: first, last), false)
            }
            // Else the capitalised words written right before the verb ("… spokeswoman for women Sandra Gidley said:"),
            // or right after a verb that follows a quotation ("…," said Mark Miller, at HBOS Treasury Services).
            if let (first, last) = nameRun(before: verb, within: range) ?? nameRun(after: verb, within: range) {
                return (text.sliceText(tokens: first, last), false)
            }
            // Else a role written next to the verb ("The spokesman said:", "said a Labour Party spokesman").
            if let (first, last) = englishRole(at: verb, within: range) {
                return (text.sliceText(tokens: first, last), false)
            }
            // Else, for a participle, the subject of its sentence: the person mentioned last in it ("Mr Haji-Ioannou,
            // who plans to launch Easymobile next month, vowed to fight back, saying: "…"").
            if Self.participles.contains(tokens[verb].bare), let name = personBefore(verb, inSentence: true) {
                return (name, true)
            }
            return (nil, false)
        }
        return nil
    }

    /// The one to three capitalised words that end right before the reporting verb at `verb`, with only spaces
    /// between them and between the last and the verb, none of them a function word or a word that never names
    /// anyone (``EntityExtractor/englishNonNames``: minister, party, Mr ...), and no modifier (``isModifier``).
    private func nameRun(before verb: Int, within range: Range<Int>) -> (first: Int, last: Int)? {
        let tokens = text.tokens
        let last = verb - 1
        guard last >= range.lowerBound, !tokens[verb].breakBefore, tokens[verb].segment == tokens[last].segment
        else { return nil }
        var first = verb
        while first > range.lowerBound, verb - first < 3, first == verb || !tokens[first].breakBefore {
            let token = tokens[first - 1]
            guard token.kind == .latin, token.capitalized, !EntityExtractor.stopwords.contains(token.bare),
                !EntityExtractor.englishNonNames.contains(token.bare)
            else { break }
            first -= 1
        }
        guard first < verb, !isModifier(first: first, last: last) else { return nil }
        return (first, last)
    }

    /// The one to three capitalised words right after the reporting verb at `verb` when the verb follows a closing
    /// quotation mark ("…," said Claxton), with only spaces between them and the verb and ending at a break or
    /// a lowercase word; none of them a function word or a word that never names anyone, and no modifier.
    private func nameRun(after verb: Int, within range: Range<Int>) -> (first: Int, last: Int)? {
        let tokens = text.tokens
        let first = verb + 1
        guard first < range.upperBound, tokens[verb].breakBefore, !tokens[first].breakBefore,
            tokens[first].segment == tokens[verb].segment, followsClosingQuote(verb)
        else { return nil }
        var last = first - 1
        while last + 1 < range.upperBound, last + 1 - first < 3, !tokens[last + 1].breakBefore {
            let token = tokens[last + 1]
            guard token.kind == .latin, token.capitalized, !EntityExtractor.stopwords.contains(token.bare),
                !EntityExtractor.englishNonNames.contains(token.bare)
            else { break }
            last += 1
        }
        guard last >= first, !isModifier(first: first, last: last) else { return nil }
        return (first, last)
    }

    /// A role written with an article next to the reporting verb at `verb`, without the article: "The spokesman
    /// said:", "A Labour Party spokesman said", "said the prime minister". At most four words from the article to
    /// the role noun (``englishRoles``), which ends the run and touches the verb, with only spaces between them.
    private func englishRole(at verb: Int, within range: Range<Int>) -> (first: Int, last: Int)? {
        let tokens = text.tokens
        let segment = tokens[verb].segment
        // Before the verb: the role noun right before it, the article up to four words back.
        let noun = verb - 1
        if noun >= range.lowerBound, tokens[noun].segment == segment, !tokens[verb].breakBefore,
            Self.englishRoles.contains(tokens[noun].bare)
        {
            var article = noun - 1
            while article >= range.lowerBound, noun - article <= 4, !tokens[article + 1].breakBefore,
                tokens[article].kind == .latin
            {
                if Self.articles.contains(tokens[article].bare) { return (article + 1, noun) }
                article -= 1
            }
        }
        // After the verb: the article right after it, the role noun up to four words on, followed by a break, a
        // preposition or nothing ("said a spokesman for the ministry"; not "said the official news agency").
        let article = verb + 1
        guard article < range.upperBound, tokens[article].segment == segment, !tokens[article].breakBefore,
            Self.articles.contains(tokens[article].bare)
        else { return nil }
        var last = article + 1
        while last < tokens.count, last - article <= 4, !tokens[last].breakBefore, tokens[last].kind == .latin {
            let next = last + 1
            if Self.englishRoles.contains(tokens[last].bare),
                next >= tokens.count || tokens[next].breakBefore || Self.modifierLeads.contains(tokens[next].bare)
            {
                return (article + 1, last)
            }
            last += 1
        }
        return nil
    }

    /// Whether only spaces stand between a closing quotation mark (" or ”) and token `k`.
    private func followsClosingQuote(_ k: Int) -> Bool {
        text.bytes.withUnsafeBufferPointer { p in
            var i = text.tokens[k].range.lowerBound - 1
            while i >= 0 && p[i] == 0x20 { i -= 1 }
            guard i >= 0 else { return false }
            return p[i] == 0x22 || (i >= 2 && p[i - 2] == 0xE2 && p[i - 1] == 0x80 && p[i] == 0x9D)
        }
    }

    /// Whether the capitalised words `first...last` describe something else rather than name the speaker:
    /// a lowercase word other than a reporting verb follows them with no punctuation between ("a London
    /// investment bank", "the UN envoy said"), or a preposition or indefinite article comes just before
    /// ("at Reuters", "of Hazards magazine").
    private func isModifier(first: Int, last: Int) -> Bool {
        let tokens = text.tokens
        let segment = tokens[first].segment
        let next = last + 1
        if next < tokens.count, tokens[next].segment == segment, !tokens[next].breakBefore,
            tokens[next].kind == .latin, !tokens[next].capitalized, !Self.englishVerbs.contains(tokens[next].bare)
        {
            return true
        }
        let previous = first - 1
        return previous >= 0 && tokens[previous].segment == segment && !tokens[first].breakBefore
            && Self.modifierLeads.contains(tokens[previous].bare)
    }
}

extension ArticleText {
    /// The length of the quotation mark or comma at `p[i]` (`i < end`, the mark within `end`): `"` `,` (1 byte),
    /// « » ، (2), “ ” (3); 0 for anything else.
    @inline(__always)
    static func quoteOrCommaLength(_ p: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) -> Int {
        let b = p[i]
        if b == 0x22 || b == 0x2C { return 1 }
        if i + 1 < end, (b == 0xC2 && (p[i + 1] == 0xAB || p[i + 1] == 0xBB)) || (b == 0xD8 && p[i + 1] == 0x8C) {
            return 2
        }
        if i + 2 < end, b == 0xE2, p[i + 1] == 0x80, p[i + 2] == 0x9C || p[i + 2] == 0x9D { return 3 }
        return 0
    }

    /// The source text of a byte range without surrounding spaces, quotation marks (" « » “ ”) and
    /// commas, colons and periods (, ، : .). Trims whole UTF-8 sequences, then copies once (``sliceText(_:)``).
    fileprivate func quoteText(_ range: Range<Int>) -> String {
        bytes.withUnsafeBufferPointer { p in
            var lo = range.lowerBound
            var hi = range.upperBound
            while lo < hi {
                let b = p[lo]
                let length = b == 0x20 || b == 0x3A || b == 0x2E ? 1 : Self.quoteOrCommaLength(p, at: lo, end: hi)
                guard length > 0 else { break }
                lo += length
            }
            while hi > lo {
                let b = p[hi - 1]
                if b == 0x20 || b == 0x22 || b == 0x2C || b == 0x3A || b == 0x2E {
                    hi -= 1
                } else if hi - 2 >= lo,
                    (p[hi - 2] == 0xC2 && (b == 0xAB || b == 0xBB)) || (p[hi - 2] == 0xD8 && b == 0x8C)
                {
                    hi -= 2
                } else if hi - 3 >= lo, p[hi - 3] == 0xE2, p[hi - 2] == 0x80, b == 0x9C || b == 0x9D {
                    hi -= 3
                } else {
                    break
                }
            }
            // A clause cut at its length limit may end inside a character: that one decodes with repair.
            return sliceText(lo..<hi)
        }
    }
}
