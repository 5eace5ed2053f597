/// How the normaliser treats one Unicode scalar (code point).
///
/// All decisions are range checks on the code point so that the hot loop never touches `Character` or
/// `String`; the scanner reads them for the scalars below ``packedTableSize`` from a table built once
/// from ``of(_:)`` (see ``packed(_:)``).
enum CharacterClass: Equatable {
    /// An Arabic letter; the payload is the letter after folding (alef forms, ى, ة, Persian letters).
    case arabicLetter(UInt32)
    /// A Latin (or other non-Arabic) letter; the payload is the case-folded letter.
    case latinLetter(UInt32)
    /// A decimal digit; the payload is the ASCII digit.
    case digit(UInt32)
    /// Removed without breaking a word: Arabic diacritics, tatweel, combining marks, zero-width and
    /// bidi control characters, soft hyphen.
    case ignorable
    /// A word-internal joiner when surrounded by the right neighbours: apostrophes between Latin
    /// letters, decimal and thousands separators between digits. Payload: the ASCII replacement.
    case joiner(UInt32)
    /// Everything else: spaces, punctuation (including ، ؛ ؟), symbols.
    case separator

    /// Classifies a scalar value.
    @inline(__always)
    static func of(_ v: UInt32) -> CharacterClass {
        if v < 0x80 {
            switch v {
            case 0x30...0x39: return .digit(v)
            case 0x61...0x7A: return .latinLetter(v)
            case 0x41...0x5A: return .latinLetter(v | 0x20)
            case 0x27: return .joiner(0x27)
            case 0x2C: return .joiner(0x2C)
            case 0x2E: return .joiner(0x2E)
            default: return .separator
            }
        }
        if v >= 0x0600 && v <= 0x06FF { return arabic(v) }
        switch v {
        case 0xAD, 0x034F, 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2064, 0x2066...0x2069, 0xFEFF:
            return .ignorable
        case 0x0300...0x036F:
            return .ignorable
        case 0xC0...0xDE where v != 0xD7:
            return .latinLetter(v + 0x20)
        case 0xDF...0xFF where v != 0xF7:
            return .latinLetter(v)
        case 0x0100...0x024F:
            return .latinLetter(v)
        case 0x2019, 0x02BC:
            return .joiner(0x27)
        case 0x80...0xBF, 0x2000...0x2BFF, 0x3000...0x303F:
            // Latin-1 punctuation, general punctuation, symbols, CJK punctuation.
            return .separator
        case 0xFE70...0xFE7F:
            // Presentation-form harakat (isolated and medial forms of the short vowels).
            return .ignorable
        default:
            if let scalar = Unicode.Scalar(v), scalar.properties.isAlphabetic {
                return .latinLetter(v)
            }
            return .separator
        }
    }

    /// Classifies a scalar of the Arabic block U+0600–U+06FF.
    @inline(__always)
    private static func arabic(_ v: UInt32) -> CharacterClass {
        switch v {
        case 0x0622, 0x0623, 0x0625, 0x0671, 0x0672, 0x0673: return .arabicLetter(0x0627)  // آ أ إ ٱ → ا
        case 0x0649: return .arabicLetter(0x064A)  // ى → ي
        case 0x0629: return .arabicLetter(0x0647)  // ة → ه
        case 0x06CC: return .arabicLetter(0x064A)  // Persian yeh → ي
        case 0x06A9: return .arabicLetter(0x0643)  // Persian keheh → ك
        case 0x0621...0x063A, 0x0641...0x064A: return .arabicLetter(v)
        case 0x0660...0x0669: return .digit(v - 0x0660 + 0x30)
        case 0x06F0...0x06F9: return .digit(v - 0x06F0 + 0x30)
        case 0x066B: return .joiner(0x2E)  // Arabic decimal separator
        case 0x066C: return .joiner(0x2C)  // Arabic thousands separator
        case 0x0640, 0x064B...0x065F, 0x0670, 0x0610...0x061A, 0x061C: return .ignorable
        case 0x06D6...0x06DC, 0x06DF...0x06E8, 0x06EA...0x06ED: return .ignorable
        case 0x066E, 0x066F, 0x0674...0x06D3, 0x06D5, 0x06EE, 0x06EF, 0x06FA...0x06FC, 0x06FF:
            return .arabicLetter(v)
        default: return .separator  // ، ؛ ؟ ٪ ۔ and other punctuation
        }
    }
}

extension CharacterClass {
    /// Tag of ``separator`` in a packed class (bits 24–31; see ``packed(_:)``).
    static let separatorTag: UInt32 = 0
    /// Tag of ``arabicLetter(_:)`` in a packed class.
    static let arabicLetterTag: UInt32 = 1
    /// Tag of ``latinLetter(_:)`` in a packed class.
    static let latinLetterTag: UInt32 = 2
    /// Tag of ``digit(_:)`` in a packed class.
    static let digitTag: UInt32 = 3
    /// Tag of ``ignorable`` in a packed class.
    static let ignorableTag: UInt32 = 4
    /// Tag of ``joiner(_:)`` in a packed class.
    static let joinerTag: UInt32 = 5

    /// Scalars below this value are classified by table lookup: ASCII, Latin-1, Latin Extended,
    /// combining marks, Greek, Cyrillic, Hebrew and the Arabic block.
    static let packedTableSize: UInt32 = 0x0700

