import ArticleAnalysis
import Foundation
import SQLite

/// Compiles the readable lexicon sources into an SQLite database (`khabar lexicon build`).
///
/// Schema (version 1):
/// - `meta(key TEXT PRIMARY KEY, value TEXT)`: `schema_version` (`1`), `model_version` (the version at compile
///   time, for inspection; the loader recomputes it from the content, so a database edited by hand gets a new
///   version), `declared_version`, `compiled_at` (ISO 8601).
/// - `model(position INTEGER PRIMARY KEY, key TEXT UNIQUE, value TEXT)`: the `model.tsv` parameters.
/// - `entries(id INTEGER PRIMARY KEY, label TEXT, term TEXT, weight REAL, contexts TEXT)`: one label vote per row,
///   `contexts` comma-separated (empty for none), in source order.
/// - `context_terms(id INTEGER PRIMARY KEY, domain TEXT, term TEXT, weight REAL)`: the `context.tsv` entries.
/// - `states(id INTEGER PRIMARY KEY, state TEXT, term TEXT)`: the `states.tsv` entries.
public enum LexiconCompiler {
    /// The schema version written to `meta`.
    public static let schemaVersion = "1"

    /// Reads the source files from `sourceDirectory` and writes a fresh database to `destination` (replacing
    /// any file there). Returns the compiled model version.
    @discardableResult
    public static func compile(sourceDirectory: URL, to destination: URL) throws(LexiconStoreError) -> String {
        let source: LexiconSource
        do {
            source = try LexiconSource.load(directory: sourceDirectory)
        } catch {
            throw LexiconStoreError(code: .source, message: error.description)
        }
        try write(source, to: destination)
        return source.version
    }

    /// Writes `source` as a fresh database to `destination` (replacing any file there).
    public static func write(_ source: LexiconSource, to destination: URL) throws(LexiconStoreError) {
        // Build next to the destination, then rename: readers never see a half-written database.
        let temporary = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try writeDatabase(source, path: temporary.path)
            guard rename(temporary.path, destination.path) == 0 else {
                throw LexiconStoreError(
                    code: .database, message: "cannot rename into \(destination.path): errno \(errno)")
            }
        } catch let error as LexiconStoreError {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw LexiconStoreError(code: .database, message: "cannot write \(destination.path): \(error)")
        }
    }

    private static func writeDatabase(_ source: LexiconSource, path: String) throws {
        let database = try SQLiteDatabase(path: path)
        try database.execute(
            """
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE model (position INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, value TEXT NOT NULL);
            CREATE TABLE entries (id INTEGER PRIMARY KEY, label TEXT NOT NULL, term TEXT NOT NULL,
                                  weight REAL NOT NULL, contexts TEXT NOT NULL);
            CREATE TABLE context_terms (id INTEGER PRIMARY KEY, domain TEXT NOT NULL, term TEXT NOT NULL,
                                        weight REAL NOT NULL);
            CREATE TABLE states (id INTEGER PRIMARY KEY, state TEXT NOT NULL, term TEXT NOT NULL);
            """
        )
        try database.transaction {
            let meta = try database.prepare("INSERT INTO meta (key, value) VALUES (?, ?)")
            let metaRows = [
                ("schema_version", schemaVersion),
                ("model_version", source.version),
                ("declared_version", source.parameters.declaredVersion),
                ("compiled_at", ISO8601DateFormatter().string(from: Date())),
            ]
            for (key, value) in metaRows {
                try meta.bind(key, at: 1)
                try meta.bind(value, at: 2)
                try meta.step()
                meta.reset()
            }
            let model = try database.prepare("INSERT INTO model (key, value) VALUES (?, ?)")
            for (key, value) in source.parameters.keyValues {
                try model.bind(key, at: 1)
                try model.bind(value, at: 2)
                try model.step()
                model.reset()
            }
            let entries = try database.prepare(
                "INSERT INTO entries (label, term, weight, contexts) VALUES (?, ?, ?, ?)")
            for entry in source.entries {
                try entries.bind(entry.label.rawValue, at: 1)
                try entries.bind(entry.term, at: 2)
                try entries.bind(entry.weight, at: 3)
                try entries.bind(entry.contexts.joined(separator: ","), at: 4)
                try entries.step()
                entries.reset()
            }
            let contexts = try database.prepare("INSERT INTO context_terms (domain, term, weight) VALUES (?, ?, ?)")
            for entry in source.contextEntries {
                try contexts.bind(entry.domain, at: 1)
                try contexts.bind(entry.term, at: 2)
                try contexts.bind(entry.weight, at: 3)
                try contexts.step()
                contexts.reset()
            }
            let states = try database.prepare("INSERT INTO states (state, term) VALUES (?, ?)")
            for entry in source.stateEntries {
                try states.bind(entry.state, at: 1)
                try states.bind(entry.term, at: 2)
                try states.step()
                states.reset()
            }
        }
    }
}
