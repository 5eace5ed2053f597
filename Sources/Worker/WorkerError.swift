import Kafka

/// Why a worker stopped abnormally.
public struct WorkerError: Error, Sendable, CustomStringConvertible {
    /// The class of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The stable name of the code.
        public let rawValue: String

        /// The Kafka client reported a fatal error (e.g. a fenced producer); the worker committed what
        /// it had finished and stopped.
        public static let fatalKafkaError = Code(rawValue: "fatal_kafka_error")
        /// A dead-letter record was rejected permanently, so an input could be neither processed nor
        /// parked; the worker stops rather than lose it.
        public static let deadLetterRejected = Code(rawValue: "dead_letter_rejected")
        /// The worker could not be set up (bad configuration, unreachable state database, ...).
        public static let setup = Code(rawValue: "setup")

        /// The stable name of the code.
        public var description: String { rawValue }
    }

    /// The class of failure.
    public var code: Code
    /// What happened, for humans.
    public var message: String
    /// The Kafka error behind it, if any.
    public var kafkaError: KafkaError?

    /// Creates an error.
    public init(code: Code, message: String, kafkaError: KafkaError? = nil) {
        self.code = code
        self.message = message
        self.kafkaError = kafkaError
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
