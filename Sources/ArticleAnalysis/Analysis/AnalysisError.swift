/// The error of the ArticleAnalysis module.
///
/// Why a payload could not be analysed: every rejected input gets exactly one of these, and the worker
/// routes it to the dead-letter topic with ``code`` as the reason (the payload codes, `invalid_utf8`
/// through `binary`). The classifier's model and the evaluation tools use the same type for unreadable
/// or malformed lexicon sources and labelled items (the `lexicon_*` and `bad_labelled_item` codes); those
/// occur at start-up or in `khabar eval` / `khabar lexicon build`, never for an input message.
public struct AnalysisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, machine-readable error class (snake_case ``rawValue``).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The stable snake_case name, e.g. `"invalid_utf8"`.
        public let rawValue: String

        /// Creates a code from its raw name.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// The payload is not valid UTF-8.
        public static let invalidUTF8 = Code(rawValue: "invalid_utf8")
        /// The payload is empty or whitespace only.
        public static let empty = Code(rawValue: "empty")
        /// The payload exceeds ``AnalyzerConfiguration/maxInputBytes``.
        public static let tooLarge = Code(rawValue: "too_large")
        /// The payload starts like JSON (`{` or `[`) but is not well-formed JSON, or nests too deeply.
        public static let malformedJSON = Code(rawValue: "malformed_json")
        /// The payload is JSON but not an article envelope object, or a field has the wrong type.
        public static let wrongShape = Code(rawValue: "wrong_shape")
        /// The payload holds no article text (no text field, or nothing left after cleaning).
        public static let noText = Code(rawValue: "no_text")
        /// NUL or other control bytes dominate the payload: it is binary, not text.
        public static let binary = Code(rawValue: "binary")
        /// A lexicon source file is missing (from the bundle, a directory or a database).
        public static let lexiconMissingFile = Code(rawValue: "lexicon_missing_file")
        /// A line of a lexicon source or model file is malformed.
        public static let lexiconSyntax = Code(rawValue: "lexicon_syntax")
        /// A lexicon entry names a context domain that `context.tsv` does not define.
        public static let lexiconUnknownContext = Code(rawValue: "lexicon_unknown_context")
        /// A labelled evaluation item could not be parsed.
        public static let badLabelledItem = Code(rawValue: "bad_labelled_item")

        /// The raw name.
        public var description: String { rawValue }
    }

    /// The error class.
    public var code: Code
    /// A human-readable explanation (may name the offending field or byte offset).
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `"<code>: <message>"`.
    public var description: String { "\(code.rawValue): \(message)" }
}
