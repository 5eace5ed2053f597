import Foundation

/// Raw article payloads read from files, standard input, or the samples bundled with khabar.
enum Articles {
    /// One raw article and where it came from.
    struct Payload: Sendable {
        var origin: String
        var bytes: [UInt8]
    }

    /// Reads each file (`-` is standard input). A `.jsonl` file, or standard input whose first byte
    /// is `{` and that holds several lines, yields one payload per non-empty line; any other file is
    /// one payload.
    static func read(paths: [String]) throws -> [Payload] {
        var payloads: [Payload] = []
        for path in paths {
            let data: Data
            if path == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            }
            payloads += split(Array(data), origin: path == "-" ? "stdin" : path)
        }
        return payloads
    }

    /// The team-written sample articles bundled with khabar, in name order.
    static func samples() throws -> [Payload] {
        guard let directory = Bundle.module.url(forResource: "Samples", withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "bundled samples not found"])
        }
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        return try read(paths: files.map(\.path))
    }

    /// Splits JSON Lines into one payload per line; anything else stays whole.
    static func split(_ bytes: [UInt8], origin: String) -> [Payload] {
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let filled = lines.filter { !isBlank($0) }
        let isJSONLines =
            origin.hasSuffix(".jsonl")
            || (filled.count > 1
                && filled.allSatisfy { line in line.first { $0 != 0x20 && $0 != 0x09 } == UInt8(ascii: "{") })
        guard isJSONLines else { return [Payload(origin: origin, bytes: bytes)] }
        return lines.enumerated().compactMap { index, line in
            isBlank(line) ? nil : Payload(origin: "\(origin):\(index + 1)", bytes: Array(line))
        }
    }

    private static func isBlank(_ line: ArraySlice<UInt8>) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }
}
