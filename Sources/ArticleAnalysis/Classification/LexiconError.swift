/// An error in the classifier's model: unreadable or malformed lexicon sources.
public struct LexiconError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The category of a ``LexiconError``.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The raw identifier of the category.
        public let rawValue: String

        /// A source file is missing (from the bundle, a directory or a database).
        public static let missingFile = Code(rawValue: "missing_file")
        /// A line of a source file is malformed.
        public static let syntax = Code(rawValue: "syntax")
        /// A label entry names a context domain that `context.tsv` does not define.
        public static let unknownContext = Code(rawValue: "unknown_context")
        /// A labelled evaluation item could not be parsed.
        public static let badItem = Code(rawValue: "bad_item")

        /// The identifier, for logs.
        public var description: String { rawValue }
    }

    /// The category of the failure.
    public var code: Code
    /// What went wrong, with file and line where known.
    public var message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`, for logs.
    public var description: String { "\(code): \(message)" }
}
