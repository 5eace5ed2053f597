import Foundation

@testable import ArticleAnalysis

/// Shared helpers for the analyser tests.
enum Support {
    /// `/work/shared/data` (or `../shared/data` relative to the package), if present.
    static let dataDirectory: URL? = {
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidates = [
            package.deletingLastPathComponent().appendingPathComponent("shared/data"),
            URL(fileURLWithPath: "/work/shared/data"),
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }
    }()

    /// Bytes of a shared data file, or `nil` when the data directory is absent.
    static func data(_ name: String) -> [UInt8]? {
        guard let directory = dataDirectory,
            let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path)
        else { return nil }
        return [UInt8](data)
    }

    /// An analyser over the bundled classifier.
    static let analyzer: ArticleAnalyzer = ArticleAnalyzer(classifier: try! Classifier.bundled())

    /// The record's JSON without its `provenance` member (for determinism checks).
    static func withoutProvenance(_ json: [UInt8]) -> String {
        let s = String(decoding: json, as: UTF8.self)
        guard let r = s.range(of: ",\"provenance\":") else { return s }
        return String(s[..<r.lowerBound])
    }
}

extension Support {
    /// The package root.
    static let packageDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Validates JSON records against `docs/record.schema.json` with python3's `jsonschema`
    /// (Draft 2020-12). Returns one message per invalid record ("<index>: <error>"); an empty array
    /// means every record is valid. Returns `nil` when python3 or jsonschema is unavailable. Runs python3 on a
    /// dedicated thread, not on the cooperative pool.
    static func schemaErrors(_ records: [[UInt8]]) async throws -> [String]? {
        try await onDedicatedThread { schemaErrorsBlocking(records) }
    }

    private static func schemaErrorsBlocking(_ records: [[UInt8]]) -> [String]? {
        let script = """
            import json, sys
            try:
                import jsonschema
            except ImportError:
                sys.exit(3)
            schema = json.load(open(sys.argv[1], encoding="utf-8"))
            validator = jsonschema.Draft202012Validator(schema)
            for index, line in enumerate(sys.stdin.buffer.read().split(b"\\n")):
                if not line:
                    continue
                try:
                    record = json.loads(line)
                except ValueError as error:
                    print(f"{index}: not JSON: {error}")
                    continue
                for error in validator.iter_errors(record):
                    print(f"{index}: {list(error.absolute_path)}: {error.message}")
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let schema = packageDirectory.appendingPathComponent("docs/record.schema.json").path
        process.arguments = ["python3", "-c", script, schema]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        do { try process.run() } catch { return nil }
        var payload: [UInt8] = []
        for record in records {
            payload.append(contentsOf: record)
            payload.append(0x0A)
        }
        // Write from another thread so a full output pipe cannot deadlock the writer.
        let writer = Thread { [payload] in
            input.fileHandleForWriting.write(Data(payload))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let result = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus == 3 { return nil }
        let text = String(decoding: result, as: UTF8.self)
        var errors = text.split(separator: "\n").map(String.init)
        if process.terminationStatus != 0 { errors.append("validator exited with \(process.terminationStatus)") }
        return errors
    }
}
