import Foundation
import Testing
import EnvelopeCrypto
import SystemPackage
@testable import EnvelopeCore

@Suite("Parallel frame pipeline")
struct ParallelPipelineTests {
    static let suites: [AlgorithmSuite] = [.aes256GCMHKDFSHA512CommitKey, .aes256GCMHKDFSHA512CommitKeyECDSAP384, .aes128GCMHKDFSHA256ECDSAP256]

    /// Encryptors over the same materials and message ID: their output is comparable byte for byte.
    static func encryptors(_ count: Int, suite: AlgorithmSuite, frameLength: Int) async throws -> [FrameEncryptor] {
        let cmm = DefaultMaterialsManager(encryptionKeyring: try Fixtures.aesKeyring())
        let policy: CommitmentPolicy = suite.isCommitting ? .requireEncryptRequireDecrypt : .forbidEncryptAllowDecrypt
        let materials = try await cmm.getEncryptionMaterials(EncryptionMaterialsRequest(encryptionContext: ["purpose": "pipeline"],
                                                                                        suite: suite, commitmentPolicy: policy))
        let id = RandomBytes.array(count: suite.messageIDLength)
        return try (0..<count).map { _ in try FrameEncryptor(materials: materials, frameLength: frameLength, fixedMessageID: id) }
    }

    static func encryptorPair(suite: AlgorithmSuite, frameLength: Int) async throws -> (FrameEncryptor, FrameEncryptor) {
        let pair = try await encryptors(2, suite: suite, frameLength: frameLength)
        return (pair[0], pair[1])
    }

    /// The pipeline over memory it borrows (no copies into the batch buffers).
    static func pipelinedBodyFromMemory(_ encryptor: FrameEncryptor, _ plaintext: [UInt8], jobs: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        try plaintext.withUnsafeBytes { try ParallelBody.encrypt(encryptor, jobs: jobs, input: .memory($0), write: { out += $0 }) }
        return out
    }

    /// The sequential path: every frame through a ``SequentialSealer``, then the footer.
    static func sequentialBody(_ encryptor: FrameEncryptor, _ plaintext: [UInt8]) throws -> [UInt8] {
        var out: [UInt8] = []
        var sealer = try SequentialSealer(encryptor)
        var frame = [UInt8](repeating: 0, count: encryptor.frameLength + BodyCodec.finalFrameOverhead)
        let L = encryptor.frameLength
        let full = plaintext.count / L
        try plaintext.withUnsafeBytes { p in
            for i in 0...full {
                let isFinal = i == full
                let slice = UnsafeRawBufferPointer(rebasing: p[(i * L)..<(isFinal ? p.count : (i + 1) * L)])
                let n = try frame.withUnsafeMutableBytes { try sealer.seal(slice, isFinal: isFinal, into: $0) }
                out += frame[0..<n]
            }
        }
        out += try encryptor.footer()
        return out
    }

    static func pipelinedBody(_ encryptor: FrameEncryptor, _ plaintext: [UInt8], jobs: Int,
                              readSize: Int = .max) throws -> ([UInt8], ParallelBody.Report) {
        var out: [UInt8] = []
        let report = try ParallelBody.encrypt(encryptor, jobs: jobs, read: MemoryReader(plaintext, maxRead: readSize).read, write: { out += $0 })
        return (out, report)
    }

    /// (frame length, plaintext length): exact multiples, partial last frames, empty input,
    /// batches of one frame and of many frames.
    static let shapes: [(Int, Int)] = [(4096, 0), (4096, 4096 * 700), (4096, 4096 * 700 + 123), (65536, 3 * (2 << 20) + 5),
                                       (1 << 20, 5 << 20), (3 << 20, 7 << 20), (1, 3000), (1000, 2_500_001)]

