import ArgumentParser
import ArticleAnalysis
import Foundation

/// `khabar analyze`: the analyser alone, in shell pipelines.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Analyse articles offline and print one record per article as JSON Lines.",
        discussion: """
            Reads plain text, HTML, a JSON envelope, or JSONL of envelopes. A bad item is reported on stderr \
            and processing continues; the exit status is 1 when any item failed.
            """
    )

    @Option(help: "Classifier lexicon database (KHABAR_LEXICON). Default: bundled.")
    var lexicon: String?

    @Argument(help: "Files to analyse; '-' or none reads standard input.")
    var files: [String] = []

    func run() throws {
        var options = try WorkerOptions.parse([])
        options.lexicon = lexicon
        let analyzer = ArticleAnalyzer(classifier: try options.classifier())
        let payloads = try Articles.read(paths: files.isEmpty ? ["-"] : files)
        var failed = 0
        var output = [UInt8]()
        for payload in payloads {
            do {
                let record = try analyzer.analyze(payload.bytes)
                output.removeAll(keepingCapacity: true)
                output += record.jsonBytes()
                output.append(UInt8(ascii: "\n"))
                FileHandle.standardOutput.write(Data(output))
            } catch {
                failed += 1
                FileHandle.standardError.write(Data("\(payload.origin): \(error.code): \(error.message)\n".utf8))
            }
        }
        if failed > 0 { throw ExitCode.failure }
    }
}
