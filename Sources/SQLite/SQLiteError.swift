import CSQLite

/// An error reported by the SQLite wrapper: a category plus SQLite's own message.
public struct SQLiteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The category of a ``SQLiteError``.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The raw identifier of the category.
        public let rawValue: String

        /// The database file could not be opened or created.
        public static let open = Code(rawValue: "open")
        /// A statement failed to compile.
        public static let prepare = Code(rawValue: "prepare")
        /// A value could not be bound to a statement parameter.
        public static let bind = Code(rawValue: "bind")
        /// Executing a statement failed.
        public static let step = Code(rawValue: "step")
        /// The database is busy or locked by another connection.
        public static let busy = Code(rawValue: "busy")
        /// A constraint (unique, foreign key, …) was violated.
        public static let constraint = Code(rawValue: "constraint")

        /// The identifier, for logs.
        public var description: String { rawValue }
    }

    /// The category of the failure.
    public var code: Code
    /// What went wrong, including SQLite's message when there is one.
    public var message: String
    /// SQLite's extended result code, or 0 when the failure did not come from SQLite.
    public var resultCode: Int32

    /// Creates an error.
    public init(code: Code, message: String, resultCode: Int32 = 0) {
        self.code = code
        self.message = message
        self.resultCode = resultCode
    }

    /// `code: message`, for logs.
    public var description: String { "\(code): \(message)" }

    /// Builds an error from the connection's last error, refining the category for busy and constraint failures.
    static func from(_ handle: OpaquePointer?, code: Code, context: String) -> SQLiteError {
        let result = handle.map { sqlite3_extended_errcode($0) } ?? SQLITE_ERROR
        let text = handle.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "unknown error"
        let primary = result & 0xFF
        let refined: Code
        switch primary {
        case SQLITE_BUSY, SQLITE_LOCKED: refined = .busy
        case SQLITE_CONSTRAINT: refined = .constraint
        default: refined = code
        }
        return SQLiteError(code: refined, message: "\(context): \(text)", resultCode: result)
    }
}
