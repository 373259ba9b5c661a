import EnvelopeCrypto
import EnvelopeTestSupport
import Foundation
import InMemoryTracing
import MetricsTestKit
import SystemPackage
import Testing
import Tracing
@testable import EnvelopeCore

// Issue 18: every public encrypt and decrypt API of EnvelopeClient (buffer, file path, descriptor,
// AsyncSequence) reports the message span and the message metrics alike, success and failure, and a
// stream that is cancelled or dropped early still ends its span exactly once. Each test passes its
// own backends (`EnvelopeObservability`), so nothing process-wide is bootstrapped.

/// A client reporting to its own in-memory backends (label prefix `t_`).
struct ObservedClient {
    let metrics = TestMetrics()
    let tracer = InMemoryTracer()
    let client: EnvelopeClient

    init() {
        var client = EnvelopeClient()
        client.observability = EnvelopeObservability(labelPrefix: "t_", metricsFactory: metrics, tracer: tracer)
        self.client = client
    }

    /// `t_messages_total` with these dimensions.
    func messages(_ operation: String, _ suite: String, _ outcome: String) -> Int64 {
        metrics.counterTotal(label: "t_messages_total", dimensions: [("operation", operation), ("suite", suite), ("outcome", outcome)])
    }

    /// `t_message_bytes_total` with these dimensions.
    func bytes(_ operation: String, _ suite: String, _ outcome: String) -> Int64 {
        metrics.counterTotal(label: "t_message_bytes_total", dimensions: [("operation", operation), ("suite", suite), ("outcome", outcome)])
    }

    /// The finished spans named `name`.
    func spans(_ name: String) -> [FinishedInMemorySpan] { tracer.finishedSpans.filter { $0.operationName == name } }
}

/// A raw AES keyring whose key work runs in a span of its own (`keyring.encrypt` / `keyring.decrypt`),
/// as a KMS keyring's calls do: shows which span is current while the message's key work runs.
struct SpanningKeyring: EncryptionKeyring, DecryptionKeyring {
    let inner: RawAESKeyring
    let tracer: InMemoryTracer

    func onEncrypt(_ materials: EncryptionMaterials) async throws -> EncryptionMaterials {
        try await tracer.withSpan("keyring.encrypt") { _ in try await inner.onEncrypt(materials) }
    }

    func onDecrypt(_ materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey]) async throws -> DecryptionMaterials {
        try await tracer.withSpan("keyring.decrypt") { _ in try await inner.onDecrypt(materials, encryptedDataKeys: encryptedDataKeys) }
    }
}

/// The kinds of public encrypt and decrypt APIs of ``EnvelopeClient``.
enum EntryPointKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case bytes, filePath, descriptor, asyncSequence

    var testDescription: String { rawValue }

    static let suite = AlgorithmSuite.aes256GCMHKDFSHA512CommitKey
    static let frameLength = 1000

    /// Encrypts `plaintext` through this kind of API and returns the message.
    func encrypt(_ client: EnvelopeClient, _ plaintext: [UInt8], keyring: any EncryptionKeyring, in dir: URL) async throws -> [UInt8] {
        let (input, output) = Self.files(in: dir)
        switch self {
        case .bytes:
            return try await client.encrypt(plaintext, keyring: keyring, suite: Self.suite, frameLength: Self.frameLength).ciphertext
        case .filePath:
            try Data(plaintext).write(to: input)
            _ = try await client.encryptFile(at: input, to: output, keyring: keyring, suite: Self.suite, frameLength: Self.frameLength)
            return [UInt8](try Data(contentsOf: output))
        case .descriptor:
            try Data(plaintext).write(to: input)
            try await Self.withDescriptors(input, output) { from, to in
                _ = try await client.encrypt(from: from, to: to, keyring: keyring, suite: Self.suite, frameLength: Self.frameLength)
            }
            return [UInt8](try Data(contentsOf: output))
        case .asyncSequence:
            var message: [UInt8] = []
            for try await chunk in client.encryptStream(ChunkedBytes(plaintext, size: 700), keyring: keyring, suite: Self.suite,
                                                        frameLength: Self.frameLength) { message += chunk }
            return message
        }
    }

    /// Decrypts `message` through this kind of API and returns the plaintext.
    func decrypt(_ client: EnvelopeClient, _ message: [UInt8], keyring: any DecryptionKeyring, in dir: URL) async throws -> [UInt8] {
        let (input, output) = Self.files(in: dir)
        switch self {
        case .bytes:
            return try await client.decrypt(message, keyring: keyring).plaintext
        case .filePath:
            try Data(message).write(to: input)
            _ = try await client.decryptFile(at: input, to: output, keyring: keyring)
            return [UInt8](try Data(contentsOf: output))
        case .descriptor:
            try Data(message).write(to: input)
            try await Self.withDescriptors(input, output) { from, to in
                _ = try await client.decrypt(from: from, to: to, keyring: keyring)
            }
            return [UInt8](try Data(contentsOf: output))
        case .asyncSequence:
            var plaintext: [UInt8] = []
            for try await chunk in client.decryptStream(ChunkedBytes(message, size: 700), keyring: keyring) { plaintext += chunk }
            return plaintext
        }
    }

    /// Fresh input and output paths in `dir`.
    private static func files(in dir: URL) -> (URL, URL) {
        let name = UUID().uuidString
        return (dir.appendingPathComponent(name + ".in"), dir.appendingPathComponent(name + ".out"))
    }

    private static func withDescriptors(_ input: URL, _ output: URL, _ body: (FileDescriptor, FileDescriptor) async throws -> Void) async throws {
        let from = try FileDescriptor.open(input.path, .readOnly)
        defer { try? from.close() }
        let to = try FileDescriptor.open(output.path, .writeOnly, options: [.create, .truncate], permissions: .ownerReadWrite)
        defer { try? to.close() }
        try await body(from, to)
    }
}

