/// A light, dictionary-free stemmer for normalised Arabic and English words.
///
/// Arabic (input already normalised: alef unified, ى→ي, ة→ه):
/// 1. Conjunction clitics و / ف are stripped when followed by an article or an article-carrying
///    preposition (وال، فال، وبال، ولل ...). A bare و / ف is stripped when at least three letters
///    remain, unless the word is one of a short list of common words and first names whose first radical is
///    و / ف (وزير، وفد، فرنسا، وليد، فيصل، وليام ...). At most two conjunctions are stripped.
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

    /// Common words whose initial و / ف is a radical, not a conjunction: the hashes of their core stems, and a
    /// 4,096-bit filter over the first three letters of the cores (see ``protectedFilterBit(_:from:)``).
    private static let protectedStems: (hashes: HashSet64, filter: [UInt64]) = {
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
            فرانسوا فيدرالي فيدرالية فدرالي فدرالية فرقة \
            وليد وائل وسام وضاح وفيق وديع وهيب وليام ويليام والتر وارن وانغ ويلسون \
            فيصل فهد فؤاد فاروق فادي فاطمة فايز فتحي فريد فرحان فالح فيليب فيكتور فرانك فرناندو فولوديمير \
            فينسنت فرانسيس فريدريك فابيو فاليري فيديريكا
            """
        var filter = [UInt64](repeating: 0, count: 64)
        var hashes: [UInt64] = []
        // One scan over the list (each entry is one word): its normalised words, unstemmed.
        var text = words
        text.withUTF8 { bytes in
            var scanner = WordScanner(bytes, stemming: false)
            while let word = scanner.next() {
                let w = word.scalars
                let start = articlePrefixLength(w, from: 0)
                let bit = protectedFilterBit(w, from: start)
                filter[bit >> 6] |= 1 << (bit & 63)
                hashes.append(coreHash(w, from: 0))
            }
            scanner.release()
        }
        return (HashSet64(hashes), filter)
    }()

    /// The bit of ``protectedStems``' filter for the core starting at `w[s]` (at least three letters): its first three
    /// letters, four bits of each (Arabic letters differ in their low bits).
    @inline(__always)
    private static func protectedFilterBit(_ w: UnsafeBufferPointer<UInt32>, from s: Int) -> Int {
        Int(truncatingIfNeeded: (w[s] & 0xF) << 8 | (w[s + 1] & 0xF) << 4 | (w[s + 2] & 0xF))
    }

    /// Where the proclitic-free form and the stem of a normalised word lie among its scalars.
    struct Bounds {
        /// Index of the first scalar of the bare form and of the stem (the number of proclitics).
        var bareStart: Int
        /// End index of the bare form (the word's end, or before a possessive 's).
        var bareEnd: Int
        /// End index of the stem's scalars taken from the word (`bareStart...bareEnd`).
        var stemEnd: Int
        /// Whether the stem has a "y" after those scalars (English -ies → -y).
        var stemY: Bool
    }

    /// The bare form and the stem of a normalised word `w`: the bare form (see ``Word/bare``) is
    /// `w[bareStart..<bareEnd]`, the stem `w[bareStart..<stemEnd]` followed by "y" when `stemY`.
    /// `isArabic` selects the rule set; `tables` is ``RuleTables/shared`` (read once by the caller).
    @inline(always)
    static func bounds(of w: UnsafeBufferPointer<UInt32>, isArabic: Bool, tables: RuleTables) -> Bounds {
        if isArabic {
            let n = w.count
            guard n > 0 else { return Bounds(bareStart: 0, bareEnd: 0, stemEnd: 0, stemY: false) }
            let prefix = prefixLength(w, tables: tables)
            return Bounds(
                bareStart: prefix, bareEnd: n, stemEnd: n - suffixLength(w, from: prefix, tables: tables), stemY: false
            )
        }
        return english(w)
    }

    /// The Arabic rules as tables, so that the stemmer's per-word decisions, which vary from word to word, are
    /// lookups rather than mispredicted branches: built once from the rules themselves (``articlePrefixLength(_:from:)``
    /// and ``suffixLength(_:from:)``), so that both cannot disagree.
    ///
    /// The rules compare letters with a few others only: ا ل ب ك و ف for the prefixes, ا ت ن ه ي و for the suffixes.
    /// Bytes 0–255: the classes of the letters U+0600–U+06FF (every letter of an Arabic word lies there), by the
    /// scalar's low byte: the prefix class (1–6 for ا ل ب ك و ف, else 0) in bits 4–6, the suffix class (1–6 for
    /// ا ت ن ه ي و, else 0) in bits 0–2. Bytes 256–767: by the prefix classes of the first three letters
    /// (`c0 << 6 | c1 << 3 | c2`), the article or preposition length of a word of four (bits 0–1) and of six letters or
    /// more (bits 2–3). Bytes 768–1279: by the suffix classes of the last three letters, the suffix length of a word
    /// of four (bits 0–1), five (bits 2–3) and six letters or more (bits 4–5).
    struct RuleTables: @unchecked Sendable {
        // `@unchecked Sendable` is safe: the bytes are allocated and written only in `init`, which runs once inside
        // the thread-safe lazy initialisation of `shared`; afterwards they are only read, never written or freed.
        /// The table bytes (immutable, never freed).
        let base: UnsafePointer<UInt8>

        /// The tables, built on first use.
        static let shared = RuleTables()

        /// Offset of the prefix table.
        static let prefixes = 256
        /// Offset of the suffix table.
        static let suffixes = 768

        private init() {
            let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 1280)
            bytes.initialize(repeating: 0, count: 1280)
            // The letters of each class (index = class), a letter of no class first.
            let other: UInt32 = 0x0633  // س
            let prefixLetters = [other, alef, lam, beh, kaf, waw, feh]
            let suffixLetters = [other, alef, teh, noon, heh, yeh, waw]
            for (index, letter) in prefixLetters.enumerated().dropFirst() {
                bytes[Int(letter & 0xFF)] |= UInt8(index << 4)
            }
            for (index, letter) in suffixLetters.enumerated().dropFirst() { bytes[Int(letter & 0xFF)] |= UInt8(index) }
            for key in 0..<512 {
                let (c0, c1, c2) = (key >> 6, key >> 3 & 7, key & 7)
                if c0 < 7 && c1 < 7 && c2 < 7 {
                    let start = [prefixLetters[c0], prefixLetters[c1], prefixLetters[c2]]
                    let four = Stemmer.rule(start + [other], articlePrefixLength)
                    let six = Stemmer.rule(start + [other, other, other], articlePrefixLength)
                    bytes[Self.prefixes + key] = UInt8(four | six << 2)
                    let end = [suffixLetters[c0], suffixLetters[c1], suffixLetters[c2]]
                    var lengths = 0
                    for n in 4...6 {
                        lengths |=
                            Stemmer.rule([UInt32](repeating: other, count: n - 3) + end, suffixLength) << (2 * (n - 4))
                    }
                    bytes[Self.suffixes + key] = UInt8(lengths)
                }
            }
            base = UnsafePointer(bytes)
        }
    }

    /// A rule applied to `letters` from their start.
    private static func rule(
        _ letters: [UInt32], _ rule: (UnsafeBufferPointer<UInt32>, Int) -> Int
    ) -> Int {
        letters.withUnsafeBufferPointer { rule($0, 0) }
    }

    /// Number of leading scalars that are proclitics (rules 1 and 2 above) of a word `w` of at least one letter.
    @inline(always)
    private static func prefixLength(_ w: UnsafeBufferPointer<UInt32>, tables: RuleTables) -> Int {
        let n = w.count
        let classes = tables.base
        // The first three letters' classes (in bounds: the last letter again in a shorter word, which takes no prefix).
        let key =
            Int(classes[Int(w[0] & 0xFF)] >> 4) << 6 | Int(classes[Int(w[min(1, n &- 1)] & 0xFF)] >> 4) << 3
            | Int(classes[Int(w[min(2, n &- 1)] & 0xFF)] >> 4)
        // Every proclitic leaves at least four letters; a word of four letters or more starting with و or ف (classes
        // 5 and 6) may take a conjunction. One comparison tests both (`key` < 512), as one branch, mostly not taken.
        if min(n, 4) << 9 | key >= 4 << 9 | 5 << 6 { return conjunctionPrefixLength(w) }
        let lengths = Int(tables.base[RuleTables.prefixes + key])
        return lengths >> (n >= 6 ? 2 : 0) & (n >= 4 ? 3 : 0)
    }

    /// ``prefixLength(_:tables:)`` of a word of at least four letters starting with و or ف. Out of line: it loops,
    /// and may read the list of protected words.
    @inline(never)
    static func conjunctionPrefixLength(_ w: UnsafeBufferPointer<UInt32>) -> Int {
        let n = w.count
        var s = 0
        var strips = 0
        while strips < 2, n - s >= 4, w[s] == waw || w[s] == feh {
            if articlePrefixLength(w, from: s + 1) > 0 {
                s += 1
                break
            }
            if isProtected(w, from: s) { break }
            s += 1
            strips += 1
        }
        return s + articlePrefixLength(w, from: s)
    }

    /// ``suffixLength(_:from:)`` read from the tables, for a word `w` of at least one letter.
    @inline(always)
    private static func suffixLength(_ w: UnsafeBufferPointer<UInt32>, from s: Int, tables: RuleTables) -> Int {
        let e = w.count
        let n = e &- s
        let classes = tables.base
        // The last three letters' classes (in bounds: the first letter instead in a shorter word, which takes no
        // suffix).
        let key =
            Int(classes[Int(w[max(e &- 3, 0)] & 0xFF)] & 7) << 6 | Int(classes[Int(w[max(e &- 2, 0)] & 0xFF)] & 7) << 3
            | Int(classes[Int(w[e &- 1] & 0xFF)] & 7)
        let lengths = Int(tables.base[RuleTables.suffixes + key])
        return lengths >> ((n >= 5 ? 2 : 0) + (n >= 6 ? 2 : 0)) & (n >= 4 ? 3 : 0)
    }

    /// Length of an article / article-carrying preposition prefix of `w[s...]` that may be stripped, or 0.
    @inline(always)
    static func articlePrefixLength(_ w: UnsafeBufferPointer<UInt32>, from s: Int) -> Int {
        let n = w.count - s
        guard n >= 4 else { return 0 }
        let first = w[s]
        if first == alef || first == lam { return w[s + 1] == lam ? 2 : 0 }
        if n >= 6, first == beh || first == kaf, w[s + 1] == alef, w[s + 2] == lam { return 3 }
        return 0
    }

    /// Whether the initial و / ف of `w[s...]` (at least four letters) is a radical (see ``protectedStems``); out of
    /// line, as it is rarely needed and reads a lazily built table.
    @inline(never)
    private static func isProtected(_ w: UnsafeBufferPointer<UInt32>, from s: Int) -> Bool {
        let table = protectedStems
        // The core starts at `s` (no article follows a conjunction here) and keeps at least three letters.
        let bit = protectedFilterBit(w, from: s)
        guard table.filter[bit >> 6] & (1 << (bit & 63)) != 0 else { return false }
        return table.hashes.contains(coreHash(w, from: s))
    }

    /// Hash of the article- and suffix-stripped `w[s...]` (no conjunctions).
    private static func coreHash(_ w: UnsafeBufferPointer<UInt32>, from s: Int) -> UInt64 {
        let start = s + articlePrefixLength(w, from: s)
        return TextNormalizer.hash(w[start..<(w.count - suffixLength(w, from: start))])
    }

    /// Rule 3: the length of the longest listed suffix of `w[s...]` that leaves at least three letters.
    @inline(always)
    static func suffixLength(_ w: UnsafeBufferPointer<UInt32>, from s: Int) -> Int {
        let e = w.count
        let n = e - s
        guard n >= 4 else { return 0 }
        let last = w[e - 1]
        // Every listed suffix ends in ا ت ن ه ي: bits 0, 3, 31, 32 and 35 above ا (U+0627).
        let offset = last &- alef
        guard offset < 36, (0x9_8000_0009 as UInt64) >> UInt64(offset) & 1 != 0 else { return 0 }
        let second = w[e - 2]
        if n >= 6 && last == noon && w[e - 3] == yeh && (second == yeh || second == waw) {
            return 3  // -يين -يون
        }
        if n >= 5 {
            switch (second, last) {
            case (alef, teh), (alef, noon), (waw, noon), (yeh, noon), (heh, alef), (yeh, heh):
                return 2
            default: break
            }
        }
        return last == heh || last == yeh ? 1 : 0
    }

    /// The English rules: possessive, then plural.
    @inline(always)
    private static func english(_ w: UnsafeBufferPointer<UInt32>) -> Bounds {
        let apostrophe: UInt32 = 0x27
        let s: UInt32 = 0x73
        var n = w.count
        if n >= 3, w[n - 1] == s, w[n - 2] == apostrophe { n -= 2 }
        var bounds = Bounds(bareStart: 0, bareEnd: n, stemEnd: n, stemY: false)
        guard n > 3, w[n - 1] == s else { return bounds }
        if n > 4, w[n - 2] == 0x65, w[n - 3] == 0x69 {  // -ies → -y
            bounds.stemEnd = n - 3
            bounds.stemY = true
        } else if n > 4, w[n - 2] == 0x65, w[n - 3] == s, w[n - 4] == s {  // -sses → -ss
            bounds.stemEnd = n - 2
        } else if w[n - 2] != s && w[n - 2] != 0x75 && w[n - 2] != 0x69 {  // not -ss, -us, -is
            bounds.stemEnd = n - 1
        }
        return bounds
    }
}
