// The analysis stage alone, for callgrind: analyze + jsonBytes over a JSONL file (or one text file), `rounds`
// times, after one warm-up article (so lazy statics initialise outside the measured rounds; a 0-round run
// gives the start-up cost to subtract). With DUMP=path it also writes every record (or ERR) one per line.
import ArticleAnalysis
import Foundation

let arguments = CommandLine.arguments
let path = arguments[1]
let rounds = Int(arguments[2]) ?? 1
let data = try Data(contentsOf: URL(fileURLWithPath: path))
var lines = data.split(separator: 0x0A).filter { !$0.isEmpty }.map { [UInt8]($0) }
if path.hasSuffix(".txt") { lines = [[UInt8](data)] }
let analyzer = ArticleAnalyzer(classifier: try Classifier.bundled())
var total = 0
if let first = lines.first, let record = try? analyzer.analyze(first) { total &+= record.jsonBytes().count }
let start = clock()
for _ in 0..<rounds {
    for line in lines {
        if let record = try? analyzer.analyze(line) { total &+= record.jsonBytes().count }
    }
}
let end = clock()
if let out = ProcessInfo.processInfo.environment["DUMP"] {
    var all: [UInt8] = []
    for line in lines {
        if let record = try? analyzer.analyze(line) { all += record.jsonBytes() } else { all += Array("ERR".utf8) }
        all.append(0x0A)
    }
    try Data(all).write(to: URL(fileURLWithPath: out))
}
let count = Double(rounds * lines.count)
let microseconds = Double(end - start) / Double(CLOCKS_PER_SEC) * 1e6
print("articles \(Int(count)) bytes \(total) cpu-us/article \(microseconds / max(count, 1))")
