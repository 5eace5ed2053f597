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