    @Test("pipelined frames are byte-identical to sequential ones, any number of jobs",
          arguments: suites, [1, 2, 3])
    func byteIdentical(suite: AlgorithmSuite, jobs: Int) async throws {
        for (frameLength, length) in Self.shapes {
            let plaintext = Fixtures.plaintext(length, seed: UInt32(frameLength))
            let encryptors = try await Self.encryptors(3, suite: suite, frameLength: frameLength)
            let sequential = try Self.sequentialBody(encryptors[0], plaintext)
            let (pipelined, _) = try Self.pipelinedBody(encryptors[1], plaintext, jobs: jobs, readSize: 777_777)
            let borrowed = try Self.pipelinedBodyFromMemory(encryptors[2], plaintext, jobs: jobs)
            let end = try Self.framesEnd(sequential, frameLength: frameLength)
            #expect(Array(borrowed[0..<min(end, borrowed.count)]) == Array(sequential[0..<end]), "from memory: frame \(frameLength), length \(length)")
            if suite.isSigned {
                // ECDSA signatures are randomized: the frames must match; the footers verify in filesRoundTrip.
                #expect(end == (try Self.framesEnd(pipelined, frameLength: frameLength)))
                #expect(Array(sequential[0..<end]) == Array(pipelined[0..<min(end, pipelined.count)]), "frame \(frameLength), length \(length)")
                #expect(pipelined.count > end, "the footer is missing")
            } else {
                #expect(sequential == pipelined, "frame \(frameLength), length \(length)")
                #expect(sequential == borrowed, "from memory: frame \(frameLength), length \(length)")
            }
            // The sequential body opens through the pipeline from borrowed memory too.
            let opened = try await Self.openFromMemory(header: encryptors[0].headerBytes, body: sequential, jobs: jobs)
            #expect(opened == plaintext, "opened from memory: frame \(frameLength), length \(length)")
        }
    }

    /// Decrypts `body` through the pipeline over borrowed memory; returns the plaintext.
    static func openFromMemory(header: [UInt8], body: [UInt8], jobs: Int) async throws -> [UInt8] {
        let decryptor = try await Self.decryptor(forHeader: header)
        var plaintext: [UInt8] = []
        try body.withUnsafeBytes { try ParallelBody.decrypt(decryptor, jobs: jobs, input: .memory($0), write: { plaintext += $0 }) }
        return plaintext
    }

    /// A decryptor for a message with this header, keyed through the test keyring.
    static func decryptor(forHeader bytes: [UInt8]) async throws -> FrameDecryptor {
        let parsed = try bytes.withUnsafeBytes { try HeaderCodec.parse($0, maxEncryptedDataKeys: nil) }
        guard case .header(let header) = parsed else { throw EnvelopeError.malformed("test header did not parse") }
        let policy: CommitmentPolicy = header.suite.isCommitting ? .requireEncryptRequireDecrypt : .forbidEncryptAllowDecrypt
        return try await EnvelopeClient(commitmentPolicy: policy)
            .makeDecryptor(header: header, materialsManager: DefaultMaterialsManager(decryptionKeyring: try Fixtures.aesKeyring()),
                           reproducedEncryptionContext: [:]).0
    }

    @Test("from borrowed memory, a truncated body or bytes after the message fail; a flipped bit fails its tag",
          arguments: [1, 2])
    func memoryInputRefusesBadBodies(jobs: Int) async throws {
        let suite = AlgorithmSuite.aes256GCMHKDFSHA512CommitKey
        let encryptor = try await Self.encryptors(1, suite: suite, frameLength: 4096)[0]
        let body = try Self.sequentialBody(encryptor, Fixtures.plaintext(4096 * 1500 + 7, seed: 5))
        var flipped = body
        flipped[4096 * 900] ^= 0x20
        for (name, bad, code) in [("truncated", Array(body.dropLast(3)), EnvelopeError.Code.malformedMessage),
                                  ("trailing", body + [0], .malformedMessage), ("flipped", flipped, .authenticationFailed)] {
            let error = await expectEnvelopeError(code) {
                _ = try await Self.openFromMemory(header: encryptor.headerBytes, body: bad, jobs: jobs)
            }
            #expect(error != nil, "\(name) was accepted")
        }
    }

    /// Where the final frame of a body (no header) ends.
    static func framesEnd(_ body: [UInt8], frameLength: Int) throws -> Int {
        var offset = 0
        var sequence: UInt32 = 1
        while true {
            let parsed = try body.withUnsafeBytes {
                try ParallelBody.parseFrame(UnsafeRawBufferPointer(rebasing: $0[offset...]), expected: sequence, frameLength: frameLength)
            }
            guard case .frame(let isFinal, _, _, let wire) = parsed else { return -1 }
            offset += wire
            if isFinal { return offset }
            sequence += 1
        }
    }

