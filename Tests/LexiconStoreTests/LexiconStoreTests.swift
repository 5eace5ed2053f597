import ArticleAnalysis
import Foundation
import LexiconStore
import SQLite
import Testing

/// A fresh temporary directory, removed by the caller.
private func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("khabar-lexicon-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

private let samples: [(title: String, lead: String, body: [String], language: Language)] = [
    (
        "وزير الخارجية يبحث مع نظيره الروسي وقف إطلاق النار",
        "بحث وزير الخارجية مع نظيره الروسي في موسكو سبل تثبيت وقف إطلاق النار في سوريا.",
        ["وقال الوزيران إن المحادثات تناولت العلاقات الثنائية وتبادل الأسرى."],
        .arabic
    ),
    (
        "البرلمان يصوت على مشروع قانون الانتخابات",
        "صوت مجلس النواب على مشروع قانون الانتخابات البرلمانية وسط خلاف بين الأحزاب.",
        ["وقالت المعارضة إن القانون يخدم الحزب الحاكم."],
        .arabic
    ),
    (
        "Troops deployed after militants attack border post",
        "The army deployed troops after militants attacked a border post, killing three soldiers.",
        ["The defence secretary said security forces would pursue the insurgents."],
        .english
    ),
    ("Liverpool beat Chelsea", "Liverpool's attack was too strong as they won the league match 2-0.", [], .english),
]

@Suite("Lexicon store")
struct LexiconStoreTests {
    @Test("compile then load gives the same model and the same decisions as the bundled sources")
    func roundTrip() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("lexicon.sqlite")
        let version = try LexiconCompiler.compile(sourceDirectory: Classifier.bundledLexiconDirectory, to: database)
        let bundled = try Classifier.bundled()
        #expect(version == bundled.lexicon.version)

        let loaded = try LexiconLoader.load(from: database)
        #expect(loaded.version == bundled.lexicon.version)
        #expect(loaded.source == bundled.lexicon.source)
        #expect(loaded.termCount == bundled.lexicon.termCount)
        let classifier = Classifier(lexicon: loaded)
        for sample in samples {
            let fromDatabase = classifier.classify(
                title: sample.title,
                lead: sample.lead,
                body: sample.body,
                language: sample.language
            )
            let fromBundle = bundled.classify(
                title: sample.title,
                lead: sample.lead,
                body: sample.body,
                language: sample.language
            )
            #expect(fromDatabase == fromBundle)
        }
    }

    @Test("the database stores the schema, the version and one row per entry")
    func schema() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("lexicon.sqlite")
        let version = try LexiconCompiler.compile(sourceDirectory: Classifier.bundledLexiconDirectory, to: path)
        let source = try Classifier.bundled().lexicon.source

        let database = try SQLiteDatabase(path: path.path, options: SQLiteOpenOptions(readOnly: true))
        let meta = try database.prepare("SELECT value FROM meta WHERE key = ?")
        try meta.bind("model_version", at: 1)
        #expect(try meta.step())
        #expect(meta.text(0) == version)
        for (table, count) in [
            ("entries", source.entries.count), ("context_terms", source.contextEntries.count),
            ("states", source.stateEntries.count),
        ] {
            let statement = try database.prepare("SELECT COUNT(*) FROM \(table)")
            #expect(try statement.step())
            #expect(statement.int64(0) == Int64(count), "\(table)")
        }
        #expect(source.entries.count > 1000)
    }

    @Test("changing the database changes the recorded model version and the decisions")
    func changedDatabase() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("lexicon.sqlite")
        try LexiconCompiler.compile(sourceDirectory: Classifier.bundledLexiconDirectory, to: path)
        let original = try LexiconLoader.load(from: path)

        do {
            let database = try SQLiteDatabase(path: path.path)
            try database.execute("UPDATE entries SET weight = 0 WHERE label = 'security'")
            #expect(database.changes > 300)
        }
        let changed = try LexiconLoader.load(from: path)
        #expect(changed.version != original.version)
        #expect(changed.source.entries.filter { $0.label == .security }.allSatisfy { $0.weight == 0 })

        let sample = samples[2]
        let before = Classifier(lexicon: original).classify(
            title: sample.title,
            lead: sample.lead,
            body: sample.body,
            language: sample.language
        )
        let after = Classifier(lexicon: changed).classify(
            title: sample.title,
            lead: sample.lead,
            body: sample.body,
            language: sample.language
        )
        #expect(before.labels.contains(.security))
        #expect(!after.labels.contains(.security))
        #expect(after.modelVersion == changed.version)
        #expect(after.modelVersion != before.modelVersion)
    }

    @Test("an edited source directory compiles to a new version; recompiling replaces the file")
    func changedSources() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sources = directory.appendingPathComponent("lexicon")
        try FileManager.default.copyItem(at: Classifier.bundledLexiconDirectory, to: sources)
        let path = directory.appendingPathComponent("lexicon.sqlite")
        let first = try LexiconCompiler.compile(sourceDirectory: sources, to: path)

        let politics = sources.appendingPathComponent("politics.tsv")
        let text = try String(contentsOf: politics, encoding: .utf8) + "referendum campaign\t3.0\n"
        try text.write(to: politics, atomically: true, encoding: .utf8)
        let second = try LexiconCompiler.compile(sourceDirectory: sources, to: path)
        #expect(second != first)
        #expect(try LexiconLoader.load(from: path).version == second)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0.hasSuffix(".tmp")
        }
        #expect(leftovers.isEmpty)
    }

    @Test("bad inputs fail with the right error codes")
    func errors() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect {
            try LexiconLoader.load(from: directory.appendingPathComponent("missing.sqlite"))
        } throws: { ($0 as? LexiconStoreError)?.code == .database }

        let empty = directory.appendingPathComponent("empty.sqlite")
        try SQLiteDatabase(path: empty.path).execute("CREATE TABLE unrelated (x INTEGER)")
        #expect { try LexiconLoader.load(from: empty) } throws: { ($0 as? LexiconStoreError)?.code == .schema }

        #expect {
            try LexiconCompiler.compile(sourceDirectory: directory, to: directory.appendingPathComponent("x.sqlite"))
        } throws: { ($0 as? LexiconStoreError)?.code == .source }
    }
}

