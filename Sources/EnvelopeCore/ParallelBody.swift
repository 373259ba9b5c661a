import EnvelopeCrypto

/// Reads up to `buffer.count` bytes into `buffer`; returns 0 only at the end of the input.
typealias BodyRead = (UnsafeMutableRawBufferPointer) throws -> Int
/// Takes bytes in message order (a copy must be made if they are kept: the buffer is reused).
typealias BodyWrite = (UnsafeRawBufferPointer) throws -> Void
/// Told the cumulative number of input bytes consumed so far (at most once per batch).
typealias BodyProgress = (Int64) -> Void

/// Where a body comes from: a read callback, whose bytes are copied into the batch buffers, or
/// memory the caller keeps valid until the pipeline returns, which batches point into (no copy).
enum BodyInput {
    case reader(BodyRead)
    case memory(UnsafeRawBufferPointer)

    var borrows: Bool {
        if case .memory = self { return true }
        return false
    }
}

/// Encrypts and decrypts message bodies through ``FramePipeline``: batches of frames sealed or
/// opened on `jobs` cores, the digest of signed suites computed beside them, output in order.
/// Produces exactly the bytes of the sequential path (same frames, same sequence numbers).
enum ParallelBody {
    /// Plaintext bytes per batch (rounded to whole frames, at least one frame).
    static let batchBytes = 2 << 20
    /// The largest frame length the pipeline takes; longer frames use the sequential path.
    static let maxFrameLength = 16 << 20

    static func slotCount(jobs: Int) -> Int { Swift.max(4, jobs + 2) }

    static func framesPerBatch(frameLength: Int) -> Int { Swift.max(1, batchBytes / frameLength) }

    /// Memory the pipeline holds for a message with this frame length (buffers only).
    static func bufferBytes(frameLength: Int, jobs: Int) -> Int {
        let frames = framesPerBatch(frameLength: frameLength)
        let wire = FrameEncryptor.frameSize(contentLength: frameLength, isFinal: true)
        return slotCount(jobs: jobs) * ((frames + 1) * wire + frames * frameLength)
    }

    struct Report {
        /// The most batches that were held at once.
        var slotsInUseHighWater: Int
        var slots: Int
        /// Frames the reading thread sealed or opened itself (jobs ≥ 2, when the window was full).
        var framesTransformedByReader: Int
        /// The batch buffers mapped at the end of the run (they only grow): sized by the message,
        /// never more than ``bufferBytes(frameLength:jobs:)``.
        var mappedBytes: Int
    }

    // MARK: - encrypt

    /// Seals the body read from `read` (header already written) and writes frames and footer.
    /// `progress`, when given, is told after each batch is read how many plaintext bytes were read so far.
    @discardableResult
    static func encrypt(_ encryptor: FrameEncryptor, jobs: Int, read: @escaping BodyRead, write: @escaping BodyWrite,
                        progress: BodyProgress? = nil) throws -> Report {
        try encrypt(encryptor, jobs: jobs, input: .reader(read), write: write, progress: progress)
    }

