import Foundation
import Tracing

// One span and the message metrics around every encrypt and decrypt (issue 18). The engine's
// two entry points (EnvelopeClient+Engine.swift) are wrapped here; with no backend bootstrapped
// `telemetry` is nil and the wrapper is one branch.

extension EnvelopeError: ObservableErrorCode {
    /// The error's ``code`` (e.g. `authentication-failed`).
    public var observableCode: String { code.rawValue }
}

/// Metric and span names of messages (documented in EnvelopeCore.docc "Observability").
enum MessageMetrics {
    static let messages = "messages_total"
    static let bytes = "message_bytes_total"
    static let duration = "message_duration"
    static let encryptSpan = "envelope.encrypt"
    static let decryptSpan = "envelope.decrypt"
}

/// Remembers the last value a body engine reported through its progress callback.
private final class ProgressTally: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64 = 0
    let forward: (@Sendable (Int64) -> Void)?
    init(forwarding forward: (@Sendable (Int64) -> Void)?) { self.forward = forward }
    var last: Int64 { lock.withLock { value } }
    func report(_ bytes: Int64) {
        lock.withLock { value = bytes }
        forward?(bytes)
    }
}

extension EnvelopeClient {
    /// Encrypts from `source` to `sink` (see ``runEncryptMessage``), with a span and metrics when observed.
    func encryptMessage(from source: BodySource, to sink: BodySink, materialsManager: some EncryptionMaterialsManager,
                        encryptionContext: EncryptionContext, suite: AlgorithmSuite?, frameLength: Int,
                        progress: (@Sendable (Int64) -> Void)? = nil) async throws -> EncryptResult {
        guard let telemetry else {
            return try await runEncryptMessage(from: source, to: sink, materialsManager: materialsManager, encryptionContext: encryptionContext,
                                               suite: suite, frameLength: frameLength, progress: progress)
        }
        let tally = ProgressTally(forwarding: progress)
        return try await observeMessage(telemetry, operation: "encrypt", span: MessageMetrics.encryptSpan, source: source, tally: tally,
                                        attributes: ["envelope.frame_length": .int64(Int64(frameLength))]) {
            try await runEncryptMessage(from: source, to: sink, materialsManager: materialsManager, encryptionContext: encryptionContext,
                                        suite: suite, frameLength: frameLength, progress: { tally.report($0) })
        } suite: { $0.suite }
    }

    /// Decrypts from `source` (see ``runDecryptMessage``), with a span and metrics when observed.
    func decryptMessage(from source: BodySource, materialsManager: some DecryptionMaterialsManager,
                        encryptionContext: EncryptionContext, progress: (@Sendable (Int64) -> Void)? = nil,
                        sink: (_ run: (BodySink) async throws -> [UInt8]) async throws -> [UInt8] = { try await $0(.bytes) }) async throws -> DecryptResult {
        guard let telemetry else {
            return try await runDecryptMessage(from: source, materialsManager: materialsManager, encryptionContext: encryptionContext,
                                               progress: progress, sink: sink)
        }
        let tally = ProgressTally(forwarding: progress)
        return try await observeMessage(telemetry, operation: "decrypt", span: MessageMetrics.decryptSpan, source: source, tally: tally,
                                        attributes: [:]) {
            try await runDecryptMessage(from: source, materialsManager: materialsManager, encryptionContext: encryptionContext,
                                        progress: { tally.report($0) }, sink: sink)
        } suite: { $0.suite }
    }

    /// Runs one message under a span and records `messages_total`, `message_bytes_total` (bytes
    /// read from the input: plaintext for encrypt, the message for decrypt) and `message_duration`,
    /// each with `operation`, `suite` (hex ID, `unknown` before one is known) and `outcome`.
    private func observeMessage<R>(_ telemetry: EnvelopeTelemetry, operation: String, span name: String, source: BodySource,
                                   tally: ProgressTally, attributes: SpanAttributes, _ body: () async throws -> R,
                                   suite: (R) -> AlgorithmSuite) async throws -> R {
        let start = ContinuousClock.now
        var attributes = attributes
        attributes["envelope.operation"] = operation
        var chosen = "unknown"
        var outcome = "success"
        defer {
            let inputBytes: Int64
            if case .bytes(let bytes, let offset) = source { inputBytes = Int64(bytes.count - offset) } else { inputBytes = tally.last }
            let dimensions = [("operation", operation), ("suite", chosen), ("outcome", outcome)]
            telemetry.count(MessageMetrics.messages, dimensions)
            telemetry.count(MessageMetrics.bytes, by: inputBytes, dimensions)
            telemetry.time(MessageMetrics.duration, since: start, dimensions)
        }
        do {
            return try await telemetry.withSpan(name, kind: .internal, attributes: attributes) { span in
                let result = try await body()
                chosen = "0x" + suite(result).idHex
                span?.attributes["envelope.suite"] = chosen
                return result
            }
        } catch {
            outcome = EnvelopeObservability.outcome(of: error)
            throw error
        }
    }
}
