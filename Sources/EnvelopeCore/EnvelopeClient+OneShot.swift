import EnvelopeCrypto

extension EnvelopeClient {
    /// Encrypts a byte buffer with a keyring (through a ``DefaultMaterialsManager``).
    ///
    /// - Parameters:
    ///   - plaintext: the bytes to encrypt.
    ///   - keyring: generates and wraps the data key.
    ///   - encryptionContext: non-secret pairs bound to the message; keys may not start with `aws-crypto-`.
    ///   - suite: the algorithm suite; nil picks the commitment policy's default (0x0578).
    ///   - frameLength: 1...2^31-1 bytes per frame (default 4096).
    public func encrypt(_ plaintext: [UInt8], keyring: any EncryptionKeyring, encryptionContext: EncryptionContext = [:],
                        suite: AlgorithmSuite? = nil, frameLength: Int = EnvelopeClient.defaultFrameLength) async throws -> EncryptResult {
        try await encrypt(plaintext, materialsManager: DefaultMaterialsManager(encryptionKeyring: keyring),
                          encryptionContext: encryptionContext, suite: suite, frameLength: frameLength)
    }

    /// Encrypts a byte buffer with a materials manager.
    public func encrypt(_ plaintext: [UInt8], materialsManager: any EncryptionMaterialsManager, encryptionContext: EncryptionContext = [:],
                        suite: AlgorithmSuite? = nil, frameLength: Int = EnvelopeClient.defaultFrameLength) async throws -> EncryptResult {
        let encryptor = try await makeEncryptor(materialsManager: materialsManager, encryptionContext: encryptionContext,
                                                suite: suite, frameLength: frameLength, plaintextLength: plaintext.count)
        let fullFrames = plaintext.count / frameLength
        let finalLength = plaintext.count - fullFrames * frameLength
        guard fullFrames < Int(UInt32.max) - 1 else {
            throw EnvelopeError(.limitExceeded, "The plaintext needs more than 2^32-1 frames of \(frameLength) bytes. Use a larger frame length.")
        }
        let header = encryptor.headerBytes
        if concurrency > 1 && plaintext.count >= 2 * ParallelBody.batchBytes && frameLength <= ParallelBody.maxFrameLength {
            return try await encryptPipelined(plaintext, encryptor: encryptor)
        }
        let capacity = header.count + fullFrames * FrameEncryptor.frameSize(contentLength: frameLength, isFinal: false)
            + FrameEncryptor.frameSize(contentLength: finalLength, isFinal: true) + FrameEncryptor.maxFooterLength
        let ciphertext = try [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            let out = UnsafeMutableRawBufferPointer(buffer)
            count = 0
            header.withUnsafeBytes { out.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            var o = header.count
            try plaintext.withUnsafeBytes { input in
                for i in 0..<fullFrames {
                    let slice = UnsafeRawBufferPointer(rebasing: input[(i * frameLength)..<((i + 1) * frameLength)])
                    o += try encryptor.sealFrame(slice, isFinal: false, into: UnsafeMutableRawBufferPointer(rebasing: out[o...]))
                }
                // Spec: message-body.md — an exact multiple of the frame length ends with an empty final frame.
                let last = UnsafeRawBufferPointer(rebasing: input[(fullFrames * frameLength)...])
                o += try encryptor.sealFrame(last, isFinal: true, into: UnsafeMutableRawBufferPointer(rebasing: out[o...]))
            }
            let footer = try encryptor.footer()
            for b in footer { out[o] = b; o += 1 }
            count = o
        }
        return EncryptResult(ciphertext: ciphertext, header: encryptor.header.info)
    }

    /// Decrypts a complete message with a keyring (through a ``DefaultMaterialsManager``).
    ///
    /// - Parameters:
    ///   - message: the complete ESDK message (binary, not base64).
    ///   - keyring: unwraps one of the message's data keys.
    ///   - encryptionContext: the reproduced context: pairs that must match the header, and the
    ///     required pairs that were authenticated but not stored.
    /// - Returns: the plaintext, the full encryption context and the suite found.
    public func decrypt(_ message: [UInt8], keyring: any DecryptionKeyring, encryptionContext: EncryptionContext = [:]) async throws -> DecryptResult {
        try await decrypt(message, materialsManager: DefaultMaterialsManager(decryptionKeyring: keyring), encryptionContext: encryptionContext)
    }

    /// Decrypts a complete message with a materials manager. Nothing is returned unless every
    /// frame tag and (for signed suites) the signature verify.
    public func decrypt(_ message: [UInt8], materialsManager: any DecryptionMaterialsManager,
                        encryptionContext: EncryptionContext = [:]) async throws -> DecryptResult {
        let parsed = try message.withUnsafeBytes { try parseHeader($0) }
        guard case .header(let header) = parsed else {
            throw EnvelopeError.malformed("the message ends inside its header (\(message.count) bytes)")
        }
        let (decryptor, materials) = try await makeDecryptor(header: header, materialsManager: materialsManager,
                                                             reproducedEncryptionContext: encryptionContext)
        if concurrency > 1 && header.contentType == .framed && message.count - header.totalLength >= 2 * ParallelBody.batchBytes
            && Int(header.frameLength) <= ParallelBody.maxFrameLength {
            let plaintext = try await decryptPipelined(message, bodyOffset: header.totalLength, decryptor: decryptor)
            return DecryptResult(plaintext: plaintext, header: header, materials: materials)
        }
        let plaintext = try [UInt8](unsafeUninitializedCapacity: max(message.count - header.totalLength, 0)) { buffer, count in
            count = 0
            let out = UnsafeMutableRawBufferPointer(buffer)
            var produced = 0
            do {
                try message.withUnsafeBytes { input in
                    var offset = header.totalLength
                    while true {
                        // Frames are decrypted straight into the result buffer.
                        let step = try decryptor.step(UnsafeRawBufferPointer(rebasing: input[offset...]),
                                                      output: UnsafeMutableRawBufferPointer(rebasing: out[produced...]))
                        switch step {
                        case .needMoreInput:
                            throw EnvelopeError.malformed("the message is truncated (\(message.count) bytes)")
                        case .frame(let consumed, _):
                            offset += consumed
                            let p = decryptor.plaintext
                            if p.count > 0 {
                                let target = out.baseAddress!.advanced(by: produced)
                                if p.baseAddress! != UnsafeRawPointer(target) {
                                    target.copyMemory(from: p.baseAddress!, byteCount: p.count)
                                }
                                produced += p.count
                            }
                        case .finished(let consumed):
                            offset += consumed
                            guard offset == input.count else {
                                throw EnvelopeError.malformed("\(input.count - offset) unexpected bytes follow the end of the message")
                            }
                            return
                        }
                    }
                }
            } catch {
                ConstantTime.zero(UnsafeMutableRawBufferPointer(rebasing: out[0..<produced]))
                throw error
            }
            count = produced
        }
        return DecryptResult(plaintext: plaintext, header: header, materials: materials)
    }
}

extension EnvelopeClient {
    /// One-shot encryption of a large buffer through ``FramePipeline`` on ``concurrency`` cores.
    func encryptPipelined(_ plaintext: [UInt8], encryptor: FrameEncryptor) async throws -> EncryptResult {
        let job = PipelineHandoff(value: encryptor)
        let jobs = concurrency
        let frameLength = encryptor.frameLength
        let fullFrames = plaintext.count / frameLength
        let capacity = encryptor.headerBytes.count + fullFrames * FrameEncryptor.frameSize(contentLength: frameLength, isFinal: false)
            + FrameEncryptor.frameSize(contentLength: plaintext.count - fullFrames * frameLength, isFinal: true) + FrameEncryptor.maxFooterLength
        let ciphertext = try await runOnDedicatedThread { () -> [UInt8] in
            let encryptor = job.value
            return try [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                let out = UnsafeMutableRawBufferPointer(buffer)
                count = 0
                var o = 0
                let append: BodyWrite = { bytes in
                    precondition(o + bytes.count <= out.count, "ciphertext larger than computed")
                    if bytes.count > 0 { (out.baseAddress! + o).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
                    o += bytes.count
                }
                try encryptor.headerBytes.withUnsafeBytes { try append($0) }
                try plaintext.withUnsafeBytes { input in
                    try ParallelBody.encrypt(encryptor, jobs: jobs, input: .memory(input), write: append)
                }
                count = o
            }
        }
        return EncryptResult(ciphertext: ciphertext, header: encryptor.header.info)
    }

    /// One-shot decryption of a large framed message through ``FramePipeline``. Nothing is
    /// returned unless every tag and the signature verify; the buffer is wiped on failure.
    func decryptPipelined(_ message: [UInt8], bodyOffset: Int, decryptor: FrameDecryptor) async throws -> [UInt8] {
        let job = PipelineHandoff(value: decryptor)
        let jobs = concurrency
        return try await runOnDedicatedThread { () -> [UInt8] in
            let decryptor = job.value
            return try [UInt8](unsafeUninitializedCapacity: message.count - bodyOffset) { buffer, count in
                let out = UnsafeMutableRawBufferPointer(buffer)
                count = 0
                var produced = 0
                do {
                    try message.withUnsafeBytes { input in
                        try ParallelBody.decrypt(decryptor, jobs: jobs, input: .memory(UnsafeRawBufferPointer(rebasing: input[bodyOffset...])),
                                                 write: { bytes in
                            precondition(produced + bytes.count <= out.count, "plaintext larger than the message")
                            if bytes.count > 0 { (out.baseAddress! + produced).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
                            produced += bytes.count
                        })
                    }
                } catch {
                    ConstantTime.zero(UnsafeMutableRawBufferPointer(rebasing: out[0..<produced]))
                    throw error
                }
                count = produced
            }
        }
    }
}
