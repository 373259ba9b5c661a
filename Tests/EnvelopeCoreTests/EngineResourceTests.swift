import Foundation
import Testing
import EnvelopeTestSupport
import EnvelopeCrypto
@testable import EnvelopeCore

// Issue 15, items 5, 6 and 8 (first bullet): resource exhaustion throws, the pipeline window is
// sized by the message, header re-parsing under tiny chunks is geometric, and the held final frame
// is wiped on every error path. Everything is asserted through values the engine exposes to
// `@testable` tests (attempt counters, mapped bytes, the held buffer), never by timing or RSS.

@Suite("Engine: header parsing under tiny chunks")
struct HeaderParseGrowthTests {
    @Test("a ~1 MiB header delivered one byte at a time is parsed O(log n) times")
    func megabyteHeaderOneByteAtATime() async throws {
        // 16 wrapping keys with 64,000-byte names: each encrypted data key is about 64 KiB.
        let keyrings = try (0..<16).map { i in
            try Fixtures.aesKeyring(name: "k\(i)-" + String(repeating: "n", count: 64_000), seed: UInt8(i))
        }
        let multi = try MultiKeyring(generator: keyrings[0], children: Array(keyrings.dropFirst()))
        var client = EnvelopeClient()
        client.limits = DecryptionLimits(maxHeaderLength: 2 << 20)
        let plaintext = Fixtures.plaintext(100)
        let message = try await client.encrypt(plaintext, keyring: multi).ciphertext
        let headerLength = message.count - 100 - BodyCodec.finalFrameOverhead - FrameEncryptor.maxFooterLength
        #expect(headerLength > 1_000_000)
        var iterator = client.decryptStream(ChunkedBytes(message, sizes: [1]), keyring: keyrings[3]).makeAsyncIterator()
        var out: [UInt8] = []
        while let chunk = try await iterator.next() { out += chunk }
        #expect(out == plaintext)
        // Doubling from 4 KiB to 1 MiB is about 10 attempts; re-parsing every 4 KiB (the old
        // `min`) made about 260.
        #expect(iterator.headerParseAttempts <= 16, "\(iterator.headerParseAttempts) parse attempts for a \(headerLength)-byte header")
    }

    @Test("the attempt schedule doubles, and a header past the limit is still refused")
    func schedule() {
        var reader = HeaderReader()
        let limits = DecryptionLimits(maxHeaderLength: 1 << 20)
        var attemptsAt: [Int] = []
        for buffered in 0...(4 << 20) where reader.shouldParse(buffered: buffered, inputEnded: false, limits: limits) {
            attemptsAt.append(buffered)
            reader.recordAttempt(at: buffered)  // the schedule alone is under test, not the parser
        }
        #expect(attemptsAt.count <= 16)
        // The limit is crossed on an attempt, so an endless header is refused once it passes it.
        #expect(attemptsAt.contains { $0 == limits.maxHeaderLength + 1 })
    }
}

@Suite("Engine: the held final frame")
struct HeldFinalFrameTests {
    enum Damage: String, CaseIterable { case signature, trailingByte }

    @Test("is wiped when the signature fails or bytes follow the message", arguments: Damage.allCases)
    func wipedOnError(damage: Damage) async throws {
        let keyring = try Fixtures.aesKeyring()
        let plaintext = Fixtures.plaintext(1000)
        var message = try await EnvelopeClient().encrypt(plaintext, keyring: keyring, suite: .aes256GCMHKDFSHA512CommitKeyECDSAP384,
                                                         frameLength: 256).ciphertext
        switch damage {
        case .signature: message[message.count - 1] ^= 1
        case .trailingByte: message.append(0)
        }
        var iterator = EnvelopeClient().decryptStream(ChunkedBytes(message, sizes: [100]), keyring: keyring).makeAsyncIterator()
        var released: [UInt8] = []
        let error = await caughtError(EnvelopeError.self) { while let chunk = try await iterator.next() { released += chunk } }
        #expect(error != nil)
        // Everything but the final frame was released; the final frame was held, then wiped.
        #expect(released == Array(plaintext.prefix(768)))
        #expect(iterator.cursor.held.highWater == 1000 - 768)
        #expect(iterator.cursor.held.count == 0)
        #expect(iterator.cursor.held.storageIsZero, "the held final frame survived the error")
    }

