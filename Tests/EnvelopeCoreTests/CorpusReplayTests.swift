import Foundation
import Testing
import EnvelopeCrypto
import EnvelopeTestSupport
import EnvelopeCore
import SystemPackage

// Issue 8, item 1: every input of the committed fuzz corpus (Fuzz/corpus/<target>, minimised by
// scripts/fuzz.sh) is replayed through the public decrypt entry points with the fuzzing key: one
// shot (sequential), streaming, and descriptor to descriptor (the frame pipeline on two cores).
// Each must end in success or a clean EnvelopeError, and all three must agree.

enum FuzzCorpus {
    /// Fuzz/corpus under the repository root (found from this file's path).
    static let root = TestRepository.file("Fuzz/corpus")

    static func files(_ target: String) -> [URL] {
        let dir = root.appendingPathComponent(target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.sorted().map { dir.appendingPathComponent($0) }
    }

    static var all: [URL] { ["header", "body", "decrypt", "decrypt-signed"].flatMap(files) }

    /// The fuzzing key of Fuzz/Sources/FuzzSupport/FuzzKeys.swift (bytes 0x00...0x1F).
    static func keyring() throws -> RawAESKeyring {
        try RawAESKeyring(keyNamespace: "envelope-fuzz", keyName: "fuzz-aes-256", wrappingKey: try SecureBytes(copying: (0..<32).map { UInt8($0) }))
    }
}

@Suite("Fuzz corpus replay")
struct CorpusReplayTests {
    @Test("the committed corpus is present for every target")
    func corpusPresent() {
        for target in ["header", "body", "decrypt"] {
            #expect(FuzzCorpus.files(target).count >= 10, "Fuzz/corpus/\(target) is missing or nearly empty; run scripts/fuzz.sh")
        }
    }

    // Issue 15: the decrypt target starts from small signed multi-frame messages (Fuzz/corpus/decrypt-signed,
    // written by FuzzSupport.writeSignedSeeds), so it reaches the footer's signature check from its first run.
    @Test("the committed signed seeds are complete signed messages of several frames, for every signed suite")
    func signedSeeds() async throws {
        let keyring = try FuzzCorpus.keyring()
        let client = try EnvelopeClient(commitmentPolicy: .requireEncryptAllowDecrypt)
        var suites: Set<UInt16> = []
        var multiFrame = 0
        for file in FuzzCorpus.files("decrypt-signed") {
            let bytes = [UInt8](try Data(contentsOf: file))
            let result = try await client.decrypt(bytes, keyring: keyring)
            #expect(result.suite.isSigned, "\(file.lastPathComponent) is not signed")
            suites.insert(result.suite.id)
            // Every seed uses frames of at most 8 bytes; more plaintext than that means several frames.
            if result.plaintext.count > 8 { multiFrame += 1 }
            #expect(bytes.count < 600, "\(file.lastPathComponent) is not small")
        }
        #expect(suites == Set(AlgorithmSuite.all.filter(\.isSigned).map(\.id)))
        #expect(multiFrame >= 4)
    }

    @Test("every corpus input parses, walks and decrypts to success or a clean EnvelopeError; one-shot and streaming agree")
    func replay() async throws {
        let keyring = try FuzzCorpus.keyring()
        let client = EnvelopeClient(commitmentPolicy: .requireEncryptAllowDecrypt)
        let pipelined = EnvelopeClient(commitmentPolicy: .requireEncryptAllowDecrypt, concurrency: 2)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("envelope-corpus-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch.appendingPathExtension("in")); try? FileManager.default.removeItem(at: scratch.appendingPathExtension("out")) }
        var decrypted = 0
        var refused = 0
        for file in FuzzCorpus.all {
            let bytes = [UInt8](try Data(contentsOf: file))
            let name = file.lastPathComponent
            var oneShot: Result<[UInt8], any Error>
            do { oneShot = .success(try await client.decrypt(bytes, keyring: keyring).plaintext) } catch { oneShot = .failure(error) }
            let piped = await Self.decryptThroughDescriptors(bytes, client: pipelined, keyring: keyring, scratch: scratch)
            let streamed = await collect(client.decryptStream(ChunkedBytes(bytes, sizes: [[1, 7, 64, 4096][bytes.count % 4]]), keyring: keyring))
            switch oneShot {
            case .success(let plaintext):
                decrypted += 1
                #expect(streamed.error == nil, "\(name): one-shot succeeded, streaming failed: \(String(describing: streamed.error))")
                #expect(streamed.chunks.flatMap { $0 } == plaintext, "\(name): plaintexts differ")
                #expect((try? piped.get()) == plaintext, "\(name): the descriptor decrypt differs: \(piped)")
            case .failure(let error):
                refused += 1
                #expect(error is EnvelopeError, "\(name): one-shot threw \(error)")
                #expect(streamed.error is EnvelopeError, "\(name): streaming did not fail cleanly: \(String(describing: streamed.error))")
                if case .failure(let e) = piped { #expect(e is EnvelopeError, "\(name): descriptor decrypt threw \(e)") } else {
                    Issue.record("\(name): the descriptor decrypt accepted what the one-shot refused")
                }
            }
        }
        // The corpus holds both kinds: genuine messages under the fuzzing key and refusals.
        #expect(decrypted > 0)
        #expect(refused > 0)
    }

    /// Decrypts `bytes` from a file descriptor into another (the body engine's pipelined path).
    static func decryptThroughDescriptors(_ bytes: [UInt8], client: EnvelopeClient, keyring: RawAESKeyring, scratch: URL) async -> Result<[UInt8], any Error> {
        do {
            try Data(bytes).write(to: scratch.appendingPathExtension("in"))
            let input = try FileDescriptor.open(scratch.appendingPathExtension("in").path, .readOnly)
            let output = try FileDescriptor.open(scratch.appendingPathExtension("out").path, .writeOnly, options: [.create, .truncate],
                                                 permissions: .ownerReadWrite)
            defer { try? input.close(); try? output.close() }
            _ = try await client.decrypt(from: input, to: output, keyring: keyring)
            return .success([UInt8](try Data(contentsOf: scratch.appendingPathExtension("out"))))
        } catch {
            return .failure(error)
        }
    }
}
