/// A light, dictionary-free stemmer for normalised Arabic and English words.
///
/// Arabic (input already normalised: alef unified, ى→ي, ة→ه):
/// 1. Conjunction clitics و / ف are stripped when followed by an article or an article-carrying
///    preposition (وال، فال، وبال، ولل ...). A bare و / ف is stripped when at least three letters
///    remain, unless the word is one of a short list of common words whose first radical is و / ف
///    (وزير، وفد، فرنسا ...). At most two conjunctions are stripped.
/// 2. Article and prepositions: بال، كال (at least three letters must remain), لل، ال (at least two). A bare ب / ك / ل
///    is not stripped: too many words start with those radicals (بغداد، لبنان، كلمة).
/// 3. One suffix, the longest of يين يون ات ان ون ين ها يه ه ي that leaves at least three letters, so
///    nisba, feminine and plural forms share a stem: والعراقية / العراقي / عراقي → عراق.
///
/// English (input lowercased): a trailing 's is dropped, then -ies → -y, -sses → -ss, and a final -s
/// (not -ss, -us, -is) is dropped from words longer than three letters.
///
/// The stemmer is deterministic and total; every caller (the tokeniser, gazetteer and lexicon
/// loading) goes through it so that terms and text agree.
enum Stemmer {
    private static let waw: UInt32 = 0x0648
    private static let feh: UInt32 = 0x0641
    private static let alef: UInt32 = 0x0627
    private static let lam: UInt32 = 0x0644
    private static let beh: UInt32 = 0x0628
    private static let kaf: UInt32 = 0x0643
    private static let yeh: UInt32 = 0x064A
    private static let heh: UInt32 = 0x0647
    private static let teh: UInt32 = 0x062A
    private static let noon: UInt32 = 0x0646

    /// Common words whose initial و / ف is a radical, not a conjunction (stored as their core stems).
    private static let protectedStems: Set<UInt64> = {
        let words = """
            وزير وزيره وزراء وزارة وزارات وفد وفود وطن وطني وطنية ولاية ولايات وكالة وكالات وقت وضع \
            وحدة وحدات وقف واشنطن وصل وصول وجود وثيقة وثائق ورق ورقة واسع وسط وساطة وسيط وعد وعود \
            وقع وقائع ولد والد والدة والي وفاة وفق وراء وجه وجهة وسائل وسيلة وصف وزن ورد واقع واقعة \
            وادي وباء ورشة وريث وظيفة وظائف وعي وكيل ولي ولاء ولاءات وئام وثيق وجيز وحيد وضوح واضح \
            وافق موافقة وقود ورود وزن وارد واردات وفير ويلز وينبغي \
            فرنسا فرنسي فرنسية فلسطين فلسطيني فلسطينية فلسطينيون فريق فصائل فصيل فوز فترة فندق فكرة \
            فيلم فرع فرص فرصة فساد فشل فعل فعلا فضل فتح فرض فقط فوق فئة فني فحص فرار فصل فهم فيروس \
            فنزويلا فنلندا فيتنام فيجي الفلبين فيينا فرق فاعل فوضى فيضان فيضانات فلاديمير فضاء فضائية \
            فقير فقر فقراء فورا فوري فائدة فوائد فارق فارس فرد أفراد فيديو فيسبوك فبراير فلوريدا \
            فرانسوا فيدرالي فيدرالية فدرالي فدرالية فرقة
            """
        var set = Set<UInt64>()
        for word in words.split(separator: " ") {
            let scalars = TextNormalizer.normalizedScalars(of: String(word))
            set.insert(TextNormalizer.hash(core(scalars[...])))
        }
        return set
    }()

    /// Appends the stem of a normalised word to `out` (no other allocation) and returns its bare form
    /// (see ``bare(_:isArabic:)``). `isArabic` selects the rule set.
    @inline(__always)
    static func stem(_ word: ArraySlice<UInt32>, isArabic: Bool, into out: inout [UInt32]) -> ArraySlice<UInt32> {
        if isArabic {
            let bare = word.dropFirst(prefixLength(word))
            out.append(contentsOf: suffixStripped(bare))
            return bare
        }
        english(word, into: &out)
        return bare(word, isArabic: false)
    }

