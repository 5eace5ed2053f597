/// The hostile input battery: bad and extreme messages, generated in code (nothing big is committed).
///
/// Shared by `ArticleAnalysisTests` (straight into the analyser) and `WorkerTests` (through the worker
/// on the embedded cluster): `Tests/WorkerTests/HostileInputs.swift` is a symbolic link to this file.
enum HostileInputs {
    /// The outcome class of a record (as opposed to a dead-letter error class).
    static let record = "record"

    /// One hostile input.
    struct Case: Sendable {
        /// A short unique name (also used as the Kafka key).
        var name: String
        /// The payload.
        var bytes: [UInt8]
        /// The acceptable outcomes: ``HostileInputs/record`` and/or `AnalysisError.Code` raw values.
        var allowed: Set<String>
    }

    /// A well-formed Arabic article, as a JSON envelope, used as a carrier for hostile pieces.
    static func envelope(title: String, text: String) -> [UInt8] {
        Array("{\"id\": \"carrier\", \"lang\": \"ar\", \"title\": \"\(title)\", \"text\": \"\(text)\"}".utf8)
    }

    static let sentence = "بحث وزير الخارجية مع نظيره المصري في القاهرة العلاقات الثنائية وسبل تعزيز التعاون."
    static let english = "The foreign minister met his Egyptian counterpart in Cairo to discuss the ceasefire."

    static func repeated(_ s: String, _ count: Int) -> [UInt8] {
        let unit = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(unit.count * count)
        for _ in 0..<count { out.append(contentsOf: unit) }
        return out
    }

