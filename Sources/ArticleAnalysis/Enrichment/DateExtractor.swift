/// A date mentioned in an article.
public struct DateMention: Sendable, Hashable {
    /// How the date was written.
    public enum Kind: String, Sendable, Hashable {
        /// A calendar date ("15 آب/أغسطس 2021", "August 15, 2021", "2021-08-15").
        case absolute
        /// A weekday ("اليوم الأحد", "يوم الخميس", "on Sunday").
        case weekday
    }

    /// The words as written in the article.
    public var text: String
    /// How the date was written.
    public var kind: Kind
    /// The resolved date `YYYY-MM-DD`, or `nil` when it cannot be resolved (a weekday without a
    /// publication date, a day and month without a year and without a publication date).
    public var value: String?
}

/// Finds absolute dates and weekday mentions; weekdays are resolved to the latest such day on or
/// before the publication date.
struct DateExtractor {
    let text: ArticleText
    /// Publication date (year, month, day), if known.
    let published: (year: Int, month: Int, day: Int)?

    private static func table(_ entries: [(String, Int)]) -> HashTable64<Int> {
        var out: [(UInt64, Int)] = []
        for (word, value) in entries {
            TextNormalizer.forEachWord(in: word) { out.append(($0.bareHash, value)) }
        }
        return HashTable64(out)
    }

    // Weekdays: 0 = Sunday. Arabic forms are matched with their article (الأحد), hence normalized hashes.
    private static let arabicWeekdayNames = [
        ("الأحد", 0), ("الاثنين", 1), ("الإثنين", 1), ("الثلاثاء", 2), ("الأربعاء", 3), ("الخميس", 4), ("الجمعة", 5),
        ("السبت", 6),
    ]
    private static let arabicWeekdays: HashTable64<Int> = {
        var out: [(UInt64, Int)] = []
        for (word, day) in arabicWeekdayNames {
            TextNormalizer.forEachWord(in: word) { out.append(($0.normalizedHash, day)) }
        }
        return HashTable64(out)
    }()
    private static let englishWeekdayNames = [
        ("sunday", 0), ("monday", 1), ("tuesday", 2), ("wednesday", 3), ("thursday", 4), ("friday", 5), ("saturday", 6),
    ]
    private static let englishWeekdays = table(englishWeekdayNames)
    private static let dayWords: HashSet64 = {
        var out: [UInt64] = []
        TextNormalizer.forEachWord(in: "يوم اليوم صباح مساء ليلة ليل فجر ظهر امس أمس") { out.append($0.bareHash) }
        return HashSet64(out)
    }()
    private static let monthNames = [
        ("يناير", 1), ("فبراير", 2), ("مارس", 3), ("ابريل", 4), ("أبريل", 4), ("إبريل", 4), ("مايو", 5), ("يونيو", 6),
        ("يوليو", 7), ("أغسطس", 8), ("اغسطس", 8), ("سبتمبر", 9), ("أكتوبر", 10), ("اكتوبر", 10), ("نوفمبر", 11),
        ("ديسمبر", 12), ("شباط", 2), ("آذار", 3), ("نيسان", 4), ("أيار", 5), ("حزيران", 6), ("تموز", 7), ("آب", 8),
        ("أيلول", 9), ("january", 1), ("february", 2), ("march", 3), ("april", 4), ("may", 5), ("june", 6),
        ("july", 7), ("august", 8), ("september", 9), ("october", 10), ("november", 11), ("december", 12),
    ]
    private static let months = table(monthNames)
    // Two-word Levantine months: تشرين الأول/الثاني، كانون الأول/الثاني.
    private static let twoWordMonths: [(first: UInt64, second: UInt64, month: Int)] = {
        func h(_ s: String) -> UInt64 {
            var out: UInt64 = 0
            TextNormalizer.forEachWord(in: s) { out = $0.bareHash }
            return out
        }
        return [
            (h("تشرين"), h("الأول"), 10), (h("تشرين"), h("الثاني"), 11),
            (h("كانون"), h("الأول"), 12), (h("كانون"), h("الثاني"), 1),
        ]
    }()

