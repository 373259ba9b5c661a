import EnvelopeCore
import EnvelopeKMS
import EnvelopeTestSupport
import Foundation
import InMemoryTracing
import MetricsTestKit
import SystemPackage
import Testing
import Tracing

// Issue 18: the encrypt-only client's four encrypt APIs (buffer, AsyncSequence, file path,
// descriptor) report the message span and metrics like EnvelopeClient's.

@Suite("Encrypt-only client: message spans and metrics")
struct EncryptOnlyObservabilityTests {
    @Test("each encrypt API reports one envelope.encrypt span, child of the caller's, and the message metrics")
    func everyEncryptAPI() async throws {
        let (story, _, _) = try await EncryptOnlyClientTests.encryptOnlyStory()
        var encryptOnly = try EncryptOnlyClient(key: .keyARN(story.key), permissions: .encryptOnly,
                                                transport: story.transport(CrossAccountStory.externalUser))
        let metrics = TestMetrics(), tracer = InMemoryTracer()
        encryptOnly.observability = EnvelopeObservability(labelPrefix: "eo_", metricsFactory: metrics, tracer: tracer)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("envelope-eo-observe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = dir.appendingPathComponent("plain")
        try Data(samplePlaintext).write(to: plain)

        try await tracer.withSpan("caller") { _ in
            _ = try await encryptOnly.encrypt(samplePlaintext)
            for try await _ in try encryptOnly.encryptStream(ChunkedBytes(samplePlaintext, size: 100)) {}
            _ = try await encryptOnly.encryptFile(at: plain, to: dir.appendingPathComponent("file.enc"))
            let input = try FileDescriptor.open(plain.path, .readOnly)
            defer { try? input.close() }
            let output = try FileDescriptor.open(dir.appendingPathComponent("fd.enc").path, .writeOnly, options: [.create, .truncate],
                                                 permissions: .ownerReadWrite)
            defer { try? output.close() }
            _ = try await encryptOnly.encrypt(from: input, to: output)
        }

        let caller = try #require(tracer.finishedSpans.first { $0.operationName == "caller" })
        let messages = tracer.finishedSpans.filter { $0.operationName == "envelope.encrypt" }
        #expect(messages.count == 4)
        #expect(messages.allSatisfy { $0.parentSpanID == caller.spanID && $0.status == nil && $0.string("envelope.suite") == "0x0578" })
        let dimensions = [("operation", "encrypt"), ("suite", "0x0578"), ("outcome", "success")]
        #expect(metrics.counterTotal(label: "eo_messages_total", dimensions: dimensions) == 4)
        #expect(metrics.counterTotal(label: "eo_message_bytes_total", dimensions: dimensions) == 4 * Int64(samplePlaintext.count))
        #expect(metrics.timers(label: "eo_message_duration").first?.values.count == 4)
    }
}
