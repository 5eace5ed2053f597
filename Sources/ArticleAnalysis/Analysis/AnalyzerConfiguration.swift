/// Limits and switches of ``ArticleAnalyzer``. The limits bound the work done on hostile input
/// (huge payloads, HTML bombs, deeply nested JSON) so that analysis time stays linear and small.
public struct AnalyzerConfiguration: Sendable {
    /// Largest accepted payload in bytes; larger payloads fail with ``AnalysisError/Code/tooLarge``.
    /// Values above ``maxInputBytesCeiling`` act as the ceiling. Default: 1 MiB (1_048_576).
    public var maxInputBytes: Int
    /// The most ``maxInputBytes`` can allow: 128 MiB. The analyser keeps text offsets in 32 bits, and the
    /// article text built from a payload is a small multiple of its size at most (HTML entities expand up
    /// to 4×), so this keeps every text far below 2 GiB.
    public static let maxInputBytesCeiling = 128 * 1_048_576
    /// Largest JSON nesting depth accepted in an envelope; deeper input is
    /// ``AnalysisError/Code/malformedJSON``. Default: 32.
    public var maxJSONDepth: Int
    /// Most paragraphs kept in the record (the rest of the text is dropped). Default: 500.
    public var maxParagraphs: Int
    /// Most HTML tags processed; markup beyond this is treated as the end of the document.
    /// Default: 50_000.
    public var maxHTMLTags: Int
    /// Most entities of each kind (persons, organisations, locations) kept. Default: 100.
    public var maxEntities: Int
    /// Most quotes kept. Default: 50.
    public var maxQuotes: Int
    /// Reading speed used for `reading_time_seconds`, in words per minute. Default: 200.
    public var wordsPerMinute: Int

    /// Creates a configuration; every parameter has its documented default.
    public init(
        maxInputBytes: Int = 1_048_576,
        maxJSONDepth: Int = 32,
        maxParagraphs: Int = 500,
        maxHTMLTags: Int = 50_000,
        maxEntities: Int = 100,
        maxQuotes: Int = 50,
        wordsPerMinute: Int = 200
    ) {
        self.maxInputBytes = maxInputBytes
        self.maxJSONDepth = maxJSONDepth
        self.maxParagraphs = maxParagraphs
        self.maxHTMLTags = maxHTMLTags
        self.maxEntities = maxEntities
        self.maxQuotes = maxQuotes
        self.wordsPerMinute = wordsPerMinute
    }
}
