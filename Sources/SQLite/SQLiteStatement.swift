import CSQLite

/// `SQLITE_TRANSIENT`: tells SQLite to copy bound text and blobs (the C macro is not importable).
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A compiled SQL statement with 1-based parameter binding and 0-based column access.
///
/// Typical use: ``bind(_:at:)-(String?,_)`` the parameters, call ``step()`` until it returns `false`, read
/// columns while it returns `true`, then ``reset()`` to run it again.
public final class SQLiteStatement {
    private let database: SQLiteDatabase
    private let handle: OpaquePointer

    init(database: SQLiteDatabase, sql: String) throws(SQLiteError) {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(database.handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw SQLiteError.from(database.handle, code: .prepare, context: "cannot prepare `\(sql)`")
        }
        self.database = database
        self.handle = statement
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Binds text (or NULL) to the 1-based parameter `index`.
    public func bind(_ value: String?, at index: Int32) throws(SQLiteError) {
        let result: Int32
        if let value {
            result = sqlite3_bind_text(handle, index, value, -1, transient)
        } else {
            result = sqlite3_bind_null(handle, index)
        }
        try check(result, index: index)
    }

    /// Binds an integer to the 1-based parameter `index`.
    public func bind(_ value: Int64, at index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_int64(handle, index, value), index: index)
    }

    /// Binds a floating-point number to the 1-based parameter `index`.
    public func bind(_ value: Double, at index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_double(handle, index, value), index: index)
    }

    /// Binds a blob to the 1-based parameter `index`.
    public func bind(_ value: [UInt8], at index: Int32) throws(SQLiteError) {
        let result = value.withUnsafeBytes { bytes in
            sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), transient)
        }
        try check(result, index: index)
    }

    /// Advances the statement: `true` when a row is available, `false` when it has finished.
    @discardableResult
    public func step() throws(SQLiteError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw SQLiteError.from(database.handle, code: .step, context: "step failed")
        }
    }

    /// Resets the statement to run again and clears its bindings.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// The number of columns in the result rows.
    public var columnCount: Int32 { sqlite3_column_count(handle) }

    /// Whether column `index` (0-based) of the current row is NULL.
    public func isNull(_ index: Int32) -> Bool { sqlite3_column_type(handle, index) == SQLITE_NULL }

    /// Column `index` (0-based) of the current row as text (`nil` for NULL).
    public func text(_ index: Int32) -> String? {
        guard let pointer = sqlite3_column_text(handle, index) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// Column `index` (0-based) of the current row as an integer (0 for NULL).
    public func int64(_ index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }

    /// Column `index` (0-based) of the current row as a floating-point number (0 for NULL).
    public func double(_ index: Int32) -> Double { sqlite3_column_double(handle, index) }

    /// Column `index` (0-based) of the current row as bytes (empty for NULL).
    public func blob(_ index: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, index))
        guard count > 0, let pointer = sqlite3_column_blob(handle, index) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    private func check(_ result: Int32, index: Int32) throws(SQLiteError) {
        guard result == SQLITE_OK else {
            throw SQLiteError.from(database.handle, code: .bind, context: "cannot bind parameter \(index)")
        }
    }
}
