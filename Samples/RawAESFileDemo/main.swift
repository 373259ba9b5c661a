// raw-aes-file-demo: encrypts a file with a raw AES-256 wrapping key and decrypts it back, using
// EnvelopeClient's file helpers, then checks the round trip. Run it with `make demo`.
// (It becomes the CLI-based demo once the `envelope` CLI exists.)
import EnvelopeCore
import EnvelopeCrypto
import Foundation

/// Fails the demo with one clear line on stderr.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("raw-aes-file-demo: \(message)\n".utf8))
    exit(1)
}

func fileSize(_ url: URL) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
    return (attributes[.size] as? NSNumber)?.intValue ?? 0
}

let workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("raw-aes-file-demo-\(UUID().uuidString)")
let plaintextFile = workDirectory.appendingPathComponent("report.txt")
let encryptedFile = workDirectory.appendingPathComponent("report.txt.encrypted")
let decryptedFile = workDirectory.appendingPathComponent("report.decrypted.txt")

do {
    try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: workDirectory) }

    // 1. A sample file: ~100 KiB of text, so the message has many frames.
    var text = ""
    for line in 1...2_000 {
        text += "line \(line): EnvelopeKit encrypts files in AES-256-GCM frames.\n"
    }
    let plaintext = Array(text.utf8)
    try Data(plaintext).write(to: plaintextFile)
    print("wrote sample file \(plaintextFile.lastPathComponent): \(plaintext.count) bytes in \(workDirectory.path)")

    // 2. A fresh raw AES-256 wrapping key, held in guarded memory.
    let wrappingKey = try RandomBytes.secure(count: 32)
    let keyring = try RawAESKeyring(keyNamespace: "demo", keyName: "file-key-1", wrappingKey: wrappingKey)
    print("generated a raw AES-256 wrapping key (namespace \"demo\", name \"file-key-1\")")

    // 3. Encrypt to report.txt.encrypted with the default suite and 4 KiB frames.
    let client = EnvelopeClient()
    let context: EncryptionContext = ["purpose": "raw-aes-file-demo", "file": plaintextFile.lastPathComponent]
    let frameLength = 4096
    let encrypted = try await client.encryptFile(at: plaintextFile.path, to: encryptedFile.path, keyring: keyring,
                                                 encryptionContext: context, frameLength: frameLength)
    let encryptedSize = try fileSize(encryptedFile)
    // Spec data-format/message-body.md: full frames, then one final frame with the rest (0...frame length bytes).
    let frameCount = plaintext.count / frameLength + 1
    print("encrypted \(plaintext.count) bytes -> \(encryptedFile.lastPathComponent): \(encryptedSize) bytes")
    print("  suite: \(encrypted.header.suite)")
    print("  frames: \(frameCount) (frame length \(encrypted.header.frameLength))")
    print("  message ID: \(encrypted.header.messageID.count) bytes")
    print("  encrypted data keys: \(encrypted.header.encryptedDataKeys.map(\.providerID))")
    let storedContext = encrypted.header.encryptionContext
        .sorted { $0.key < $1.key }
        .map { $0.key == "aws-crypto-public-key" ? "\($0.key)=<ECDSA P-384 public key>" : "\($0.key)=\($0.value)" }
    print("  encryption context: \(storedContext.joined(separator: ", "))")

    // 4. Decrypt back and compare.
    let decrypted = try await client.decryptFile(at: encryptedFile.path, to: decryptedFile.path, keyring: keyring)
    let roundTrip = try [UInt8](Data(contentsOf: decryptedFile))
    guard roundTrip == plaintext else {
        fail("the decrypted file differs from the original (\(roundTrip.count) vs \(plaintext.count) bytes)")
    }
    guard decrypted.encryptionContext.filter({ $0.key != "aws-crypto-public-key" }) == context else {
        fail("the decrypted encryption context differs from the one used to encrypt")
    }
    print("decrypted \(encryptedFile.lastPathComponent) -> \(decryptedFile.lastPathComponent): \(roundTrip.count) bytes, identical to the original")
    print("  suite: \(decrypted.suite), context verified")
    print("demo OK")
} catch {
    fail("\(error)")
}