@Suite("Message spans and metrics on every encrypt and decrypt API")
struct MessageObservabilityTests {
    /// A scratch directory, removed by the caller.
    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("envelope-observe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("round trip and a failed decrypt: span tree, attributes, messages/bytes/duration by suite and outcome",
          arguments: EntryPointKind.allCases)
    func entryPoint(_ kind: EntryPointKind) async throws {
        let observed = ObservedClient()
        let keyring = SpanningKeyring(inner: try Fixtures.aesKeyring(), tracer: observed.tracer)
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plaintext = Fixtures.plaintext(5_500)

        let (message, decrypted) = try await observed.tracer.withSpan("caller") { _ in
            let message = try await kind.encrypt(observed.client, plaintext, keyring: keyring, in: dir)
            return (message, try await kind.decrypt(observed.client, message, keyring: keyring, in: dir))
        }
        #expect(decrypted == plaintext)
        // The last byte is the final frame's tag (unsigned suite): authentication fails.
        var tampered = message
        tampered[tampered.count - 1] ^= 1
        _ = await expectEnvelopeError(.authenticationFailed) {
            _ = try await kind.decrypt(observed.client, tampered, keyring: keyring, in: dir)
        }

        // Spans: caller → message span → the keyring's key work, for both directions.
        let caller = try #require(observed.spans("caller").first)
        let encrypts = observed.spans("envelope.encrypt"), decrypts = observed.spans("envelope.decrypt")
        #expect(encrypts.count == 1)
        #expect(decrypts.count == 2)
        let encrypt = try #require(encrypts.first)
        let decrypt = try #require(decrypts.first { $0.status == nil })
        let failed = try #require(decrypts.first { $0.status != nil })
        #expect(encrypt.parentSpanID == caller.spanID)
        #expect(decrypt.parentSpanID == caller.spanID)
        #expect(observed.spans("keyring.encrypt").map(\.parentSpanID) == [encrypt.spanID])
        #expect(Set(observed.spans("keyring.decrypt").map(\.parentSpanID)) == [decrypt.spanID, failed.spanID])
        #expect(encrypt.kind == .internal && decrypt.kind == .internal)
        #expect(encrypt.string("envelope.operation") == "encrypt")
        #expect(encrypt.string("envelope.suite") == "0x0478")
        #expect(encrypt.int("envelope.frame_length") == Int64(EntryPointKind.frameLength))
        #expect(encrypt.status == nil)
        #expect(decrypt.string("envelope.operation") == "decrypt")
        #expect(decrypt.string("envelope.suite") == "0x0478")
        #expect(failed.status?.code == .error)
        #expect(failed.string("error.type") == "authentication-failed")
        #expect(failed.errors.isEmpty, "no error text in a span")
        #expect(observed.tracer.activeSpans.isEmpty)

        // Metrics: one message each, bytes read from the input.
        #expect(observed.messages("encrypt", "0x0478", "success") == 1)
        #expect(observed.bytes("encrypt", "0x0478", "success") == Int64(plaintext.count))
        #expect(observed.messages("decrypt", "0x0478", "success") == 1)
        #expect(observed.bytes("decrypt", "0x0478", "success") == Int64(message.count))
        #expect(observed.messages("decrypt", "unknown", "authentication-failed") == 1)
        #expect(observed.bytes("decrypt", "unknown", "authentication-failed") <= Int64(message.count))
        #expect(observed.metrics.counters.filter { $0.label == "t_messages_total" }.count == 3)
        let durations = observed.metrics.timers(label: "t_message_duration")
        #expect(durations.count == 3)
        #expect(durations.allSatisfy { $0.values.count == 1 })
    }

    /// The input of a stream test: the plaintext for encrypt, a message of it for decrypt.
    static func streamInput(_ operation: String, _ plaintext: [UInt8], keyring: RawAESKeyring) async throws -> [UInt8] {
        guard operation == "decrypt" else { return plaintext }
        return try await EnvelopeClient().encrypt(plaintext, keyring: keyring, suite: EntryPointKind.suite,
                                                  frameLength: EntryPointKind.frameLength).ciphertext
    }