    @Test("files: pipelined encrypt and decrypt round-trip with the sequential paths, any jobs",
          arguments: suites, [1, 2, 4])
    func filesRoundTrip(suite: AlgorithmSuite, jobs: Int) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("envelope-pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let policy: CommitmentPolicy = suite.isCommitting ? .requireEncryptRequireDecrypt : .forbidEncryptAllowDecrypt
        let parallel = try EnvelopeClient(commitmentPolicy: policy, concurrency: jobs)
        let sequential = EnvelopeClient(commitmentPolicy: policy)
        let keyring = try Fixtures.aesKeyring()
        for (frameLength, length) in [(4096, 3 * (2 << 20) + 17), (65536, 65536 * 40), (1 << 20, 0), (100, 12345)] {
            let plaintext = Fixtures.plaintext(length, seed: 9)
            let input = dir.appendingPathComponent("plain-\(frameLength)")
            try Data(plaintext).write(to: input)
            let encrypted = dir.appendingPathComponent("enc-\(frameLength)")
            try await parallel.encryptFile(at: input, to: encrypted, keyring: keyring, suite: suite, frameLength: frameLength)
            // The pipelined message decrypts on the sequential one-shot path…
            let message = [UInt8](try Data(contentsOf: encrypted))
            let oneShot = try await sequential.decrypt(message, keyring: keyring)
            #expect(oneShot.plaintext == plaintext)
            try Self.checkFrames(message, frameLength: frameLength, plaintextLength: length)
            // …and a sequentially made message decrypts on the pipelined file path and one-shot path.
            let seqMessage = try await sequential.encrypt(plaintext, keyring: keyring, suite: suite, frameLength: frameLength).ciphertext
            let seqFile = dir.appendingPathComponent("seq-\(frameLength)")
            try Data(seqMessage).write(to: seqFile)
            let decrypted = dir.appendingPathComponent("dec-\(frameLength)")
            let result = try await parallel.decryptFile(at: seqFile, to: decrypted, keyring: keyring)
            #expect(result.suite == suite)
            #expect([UInt8](try Data(contentsOf: decrypted)) == plaintext)
            #expect(try await parallel.decrypt(seqMessage, keyring: keyring).plaintext == plaintext)
            #expect(try await sequential.decrypt(try await parallel.encrypt(plaintext, keyring: keyring, suite: suite, frameLength: frameLength).ciphertext,
                                                 keyring: keyring).plaintext == plaintext)
        }
    }

    /// Parses the body: frames numbered 1…n in order, IV = sequence number, the sizes the
    /// sequential path writes.
    static func checkFrames(_ message: [UInt8], frameLength: Int, plaintextLength: Int) throws {
        let header = try message.withUnsafeBytes { try HeaderCodec.parse($0, maxEncryptedDataKeys: nil) }
        guard case .header(let h) = header else { Issue.record("header did not parse"); return }
        var offset = h.totalLength
        var expected: UInt32 = 1
        var content = 0
        while true {
            let parsed = try message.withUnsafeBytes {
                try ParallelBody.parseFrame(UnsafeRawBufferPointer(rebasing: $0[offset...]), expected: expected, frameLength: frameLength)
            }
            guard case .frame(let isFinal, let ivOffset, let length, let wire) = parsed else { Issue.record("truncated frame"); return }
            let iv = Array(message[(offset + ivOffset)..<(offset + ivOffset + 12)])
            #expect(iv == [0, 0, 0, 0, 0, 0, 0, 0] + [UInt8(expected >> 24), UInt8((expected >> 16) & 0xff), UInt8((expected >> 8) & 0xff), UInt8(expected & 0xff)])
            content += length
            offset += wire
            if isFinal { break }
            expected += 1
        }
        #expect(content == plaintextLength)
        #expect(Int(expected) == plaintextLength / frameLength + 1)
    }

    @Test("the window bounds memory: the reader never runs more than the slots ahead of the writer")
    func windowBoundsMemory() async throws {
        let (encryptor, _) = try await Self.encryptorPair(suite: .aes256GCMHKDFSHA512CommitKeyECDSAP384, frameLength: 65536)
        let total = 48 << 20
        let state = LeadTracker()
        let chunk = [UInt8](repeating: 0x5a, count: 1 << 20)
        var produced = 0
        let report = try ParallelBody.encrypt(encryptor, jobs: 2, read: { target in
            let n = min(target.count, total - produced, chunk.count)
            chunk.withUnsafeBytes { if n > 0 { target.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: n) } }
            produced += n
            state.read(n)
            return n
        }, write: { bytes in
            state.wrote(bytes.count)
        })
        let slots = report.slots
        #expect(report.slotsInUseHighWater <= slots)
        // Read-ahead never exceeds the window (slots × batch) plus one read.
        #expect(state.maxLead <= slots * ParallelBody.batchBytes + chunk.count, "lead \(state.maxLead)")
        #expect(state.totalRead == total)
        // The buffers for the largest frames the pipeline takes at all cores stay far below 64 MiB.
        #expect(ParallelBody.bufferBytes(frameLength: 1 << 20, jobs: 2) <= 32 << 20)
        #expect(ParallelBody.bufferBytes(frameLength: 4096, jobs: 8) <= 48 << 20)
    }

    @Test("pipelined bytes equal the sequential ones through reads and writes of any size, encrypt and decrypt",
          arguments: [1, 2, 4])
    func readerHelpsBytesUnchanged(jobs: Int) async throws {
        let suite = AlgorithmSuite.aes256GCMHKDFSHA512CommitKey
        let frameLength = 16384
        let plaintext = Fixtures.plaintext(10 * ParallelBody.batchBytes + 4321, seed: 77)
        let (a, b) = try await Self.encryptorPair(suite: suite, frameLength: frameLength)
        let sequential = try Self.sequentialBody(a, plaintext)
        var body: [UInt8] = []
        let sealed = try ParallelBody.encrypt(b, jobs: jobs, read: MemoryReader(plaintext).read, write: { bytes in
            body += bytes
        })
        #expect(body == sequential)
        // Decrypt the same body (after its header) through the pipeline, again behind a slow writer.
        let decryptor = try await Self.decryptor(forHeader: b.headerBytes)
        var decrypted: [UInt8] = []
        let opened = try ParallelBody.decrypt(decryptor, jobs: jobs, read: MemoryReader(body, maxRead: 1 << 20).read, write: { bytes in
            decrypted += bytes
        })
        #expect(decrypted == plaintext)
        if jobs == 1 {
            #expect(sealed.framesTransformedByReader == 0 && opened.framesTransformedByReader == 0, "one job: a dedicated thread does all AES")
        }
        // That the reader seals frames when the window is full is checked deterministically
        // by framesClaimedOnce below.
    }

    @Test("every frame is transformed exactly once and written in order; the filler takes frames when the window is full",
          arguments: [1, 2, 3])
    func framesClaimedOnce(jobs: Int) throws {
        let batches = 12, framesPerBatch = 10
        let slots = try (0..<4).map { _ in try PipelineSlot(inputCapacity: 16, outputCapacity: 16, frameCapacity: framesPerBatch, plaintext: .input) }
        let log = TransformLog(batches: batches, framesPerBatch: framesPerBatch)
        // The dedicated workers wait until the filler (context jobs - 1) has transformed a frame
        // itself, so the window fills and the filler must help: no bet on the scheduler.
        let fillerHelped = Gate()
        var batch = 0
        let pipeline = FramePipeline(slots: slots, jobs: jobs, fill: { slot in
            for i in 0..<framesPerBatch {
                slot.frames.append(PipelineFrame(sequence: UInt32(batch * framesPerBatch + i + 1), isFinal: false, inputOffset: 0,
                                                 contentLength: 0, outputOffset: 0))
            }
            slot.isLast = batch == batches - 1
            batch += 1
        }, transform: { slot, frames, context in
            if jobs > 1 && context < jobs - 1 {
                #expect(fillerHelped.waitOpen(seconds: 60), "the filler never transformed a frame while the window was full")
            }
            for i in frames { log.transformed(sequence: slot.frames[i].sequence, context: context) }
            if jobs > 1 && context == jobs - 1 { fillerHelped.open() }
        }, hash: nil, hashesInput: false, write: { slot in
            log.written(slot.frames.map(\.sequence))
        })
        let statistics = try pipeline.run()
        let total = batches * framesPerBatch
        #expect(log.counts == Array(repeating: 1, count: total), "a frame transformed twice or never")
        #expect(log.order == (1...total).map { UInt32($0) }, "written out of order")
        #expect(log.contexts.allSatisfy { $0 < jobs }, "an AES context index out of range")
        if jobs == 1 {
            #expect(statistics.framesTransformedByFiller == 0)
        } else {
            #expect(statistics.framesTransformedByFiller > 0)
            #expect(log.contexts.contains(jobs - 1), "the filler's context was never used")
        }
    }

    @Test("the scheduler: frames are claimed once each in runs, batches finish in order, slots are reused only when written and hashed",
          arguments: [1, 2, 4])
    func schedulerState(jobs: Int) {
        var state = PipelineState(slots: 4, jobs: jobs, hashes: true, hashesInput: false)
        // Fill the window: four batches of 10 frames; the fifth must wait.
        for batch in 0..<4 {
            #expect(!state.windowFull(for: batch))
            let advanced = state.recordFill(batch: batch, frames: 10, isLast: false)
            #expect(!advanced)
        }
        #expect(state.windowFull(for: 4))
        // Claim everything: runs of ceil(10 / (2·jobs)) frames, oldest batch first, each frame once.
        var claims: [(slot: Int, frames: Range<Int>)] = []
        while let claim = state.claimFrames() { claims.append(claim) }
        let run = max(1, (10 + 2 * jobs - 1) / (2 * jobs))
        #expect(claims.allSatisfy { $0.frames.count <= run })
        for slot in 0..<4 {
            let covered = claims.filter { $0.slot == slot }.flatMap { Array($0.frames) }
            #expect(covered == Array(0..<10), "slot \(slot) frames claimed \(covered)")
        }
        #expect(claims.map(\.slot) == claims.map(\.slot).sorted(), "a younger batch was claimed before an older one")
        #expect(!state.hasClaimableFrames)
        // Finishing batch 1 before batch 0 moves nothing; finishing batch 0 moves both, in order.
        for claim in claims where claim.slot == 1 {
            let advanced = state.finishFrames(ofSlot: 1, count: claim.frames.count)
            #expect(!advanced)
        }
        #expect(state.transformed == 0)
        for claim in claims where claim.slot == 0 { _ = state.finishFrames(ofSlot: 0, count: claim.frames.count) }
        #expect(state.transformed == 2)
        // Written but not hashed: the slot is still in use (the digest reads it).
        state.written = 2
        #expect(state.windowFull(for: 4))
        state.hashed = 1
        #expect(!state.windowFull(for: 4) && state.windowFull(for: 5))
        // The last batch: once filled and every frame claimed, the workers may stop.
        #expect(!state.allClaimed)
        _ = state.recordFill(batch: 4, frames: 3, isLast: true)
        #expect(!state.allClaimed)
        while state.claimFrames() != nil {}
        #expect(state.allClaimed)
    }

    @Test("slots give back all the address space they map, whatever their sizes")
    func slotsUnmapEverything() throws {
        #if os(Linux)
        func virtualKiB() throws -> Int {
            let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
            let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmSize:") })
            return try #require(procStatusKiB(line), "unexpected /proc/self/status line: \(line)")
        }
        // VmSize is the whole process's, and other suites map and unmap in parallel (pipeline
        // windows, thread stacks). A slot that kept what it maps would grow it by at least 4 MiB
        // (the 2 MiB over-mapping of each of its two buffers) every round, 160 MiB per trial; so the
        // least growth over three trials is compared with 1 MiB a round, far below a leak and far
        // above what the other suites' traffic leaves in all three trials.
        var growths: [Int] = []
        for _ in 0..<3 {
            let before = try virtualKiB()
            for round in 0..<40 {
                // Sizes on and off page and huge-page boundaries, like the encrypt and decrypt batches.
                let slot = try PipelineSlot(inputCapacity: (2 << 20) + round * 1001, outputCapacity: (2 << 20) + 12_345 + round,
                                            frameCapacity: 1, plaintext: .input)
                slot.free()
            }
            growths.append(try virtualKiB() - before)
        }
        #expect(growths.min()! < 40 * 1024, "address space grew by \(growths) KiB over three trials of 40 slots")
        #endif
    }

    @Test("/proc/self/status lines parse whatever their padding")
    func procStatusParsing() {
        #expect(procStatusKiB("VmSize:\t  123456 kB") == 123456)
        #expect(procStatusKiB("VmSize:\t12345678901 kB") == 12_345_678_901)
        #expect(procStatusKiB("VmSize: 42 kB") == 42)
        #expect(procStatusKiB("VmSize:\t  123456") == nil)
        #expect(procStatusKiB("VmSize") == nil)
    }

    @Test("a slot wipes exactly the plaintext its batches held, on the side that holds plaintext")
    func slotWipesWhatWasUsed() throws {
        let encrypting = try PipelineSlot(inputCapacity: 4 << 20, outputCapacity: 4 << 20, frameCapacity: 1, plaintext: .input)
        encrypting.inputCount = 70_000
        encrypting.outputCount = 3 << 20   // ciphertext: not wiped
        encrypting.reset()
        encrypting.inputCount = 5_000
        #expect(encrypting.free() == 70_000)
        #expect(encrypting.free() == 0, "freed twice")
        let decrypting = try PipelineSlot(inputCapacity: 4 << 20, outputCapacity: 4 << 20, frameCapacity: 1, plaintext: .output)
        decrypting.inputCount = 3 << 20
        decrypting.outputCount = 12_345
        #expect(decrypting.free() == 12_345)
    }

    @Test("pipelined decrypt: a flipped bit, a reordered frame, truncation and trailing bytes fail; no output file",
          arguments: [AlgorithmSuite.aes256GCMHKDFSHA512CommitKey, .aes256GCMHKDFSHA512CommitKeyECDSAP384])
    func tampering(suite: AlgorithmSuite) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("envelope-pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let client = try EnvelopeClient(concurrency: 2)
        let keyring = try Fixtures.aesKeyring()
        let frameLength = 4096
        let plaintext = Fixtures.plaintext(frameLength * 1500 + 99)
        let message = try await client.encrypt(plaintext, keyring: keyring, suite: suite, frameLength: frameLength).ciphertext
        let headerLength = try message.withUnsafeBytes { bytes -> Int in
            guard case .header(let h) = try HeaderCodec.parse(bytes, maxEncryptedDataKeys: nil) else { return 0 }
            return h.totalLength
        }
        let wire = frameLength + BodyCodec.regularFrameOverhead
        var flipped = message
        flipped[headerLength + 1200 * wire + 100] ^= 1
        var reordered = message
        let a = headerLength + 700 * wire, b = a + wire
        reordered.replaceSubrange(a..<(b + wire), with: Array(message[b..<(b + wire)]) + Array(message[a..<b]))
        let truncated = Array(message[0..<(message.count - 10)])
        let trailing = message + [0]
        for (name, bad, code) in [("flipped", flipped, EnvelopeError.Code.authenticationFailed), ("reordered", reordered, .malformedMessage),
                                  ("truncated", truncated, suite.isSigned ? .malformedMessage : .malformedMessage),
                                  ("trailing", trailing, .malformedMessage)] {
            let input = dir.appendingPathComponent(name)
            try Data(bad).write(to: input)
            let output = dir.appendingPathComponent(name + ".out")
            _ = await expectEnvelopeError(code) { _ = try await client.decryptFile(at: input, to: output, keyring: keyring) }
            #expect(!FileManager.default.fileExists(atPath: output.path), "\(name): output appeared")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".tmp") }
            #expect(leftovers.isEmpty, "\(name): temporary file left")
            _ = await expectEnvelopeError(code) { _ = try await client.decrypt(bad, keyring: keyring) }
        }
    }
}

