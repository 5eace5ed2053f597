import CSQLite

/// How a database file is opened.
public struct SQLiteOpenOptions: Sendable {
    /// Open read-only; the file must exist. Default: `false`.
    public var readOnly: Bool
    /// Create the file when it does not exist (ignored when ``readOnly``). Default: `true`.
    public var create: Bool
    /// Switch the database to write-ahead logging (`PRAGMA journal_mode=WAL`), for a file written by one
    /// process while others read it. Ignored when ``readOnly``. Default: `false`.
    public var writeAheadLog: Bool
    /// How long a statement waits for a lock held by another connection before failing with
    /// ``SQLiteError/Code/busy``, in milliseconds. Default: `5000`.
    public var busyTimeoutMilliseconds: Int32

    /// Creates options; every parameter defaults to the documented default.
    public init(
        readOnly: Bool = false,
        create: Bool = true,
        writeAheadLog: Bool = false,
        busyTimeoutMilliseconds: Int32 = 5000
    ) {
        self.readOnly = readOnly
        self.create = create
        self.writeAheadLog = writeAheadLog
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
    }
}

/// One connection to an SQLite database file.
///
/// A connection is not thread-safe and is not `Sendable`: own it from one task or actor. The connection is
/// closed when the object is released (after finalising any statement still alive, since statements keep
/// their connection alive).
public final class SQLiteDatabase {
    let handle: OpaquePointer

    /// Opens (and by default creates) the database at `path`.
    public init(path: String, options: SQLiteOpenOptions = SQLiteOpenOptions()) throws(SQLiteError) {
        var flags = SQLITE_OPEN_NOMUTEX
        if options.readOnly {
            flags |= SQLITE_OPEN_READONLY
        } else {
            flags |= SQLITE_OPEN_READWRITE
            if options.create { flags |= SQLITE_OPEN_CREATE }
        }
        var db: OpaquePointer?
        let result = sqlite3_open_v2(path, &db, flags, nil)
        guard result == SQLITE_OK, let db else {
            let error = SQLiteError.from(db, code: .open, context: "cannot open \(path)")
            sqlite3_close_v2(db)
            throw error
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, options.busyTimeoutMilliseconds)
        if options.writeAheadLog && !options.readOnly {
            try execute("PRAGMA journal_mode=WAL")
        }
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Runs one or more SQL statements that return no rows of interest (DDL, pragmas, simple updates).
    public func execute(_ sql: String) throws(SQLiteError) {
        guard sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else {
            throw SQLiteError.from(handle, code: .step, context: "exec failed")
        }
    }

    /// Compiles one SQL statement for repeated execution with bound parameters.
    public func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        try SQLiteStatement(database: self, sql: sql)
    }

    /// Runs `body` inside a transaction: commits when it returns, rolls back when it throws.
    ///
    /// `BEGIN IMMEDIATE` takes the write lock up front, so concurrent writers wait (up to the busy timeout)
    /// instead of failing halfway.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// The row id of the last successful insert on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// How many rows the last insert, update or delete changed.
    public var changes: Int { Int(sqlite3_changes(handle)) }
}
