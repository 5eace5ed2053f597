import ArticleAnalysis
import Foundation
import Kafka

/// Turns one input message into the one message that answers it: the enriched record on the output
/// topic, or the untouched input on the dead-letter topic with the reason in headers.
///
/// Deterministic for a given input and analyser/lexicon version except for `provenance`, so a
/// redelivered input yields the same record under the same key.
struct RecordProcessor: Sendable {
    /// Header names written on dead-letter records.
    enum DeadLetterHeader {
        static let errorClass = "khabar.error.class"
        static let errorMessage = "khabar.error.message"
        static let sourceTopic = "khabar.source.topic"
        static let sourcePartition = "khabar.source.partition"
        static let sourceOffset = "khabar.source.offset"
        static let workerVersion = "khabar.worker.version"
    }

    /// What became of an input.
    enum Outcome: Sendable {
        /// An enriched record with these labels.
        case record(labels: [Label])
        /// A dead-letter record of this error class.
        case deadLetter(errorClass: String)
    }

    let analyzer: ArticleAnalyzer
    let outputTopic: String
    let deadLetterTopic: String
    let maxMessageBytes: Int
    let instanceID: String
    let replay: Bool
    /// The record headers' values that do not depend on the message, encoded once: a record's headers
    /// would otherwise cost a dozen small allocations per message.
    let constantHeaders: ConstantHeaders

    /// Header values shared by every record of one processor.
    struct ConstantHeaders: Sendable {
        let contentType = Array("application/json".utf8)
        let analyzerVersion = Array(ArticleAnalyzer.version.utf8)
        /// The analyzer's lexicon version, which the classifier writes into every record
        /// (`classification.model_version`).
        let lexiconVersion: [UInt8]
        /// `khabar.labels` for each set of labels, indexed by a bit per ``Label`` in canonical order (a record's
        /// labels are in that order).
        let labels: [[UInt8]]
        /// The configured input topic's name (messages from other topics, under a pattern subscription, are
        /// encoded per message).
        let inputTopic: (name: String, bytes: [UInt8])

        init(lexiconVersion: String, inputTopic: String) {
            self.lexiconVersion = Array(lexiconVersion.utf8)
            labels = (0..<(1 << Label.allCases.count)).map { mask in
                let set = Label.allCases.enumerated().filter { mask >> $0.offset & 1 != 0 }.map(\.element.rawValue)
                return Array(set.joined(separator: ",").utf8)
            }
            self.inputTopic = (inputTopic, Array(inputTopic.utf8))
        }

        /// `khabar.labels` for `labels`, which are in canonical order.
        func labelsValue(_ labels: [Label]) -> [UInt8] {
            var mask = 0
            for label in labels { mask |= 1 << (Label.allCases.firstIndex(of: label) ?? 0) }
            return self.labels[mask]
        }

        /// `khabar.source.topic` for `topic`.
        func topicValue(_ topic: String) -> [UInt8] {
            if inputTopic.name == topic { return inputTopic.bytes }
            return Array(topic.utf8)
        }
    }

    /// A processor answering messages of `inputTopic` (the worker's setting: a name, or a pattern).
    init(
        analyzer: ArticleAnalyzer, inputTopic: String, outputTopic: String, deadLetterTopic: String,
        maxMessageBytes: Int, instanceID: String, replay: Bool
    ) {
        self.analyzer = analyzer
        self.outputTopic = outputTopic
        self.deadLetterTopic = deadLetterTopic
        self.maxMessageBytes = maxMessageBytes
        self.instanceID = instanceID
        self.replay = replay
        constantHeaders = ConstantHeaders(lexiconVersion: analyzer.classifier.lexicon.version, inputTopic: inputTopic)
    }

    /// The answer to `message`, and what it is. With `fingerprints`, the record's `duplicate_of` is
    /// looked up in the fleet's near-duplicate table, and its fingerprint added and published.
    func process(_ message: KafkaConsumerMessage, fingerprints: FingerprintSync?)
        -> (KafkaProducerMessage, Outcome)
    {
        if message.value.count > maxMessageBytes {
            return deadLetter(
                message,
                errorClass: AnalysisError.Code.tooLarge.rawValue,
                reason: "message of \(message.value.count) bytes exceeds --max-message-bytes \(maxMessageBytes)"
            )
        }
        let provenance = Provenance(
            topic: message.topic,
            partition: message.partition,
            offset: message.offset,
            timestamp: message.timestampMilliseconds,
            worker: instanceID,
            processedAt: Int64(Date().timeIntervalSince1970 * 1000),
            replay: replay
        )
        var record: ArticleRecord
        do {
            record = try analyzer.analyze(message.value, provenance: provenance)
        } catch {
            return deadLetter(message, errorClass: error.code.rawValue, reason: error.message)
        }
        if let fingerprints {
            // The input's own timestamp, not the clock: a redelivered article gets the same answer.
            let entry = FingerprintEntry(
                id: record.id,
                exact: record.fingerprint.exact,
                simhash: record.fingerprint.simhash,
                seenAt: message.timestampMilliseconds ?? provenance.processedAt ?? 0
            )
            // Looked up and added in one step; the tail writes it to the state file when it comes back.
            record.duplicateOf = fingerprints.index.admit(entry)?.id
            fingerprints.publish(entry)
        }
        let constant = constantHeaders
        let labels = record.labels
        let headers = [
            KafkaHeader(key: "content-type", value: constant.contentType),
            KafkaHeader(key: "khabar.labels", value: constant.labelsValue(labels)),
            KafkaHeader(key: "khabar.analyzer.version", value: constant.analyzerVersion),
            KafkaHeader(key: "khabar.lexicon.version", value: constant.lexiconVersion),
            KafkaHeader(key: DeadLetterHeader.sourceTopic, value: constant.topicValue(message.topic)),
            KafkaHeader(key: DeadLetterHeader.sourcePartition, value: Array(String(message.partition).utf8)),
            KafkaHeader(key: DeadLetterHeader.sourceOffset, value: Array(String(message.offset).utf8)),
        ]
        let output = KafkaProducerMessage(
            topic: outputTopic,
            key: Array(record.id.utf8),
            value: record.jsonBytes(),
            headers: headers
        )
        return (output, .record(labels: labels))
    }

    /// The dead-letter record for `message`: its key, value and headers, plus the reason.
    func deadLetter(_ message: KafkaConsumerMessage, errorClass: String, reason: String)
        -> (KafkaProducerMessage, Outcome)
    {
        var headers = message.headers
        headers.append(KafkaHeader(key: DeadLetterHeader.errorClass, value: Array(errorClass.utf8)))
        headers.append(KafkaHeader(key: DeadLetterHeader.errorMessage, value: Array(reason.utf8)))
        headers.append(KafkaHeader(key: DeadLetterHeader.sourceTopic, value: Array(message.topic.utf8)))
        headers.append(KafkaHeader(key: DeadLetterHeader.sourcePartition, value: Array(String(message.partition).utf8)))
        headers.append(KafkaHeader(key: DeadLetterHeader.sourceOffset, value: Array(String(message.offset).utf8)))
        headers.append(KafkaHeader(key: DeadLetterHeader.workerVersion, value: Array(KhabarVersion.string.utf8)))
        let dlq = KafkaProducerMessage(topic: deadLetterTopic, key: message.key, value: message.value, headers: headers)
        return (dlq, .deadLetter(errorClass: errorClass))
    }
}

/// The version of the khabar worker, recorded in dead-letter headers.
public enum KhabarVersion {
    /// Semantic version of this build.
    public static let string = "0.1.0"
}
