// raw-aes-file-demo: encrypts a file with a raw AES-256 wrapping key using EnvelopeClient's file
// helpers (streamed, written atomically), decrypts it back and checks the round trip, printing what
// happened. Run it with `make demo`.
// (It becomes the CLI-based demo once the `envelope` CLI exists.)
import EnvelopeCore
import EnvelopeCrypto
import Foundation

/// Writes one line to stderr.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("raw-aes-file-demo: \(message)\n".utf8))
}

/// A demo step that did not give the expected result.
struct DemoFailure: Error, CustomStringConvertible {
    let description: String
}

func fileSize(_ url: URL) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
    return (attributes[.size] as? NSNumber)?.intValue ?? 0
}

/// The stored context, readable: the signing public key is summarised, not printed.
func describe(_ context: EncryptionContext) -> String {
    context.sorted { $0.key < $1.key }
        .map { $0.key == "aws-crypto-public-key" ? "\($0.key)=<\($0.value.count)-char base64 ECDSA public key>" : "\($0.key)=\($0.value)" }
        .joined(separator: ", ")
}

func runDemo(in directory: URL) async throws {
    let plaintextFile = directory.appendingPathComponent("report.txt")
    let encryptedFile = directory.appendingPathComponent("report.txt.encrypted")
    let decryptedFile = directory.appendingPathComponent("report.decrypted.txt")

    // 1. A sample file of ~120 KB, so the message has many frames.
    var text = ""
    for line in 1...2_000 {
        text += "line \(line): EnvelopeKit encrypts files in AES-256-GCM frames.\n"
    }
    let plaintext = Array(text.utf8)
    try Data(plaintext).write(to: plaintextFile)
    print("wrote sample file \(plaintextFile.lastPathComponent): \(plaintext.count) bytes in \(directory.path)")

    // 2. A fresh raw AES-256 wrapping key, held in guarded memory.
    let wrappingKey = try RandomBytes.secure(count: 32)
    let keyring = try RawAESKeyring(keyNamespace: "demo", keyName: "file-key-1", wrappingKey: wrappingKey)
    print("generated a raw AES-256 wrapping key (namespace \"demo\", name \"file-key-1\")")

    // 3. Encrypt to report.txt.encrypted with the default suite (0x0578) and 4 KiB frames.
    let client = EnvelopeClient()
    let context: EncryptionContext = ["purpose": "raw-aes-file-demo", "file": plaintextFile.lastPathComponent]
    let frameLength = 4096
    let encrypted = try await client.encryptFile(at: plaintextFile, to: encryptedFile, keyring: keyring,
                                                 encryptionContext: context, frameLength: frameLength)
    // Spec data-format/message-body.md: full frames, then one final frame with the rest (0...frame length bytes).
    let frameCount = plaintext.count / frameLength + 1
    print("encrypted \(plaintext.count) bytes -> \(encryptedFile.lastPathComponent): \(try fileSize(encryptedFile)) bytes")
    print("  suite: \(encrypted.header.suite)")
    print("  frames: \(frameCount) (\(frameCount - 1) of \(encrypted.header.frameLength) bytes + a final frame of \(plaintext.count % frameLength))")
    print("  encrypted data keys: \(encrypted.header.encryptedDataKeys.map(\.providerID))")
    print("  stored encryption context: \(describe(encrypted.header.encryptionContext))")

    // 4. Decrypt back and compare.
    let decrypted = try await client.decryptFile(at: encryptedFile, to: decryptedFile, keyring: keyring)
    let roundTrip = try [UInt8](Data(contentsOf: decryptedFile))
    guard roundTrip == plaintext else {
        throw DemoFailure(description: "the decrypted file differs from the original (\(roundTrip.count) vs \(plaintext.count) bytes)")
    }
    guard decrypted.encryptionContext.filter({ $0.key != "aws-crypto-public-key" }) == context else {
        throw DemoFailure(description: "the decrypted encryption context differs from the one used to encrypt")
    }
    print("decrypted \(encryptedFile.lastPathComponent) -> \(decryptedFile.lastPathComponent): \(roundTrip.count) bytes, identical to the original")
    print("  suite: \(decrypted.suite), frame length \(decrypted.frameLength), context verified: \(describe(context))")
}

let workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("raw-aes-file-demo-\(UUID().uuidString)")
do {
    try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
    try await runDemo(in: workDirectory)
    try? FileManager.default.removeItem(at: workDirectory)
    print("demo OK (temporary files removed)")
} catch {
    try? FileManager.default.removeItem(at: workDirectory)
    printError("\(error)")
    exit(1)
}
