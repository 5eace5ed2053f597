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
        let headers = [
            KafkaHeader(key: "content-type", value: Array("application/json".utf8)),
            KafkaHeader(key: "khabar.labels", value: Array(record.labels.map(\.rawValue).joined(separator: ",").utf8)),
            KafkaHeader(key: "khabar.analyzer.version", value: Array(ArticleAnalyzer.version.utf8)),
            KafkaHeader(key: "khabar.lexicon.version", value: Array(record.classification.modelVersion.utf8)),
            KafkaHeader(key: DeadLetterHeader.sourceTopic, value: Array(message.topic.utf8)),
            KafkaHeader(key: DeadLetterHeader.sourcePartition, value: Array(String(message.partition).utf8)),
            KafkaHeader(key: DeadLetterHeader.sourceOffset, value: Array(String(message.offset).utf8)),
        ]
        let output = KafkaProducerMessage(
            topic: outputTopic,
            key: Array(record.id.utf8),
            value: record.jsonBytes(),
            headers: headers
        )
        return (output, .record(labels: record.labels))
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