    /// Seals the body from `input` (header already written) and writes frames and footer.
    @discardableResult
    static func encrypt(_ encryptor: FrameEncryptor, jobs: Int, input: BodyInput, write: @escaping BodyWrite,
                        progress: BodyProgress? = nil) throws -> Report {
        let frameLength = encryptor.frameLength
        let perBatch = framesPerBatch(frameLength: frameLength)
        let plaintextCapacity = perBatch * frameLength
        let outputCapacity = perBatch * FrameEncryptor.frameSize(contentLength: frameLength, isFinal: false)
            + FrameEncryptor.frameSize(contentLength: 0, isFinal: true)
        let slots = try (0..<slotCount(jobs: jobs)).map { _ in
            try PipelineSlot(inputCapacity: input.borrows ? 0 : plaintextCapacity, outputCapacity: outputCapacity,
                         frameCapacity: perBatch + 1, plaintext: .input, mapNow: false)
        }
        let sealers = try (0..<jobs).map { _ in try encryptor.makeSealer() }
        var nextSequence: UInt64 = 1
        var inputEnded = false
        var consumed: Int64 = 0
        var memoryOffset = 0

        let fill: FramePipeline.Fill = { slot in
            var n = 0
            switch input {
            case .reader(let read):
                while n < plaintextCapacity && !inputEnded {
                    if n == slot.input.count {
                        try slot.reserveInput(PipelineSlot.nextReserve(holding: n, limit: plaintextCapacity), keeping: n)
                    }
                    let r = try read(UnsafeMutableRawBufferPointer(rebasing: slot.input[n..<slot.input.count]))
                    if r == 0 { inputEnded = true } else { n += r }
                    slot.inputCount = n  // so a read error after this still wipes what was read
                }
            case .memory(let bytes):
                n = Swift.min(plaintextCapacity, bytes.count - memoryOffset)
                slot.borrowedInput = UnsafeRawBufferPointer(rebasing: bytes[memoryOffset..<(memoryOffset + n)])
                memoryOffset += n
                // All of it is here: the batch that reaches the end is the last (with an empty
                // final frame after whole frames, as when a read returns nothing).
                inputEnded = memoryOffset == bytes.count
            }
            // A full batch is not known to be the last until the next read returns nothing;
            // then the last batch holds only the empty final frame, as on the sequential path.
            // Spec: data-format/message-body.md — an exact multiple ends with an empty final frame.
            let regular = inputEnded ? n / frameLength : perBatch
            var out = 0
            for i in 0..<regular {
                // Spec: data-format/message-body.md ("Framed Data") — at most 2^32-1 frames.
                guard nextSequence < UInt64(BodyCodec.finalFrameMarker) else {
                    throw EnvelopeError.limit(LimitFailure(.frameCount, value: UInt64(UInt32.max) + 1, maximum: UInt64(UInt32.max)), "The message would need more than 2^32-1 frames. Use a larger frame length.")
                }
                slot.frames.append(PipelineFrame(sequence: UInt32(nextSequence), isFinal: false, inputOffset: i * frameLength,
                                                 contentLength: frameLength, outputOffset: out))
                out += FrameEncryptor.frameSize(contentLength: frameLength, isFinal: false)
                nextSequence += 1
            }
            if inputEnded {
                let rest = n - regular * frameLength
                slot.frames.append(PipelineFrame(sequence: UInt32(nextSequence), isFinal: true, inputOffset: regular * frameLength,
                                                 contentLength: rest, outputOffset: out))
                out += FrameEncryptor.frameSize(contentLength: rest, isFinal: true)
                slot.isLast = true
            }
            slot.inputCount = n
            slot.outputCount = out
            try slot.reserveOutput(out)
            if let progress {
                consumed += Int64(n)
                progress(consumed)
            }
        }
        let transform: FramePipeline.Transform = { slot, frames, context in
            let sealer = sealers[context]
            for i in frames {
                let f = slot.frames[i]
                _ = try sealer.seal(UnsafeRawBufferPointer(rebasing: slot.readableInput[f.inputOffset..<(f.inputOffset + f.contentLength)]),
                                   sequence: f.sequence, isFinal: f.isFinal,
                                   into: UnsafeMutableRawBufferPointer(rebasing: slot.output[f.outputOffset...]))
            }
        }
        let hash: FramePipeline.Hash? = encryptor.suite.isSigned
            ? { slot in encryptor.absorb(UnsafeRawBufferPointer(rebasing: slot.output[0..<slot.outputCount])) }
            : nil
        let pipeline = FramePipeline(slots: slots, jobs: jobs, fill: fill, transform: transform, hash: hash, hashesInput: false,
                                     write: { slot in try write(UnsafeRawBufferPointer(rebasing: slot.output[0..<slot.outputCount])) })
        defer { slots.forEach { $0.free() } }
        let statistics = try pipeline.run()
        let footer = try encryptor.footer()
        if !footer.isEmpty { try footer.withUnsafeBytes { try write($0) } }
        return Report(slotsInUseHighWater: statistics.slotsInUseHighWater, slots: slots.count,
                      framesTransformedByReader: statistics.framesTransformedByFiller, mappedBytes: slots.reduce(0) { $0 + $1.mappedBytes })
    }

    // MARK: - decrypt

    /// Opens the body read from `read` (everything after the header) and writes the plaintext;
    /// verifies the footer at the end. Any bytes after the message are an error. `progress`, when
    /// given, is told after each batch is read `progressBase` plus the bytes read so far.
    @discardableResult
    static func decrypt(_ decryptor: FrameDecryptor, jobs: Int, read: @escaping BodyRead, write: @escaping BodyWrite,
                        progress: BodyProgress? = nil, progressBase: Int64 = 0) throws -> Report {
        try decrypt(decryptor, jobs: jobs, input: .reader(read), write: write, progress: progress, progressBase: progressBase)
    }