/// The value of a `/proc/self/status` line such as `VmSize:\t  123456 kB` in KiB. The label is
/// followed by a tab and padding spaces, or by no space at all once the number is wide (a process
/// under ThreadSanitizer maps terabytes): split on any whitespace, after the colon.
func procStatusKiB(_ line: Substring) -> Int? {
    guard let colon = line.firstIndex(of: ":") else { return nil }
    let fields = line[line.index(after: colon)...].split(whereSeparator: \.isWhitespace)
    guard fields.count == 2, fields[1] == "kB" else { return nil }
    return Int(fields[0])
}

/// A one-way gate between threads: closed until ``open()``.
final class Gate: @unchecked Sendable {
    private let condition = NSCondition()
    private var isOpen = false

    func open() {
        condition.lock()
        isOpen = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until open; false if `seconds` passed first (a deadlock guard, not a timing bet).
    func waitOpen(seconds: Double) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: seconds)
        while !isOpen { if !condition.wait(until: deadline) { return isOpen } }
        return true
    }
}

/// What a pipeline's transform and write stages did, from several threads.
final class TransformLog: @unchecked Sendable {
    private let lock = NSLock()
    private var perFrame: [Int]
    private var writtenOrder: [UInt32] = []
    private var usedContexts: Set<Int> = []

