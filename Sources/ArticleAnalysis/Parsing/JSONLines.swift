/// Splitting of JSON Lines (JSONL) input into per-article payloads, for `khabar analyze` and tests.
public enum JSONLines {
    /// One non-blank line of a JSONL buffer.
    public struct Line: Sendable, Hashable {
        /// 1-based line number in the input (for per-item error messages).
        public var number: Int
        /// Byte range of the line's content, without the line terminator (`\n` or `\r\n`).
        public var range: Range<Int>
    }

    /// The non-blank lines of `bytes`, in order. Lines holding only spaces/tabs are skipped; a final
    /// line without a terminator is included.
    public static func split(_ bytes: [UInt8]) -> [Line] {
        var lines: [Line] = []
        var start = 0
        var number = 1
        var blank = true
        for (i, b) in bytes.enumerated() {
            if b == 0x0A {
                var end = i
                if end > start, bytes[end - 1] == 0x0D { end -= 1 }
                if !blank { lines.append(Line(number: number, range: start..<end)) }
                start = i + 1
                number += 1
                blank = true
            } else if b != 0x20 && b != 0x09 && b != 0x0D {
                blank = false
            }
        }
        if !blank { lines.append(Line(number: number, range: start..<bytes.count)) }
        return lines
    }
}