    /// The stream of `operation` over `input`.
    static func stream<S: AsyncSequence & Sendable>(_ operation: String, _ client: EnvelopeClient, _ input: S,
                                                    keyring: RawAESKeyring) -> AnyAsyncBytes where S.Element == [UInt8] {
        if operation == "encrypt" {
            return AnyAsyncBytes(client.encryptStream(input, keyring: keyring, suite: EntryPointKind.suite, frameLength: EntryPointKind.frameLength))
        }
        return AnyAsyncBytes(client.decryptStream(input, keyring: keyring))
    }

    @Test("a stream whose consuming task is cancelled ends its span once, outcome cancelled", arguments: ["encrypt", "decrypt"])
    func cancelledStream(_ operation: String) async throws {
        let observed = ObservedClient()
        let keyring = try Fixtures.aesKeyring()
        let input = try await Self.streamInput(operation, Fixtures.plaintext(6_000), keyring: keyring)
        // The upstream delivers 2500 bytes (header and two frames' worth), then waits forever.
        let (upstream, feed) = AsyncStream.makeStream(of: [UInt8].self)
        feed.yield(Array(input[..<2500]))
        let (started, gotFirstChunk) = AsyncStream.makeStream(of: Void.self)
        let stream = Self.stream(operation, observed.client, upstream, keyring: keyring)
        let consumer = Task {
            // Two chunks (encrypt: the header and a frame; decrypt: two frames): the 2500 bytes
            // were pulled. Then the stream waits for more input until the task is cancelled.
            var iterator = stream.makeAsyncIterator()
            _ = try await iterator.next()
            _ = try await iterator.next()
            gotFirstChunk.yield()
            while try await iterator.next() != nil {}
        }
        for await _ in started { break }
        consumer.cancel()
        await #expect(throws: CancellationError.self) { try await consumer.value }

        let span = try #require(observed.spans("envelope.\(operation)").first)
        #expect(observed.spans("envelope.\(operation)").count == 1)
        #expect(observed.tracer.activeSpans.isEmpty)
        #expect(span.status?.code == .error)
        #expect(span.string("error.type") == "cancelled")
        #expect(span.string("envelope.suite") == "0x0478", "known from the header")
        #expect(observed.messages(operation, "unknown", "cancelled") == 1)
        #expect(observed.bytes(operation, "unknown", "cancelled") == 2500)
        #expect(observed.metrics.counters.filter { $0.label == "t_messages_total" }.count == 1)
        feed.finish()
    }

    @Test("a stream dropped after its first chunk ends its span exactly once (outcome cancelled); a complete one never as cancelled",
          arguments: ["encrypt", "decrypt"])
    func droppedStream(_ operation: String) async throws {
        let observed = ObservedClient()
        let keyring = try Fixtures.aesKeyring()
        let input = try await Self.streamInput(operation, Fixtures.plaintext(6_000), keyring: keyring)
        let stream = Self.stream(operation, observed.client, ChunkedBytes(input, size: 1500), keyring: keyring)
        /// Takes the first chunk and stops iterating; the iterator is released on return.
        func firstChunk() async throws -> [UInt8]? {
            for try await chunk in stream { return chunk }
            return nil
        }
        #expect(try await firstChunk() != nil)
        #expect(observed.tracer.activeSpans.isEmpty)
        #expect(observed.spans("envelope.\(operation)").count == 1)
        #expect(observed.spans("envelope.\(operation)").first?.string("error.type") == "cancelled")
        #expect(observed.messages(operation, "unknown", "cancelled") == 1)

        // Iterated to the end: success, and releasing the iterator afterwards records nothing more.
        var count = 0
        for try await _ in stream { count += 1 }
        #expect(count > 1)
        #expect(observed.spans("envelope.\(operation)").count == 2)
        #expect(observed.messages(operation, "0x0478", "success") == 1)
        #expect(observed.messages(operation, "unknown", "cancelled") == 1)
        #expect(observed.bytes(operation, "0x0478", "success") == Int64(input.count))
    }

    @Test("with no backend bootstrapped a client keeps no telemetry: every API takes the unobserved path")
    func noBackend() {
        #expect(EnvelopeClient().telemetry == nil)
    }
}

/// A type-erased stream of byte chunks (an encrypting or a decrypting stream), for tests that run
/// both directions alike.
struct AnyAsyncBytes: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    private let make: @Sendable () -> Iterator

    init<S: AsyncSequence & Sendable>(_ stream: S) where S.Element == [UInt8] {
        make = { Iterator(stream.makeAsyncIterator()) }
    }

    func makeAsyncIterator() -> Iterator { make() }

    struct Iterator: AsyncIteratorProtocol {
        private var nextChunk: () async throws -> [UInt8]?
        init<I: AsyncIteratorProtocol>(_ iterator: I) where I.Element == [UInt8] {
            var iterator = iterator
            nextChunk = { try await iterator.next() }
        }
        mutating func next() async throws -> [UInt8]? { try await nextChunk() }
    }
}