    @Test("the step-by-step engine wipes it itself when the footer fails (file and stream paths alike)")
    func cursorWipesOnFooterFailure() async throws {
        let keyring = try Fixtures.aesKeyring()
        let client = EnvelopeClient()
        var message = try await client.encrypt(Fixtures.plaintext(300), keyring: keyring, suite: .aes256GCMHKDFSHA512CommitKeyECDSAP384,
                                               frameLength: 256).ciphertext
        message[message.count - 1] ^= 1
        let cursor = DecryptCursor()
        message.withUnsafeBytes { cursor.append($0) }
        let header = try #require(try cursor.parseHeader(client: client, inputEnded: true))
        let (decryptor, _) = try await client.makeDecryptor(header: header, materialsManager: DefaultMaterialsManager(decryptionKeyring: keyring),
                                                            reproducedEncryptionContext: [:])
        cursor.start(decryptor)
        var events: [String] = []
        let error = await caughtError(EnvelopeError.self) {
            while true {
                switch try cursor.step() {
                case .plaintext: events.append("plaintext")
                case .held: events.append("held")
                case .needMoreInput, .finished: return
                }
            }
        }
        #expect(error?.code == .authenticationFailed)
        #expect(events == ["plaintext", "held"])
        #expect(cursor.held.highWater == 44)
        #expect(cursor.held.storageIsZero)
    }
}

@Suite("Engine: resources")
struct EngineResourceTests {
    @Test("a client with maxEncryptedDataKeys 0 or concurrency 0 is refused with a typed error, not a trap")
    func invalidClientArguments() async throws {
        _ = await expectEnvelopeError(.invalidArgument) { _ = try EnvelopeClient(maxEncryptedDataKeys: 0) }
        _ = await expectEnvelopeError(.invalidArgument) { _ = try EnvelopeClient(concurrency: 0) }
        _ = await expectEnvelopeError(.invalidArgument) { _ = try EnvelopeClient(concurrency: -3) }
        // The property can be changed after creation: every call checks it again.
        var client = EnvelopeClient()
        client.concurrency = 0
        let keyring = try Fixtures.aesKeyring()
        _ = await expectEnvelopeError(.invalidArgument) { _ = try await client.encrypt([1, 2, 3], keyring: keyring) }
        let message = try await EnvelopeClient().encrypt([1, 2, 3], keyring: keyring).ciphertext
        _ = await expectEnvelopeError(.invalidArgument) { _ = try await client.decrypt(message, keyring: keyring) }
    }

    @Test("a batch buffer the kernel cannot map throws outOfMemory with the request")
    func mapFailureThrows() async throws {
        let error = await expectEnvelopeError(.outOfMemory) {
            _ = try PipelineSlot(inputCapacity: Int.max / 4, outputCapacity: 16, frameCapacity: 1, plaintext: .input)
        }
        let cause = try #require(error?.firstCause(ResourceFailure.self))
        #expect(cause.resource == .memory)
        #expect(cause.requested ?? 0 >= Int.max / 4)
        let lazy = try PipelineSlot(inputCapacity: Int.max / 4, outputCapacity: 16, frameCapacity: 1, plaintext: .input, mapNow: false)
        #expect(lazy.mappedBytes == 0)
        _ = await expectEnvelopeError(.outOfMemory) { try lazy.reserveInput(Int.max / 4, keeping: 0) }
    }

    @Test("a thread that cannot start fails the pipeline with a typed error; the threads that did start stop")
    func threadStartFailureThrows() async throws {
        let started = StartCounter()
        let slots = try (0..<4).map { _ in try PipelineSlot(inputCapacity: 16, outputCapacity: 16, frameCapacity: 1, plaintext: .input) }
        let pipeline = FramePipeline(slots: slots, jobs: 3, fill: { slot in slot.isLast = true }, transform: { _, _, _ in },
                                     hash: nil, hashesInput: false, write: { _ in }, threadStarter: { body in
            guard started.next() < 1 else { throw EnvelopeError.threadsExhausted(EAGAIN) }
            return try startJoinableThread(body)
        })
        let error = await expectEnvelopeError(.outOfMemory) { _ = try pipeline.run() }
        #expect(error?.firstCause(ResourceFailure.self)?.resource == .threads)
    }

    /// Issue 15 (a one-off LeakSanitizer report of a 41-byte `EngineFile` after a descriptor
    /// decrypt): the pipeline threads were detached and dropped their reference to the pipeline,
    /// and so to what its stages captured (the caller's files, buffers), after `run()` had
    /// returned; a file the engine opened was then closed by a thread that outlived the call.
    /// Here each thread lingers after its stage until the test has looked (or 200 ms): a `run()`
    /// that returns before its threads end is caught whatever the machine's speed, and a correct
    /// one simply waits (the bound only keeps that wait short; it decides no verdict).
    @Test("when run() returns, every pipeline thread has ended and released what the stages captured")
    func runReleasesCapturesBeforeReturning() throws {
        final class Captured: Sendable {}
        for jobs in [1, 3] {
            weak var captured: Captured?
            let lingering = DispatchSemaphore(value: 0)
            let threads = StartCounter()
            do {
                let object = Captured()
                captured = object
                let slots = try (0..<4).map { _ in try PipelineSlot(inputCapacity: 16, outputCapacity: 16, frameCapacity: 1, plaintext: .input) }
                let pipeline = FramePipeline(slots: slots, jobs: jobs, fill: { slot in slot.isLast = true }, transform: { _, _, _ in },
                                             hash: nil, hashesInput: false, write: { _ in withExtendedLifetime(object) {} }, threadStarter: { body in
                    _ = threads.next()
                    return try startJoinableThread { body(); _ = lingering.wait(timeout: .now() + .milliseconds(200)) }
                })
                try pipeline.run()
            }
            let stillHeld = captured != nil
            for _ in 0..<threads.next() { lingering.signal() }  // next(): the number of threads started
            #expect(!stillHeld, "a pipeline thread still held the stages' captures after run() returned (jobs \(jobs))")
        }
    }

