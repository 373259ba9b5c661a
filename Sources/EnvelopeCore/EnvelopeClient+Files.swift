#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import EnvelopeCrypto

extension EnvelopeClient {
    /// Encrypts a file into another file, streaming: large reads and writes, frames sealed on
    /// ``concurrency`` cores; memory stays at a few batches of frames whatever the file size.
    ///
    /// The output is written to a temporary file in the output's directory and renamed into
    /// place only when complete; on failure the temporary file is removed.
    /// - Parameters:
    ///   - input: the plaintext file.
    ///   - output: the message file to create.
    ///   - keyring: wraps the message's data key.
    ///   - encryptionContext: pairs bound to the message (authenticated, stored in the header).
    ///   - suite: the algorithm suite; nil picks the commitment policy's default.
    ///   - frameLength: the plaintext bytes per frame.
    ///   - overwrite: replace an existing output file (default: refuse).
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
        let source = try EngineFile(reading: input.path)
        return try await AtomicFileWriter.write(to: output, overwrite: overwrite) { file in
            try await encryptMessage(from: .file(source, leftover: []), to: .file(file), materialsManager: materialsManager,
                                     encryptionContext: encryptionContext, suite: suite, frameLength: frameLength)
        }
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
        try AtomicFileWriter.refuseExisting(output, overwrite: overwrite)
        let source = try EngineFile(reading: input.path)
        return try await decryptMessage(from: .file(source, leftover: []), materialsManager: materialsManager,
                                        encryptionContext: encryptionContext, sink: { run in
            try await AtomicFileWriter.write(to: output, overwrite: overwrite) { file in try await run(.file(file)) }
        })
    }
}

/// Writes a file under a temporary name in the same directory and renames it into place only
/// when `body` succeeds; otherwise removes it.
enum AtomicFileWriter {
    /// Refuses an existing output unless `overwrite`.
    static func refuseExisting(_ output: URL, overwrite: Bool) throws {
        if !overwrite && access(output.path, F_OK) == 0 {
            throw EnvelopeError.io(IOFailure(.exists, role: .output, path: output.path, errno: EEXIST),
                                   "Choose another name or allow overwriting.")
        }
    }

    static func write<T>(to output: URL, overwrite: Bool, _ body: (EngineFile) async throws -> T) async throws -> T {
        let path = output.path
        try refuseExisting(output, overwrite: overwrite)
        let directory = output.deletingLastPathComponent().path
        let suffix = RandomBytes.array(count: 6).map { String($0, radix: 16) }.joined()
        let temporary = (directory.isEmpty ? "." : directory) + "/." + output.lastPathComponent + ".envelope-" + suffix + ".tmp"
        let file = try EngineFile(creatingExclusively: temporary, permissions: [.ownerReadWrite])
        do {
            let result = try await body(file)
            try file.sync()
            if overwrite {
                guard rename(temporary, path) == 0 else { throw renameFailed(path) }
            } else if link(temporary, path) == 0 {
                // link() never replaces an existing file, so a file created meanwhile is not clobbered.
                unlink(temporary)
            } else if errno == EEXIST {
                throw EnvelopeError.io(IOFailure(.exists, role: .output, path: path, errno: EEXIST),
                                       "It appeared while writing. Choose another name or allow overwriting.")
            } else {
                // File systems without hard links: fall back to rename after the check above.
                guard rename(temporary, path) == 0 else { throw renameFailed(path) }
            }
            return result
        } catch {
            unlink(temporary)
            throw error
        }
    }

    private static func renameFailed(_ path: String) -> EnvelopeError {
        EnvelopeError.io(IOFailure(.rename, role: .output, path: path, errno: errno))
    }
}