    /// The bare hashes of the words other than numbers that may start a date (see ``extract()``): the weekdays, the
    /// months and the first words of the two-word months. A word whose normalised form is an Arabic weekday has that
    /// weekday's bare form, hence its bare hash.
    static let startWords: [UInt64] = {
        var out = twoWordMonths.map(\.first)
        for (word, _) in arabicWeekdayNames + englishWeekdayNames + monthNames {
            TextNormalizer.forEachWord(in: word) { out.append($0.bareHash) }
        }
        return out
    }()

    /// Parses the `YYYY-MM-DD` prefix of an ISO 8601 timestamp.
    static func parsePublished(_ s: String?) -> (year: Int, month: Int, day: Int)? {
        guard let s else { return nil }
        let u = Array(s.utf8.prefix(10))
        guard u.count == 10, u[4] == 0x2D, u[7] == 0x2D,
            let y = Int(String(decoding: u[0..<4], as: UTF8.self)),
            let m = Int(String(decoding: u[5..<7], as: UTF8.self)),
            let d = Int(String(decoding: u[8..<10], as: UTF8.self)), (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        return (y, m, d)
    }

    /// Days since 1970-01-01 (proleptic Gregorian).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func iso(_ y: Int, _ m: Int, _ d: Int) -> String {
        // The usual case (a four-digit year): the ten bytes written at once, without interpolating Strings.
        if (0...9999).contains(y) && (0...99).contains(m) && (0...99).contains(d) {
            return String(unsafeUninitializedCapacity: 10) { buffer in
                // In bounds: ten bytes, the capacity.
                func put(_ value: Int, _ width: Int, at offset: Int) {
                    var value = value
                    for index in stride(from: offset + width - 1, through: offset, by: -1) {
                        buffer[index] = UInt8(truncatingIfNeeded: 0x30 + value % 10)
                        value /= 10
                    }
                }
                put(y, 4, at: 0)
                buffer[4] = 0x2D
                put(m, 2, at: 5)
                buffer[7] = 0x2D
                put(d, 2, at: 8)
                return 10
            }
        }
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }

    private func resolveWeekday(_ weekday: Int) -> String? {
        guard let p = published else { return nil }
        let days = Self.daysFromCivil(p.year, p.month, p.day)
        let publishedWeekday = ((days % 7) + 11) % 7  // 1970-01-01 was a Thursday (4)
        let back = (publishedWeekday - weekday + 7) % 7
        let (y, m, d) = Self.civilFromDays(days - back)
        return Self.iso(y, m, d)
    }

    /// The article's tokens, read through a pointer (no retain, no bounds check in release).
    typealias Tokens = UnsafeBufferPointer<ArticleText.TokenInfo>
    /// The article's text (``ArticleText/bytes``).
    typealias Bytes = UnsafeBufferPointer<UInt8>

