import ArgumentParser

/// `khabar`: turns a stream of raw news articles into structured, classified records.
@main
struct Khabar: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "khabar",
        abstract: "Turn raw news articles from Kafka into structured, classified records.",
        discussion: """
            Every option of `run` can also be set through an environment variable KHABAR_<OPTION> \
            (e.g. KHABAR_BROKERS); a command-line option wins over the environment.
            """,
        version: "0.1.0",
        subcommands: [
            RunCommand.self, DemoCommand.self, BrokerCommand.self, ProduceCommand.self, AnalyzeCommand.self,
            ReplayCommand.self, EvalCommand.self, LexiconCommand.self, TopicsCommand.self, BenchCommand.self,
        ]
    )
}
