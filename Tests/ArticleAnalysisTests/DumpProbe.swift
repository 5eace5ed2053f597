import Foundation
import Testing

@testable import ArticleAnalysis

@Suite struct DumpProbe {
    @Test func dump() throws {
        guard let file = ProcessInfo.processInfo.environment["KHABAR_DUMP"], let bytes = Support.data(file) else { return }
        var out: [UInt8] = []
        for line in JSONLines.split(bytes) {
            let r = try Support.analyzer.analyze(Array(bytes[line.range]))
            out += r.jsonBytes() + [10]
        }
        FileManager.default.createFile(atPath: "/tmp/dump-" + file, contents: Data(out))
    }
}
