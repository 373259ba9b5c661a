#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import EnvelopeCrypto

/// Moves a non-`Sendable` value to the pipeline's own thread; the sender no longer touches it.
struct PipelineHandoff<Value>: @unchecked Sendable {
    let value: Value
}

extension EnvelopeClient {
    /// File-to-file encryption through ``FramePipeline``: large reads and writes, frames sealed on
    /// ``concurrency`` cores, the digest beside them. The caller has the atomic output file open.
    func encryptFilePipelined(_ encryptor: FrameEncryptor, input: URL, output: FileDescriptor) async throws {
        let job = PipelineHandoff(value: (encryptor, output))
        let jobs = Swift.max(1, concurrency)
        let path = input.path
        try await runOnDedicatedThread {
            let (encryptor, output) = job.value
            let source = try FileDescriptor(reading: URL(fileURLWithPath: path))
            try encryptor.headerBytes.withUnsafeBytes { try output.write(raw: $0) }
            try ParallelBody.encrypt(encryptor, jobs: jobs, read: { try source.read(into: $0) }, write: { try output.write(raw: $0) })
        }
    }

    /// File-to-file decryption through ``FramePipeline``. Returns nil (having written nothing)
    /// when the message is not framed or its frames are too long for the pipeline; the caller
    /// then uses the streaming path.
    func decryptFilePipelined(input: URL, output: URL, materialsManager: any DecryptionMaterialsManager,
                              encryptionContext: EncryptionContext, overwrite: Bool) async throws -> DecryptResult? {
        let source = try FileDescriptor(reading: input)
        // Read until the header parses; keep what was read after it.
        let buffered = ByteAccumulator(capacity: 64 * 1024)
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var header: MessageHeader?
        while header == nil {
            switch try parseHeader(buffered.readable) {
            case .header(let parsed):
                header = parsed
            case .needMoreBytes:
                let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
                guard n > 0 else {
                    throw buffered.count == 0
                        ? EnvelopeError(.malformedMessage, "The input is empty; expected an AWS Encryption SDK message.")
                        : EnvelopeError.malformed("the message ends inside its header (\(buffered.count) bytes)")
                }
                chunk.withUnsafeBytes { buffered.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            }
        }
        guard let header, header.contentType == .framed, Int(header.frameLength) <= ParallelBody.maxFrameLength else { return nil }
        buffered.consume(header.totalLength)
        let leftover = [UInt8](copying: buffered.readable)
        let (decryptor, materials) = try await makeDecryptor(header: header, materialsManager: materialsManager,
                                                             reproducedEncryptionContext: encryptionContext)
        let jobs = Swift.max(1, concurrency)
        try await AtomicFileWriter.write(to: output, overwrite: overwrite) { file in
            let job = PipelineHandoff(value: (decryptor, source, file))
            try await runOnDedicatedThread {
                let (decryptor, source, file) = job.value
                var prefix = leftover
                var prefixOffset = 0
                try ParallelBody.decrypt(decryptor, jobs: jobs, read: { buffer in
                    if prefixOffset < prefix.count {
                        let n = Swift.min(buffer.count, prefix.count - prefixOffset)
                        let start = prefixOffset
                        prefix.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + start, byteCount: n) }
                        prefixOffset += n
                        if prefixOffset == prefix.count { prefix = [] ; prefixOffset = 0 }
                        return n
                    }
                    return try source.read(into: buffer)
                }, write: { try file.write(raw: $0) })
            }
        }
        return DecryptResult(plaintext: [], encryptionContext: materials.encryptionContext, header: header.info)
    }
}

extension FileDescriptor {
    /// Reads up to `buffer.count` bytes; 0 only at end of file.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            #if canImport(Glibc)
            let r = Glibc.read(fd, buffer.baseAddress, buffer.count)
            #else
            let r = Darwin.read(fd, buffer.baseAddress, buffer.count)
            #endif
            if r < 0 && errno == EINTR { continue }
            guard r >= 0 else { throw FileDescriptor.error("read \(path)") }
            return r
        }
    }

    /// Writes all of `bytes`.
    func write(raw bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            #if canImport(Glibc)
            let w = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            #else
            let w = Darwin.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            #endif
            if w < 0 && errno == EINTR { continue }
            guard w > 0 else { throw FileDescriptor.error("write \(path)") }
            offset += w
        }
    }
}