    /// Issue 15 (one-off LeakSanitizer reports in the body fuzz target: OpenSSL's per-thread
    /// error state, then a Swift error box): the thread behind a pipelined call was detached, so
    /// what it let go after resuming its caller (its locals, its thread-local state) could still
    /// be alive when the call had returned. Here the thread's exit lingers until the test has
    /// looked (or 200 ms): a call that returns before its thread has ended is caught whatever the
    /// machine's speed, and a correct one simply waits (the bound decides no verdict).
    @Test("when a pipelined call returns, its dedicated thread has ended, thread-local state and all",
          arguments: [false, true])
    func dedicatedThreadEndsBeforeReturning(throwing: Bool) async throws {
        let probe = ThreadExitProbe()
        let result: Result<Int, any Error>
        do {
            result = .success(try await runOnDedicatedThread { () -> Int in
                probe.attachToCurrentThread()
                if throwing { throw EnvelopeError.malformed("thrown on the dedicated thread") }
                return 7
            })
        } catch {
            result = .failure(error)
        }
        let exited = probe.exited.withLock { $0 }
        probe.lingering.signal()
        #expect(exited, "the dedicated thread had not ended when the call returned")
        if throwing { #expect(throws: EnvelopeError.self) { try result.get() } } else { #expect(try result.get() == 7) }
    }

    /// A 1 KB body whose header declares 16 MiB frames, on 16 cores: a window sized by the header
    /// would be 18 slots × 48–64 MiB, about 1 GiB.
    @Test("the pipeline window is sized by the message, not by the frame length its header declares",
          arguments: [AlgorithmSuite.aes256GCMHKDFSHA512CommitKey, .aes256GCMHKDFSHA512CommitKeyECDSAP384])
    func windowSizedByMessage(suite: AlgorithmSuite) async throws {
        let frameLength = 16 << 20, jobs = 16
        #expect(ParallelBody.bufferBytes(frameLength: frameLength, jobs: jobs) > 800 << 20)
        let keyring = try Fixtures.aesKeyring()
        let plaintext = Fixtures.plaintext(1000)
        let materials = try await DefaultMaterialsManager(encryptionKeyring: keyring).getEncryptionMaterials(
            EncryptionMaterialsRequest(encryptionContext: [:], suite: suite, commitmentPolicy: .requireEncryptRequireDecrypt))
        let encryptor = try FrameEncryptor(materials: materials, frameLength: frameLength)
        var body: [UInt8] = []
        let sealed = try ParallelBody.encrypt(encryptor, jobs: jobs, read: MemoryReader(plaintext).read, write: { body += $0 })
        #expect(sealed.mappedBytes <= 1 << 20, "encrypt mapped \(sealed.mappedBytes) bytes for a 1000-byte message")

        let message = encryptor.headerBytes + body
        let client = EnvelopeClient()
        let header = try message.withUnsafeBytes { bytes -> MessageHeader in
            guard case .header(let h) = try client.parseHeader(bytes) else { throw EnvelopeError.malformed("no header") }
            return h
        }
        let (decryptor, _) = try await client.makeDecryptor(header: header, materialsManager: DefaultMaterialsManager(decryptionKeyring: keyring),
                                                            reproducedEncryptionContext: [:])
        var opened: [UInt8] = []
        let report = try ParallelBody.decrypt(decryptor, jobs: jobs, read: MemoryReader(message, from: header.totalLength).read,
                                              write: { opened += $0 })
        #expect(opened == plaintext)
        #expect(report.mappedBytes <= 1 << 20, "decrypt mapped \(report.mappedBytes) bytes for a 1000-byte message")
    }
}

/// Counts thread starts across threads.
private final class StartCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    /// The number of starts before this one.
    func next() -> Int { lock.withLock { defer { count += 1 }; return count } }
}

/// Attached to a thread as a thread-local value, whose destructor (run as the thread ends)
/// lingers until signalled (or 200 ms), then records the exit.
private final class ThreadExitProbe: Sendable {
    let lingering = DispatchSemaphore(value: 0)
    let exited = LockedState(false)

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { value in
            guard let value else { return }
            let probe = Unmanaged<ThreadExitProbe>.fromOpaque(value).takeRetainedValue()
            _ = probe.lingering.wait(timeout: .now() + .milliseconds(200))
            probe.exited.withLock { $0 = true }
        }
        return key
    }()

    func attachToCurrentThread() {
        pthread_setspecific(Self.key, Unmanaged.passRetained(self).toOpaque())
    }
}