    init(batches: Int, framesPerBatch: Int) { perFrame = Array(repeating: 0, count: batches * framesPerBatch) }

    var counts: [Int] { lock.withLock { perFrame } }
    var order: [UInt32] { lock.withLock { writtenOrder } }
    var contexts: Set<Int> { lock.withLock { usedContexts } }

    func transformed(sequence: UInt32, context: Int) {
        lock.withLock {
            perFrame[Int(sequence) - 1] += 1
            usedContexts.insert(context)
        }
    }

    func written(_ sequences: [UInt32]) { lock.withLock { writtenOrder += sequences } }
}

/// Counts bytes read ahead of bytes written (the pipeline's reader and writer run on different threads).
final class LeadTracker: @unchecked Sendable {
    private let lock = NSLock()
    private var readBytes = 0
    private var writtenPlain = 0
    private(set) var maxLead = 0
    var totalRead: Int { lock.withLock { readBytes } }

    func read(_ n: Int) {
        lock.withLock {
            readBytes += n
            maxLead = max(maxLead, readBytes - writtenPlain)
        }
    }

    /// Message bytes written; counted as plaintext (frame overhead makes this an overestimate of progress, never an under-).
    func wrote(_ n: Int) {
        lock.withLock { writtenPlain += n }
    }
}

