import Logging

/// `--verbose`: whether details (retries, the full cause of an error) go to stderr.
enum CLIVerbosity {
    nonisolated(unsafe) private static var on = false

    /// Set once, by the command's options, before any work starts.
    static func enable(_ value: Bool) { if value { on = true } }

    /// Whether `--verbose` was given.
    static var enabled: Bool { on }

    /// Writes `envelope: TEXT` to stderr when `--verbose` was given.
    static func log(_ text: @autoclosure () -> String) {
        guard on else { return }
        StandardStreams.printStderr("envelope: \(text())\n")
    }
}

/// With `--verbose`, the library's debug records (each failed KMS attempt and whether it is
/// retried) as `envelope: MESSAGE (key=value …)` lines on stderr.
struct VerboseLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        let all = metadata.merging(extra ?? [:]) { $1 }
        let details = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        CLIVerbosity.log(details.isEmpty ? "\(message)" : "\(message) (\(details))")
    }
}

extension CLIVerbosity {
    /// The logger handed to the library: silent, or ``VerboseLogHandler`` with `--verbose`.
    static var logger: Logger {
        enabled ? Logger(label: "envelope") { _ in VerboseLogHandler() }
                : Logger(label: "envelope") { _ in SwiftLogNoOpLogHandler() }
    }
}