    /// Inputs small enough for Kafka (all at most about 1.5 MB).
    static let carried: [Case] = {
        var cases: [Case] = []
        func add(_ name: String, _ bytes: [UInt8], _ allowed: Set<String>) {
            cases.append(Case(name: name, bytes: bytes, allowed: allowed))
        }
        // Invalid UTF-8.
        add("utf8-bad-continuation", [0x7B, 0x22, 0xC3, 0x28, 0x22, 0x7D], ["invalid_utf8"])
        add("utf8-lone-continuation", Array(english.utf8) + [0x80, 0xBF] + Array(english.utf8), ["invalid_utf8"])
        add("utf8-overlong-slash", Array(english.utf8) + [0xC0, 0xAF], ["invalid_utf8"])
        add("utf8-encoded-surrogate", Array(english.utf8) + [0xED, 0xA0, 0x80], ["invalid_utf8"])
        add("utf8-truncated-tail", Array(sentence.utf8) + [0xD8], ["invalid_utf8"])
        add("utf8-latin1-text", Array(english.utf8).map { $0 == 0x20 ? 0xA0 : $0 }, ["invalid_utf8"])
        add("utf8-above-max", Array(english.utf8) + [0xF4, 0x90, 0x80, 0x80], ["invalid_utf8"])
        // NUL bytes and other controls.
        add("nul-only", [UInt8](repeating: 0, count: 4096), ["binary"])
        add("nul-one-in-text", Array(english.utf8) + [0] + Array(english.utf8), ["binary", record])
        add("nul-in-json-string", envelope(title: "x\u{0}y", text: sentence), ["binary", "malformed_json"])
        add("escaped-nul-in-json", envelope(title: "a\\u0000b", text: sentence + "\\u0000" + sentence), [record])
        add("controls-spread", repeated(english + "\u{1}", 200), ["binary", record])
        add("binary-random", randomBytes(count: 64 * 1024, seed: 7), ["binary", "invalid_utf8"])
        add(
            "binary-png-header", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + randomBytes(count: 2048, seed: 9),
            [
                "binary", "invalid_utf8",
            ])
        // Whitespace only and empty.
        add("empty", [], ["empty"])
        add("whitespace-ascii", Array(" \t\r\n   \n\n\t ".utf8), ["empty"])
        add("whitespace-unicode", Array("\u{A0}\u{3000}\u{2003}\u{2009} \n\u{A0}".utf8), ["empty", "no_text"])
        add("bom-only", [0xEF, 0xBB, 0xBF, 0x20, 0x0A], ["empty", "no_text"])
        add("zero-width-only", Array("\u{200B}\u{200C}\u{200D}\u{FEFF}\u{2060}".utf8), ["empty", "no_text"])
        // Non-object and wrong-shape JSON.
        add("json-array", Array("[1, 2, 3]".utf8), ["wrong_shape"])
        add("json-empty-array", Array("[]".utf8), ["wrong_shape"])
        add(
            "json-array-of-envelopes", Array("[".utf8) + envelope(title: "t", text: sentence) + Array("]".utf8),
            [
                "wrong_shape"
            ])
        add("json-number", Array("42".utf8), ["no_text", record])
        add("json-string", Array("\"\(english)\"".utf8), [record, "no_text"])
        add("json-null", Array("null".utf8), [record, "no_text"])
        add("json-empty-object", Array("{}".utf8), ["no_text"])
        add("field-text-number", Array("{\"title\": \"t\", \"text\": 42}".utf8), ["wrong_shape"])
        add("field-text-array", Array("{\"title\": \"t\", \"text\": [\"\(english)\"]}".utf8), ["wrong_shape"])
        add("field-title-object", Array("{\"title\": {}, \"text\": \"\(english)\"}".utf8), ["wrong_shape"])
        add("field-id-bool", Array("{\"id\": true, \"text\": \"\(english)\"}".utf8), ["wrong_shape"])
        add("field-url-number", Array("{\"url\": 5, \"text\": \"\(english)\"}".utf8), ["wrong_shape"])
        add("field-text-null", Array("{\"title\": \"t\", \"text\": null}".utf8), ["no_text"])
        add("field-duplicate-keys", Array("{\"text\": \"\(english)\", \"text\": 1}".utf8), [record])
        add("json-trailing-garbage", envelope(title: "t", text: sentence) + Array("xyz".utf8), ["malformed_json"])
        add("json-truncated", Array(envelope(title: "t", text: sentence).dropLast(5)), ["malformed_json"])
        add("json-bad-escape", envelope(title: "t", text: sentence + "\\q"), ["malformed_json"])
        add("json-lone-surrogate-escape", envelope(title: "\\ud800", text: sentence + "\\udfff"), [record])
        add(
            "json-huge-number", Array("{\"id\": ".utf8) + repeated("9", 200_000) + Array(", \"text\": \"x\"}".utf8),
            [
                record
            ])
        // Deep nesting.
        add("json-nested-100k-arrays", repeated("[", 100_000), ["malformed_json"])
        add("json-nested-100k-objects", repeated("{\"a\":", 100_000), ["malformed_json"])
        add("json-nested-balanced", repeated("[", 50_000) + repeated("]", 50_000), ["malformed_json"])
        add(
            "json-nested-in-field", Array("{\"text\": \"\(english)\", \"x\": ".utf8) + repeated("[", 10_000),
            [
                "malformed_json"
            ])
        // Huge strings within the 1 MiB limit.
        add("json-string-900k", envelope(title: "t", text: String(repeating: sentence + " ", count: 5_500)), [record])
        add("json-escapes-900k", envelope(title: "t", text: String(repeating: "\\u0627\\n", count: 75_000)), [record])
        add("text-one-long-line", repeated(english + " ", 10_000), [record])
        add("text-one-giant-word", repeated("a", 1_000_000), [record])
        add("text-100k-lines", repeated("word\n", 100_000), [record])
        add("text-newlines-only-words", repeated("\n", 500_000) + Array(english.utf8), [record])
        // Bidi overrides and other format characters.
        add(
            "bidi-overrides",
            envelope(
                title: "\u{202E}evil\u{202C} \u{2066}title\u{2069}", text: "\u{202D}\u{200F}" + sentence + "\u{202E}"),
            [record]
        )
        add("bidi-only", repeated("\u{202E}\u{2067}\u{200F}", 1000), ["no_text", "empty"])
        add("combining-marks", Array(("a" + String(repeating: "\u{0301}", count: 100_000)).utf8), [record, "no_text"])
        // HTML bombs.
        add("html-deep-div", repeated("<div>", 150_000) + Array(english.utf8), [record, "no_text"])
        add("html-200k-tags", repeated("<b>", 200_000) + Array(english.utf8), [record, "no_text"])
        add(
            "html-giant-attribute",
            Array("<html><body><p title=\"".utf8) + repeated("a", 900_000) + Array("\">\(english)</p><p>x</p>".utf8),
            [record]
        )
        add("html-unclosed-tag", Array("<p>\(english)</p><p>".utf8) + repeated("a", 500_000), [record])
        add("html-unclosed-comment", Array("<p>\(english)</p><!--".utf8) + repeated("<p>x", 100_000), [record])
        add("html-unclosed-script", Array("<p>\(english)</p><script>".utf8) + repeated("<p>x</p>", 50_000), [record])
        add("html-comment-opens", Array("<p>\(english)</p>".utf8) + repeated("<!-- <!-- ", 50_000), [record])
        add(
            "html-entities", Array("<p>\(english)</p><p>".utf8) + repeated("&amp;&#99999999999;&#x0;&bogus;&", 20_000),
            [
                record
            ])
        add("html-li-bomb", Array("<p>\(english)</p><ul>".utf8) + repeated("<li>word", 100_000), [record])
        add("html-angle-brackets", repeated("<<<>>>", 100_000) + Array(english.utf8), [record, "no_text"])
        add(
            "html-in-json",
            envelope(title: "", text: "<p>" + english + "</p>" + String(repeating: "<i>", count: 90_000)),
            [
                record
            ])
        // Over the limits.
        add("too-large-1.5mb", repeated(english + "\n", 18_000), ["too_large"])
        return cases
    }()

    /// Inputs too big for the embedded cluster (its partitions keep about 5 MB).
    static let oversized: [Case] = [
        Case(name: "text-10mb", bytes: repeated(english + "\n", 120_000), allowed: ["too_large"]),
        Case(
            name: "json-string-5mb", bytes: envelope(title: "t", text: String(repeating: "a", count: 5_000_000)),
            allowed: [
                "too_large"
            ]),
        Case(name: "html-1m-tags", bytes: repeated("<b>", 1_000_000), allowed: ["too_large"]),
        Case(name: "binary-50mb", bytes: [UInt8](repeating: 0xFF, count: 50 * 1_048_576), allowed: ["too_large"]),
    ]

    /// Deterministic pseudo-random bytes (xorshift).
    static func randomBytes(count: Int, seed: UInt64) -> [UInt8] {
        var x = seed | 1
        return (0..<count).map { _ in
            x ^= x << 13
            x ^= x >> 7
            x ^= x << 17
            return UInt8(truncatingIfNeeded: x >> 24)
        }
    }
}