@Suite("SQLite wrapper")
struct SQLiteWrapperTests {
    @Test("WAL file database: bind, step, columns, transactions with rollback")
    func basics() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("state.sqlite").path
        let database = try SQLiteDatabase(path: path, options: SQLiteOpenOptions(writeAheadLog: true))
        let mode = try database.prepare("PRAGMA journal_mode")
        #expect(try mode.step())
        #expect(mode.text(0) == "wal")
        mode.reset()  // a statement left mid-result would block COMMIT

        try database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, score REAL, data BLOB)")
        let insert = try database.prepare("INSERT INTO t (name, score, data) VALUES (?, ?, ?)")
        try database.transaction {
            for (name, score) in [("a", 1.5), ("b", 2.5)] {
                try insert.bind(name, at: 1)
                try insert.bind(score, at: 2)
                try insert.bind([0, 1, 255], at: 3)
                try insert.step()
                insert.reset()
            }
        }
        #expect(database.lastInsertRowID == 2)

        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try database.transaction {
                try database.execute("INSERT INTO t (name, score) VALUES ('c', 3)")
                throw Abort()
            }
        }
        try insert.bind("a", at: 1)
        #expect { try insert.step() } throws: { ($0 as? SQLiteError)?.code == .constraint }
        insert.reset()

        let select = try database.prepare("SELECT name, score, data, id FROM t ORDER BY id")
        var rows: [(String?, Double, [UInt8], Int64)] = []
        while try select.step() {
            rows.append((select.text(0), select.double(1), select.blob(2), select.int64(3)))
        }
        #expect(rows.map(\.0) == ["a", "b"])
        #expect(rows.map(\.1) == [1.5, 2.5])
        #expect(rows[0].2 == [0, 1, 255])
        #expect(select.columnCount == 4)
        #expect { try database.prepare("SELECT nope FROM t") } throws: { ($0 as? SQLiteError)?.code == .prepare }
        #expect {
            try SQLiteDatabase(path: directory.appendingPathComponent("none/x.sqlite").path)
        } throws: { ($0 as? SQLiteError)?.code == .open }
    }
}