    /// The class in 32 bits: the case's tag (``separatorTag`` …) in bits 24–31, the payload (a scalar
    /// value, so at most 21 bits) below.
    var packed: UInt32 {
        switch self {
        case .separator: Self.separatorTag << 24
        case .arabicLetter(let v): Self.arabicLetterTag << 24 | v
        case .latinLetter(let v): Self.latinLetterTag << 24 | v
        case .digit(let v): Self.digitTag << 24 | v
        case .ignorable: Self.ignorableTag << 24
        case .joiner(let v): Self.joinerTag << 24 | v
        }
    }

    /// The table of `of(v).packed` for every `v` below ``packedTableSize`` (immutable, never freed),
    /// followed by the ``arabicLetterTable``.
    static var packedTable: UnsafePointer<UInt32> { PackedClassTable.shared.base }

    /// Offset in ``packedTable`` of a second table, for the two-byte scalars U+0600–U+067F (lead byte 0xD8
    /// or 0xD9): indexed by the two bytes read as a little-endian `UInt16` masked with 0x3FFF (the lead byte,
    /// and the payload bits of the continuation byte), the folded letter when the bytes are an Arabic letter,
    /// otherwise 0. Only valid UTF-8 may be looked up (a lead byte is always followed by a continuation byte).
    static let arabicLetterTable = Int(packedTableSize)

    /// `of(v).packed`, read from `table` (``packedTable``, fetched once by the caller) for the common
    /// scalars.
    @inline(always)
    static func packed(_ v: UInt32, table: UnsafePointer<UInt32>) -> UInt32 {
        v < packedTableSize ? table[Int(v)] : packedOutsideTable(v)
    }

    /// `of(v).packed` for the rare scalars outside the table (kept out of line so that the scanner's loop
    /// stays small).
    @inline(never)
    private static func packedOutsideTable(_ v: UInt32) -> UInt32 {
        of(v).packed
    }
}

/// The packed classes (``CharacterClass/packed``) of the scalars below ``CharacterClass/packedTableSize``,
/// computed once with ``CharacterClass/of(_:)`` so that the table and the range checks cannot disagree.
private struct PackedClassTable: @unchecked Sendable {
    // `@unchecked Sendable` is safe: the memory is allocated and written only in `init`, which runs once
    // inside the thread-safe lazy initialisation of `shared`; afterwards it is only read, never written and
    // never freed, so every thread sees the same immutable bytes.
    let base: UnsafePointer<UInt32>

    static let shared = PackedClassTable()

    private init() {
        let size = Int(CharacterClass.packedTableSize)
        let table = UnsafeMutablePointer<UInt32>.allocate(capacity: size + 0x4000)
        for v in 0..<size { (table + v).initialize(to: CharacterClass.of(UInt32(v)).packed) }
        let pairs = table + size
        pairs.initialize(repeating: 0, count: 0x4000)
        for v in 0x0600..<0x0680 {
            let packed = table[v]
            guard packed >> 24 == CharacterClass.arabicLetterTag else { continue }
            // UTF-8: lead 110xxxxx (0xD8 | v >> 6 & 1 here), then 10xxxxxx; little-endian pair, masked.
            let lead = 0xC0 | v >> 6
            pairs[(v & 0x3F) << 8 | lead] = packed & 0xFF_FFFF
        }
        base = UnsafePointer(table)
    }
}

/// Decodes UTF-8 without validation checks beyond bounds; callers pass valid UTF-8 (a `String`'s
/// storage, or bytes already validated). Returns the scalar value and its length in bytes.
@inline(always)
func decodeScalar(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> (value: UInt32, length: Int) {
    let b0 = UInt32(p[i])
    if b0 < 0x80 { return (b0, 1) }
    let n = p.count
    if b0 < 0xE0, i + 1 < n {
        return (((b0 & 0x1F) << 6) | (UInt32(p[i + 1]) & 0x3F), 2)
    }
    if b0 < 0xF0, i + 2 < n {
        return (((b0 & 0x0F) << 12) | ((UInt32(p[i + 1]) & 0x3F) << 6) | (UInt32(p[i + 2]) & 0x3F), 3)
    }
    if i + 3 < n {
        let v =
            ((b0 & 0x07) << 18) | ((UInt32(p[i + 1]) & 0x3F) << 12) | ((UInt32(p[i + 2]) & 0x3F) << 6)
            | (UInt32(p[i + 3]) & 0x3F)
        return (v, 4)
    }
    return (0xFFFD, 1)
}

/// Appends the UTF-8 encoding of a scalar value to a byte buffer.
@inline(__always)
func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
    if v < 0x80 {
        out.append(UInt8(v))
    } else if v < 0x800 {
        out.append(UInt8(0xC0 | (v >> 6)))
        out.append(UInt8(0x80 | (v & 0x3F)))
    } else if v < 0x10000 {
        out.append(UInt8(0xE0 | (v >> 12)))
        out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
        out.append(UInt8(0x80 | (v & 0x3F)))
    } else {
        out.append(UInt8(0xF0 | (v >> 18)))
        out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
        out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
        out.append(UInt8(0x80 | (v & 0x3F)))
    }
}
