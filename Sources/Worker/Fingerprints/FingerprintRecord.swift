/// The records of the compacted `articles.fingerprints` topic: key = the article id's UTF-8 bytes, value
/// = compact JSON `{"id":"…","exact":"<16 hex>","simhash":"<16 hex>","seen_at":<ms>}`.
public enum FingerprintRecord {
    /// The record key of `entry`: its id's UTF-8 bytes (the topic is compacted per article).
    public static func key(for entry: FingerprintEntry) -> [UInt8] {
        Array(entry.id.utf8)
    }

    /// The record value of `entry`, compact JSON with the hashes as 16 lowercase hex digits.
    public static func value(for entry: FingerprintEntry) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entry.id.utf8.count + 80)
        bytes.append(contentsOf: #"{"id":""#.utf8)
        appendEscaped(entry.id, to: &bytes)
        bytes.append(contentsOf: #"","exact":""#.utf8)
        appendHex(entry.exact, to: &bytes)
        bytes.append(contentsOf: #"","simhash":""#.utf8)
        appendHex(entry.simhash, to: &bytes)
        bytes.append(contentsOf: #"","seen_at":"#.utf8)
        bytes.append(contentsOf: String(entry.seenAt).utf8)
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    /// The entry in a record, or `nil` for anything else (the topic may hold anything): a tombstone (`nil`
    /// value), invalid JSON or UTF-8, a missing or mistyped field, an empty id, hashes that are not 1–16
    /// hex digits, a `seen_at` that is not an integer in `Int64`, or a non-nil `key` that differs from the
    /// id. Fields may come in any order with whitespace between tokens; unknown fields are skipped.
    public static func decode(key: [UInt8]?, value: [UInt8]?) -> FingerprintEntry? {
        guard let value else { return nil }
        var parser = JSONObjectParser(bytes: value)
        guard let fields = parser.parseFingerprintFields(),
            let id = fields.id, !id.isEmpty,
            let exact = fields.exact, let simhash = fields.simhash, let seenAt = fields.seenAt
        else { return nil }
        if let key, !key.elementsEqual(id.utf8) { return nil }
        return FingerprintEntry(id: id, exact: exact, simhash: simhash, seenAt: seenAt)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func appendHex(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 60, through: 0, by: -4) {
            bytes.append(hexDigits[Int((value >> UInt64(shift)) & 0xF)])
        }
    }

    /// Appends `string` as the inside of a JSON string: `"` and `\` escaped, control characters as `\u00XX`.
    private static func appendEscaped(_ string: String, to bytes: inout [UInt8]) {
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case 0..<0x20:
                bytes.append(contentsOf: #"\u00"#.utf8)
                bytes.append(hexDigits[Int(byte >> 4)])
                bytes.append(hexDigits[Int(byte & 0xF)])
            default:
                bytes.append(byte)
            }
        }
    }
}

/// A minimal byte-level JSON reader for one flat object, just enough for ``FingerprintRecord``: it reads
/// the four known fields and skips any other value (nesting bounded), failing with `nil` on bad input.
private struct JSONObjectParser {
    struct Fields {
        var id: String?
        var exact: UInt64?
        var simhash: UInt64?
        var seenAt: Int64?
    }

    private static let maxDepth = 32
    private static let idKey = Array("id".utf8)
    private static let exactKey = Array("exact".utf8)
    private static let simhashKey = Array("simhash".utf8)
    private static let seenAtKey = Array("seen_at".utf8)

    let bytes: [UInt8]
    var position = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func parseFingerprintFields() -> Fields? {
        var fields = Fields()
        guard consume(UInt8(ascii: "{")) else { return nil }
        if !consume(UInt8(ascii: "}")) {
            repeat {
                guard let name = parseString(), consume(UInt8(ascii: ":")) else { return nil }
                switch name {
                case Self.idKey:
                    guard let text = parseString(), let id = String(validating: text, as: UTF8.self) else {
                        return nil
                    }
                    fields.id = id
                case Self.exactKey:
                    guard let exact = parseHexString() else { return nil }
                    fields.exact = exact
                case Self.simhashKey:
                    guard let simhash = parseHexString() else { return nil }
                    fields.simhash = simhash
                case Self.seenAtKey:
                    guard let seenAt = parseInteger() else { return nil }
                    fields.seenAt = seenAt
                default:
                    guard skipValue(depth: 0) else { return nil }
                }
            } while consume(UInt8(ascii: ","))
            guard consume(UInt8(ascii: "}")) else { return nil }
        }
        skipWhitespace()
        return position == bytes.count ? fields : nil
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): position += 1
            default: return
            }
        }
    }

    /// Skips whitespace, then consumes `byte` if it comes next.
    private mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    /// A JSON string's content as UTF-8 bytes, escapes resolved (validity of the UTF-8 is left to the caller).
    private mutating func parseString() -> [UInt8]? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        var result: [UInt8] = []
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return result
            case UInt8(ascii: "\\"):
                guard position < bytes.count else { return nil }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): result.append(escape)
                case UInt8(ascii: "b"): result.append(0x08)
                case UInt8(ascii: "f"): result.append(0x0C)
                case UInt8(ascii: "n"): result.append(0x0A)
                case UInt8(ascii: "r"): result.append(0x0D)
                case UInt8(ascii: "t"): result.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = parseUnicodeEscape() else { return nil }
                    result.append(contentsOf: String(Character(scalar)).utf8)
                default: return nil
                }
            case 0..<0x20:
                return nil
            default:
                result.append(byte)
            }
        }
        return nil
    }

    /// The scalar of a `\uXXXX` escape (after the `u`), joining a surrogate pair.
    private mutating func parseUnicodeEscape() -> Unicode.Scalar? {
        guard let high = parseHexQuad() else { return nil }
        guard (0xD800..<0xDC00).contains(high) else { return Unicode.Scalar(high) }
        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
            bytes[position + 1] == UInt8(ascii: "u")
        else { return nil }
        position += 2
        guard let low = parseHexQuad(), (0xDC00..<0xE000).contains(low) else { return nil }
        return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
    }

    private mutating func parseHexQuad() -> UInt32? {
        guard position + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = Self.hexValue(bytes[position]) else { return nil }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    /// A string of 1–16 hex digits (either case) as a `UInt64`.
    private mutating func parseHexString() -> UInt64? {
        guard let text = parseString(), (1...16).contains(text.count) else { return nil }
        var value: UInt64 = 0
        for byte in text {
            guard let digit = Self.hexValue(byte) else { return nil }
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// A JSON integer (no fraction or exponent) that fits in `Int64`.
    private mutating func parseInteger() -> Int64? {
        skipWhitespace()
        let negative = position < bytes.count && bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        let start = position
        var magnitude: UInt64 = 0
        while position < bytes.count, let digit = Self.decimalValue(bytes[position]) {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
            guard !overflow1, !overflow2 else { return nil }
            magnitude = sum
            position += 1
        }
        let digits = position - start
        guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
        if position < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[position]) {
            return nil
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    private static func decimalValue(_ byte: UInt8) -> UInt8? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? byte - UInt8(ascii: "0") : nil
    }

    /// Skips any JSON value, nested at most ``maxDepth`` deep.
    private mutating func skipValue(depth: Int) -> Bool {
        guard depth < Self.maxDepth else { return false }
        skipWhitespace()
        guard position < bytes.count else { return false }
        switch bytes[position] {
        case UInt8(ascii: "\""):
            return parseString() != nil
        case UInt8(ascii: "{"):
            position += 1
            if consume(UInt8(ascii: "}")) { return true }
            repeat {
                guard parseString() != nil, consume(UInt8(ascii: ":")), skipValue(depth: depth + 1) else {
                    return false
                }
            } while consume(UInt8(ascii: ","))
            return consume(UInt8(ascii: "}"))
        case UInt8(ascii: "["):
            position += 1
            if consume(UInt8(ascii: "]")) { return true }
            repeat {
                guard skipValue(depth: depth + 1) else { return false }
            } while consume(UInt8(ascii: ","))
            return consume(UInt8(ascii: "]"))
        case UInt8(ascii: "t"):
            return skipLiteral("true")
        case UInt8(ascii: "f"):
            return skipLiteral("false")
        case UInt8(ascii: "n"):
            return skipLiteral("null")
        default:
            return skipNumber()
        }
    }

    private mutating func skipLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        let matches = literal.withUTF8Buffer { $0.elementsEqual(bytes[position..<position + count]) }
        position += count
        return matches
    }

    /// Skips a JSON number (sign, digits, fraction, exponent) without converting it.
    private mutating func skipNumber() -> Bool {
        let start = position
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                UInt8(ascii: "e"), UInt8(ascii: "E"):
                position += 1
            default:
                return position > start
            }
        }
        return position > start
    }
}
