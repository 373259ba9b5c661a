import Foundation
import EnvelopeCore
import EnvelopeCrypto

/// The fixed raw AES wrapping key of the decrypt-path fuzz target. Seed messages are encrypted
/// under it so mutated inputs get past the encrypted-data-key step. Test-only, never a real key.
public enum FuzzKeys {
    /// Key namespace of the fuzzing keyring.
    public static let namespace = "envelope-fuzz"
    /// Key name of the fuzzing keyring.
    public static let name = "fuzz-aes-256"
    /// The 32 key bytes: 0x00, 0x01, ..., 0x1F.
    public static let keyBytes: [UInt8] = (0..<32).map { UInt8($0) }

    /// The raw AES keyring over ``keyBytes``.
    public static func keyring() throws -> RawAESKeyring {
        try RawAESKeyring(keyNamespace: namespace, keyName: name, wrappingKey: try SecureBytes(copying: keyBytes))
    }
}

/// Runs an async body to completion from the synchronous libFuzzer callback.
public func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        box.value = await body()
        done.signal()
    }
    done.wait()
    return box.value!
}

private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

/// Writes seed messages for the decrypt target into `directory`: every suite, several frame
/// lengths and plaintext sizes (empty, one byte, exact multiples, several frames), with and
/// without an encryption context.
public func writeDecryptSeeds(to directory: String) async throws -> Int {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let keyring = try FuzzKeys.keyring()
    var written = 0
    for suite in AlgorithmSuite.all {
        let client = EnvelopeClient(commitmentPolicy: suite.isCommitting ? .requireEncryptAllowDecrypt : .forbidEncryptAllowDecrypt)
        for (frameLength, size) in [(16, 0), (16, 1), (16, 32), (64, 150), (4096, 300)] {
            let plaintext = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let context: EncryptionContext = size % 2 == 0 ? [:] : ["purpose": "fuzz", "n": "\(size)"]
            let message = try await client.encrypt(plaintext, keyring: keyring, encryptionContext: context,
                                                   suite: suite, frameLength: frameLength).ciphertext
            let path = "\(directory)/seed-\(suite.idHex)-f\(frameLength)-n\(size).bin"
            try Data(message).write(to: URL(fileURLWithPath: path))
            written += 1
        }
    }
    return written
}

/// Writes the committed seed corpus of small signed messages (Fuzz/corpus/decrypt-signed): every
/// signed suite, frames of 1 to 8 bytes, so that one message of under 400 bytes carries several
/// regular frames, a final frame and a footer. The decrypt target starts from complete signed
/// multi-frame messages instead of having to find the signature path by chance.
public func writeSignedSeeds(to directory: String) async throws -> Int {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let keyring = try FuzzKeys.keyring()
    var written = 0
    for suite in AlgorithmSuite.all where suite.isSigned {
        let client = try EnvelopeClient(commitmentPolicy: suite.isCommitting ? .requireEncryptAllowDecrypt : .forbidEncryptAllowDecrypt)
        for (frameLength, size) in [(1, 0), (1, 3), (4, 8), (4, 13), (8, 24)] {
            let plaintext = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 1) }
            let context: EncryptionContext = size % 2 == 0 ? [:] : ["k": "v"]
            let message = try await client.encrypt(plaintext, keyring: keyring, encryptionContext: context,
                                                   suite: suite, frameLength: frameLength).ciphertext
            try Data(message).write(to: URL(fileURLWithPath: "\(directory)/signed-\(suite.idHex)-f\(frameLength)-n\(size).bin"))
            written += 1
        }
    }
    return written
}
