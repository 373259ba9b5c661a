import Tracing

/// Which way a message goes, as the `operation` dimension and the span name say it.
enum MessageOperation: String, Sendable {
    case encrypt, decrypt

    /// `envelope.encrypt` or `envelope.decrypt`.
    var spanName: String { self == .encrypt ? MessageMetrics.encryptSpan : MessageMetrics.decryptSpan }
}

/// The telemetry of one message in flight, for every encrypt and decrypt API (one-shot, file,
/// descriptor, stream): its span (when a tracer is active), its start time and the bytes read.
///
/// Finished exactly once, by ``succeeded(suite:inputBytes:)`` or ``failed(_:inputBytes:)``; a
/// message abandoned before either (a stream whose consumer stopped iterating early) is finished
/// when the observation is released, with the outcome `cancelled`. Finishing ends the span and
/// records `messages_total`, `message_bytes_total` and `message_duration` with `operation`,
/// `suite` (the message's suite on success, else `unknown`) and `outcome` (`success` or the error's
/// code). Used by one task at a time (the caller of a one-shot API, or a stream's iterator).
final class MessageObservation: @unchecked Sendable {
    private let telemetry: EnvelopeTelemetry
    private let operation: MessageOperation
    private let span: (any Span)?
    private let start = ContinuousClock.now
    private var finished = false
    /// Bytes read from the input so far (plaintext for encrypt, the message for decrypt); streams
    /// add each chunk they pull.
    var inputBytes: Int64 = 0

    /// Starts observing a message: opens its span, a child of the calling task's context.
    init(_ telemetry: EnvelopeTelemetry, _ operation: MessageOperation, attributes: SpanAttributes = [:]) {
        self.telemetry = telemetry
        self.operation = operation
        var attributes = attributes
        attributes["envelope.operation"] = operation.rawValue
        span = telemetry.startSpan(operation.spanName, kind: .internal, attributes: attributes)
    }

    /// Runs `body` with the message's span as the task's current context, so that the spans of
    /// its key work (KMS calls) are children of the message span.
    func withContext<T>(_ body: () async throws -> T) async rethrows -> T {
        guard let span else { return try await body() }
        return try await ServiceContext.$current.withValue(span.context) { try await body() }
    }

    /// Runs `body` in `observation`'s context, or just runs it when there is no observation.
    static func run<T>(_ observation: MessageObservation?, _ body: () async throws -> T) async rethrows -> T {
        guard let observation else { return try await body() }
        return try await observation.withContext(body)
    }

    /// Names the message's suite on its span as soon as it is known (from the header).
    func noteSuite(_ suite: AlgorithmSuite) {
        span?.attributes["envelope.suite"] = "0x" + suite.idHex
    }

    /// The message completed with `suite`.
    func succeeded(suite: AlgorithmSuite, inputBytes: Int64? = nil) {
        noteSuite(suite)
        finish(suite: "0x" + suite.idHex, outcome: "success", inputBytes: inputBytes)
    }

    /// The message failed with `error` (its code, never its text, is recorded).
    func failed(_ error: any Error, inputBytes: Int64? = nil) {
        let outcome = EnvelopeObservability.outcome(of: error)
        if let span, !finished { EnvelopeTelemetry.markFailed(span, outcome: outcome) }
        finish(suite: "unknown", outcome: outcome, inputBytes: inputBytes)
    }

    private func finish(suite: String, outcome: String, inputBytes: Int64?) {
        guard !finished else { return }
        finished = true
        if let inputBytes { self.inputBytes = inputBytes }
        span?.end()
        let dimensions = [("operation", operation.rawValue), ("suite", suite), ("outcome", outcome)]
        telemetry.count(MessageMetrics.messages, dimensions)
        telemetry.count(MessageMetrics.bytes, by: self.inputBytes, dimensions)
        telemetry.time(MessageMetrics.duration, since: start, dimensions)
    }

    deinit {
        // Abandoned: a stream dropped before its end (the consumer stopped iterating).
        if !finished { failed(CancellationError()) }
    }
}
