import ArgumentParser
import Foundation
import Logging

/// A swift-log handler that writes one JSON object per line to standard error:
/// `{"ts":"2026-11-29T04:36:31.123Z","level":"info","logger":"khabar","msg":"...","key":"value"}`.
///
/// Standard error keeps standard output free for data (records, the broker's bootstrap line).
struct JSONLogHandler: LogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    private let label: String

    init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line = "{\"ts\":\""
        line += Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
        line += "\",\"level\":\"\(event.level.rawValue)\",\"logger\":"
        Self.appendQuoted(label, to: &line)
        line += ",\"msg\":"
        Self.appendQuoted(event.message.description, to: &line)
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for key in merged.keys.sorted() {
            line += ","
            Self.appendQuoted(key, to: &line)
            line += ":"
            Self.appendQuoted(merged[key]!.description, to: &line)
        }
        line += "}\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    private static func appendQuoted(_ text: String, to line: inout String) {
        line += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20:
                line +=
                    "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }
}

/// Logging options shared by the long-running commands.
enum LogSetup {
    /// Installs the JSON handler at `level` once per process and returns the `khabar` logger.
    static func bootstrap(level: String) throws -> Logger {
        guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
            throw ValidationError(
                "log level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: parsed) }
        return Logger(label: "khabar")
    }
}