    /// The word without its proclitics (conjunction, preposition, article) but with its suffixes:
    /// the form names are matched on ("والعراق" → "عراق", "العراقي" → "عراقي"). English: the word
    /// without a possessive 's.
    static func bare(_ word: ArraySlice<UInt32>, isArabic: Bool) -> ArraySlice<UInt32> {
        if isArabic { return word.dropFirst(prefixLength(word)) }
        let n = word.count
        if n >= 3, word[word.endIndex - 1] == 0x73, word[word.endIndex - 2] == 0x27 { return word.dropLast(2) }
        return word
    }

    /// Number of leading scalars that are proclitics (rule 1 and 2 above).
    private static func prefixLength(_ word: ArraySlice<UInt32>) -> Int {
        var w = word
        var strips = 0
        while strips < 2, w.count >= 4, let first = w.first, first == waw || first == feh {
            let rest = w.dropFirst()
            if articlePrefixLength(rest) > 0 {
                w = rest
                break
            }
            if protectedStems.contains(TextNormalizer.hash(core(w))) { break }
            w = rest
            strips += 1
        }
        return word.count - w.count + articlePrefixLength(w)
    }

    /// Length of an article / article-carrying preposition prefix that may be stripped, or 0.
    private static func articlePrefixLength(_ w: ArraySlice<UInt32>) -> Int {
        let s = w.startIndex
        let n = w.count
        if n >= 6, w[s] == beh || w[s] == kaf, w[s + 1] == alef, w[s + 2] == lam { return 3 }
        if n >= 4, w[s] == lam, w[s + 1] == lam { return 2 }
        if n >= 4, w[s] == alef, w[s + 1] == lam { return 2 }
        return 0
    }

    /// Article and suffix stripping (no conjunctions).
    private static func core(_ word: ArraySlice<UInt32>) -> ArraySlice<UInt32> {
        suffixStripped(word.dropFirst(articlePrefixLength(word)))
    }

    /// Rule 3: the longest listed suffix that leaves at least three letters is removed.
    private static func suffixStripped(_ word: ArraySlice<UInt32>) -> ArraySlice<UInt32> {
        let n = word.count
        let e = word.endIndex
        guard n >= 4 else { return word }
        let last = word[e - 1]
        let second = word[e - 2]
        if n >= 6 && last == noon && word[e - 3] == yeh && (second == yeh || second == waw) {
            return word.dropLast(3)  // -يين -يون
        }
        if n >= 5 {
            switch (second, last) {
            case (alef, teh), (alef, noon), (waw, noon), (yeh, noon), (heh, alef), (yeh, heh):
                return word.dropLast(2)
            default: break
            }
        }
        if last == heh || last == yeh { return word.dropLast() }
        return word
    }

    private static func english(_ word: ArraySlice<UInt32>, into out: inout [UInt32]) {
        let apostrophe: UInt32 = 0x27
        let s: UInt32 = 0x73
        var w = word
        if w.count >= 3, w[w.endIndex - 1] == s, w[w.endIndex - 2] == apostrophe {
            w = w.dropLast(2)
        }
        let n = w.count
        let e = w.endIndex
        guard n > 3, w[e - 1] == s else {
            out.append(contentsOf: w)
            return
        }
        if n > 4, w[e - 2] == 0x65, w[e - 3] == 0x69 {  // -ies → -y
            out.append(contentsOf: w.dropLast(3))
            out.append(0x79)
        } else if n > 4, w[e - 2] == 0x65, w[e - 3] == s, w[e - 4] == s {  // -sses → -ss
            out.append(contentsOf: w.dropLast(2))
        } else if w[e - 2] != s && w[e - 2] != 0x75 && w[e - 2] != 0x69 {  // not -ss, -us, -is
            out.append(contentsOf: w.dropLast())
        } else {
            out.append(contentsOf: w)
        }
    }
}