    /// The value of the number token `k`, or nil (not a number, no digit, overflow, past the end).
    private static func number(_ k: Int, _ tokens: Tokens, _ p: Bytes) -> Int? {
        // Callers look ahead past a month name, which may be the last token.
        guard k < tokens.count, tokens[k].kind == .number else { return nil }
        // The token's digits (ASCII, Arabic-Indic, Persian) read straight from the UTF-8 bytes;
        // separators are skipped. Nil when there is no digit or the value overflows.
        var value = 0
        var digits = 0
        var i = tokens[k].range.lowerBound
        let end = tokens[k].range.upperBound
        while i < end {
            let (v, length) = decodeScalar(p, at: i)
            i += length
            let digit: UInt32
            switch v {
            case 0x30...0x39: digit = v - 0x30
            case 0x0660...0x0669: digit = v - 0x0660
            case 0x06F0...0x06F9: digit = v - 0x06F0
            default: continue
            }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(digit))
            if o1 || o2 { return nil }
            value = sum
            digits += 1
        }
        return digits == 0 ? nil : value
    }

    /// Month starting at token `k` and the number of tokens it spans (handles "آب/أغسطس").
    private static func month(at k: Int, _ tokens: Tokens, _ p: Bytes) -> (Int, Int)? {
        guard k < tokens.count else { return nil }
        if k + 1 < tokens.count {
            for (first, second, m) in twoWordMonths where first == tokens[k].bare && second == tokens[k + 1].bare {
                return (m, 2)
            }
        }
        guard let m = months[tokens[k].bare] else { return nil }
        if tokens[k].kind == .latin && !tokens[k].capitalized { return nil }
        if k + 1 < tokens.count, months[tokens[k + 1].bare] == m, p[tokens[k + 1].range.lowerBound - 1] == 0x2F {
            return (m, 2)
        }
        return (m, 1)
    }

    /// Date mentions in order of appearance, without repeats.
    @inline(never)  // one call per article; out of line, the stage stays visible in profiles
    func extract() -> [DateMention] {
        text.tokens.withUnsafeBufferPointer { tokens in
            text.bytes.withUnsafeBufferPointer { bytes in extract(tokens, bytes) }
        }
    }

    private func extract(_ tokens: Tokens, _ bytes: Bytes) -> [DateMention] {
        var out: [DateMention] = []
        // Usually a few dates per article: a linear search finds repeats, a set once there are many.
        var seen: Set<DateMention>? = nil
        func add(_ mention: DateMention) {
            if out.count < 16 {
                if !out.contains(mention) { out.append(mention) }
                return
            }
            if seen == nil { seen = Set(out) }
            if seen!.insert(mention).inserted { out.append(mention) }
        }
        func number(_ k: Int) -> Int? { Self.number(k, tokens, bytes) }
        func month(at k: Int) -> (Int, Int)? { Self.month(at: k, tokens, bytes) }
        /// Adds the date of month `m`, day `d` whose text runs from token `first` to `last`, with the year
        /// of the token after `last` when it is one (taking it in), else the publication year; returns the
        /// token after the date.
        func addDate(from first: Int, through last: Int, month m: Int, day d: Int) -> Int {
            var last = last
            var year = published?.year
            if last + 1 < tokens.count, let y = number(last + 1), y >= 1900, y <= 2100 {
                year = y
                last += 1
            }
            add(
                DateMention(
                    text: text.sliceText(tokens: first, last), kind: .absolute, value: year.map { Self.iso($0, m, d) }))
            return last + 1
        }
        // Only a number, or a word whose ``ArticleText/Hint/date`` bit is set, may start a date: the loop visits those
        // tokens, from the token after the last date.
        let date = UInt64(ArticleText.Hint.date)
        return text.hinted.withUnsafeBufferPointer { hinted in
            var k = 0
            for entry in hinted where entry & date != 0 && Int(truncatingIfNeeded: entry >> 8) >= k {
                k = Int(truncatingIfNeeded: entry >> 8)
                let kind = tokens[k].kind
                // Arabic weekday after a day word: "اليوم الأحد", "يوم الخميس".
                if kind == .arabic {
                    if let weekday = Self.arabicWeekdays[tokens[k].normalized], k > 0,
                        Self.dayWords.contains(tokens[k - 1].bare), !tokens[k].breakBefore
                    {
                        add(
                            DateMention(
                                text: text.sliceText(tokens: k - 1, k), kind: .weekday, value: resolveWeekday(weekday)))
                    }
                    // Only a number or a Latin month name starts any other date.
                    k += 1
                    continue
                }
                if kind == .latin, tokens[k].capitalized, let weekday = Self.englishWeekdays[tokens[k].bare] {
                    add(
                        DateMention(
                            text: text.sliceText(tokens[k].range), kind: .weekday, value: resolveWeekday(weekday)))
                    k += 1
                    continue
                }
                // The value of a number token, read once for both forms that start with one.
                let value = number(k)
                // ISO date: 2021-08-15.
                if let y = value, y >= 1900, y <= 2100, k + 2 < tokens.count, let m = number(k + 1),
                    let d = number(k + 2),
                    bytes[tokens[k + 1].range.lowerBound - 1] == 0x2D,
                    bytes[tokens[k + 2].range.lowerBound - 1] == 0x2D,
                    (1...12).contains(m), (1...31).contains(d)
                {
                    add(DateMention(text: text.sliceText(tokens: k, k + 2), kind: .absolute, value: Self.iso(y, m, d)))
                    k += 3
                    continue
                }
                // Day month [year]: "15 آب/أغسطس 2021", "15 August 2021".
                if let d = value, (1...31).contains(d), let (m, span) = month(at: k + 1) {
                    k = addDate(from: k, through: k + span, month: m, day: d)
                    continue
                }
                // Month day, year: "August 15, 2021".
                if kind == .latin, let (m, span) = month(at: k), let d = number(k + span), (1...31).contains(d) {
                    k = addDate(from: k, through: k + span, month: m, day: d)
                    continue
                }
                k += 1
            }
            return out
        }
    }
}
