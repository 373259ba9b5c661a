import Foundation
import Logging

/// Keeps every record (level, logger label, source, message, metadata) logged through the
/// loggers it makes, for assertions on what reaches the logs.
public final class LogRecorder: @unchecked Sendable {
    /// One logged record.
    public struct Record: Sendable {
        /// The level it was logged at.
        public let level: Logger.Level
        /// The label of the logger it went through.
        public let label: String
        /// The module that logged it.
        public let source: String
        /// The message text.
        public let message: String
        /// The logger's metadata merged with the call's.
        public let metadata: Logger.Metadata
    }

    private let lock = NSLock()
    private var stored: [Record] = []

    /// An empty recorder.
    public init() {}

    /// A logger at trace level whose records land here.
    public func logger(_ label: String = "test") -> Logger {
        var logger = Logger(label: label) { label in Handler(label: label, recorder: self) }
        logger.logLevel = .trace
        return logger
    }

    /// Every record so far, in order.
    public var records: [Record] { lock.withLock { stored } }

    /// How many records so far.
    public var count: Int { lock.withLock { stored.count } }

    /// The messages, in order.
    public var messages: [String] { records.map(\.message) }

    /// One line per record: level, label, source, message and every metadata `key=value` (sorted),
    /// so a search of it sees everything that reached the logs.
    public var text: String {
        records.map { record in
            let metadata = record.metadata.map { "\($0)=\($1)" }.sorted().joined(separator: " ")
            return "\(record.level) \(record.label) \(record.source) \(record.message) \(metadata)"
        }.joined(separator: "\n")
    }

    private func append(_ record: Record) { lock.withLock { stored.append(record) } }

    struct Handler: LogHandler {
        let label: String
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
                 file: String, function: String, line: UInt) {
            recorder.append(Record(level: level, label: label, source: source, message: message.description,
                                   metadata: self.metadata.merging(explicit ?? [:]) { $1 }))
        }
    }
}
