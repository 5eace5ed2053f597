import ArticleAnalysis
import Foundation
import SQLite

/// Loads a compiled lexicon database (see ``LexiconCompiler`` for the schema) into a ``Lexicon``.
public enum LexiconLoader {
    /// Reads the database at `url` (read-only) and builds the in-memory matcher.
    ///
    /// The model version is recomputed from the database's content, so a database changed after compilation
    /// carries a different version than the one it was compiled with.
    public static func load(from url: URL) throws(LexiconStoreError) -> Lexicon {
        let source = try loadSource(from: url)
        do {
            return try Lexicon(source: source)
        } catch {
            throw LexiconStoreError(code: .source, message: "\(url.path): \(error.description)")
        }
    }

    /// Reads the database at `url` (read-only) into its source form.
    public static func loadSource(from url: URL) throws(LexiconStoreError) -> LexiconSource {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw LexiconStoreError(code: .database, message: "no lexicon database at \(url.path)")
        }
        do {
            let database = try SQLiteDatabase(path: url.path, options: SQLiteOpenOptions(readOnly: true))
            let schema = try database.prepare("SELECT value FROM meta WHERE key = 'schema_version'")
            guard try schema.step(), schema.text(0) == LexiconCompiler.schemaVersion else {
                throw LexiconStoreError(
                    code: .schema,
                    message: "\(url.path) is not a lexicon database of schema \(LexiconCompiler.schemaVersion)"
                )
            }
            var pairs: [(String, String)] = []
            let model = try database.prepare("SELECT key, value FROM model ORDER BY position")
            while try model.step() {
                pairs.append((model.text(0) ?? "", model.text(1) ?? ""))
            }
            let parameters = try ModelParameters(keyValues: pairs, file: url.lastPathComponent)
            var entries: [LexiconEntry] = []
            let rows = try database.prepare("SELECT label, term, weight, contexts FROM entries ORDER BY id")
            while try rows.step() {
                guard let label = rows.text(0).flatMap(Label.init(rawValue:)), let term = rows.text(1) else {
                    throw LexiconStoreError(code: .schema, message: "\(url.path): malformed entry row")
                }
                let contexts = (rows.text(3) ?? "").split(separator: ",").map(String.init)
                entries.append(LexiconEntry(term: term, label: label, weight: rows.double(2), contexts: contexts))
            }
            var contextEntries: [ContextEntry] = []
            let contexts = try database.prepare("SELECT domain, term, weight FROM context_terms ORDER BY id")
            while try contexts.step() {
                guard let domain = contexts.text(0), let term = contexts.text(1) else {
                    throw LexiconStoreError(code: .schema, message: "\(url.path): malformed context row")
                }
                contextEntries.append(ContextEntry(domain: domain, term: term, weight: contexts.double(2)))
            }
            var stateEntries: [StateEntry] = []
            let states = try database.prepare("SELECT state, term FROM states ORDER BY id")
            while try states.step() {
                guard let state = states.text(0), let term = states.text(1) else {
                    throw LexiconStoreError(code: .schema, message: "\(url.path): malformed state row")
                }
                stateEntries.append(StateEntry(state: state, term: term))
            }
            return LexiconSource(
                entries: entries,
                contextEntries: contextEntries,
                stateEntries: stateEntries,
                parameters: parameters
            )
        } catch let error as LexiconStoreError {
            throw error
        } catch let error as SQLiteError {
            let code: LexiconStoreError.Code = error.code == .prepare ? .schema : .database
            throw LexiconStoreError(code: code, message: "\(url.path): \(error)")
        } catch let error as AnalysisError {
            throw LexiconStoreError(code: .source, message: "\(url.path): \(error)")
        } catch {
            throw LexiconStoreError(code: .database, message: "\(url.path): \(error)")
        }
    }
}
