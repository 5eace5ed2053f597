import ArgumentParser
import ArticleAnalysis
import Foundation
import LexiconStore

/// `khabar lexicon`: the classifier's model as data.
struct LexiconCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lexicon",
        abstract: "Build and inspect classifier lexicon databases.",
        subcommands: [Build.self]
    )

    /// `khabar lexicon build`: compile lexicon sources into the SQLite database the worker loads.
    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compile lexicon source files (TSV) into an SQLite database for --lexicon."
        )

        @Option(help: "Directory of lexicon sources. Default: the lexicon bundled with khabar.")
        var source: String?

        @Option(help: "Database file to write (replaced atomically).")
        var output: String

        func run() throws {
            let directory =
                source.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? Classifier.bundledLexiconDirectory
            let version = try LexiconCompiler.compile(sourceDirectory: directory, to: URL(fileURLWithPath: output))
            print("wrote \(output) (model version \(version))")
        }
    }
}

/// `khabar eval`: classification quality on labelled articles.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score the classifier on labelled articles (JSONL with title, text, lang, labels).",
        discussion: "Prints per-label precision, recall and F1, macro-F1 per language, and the misclassified items."
    )

    @Option(help: "JSONL file of labelled articles.")
    var data: String

    @Option(help: "Exit non-zero when the overall macro-F1 is below this.")
    var minMacroF1: Double?

    @Option(help: "Classifier lexicon database. Default: bundled.")
    var lexicon: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        var options = try WorkerOptions.parse([])
        options.lexicon = lexicon
        let text = try String(contentsOfFile: data, encoding: .utf8)
        let items = try LabelledItem.parse(jsonLines: text)
        let report = Evaluation.run(items: items, classifier: try options.classifier())
        print(json ? report.json : report.text)
        if let minMacroF1, report.overall.macroF1 < minMacroF1 {
            FileHandle.standardError.write(
                Data("macro-F1 \(String(format: "%.3f", report.overall.macroF1)) is below \(minMacroF1)\n".utf8)
            )
            throw ExitCode.failure
        }
    }
}
