#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import EnvelopeCrypto

extension EnvelopeClient {
    /// Encrypts a file into another file, streaming (about one frame of memory).
    ///
    /// The output is written to a temporary file in the output's directory and renamed into
    /// place only when complete; on failure the temporary file is removed.
    /// - Parameter overwrite: replace an existing output file (default: refuse).
    /// - Returns: the header information (``EncryptResult/ciphertext`` is empty).
    public func encryptFile(at input: URL, to output: URL, keyring: any EncryptionKeyring, encryptionContext: EncryptionContext = [:],
                            suite: AlgorithmSuite? = nil, frameLength: Int = EnvelopeClient.defaultFrameLength,
                            overwrite: Bool = false) async throws -> EncryptResult {
        try await encryptFile(at: input, to: output, materialsManager: DefaultMaterialsManager(encryptionKeyring: keyring),
                              encryptionContext: encryptionContext, suite: suite, frameLength: frameLength, overwrite: overwrite)
    }

    /// Encrypts a file with a materials manager. See ``encryptFile(at:to:keyring:encryptionContext:suite:frameLength:overwrite:)``.
    public func encryptFile(at input: URL, to output: URL, materialsManager: any EncryptionMaterialsManager, encryptionContext: EncryptionContext = [:],
                            suite: AlgorithmSuite? = nil, frameLength: Int = EnvelopeClient.defaultFrameLength,
                            overwrite: Bool = false) async throws -> EncryptResult {
        let chunks = FileChunks(url: input, chunkSize: Swift.max(64 * 1024, Swift.min(frameLength, 4 << 20)))
        let stream = encryptStream(chunks, materialsManager: materialsManager, encryptionContext: encryptionContext,
                                   suite: suite, frameLength: frameLength)
        var iterator = stream.makeAsyncIterator()
        try await AtomicFileWriter.write(to: output, overwrite: overwrite) { file in
            while let chunk = try await iterator.next() { try file.write(chunk) }
        }
        return EncryptResult(ciphertext: [], header: iterator.header!)
    }

    /// Decrypts a file into another file, streaming. A failed decrypt leaves no output file.
    /// - Returns: suite, encryption context and header (``DecryptResult/plaintext`` is empty).
    public func decryptFile(at input: URL, to output: URL, keyring: any DecryptionKeyring, encryptionContext: EncryptionContext = [:],
                            overwrite: Bool = false) async throws -> DecryptResult {
        try await decryptFile(at: input, to: output, materialsManager: DefaultMaterialsManager(decryptionKeyring: keyring),
                              encryptionContext: encryptionContext, overwrite: overwrite)
    }

    /// Decrypts a file with a materials manager. See ``decryptFile(at:to:keyring:encryptionContext:overwrite:)``.
    public func decryptFile(at input: URL, to output: URL, materialsManager: any DecryptionMaterialsManager, encryptionContext: EncryptionContext = [:],
                            overwrite: Bool = false) async throws -> DecryptResult {
        let stream = decryptStream(FileChunks(url: input, chunkSize: 256 * 1024), materialsManager: materialsManager,
                                   encryptionContext: encryptionContext)
        var iterator = stream.makeAsyncIterator()
        try await AtomicFileWriter.write(to: output, overwrite: overwrite) { file in
            while let chunk = try await iterator.next() { try file.write(chunk) }
        }
        let info = iterator.info!
        return DecryptResult(plaintext: [], encryptionContext: info.encryptionContext, header: info.header, dataKeyOrigin: info.dataKeyOrigin)
    }
}

extension DecryptResult {
    init(plaintext: [UInt8], encryptionContext: EncryptionContext, header: MessageHeaderInfo, dataKeyOrigin: DataKeyOrigin? = nil) {
        self.plaintext = plaintext
        self.encryptionContext = encryptionContext
        self.suite = header.suite
        self.encryptedDataKeys = header.encryptedDataKeys
        self.frameLength = header.frameLength
        self.header = header
        self.dataKeyOrigin = dataKeyOrigin
    }
}

/// Writes a file under a temporary name in the same directory and renames it into place only
/// when `body` succeeds; otherwise removes it.
enum AtomicFileWriter {
    static func write(to output: URL, overwrite: Bool, _ body: (FileDescriptor) async throws -> Void) async throws {
        let path = output.path
        if !overwrite && access(path, F_OK) == 0 {
            throw EnvelopeError(.io, "The output file \(path) already exists. Choose another name or allow overwriting.")
        }
        let directory = output.deletingLastPathComponent().path
        let suffix = RandomBytes.array(count: 6).map { String($0, radix: 16) }.joined()
        let temporary = (directory.isEmpty ? "." : directory) + "/." + output.lastPathComponent + ".envelope-" + suffix + ".tmp"
        let file = try FileDescriptor(creatingExclusively: temporary, mode: 0o600)
        do {
            try await body(file)
            try file.sync()
            if overwrite {
                guard rename(temporary, path) == 0 else { throw FileDescriptor.error("rename \(temporary) to \(path)") }
            } else if link(temporary, path) == 0 {
                // link() never replaces an existing file, so a file created meanwhile is not clobbered.
                unlink(temporary)
            } else if errno == EEXIST {
                throw EnvelopeError(.io, "The output file \(path) appeared while writing. Choose another name or allow overwriting.")
            } else {
                // File systems without hard links: fall back to rename after the check above.
                guard rename(temporary, path) == 0 else { throw FileDescriptor.error("rename \(temporary) to \(path)") }
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }
}