@Suite("Descriptor encryption")
struct DescriptorTests {
    static func openFile(_ url: URL, write: Bool) throws -> FileDescriptor {
        write ? try FileDescriptor.open(url.path, .writeOnly, options: [.create, .truncate], permissions: .ownerReadWrite)
              : try FileDescriptor.open(url.path, .readOnly)
    }

    @Test("descriptor to descriptor round trip, pipelined and long-frame paths",
          arguments: [(65536, 5 << 20), (100, 1000), (20 << 20, 3 << 20)], [1, 2])
    func roundTrip(shape: (Int, Int), jobs: Int) async throws {
        let (frameLength, length) = shape
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("envelope-fd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let plaintext = Fixtures.plaintext(length, seed: 3)
        let plain = dir.appendingPathComponent("plain"), enc = dir.appendingPathComponent("enc"), dec = dir.appendingPathComponent("dec")
        try Data(plaintext).write(to: plain)
        let client = try EnvelopeClient(concurrency: jobs)
        let keyring = try Fixtures.aesKeyring()
        var input = try Self.openFile(plain, write: false), output = try Self.openFile(enc, write: true)
        let encrypted = try await client.encrypt(from: input, to: output, keyring: keyring, frameLength: frameLength)
        try input.close(); try output.close()
        #expect(encrypted.ciphertext.isEmpty && encrypted.header.frameLength == frameLength)
        let message = [UInt8](try Data(contentsOf: enc))
        #expect(try await EnvelopeClient().decrypt(message, keyring: keyring).plaintext == plaintext)
        input = try Self.openFile(enc, write: false); output = try Self.openFile(dec, write: true)
        let result = try await client.decrypt(from: input, to: output, keyring: keyring)
        try input.close(); try output.close()
        #expect(result.decryptedDataKey == encrypted.encryptedDataKeys.first)
        #expect(result.frameLength == frameLength)
        #expect([UInt8](try Data(contentsOf: dec)) == plaintext)
    }

    @Test("signed messages: the final frame is not written when the signature does not verify", arguments: [1, 2])
    func finalFrameHeld(jobs: Int) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("envelope-fd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let client = try EnvelopeClient(concurrency: jobs)
        let keyring = try Fixtures.aesKeyring()
        let frameLength = 4096
        let plaintext = Fixtures.plaintext(frameLength * 20 + 1000)
        var message = try await client.encrypt(plaintext, keyring: keyring, frameLength: frameLength).ciphertext
        message[message.count - 5] ^= 0x40   // inside the DER signature
        let enc = dir.appendingPathComponent("enc"), dec = dir.appendingPathComponent("dec")
        try Data(message).write(to: enc)
        let input = try Self.openFile(enc, write: false), output = try Self.openFile(dec, write: true)
        defer { try? input.close(); try? output.close() }
        _ = await expectEnvelopeError(.authenticationFailed) {
            _ = try await client.decrypt(from: input, to: output, keyring: keyring)
        }
        let written = [UInt8](try Data(contentsOf: dec))
        // Every regular frame verified and may be out; the final frame's 1000 bytes were held back.
        #expect(written.count <= frameLength * 20)
        #expect(written == Array(plaintext[0..<written.count]))
    }
}