    /// Opens the body from `input` (everything after the header); see the `read:` variant.
    @discardableResult
    static func decrypt(_ decryptor: FrameDecryptor, jobs: Int, input: BodyInput, write: @escaping BodyWrite,
                        progress: BodyProgress? = nil, progressBase: Int64 = 0) throws -> Report {
        let header = decryptor.header
        precondition(header.contentType == .framed, "the pipeline handles framed bodies only")
        let frameLength = Int(header.frameLength)
        let perBatch = framesPerBatch(frameLength: frameLength)
        let regularWire = FrameEncryptor.frameSize(contentLength: frameLength, isFinal: false)
        let finalWireMax = FrameEncryptor.frameSize(contentLength: frameLength, isFinal: true)
        // Room for the carried partial frame, a whole batch and a final frame after it.
        let inputCapacity = perBatch * regularWire + finalWireMax + regularWire
        let slots = try (0..<slotCount(jobs: jobs)).map { _ in
            try PipelineSlot(inputCapacity: input.borrows ? 0 : inputCapacity, outputCapacity: perBatch * frameLength,
                         frameCapacity: perBatch, plaintext: .output, mapNow: false)
        }
        let openers = try (0..<jobs).map { _ in try decryptor.makeOpener() }
        var expectedSequence: UInt32 = 1
        var received = 0
        var carrySlot: PipelineSlot?
        var carryRange = 0..<0
        var footer: [UInt8] = []
        let maxFooter = 2 + Int(UInt16.max)

        let fill: FramePipeline.Fill = { slot in
            // The bytes this batch parses: the rest of the message in memory, or the slot's own
            // buffer holding the partial frame carried from the previous batch, then reads.
            // The slot's buffer is mapped as the bytes arrive (it may move while it grows).
            var window: UnsafeRawBufferPointer
            var count: Int
            switch input {
            case .memory(let bytes):
                window = UnsafeRawBufferPointer(rebasing: bytes[received...])
                count = window.count
            case .reader:
                count = 0
                if let from = carrySlot, !carryRange.isEmpty {
                    try slot.reserveInput(PipelineSlot.nextReserve(holding: carryRange.count, limit: inputCapacity), keeping: 0)
                    slot.input.baseAddress!.copyMemory(from: from.input.baseAddress! + carryRange.lowerBound, byteCount: carryRange.count)
                    count = carryRange.count
                }
                carrySlot = nil
                window = UnsafeRawBufferPointer(slot.input)
            }
            var cursor = 0
            var out = 0
            var sawFinal = false
            while slot.frames.count < perBatch && !sawFinal {
                switch try parseFrame(UnsafeRawBufferPointer(rebasing: window[cursor..<count]), expected: expectedSequence,
                                      frameLength: frameLength) {
                case .needMore:
                    let r: Int
                    if case .reader(let read) = input {
                        if count == slot.input.count {
                            try slot.reserveInput(PipelineSlot.nextReserve(holding: count, limit: inputCapacity), keeping: count)
                            window = UnsafeRawBufferPointer(slot.input)
                        }
                        r = try read(UnsafeMutableRawBufferPointer(rebasing: slot.input[count..<slot.input.count]))
                    } else {
                        r = 0
                    }
                    guard r > 0 else {
                        let length = header.totalLength + received + (input.borrows ? count : 0)
                        throw EnvelopeError.malformed("the message is truncated after \(length) bytes")
                    }
                    received += r
                    count += r
                case .frame(let isFinal, let ivOffset, let length, let wire):
                    slot.frames.append(PipelineFrame(sequence: expectedSequence, isFinal: isFinal, inputOffset: cursor + ivOffset,
                                                     contentLength: length, outputOffset: out))
                    cursor += wire
                    out += length
                    if isFinal {
                        sawFinal = true
                    } else {
                        // Spec: message-body.md — at most 2^32-1 frames; only the final frame may carry 2^32-1.
                        guard expectedSequence < BodyCodec.finalFrameMarker else {
                            throw EnvelopeError.malformed("the message has more than 2^32-1 frames")
                        }
                        expectedSequence += 1
                    }
                }
            }
            slot.inputCount = cursor
            slot.outputCount = out
            try slot.reserveOutput(out)
            if input.borrows {
                slot.borrowedInput = UnsafeRawBufferPointer(rebasing: window[0..<cursor])
                received += cursor
            }
            if sawFinal {
                // Everything after the final frame is the footer (signed suites) and must end the input.
                footer = Array(UnsafeRawBufferPointer(rebasing: window[cursor..<count]))
                if case .reader(let read) = input {
                    var scratch = [UInt8](repeating: 0, count: 64 * 1024)
                    while footer.count <= maxFooter {
                        let r = try scratch.withUnsafeMutableBytes { try read($0) }
                        if r == 0 { break }
                        received += r
                        footer += scratch[0..<r]
                    }
                } else {
                    received += footer.count
                }
                if footer.count > maxFooter || (!header.suite.isSigned && !footer.isEmpty) {
                    throw EnvelopeError.malformed("unexpected bytes follow the end of the message")
                }
                slot.isLast = true
            } else if !input.borrows {
                carrySlot = slot
                carryRange = cursor..<count
            }
            progress?(progressBase + Int64(received))
        }
        let transform: FramePipeline.Transform = { slot, frames, context in
            let opener = openers[context]
            let bytes = slot.readableInput
            for i in frames {
                let f = slot.frames[i]
                let iv = f.inputOffset, content = iv + AESGCM.ivLength + (f.isFinal ? 4 : 0), tag = content + f.contentLength
                try opener.open(sequence: f.sequence, isFinal: f.isFinal,
                                iv: UnsafeRawBufferPointer(rebasing: bytes[iv..<(iv + AESGCM.ivLength)]),
                                ciphertext: UnsafeRawBufferPointer(rebasing: bytes[content..<tag]),
                                tag: UnsafeRawBufferPointer(rebasing: bytes[tag..<(tag + AESGCM.tagLength)]),
                                into: UnsafeMutableRawBufferPointer(rebasing: slot.output[f.outputOffset..<(f.outputOffset + f.contentLength)]))
            }
        }
        let hash: FramePipeline.Hash? = header.suite.isSigned
            ? { slot in decryptor.absorb(UnsafeRawBufferPointer(rebasing: slot.readableInput[0..<slot.inputCount])) }
            : nil
        // Spec: client-apis/decrypt.md ("Verify the signature") — for signed suites the final
        // frame's plaintext is held back until the signature verifies.
        let holdsFinalFrame = header.suite.isSigned
        let held = ByteAccumulator(capacity: 0)
        let writeBatch: FramePipeline.Write = { slot in
            var end = slot.outputCount
            if holdsFinalFrame, slot.isLast, let final = slot.frames.last, final.isFinal {
                end = final.outputOffset
                held.append(UnsafeRawBufferPointer(rebasing: slot.output[end..<slot.outputCount]))
            }
            try write(UnsafeRawBufferPointer(rebasing: slot.output[0..<end]))
        }
        let pipeline = FramePipeline(slots: slots, jobs: jobs, fill: fill, transform: transform, hash: hash, hashesInput: true,
                                     write: writeBatch)
        defer { held.wipe() }
        defer { slots.forEach { $0.free() } }
        let statistics = try pipeline.run()
        try footer.withUnsafeBytes { try decryptor.verifyFooter($0) }
        if held.count > 0 { try write(held.readable) }
        return Report(slotsInUseHighWater: statistics.slotsInUseHighWater, slots: slots.count,
                      framesTransformedByReader: statistics.framesTransformedByFiller, mappedBytes: slots.reduce(0) { $0 + $1.mappedBytes })
    }

    enum ParsedFrame {
        case needMore
        /// `ivOffset` is relative to the frame start; `wire` is the frame's total size.
        case frame(isFinal: Bool, ivOffset: Int, length: Int, wire: Int)
    }

    /// Parses the frame at the start of `bytes` (``BodyCodec/parseFrame(_:frameLength:expectedSequence:)``)
    /// and returns offsets relative to its start, which stay valid when the buffer moves.
    /// Spec: data-format/message-body.md ("Framed Data").
    static func parseFrame(_ bytes: UnsafeRawBufferPointer, expected: UInt32, frameLength: Int) throws -> ParsedFrame {
        guard let view = try BodyCodec.parseFrame(bytes, frameLength: UInt32(frameLength), expectedSequence: expected) else { return .needMore }
        return .frame(isFinal: view.isFinal, ivOffset: view.iv.baseAddress! - bytes.baseAddress!, length: view.ciphertext.count,
                      wire: view.wireLength)
    }
}
