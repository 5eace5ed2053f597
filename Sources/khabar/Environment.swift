import ArgumentParser
import Foundation

/// Options that may also come from `KHABAR_<NAME>` environment variables.
enum Environment {
    /// The value of `KHABAR_<name>` (name upper-snake-cased from a kebab-case option), if set and non-empty.
    static func value(for option: String) -> String? {
        let name = "KHABAR_" + option.uppercased().replacingOccurrences(of: "-", with: "_")
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// The command-line value, else the environment's, else `fallback`.
    static func resolve(_ given: String?, option: String, fallback: String) -> String {
        given ?? value(for: option) ?? fallback
    }

    /// The command-line value, else the environment's, else `nil`.
    static func resolve(_ given: String?, option: String) -> String? {
        given ?? value(for: option)
    }

    /// An integer option from the command line or environment.
    static func resolveInt(_ given: Int?, option: String, fallback: Int) throws -> Int {
        if let given { return given }
        guard let text = value(for: option) else { return fallback }
        guard let number = Int(text) else {
            throw ValidationError(
                "KHABAR_\(option.uppercased().replacingOccurrences(of: "-", with: "_")) must be an integer, got '\(text)'"
            )
        }
        return number
    }

    /// librdkafka properties from `--kafka key=value` options (`pairs`).
    static func kafkaProperties(_ pairs: [String]) throws -> [String: String] {
        var properties: [String: String] = [:]
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw ValidationError("--kafka takes key=value, got '\(pair)'")
            }
            properties[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        return properties
    }
}
