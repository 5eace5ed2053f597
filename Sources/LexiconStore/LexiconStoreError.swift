/// An error compiling or loading a lexicon database.
public struct LexiconStoreError: Error, Sendable, CustomStringConvertible {
    /// The category of a ``LexiconStoreError``.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The raw identifier of the category.
        public let rawValue: String

        /// The lexicon sources are missing or malformed.
        public static let source = Code(rawValue: "source")
        /// The database could not be written or read.
        public static let database = Code(rawValue: "database")
        /// The database is not a khabar lexicon, or is of an unsupported schema version.
        public static let schema = Code(rawValue: "schema")

        /// The identifier, for logs.
        public var description: String { rawValue }
    }

    /// The category of the failure.
    public var code: Code
    /// What went wrong.
    public var message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`, for logs.
    public var description: String { "\(code): \(message)" }
}
