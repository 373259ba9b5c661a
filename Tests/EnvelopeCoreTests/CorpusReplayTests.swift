import Foundation
import Testing
import EnvelopeCrypto
import EnvelopeTestSupport
@_spi(Fuzzing) import EnvelopeCore

// Issue 8, item 1: every input of the committed fuzz corpus (Fuzz/corpus/<target>, minimised by
// scripts/fuzz.sh) is replayed through the header parser, the body walker and both decrypt paths
// with the fuzzing key. Each must end in success or a clean EnvelopeError, and the one-shot and
// streaming decrypts must agree.

enum FuzzCorpus {
    /// Fuzz/corpus under the repository root (found from this file's path).
    static let root = TestRepository.file("Fuzz/corpus")

    static func files(_ target: String) -> [URL] {
        let dir = root.appendingPathComponent(target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.sorted().map { dir.appendingPathComponent($0) }
    }

    static var all: [URL] { ["header", "body", "decrypt"].flatMap(files) }

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

    @Test("every corpus input parses, walks and decrypts to success or a clean EnvelopeError; one-shot and streaming agree")
    func replay() async throws {
        let keyring = try FuzzCorpus.keyring()
        let client = EnvelopeClient(commitmentPolicy: .requireEncryptAllowDecrypt)
        var decrypted = 0
        var refused = 0
        for file in FuzzCorpus.all {
            let bytes = [UInt8](try Data(contentsOf: file))
            let name = file.lastPathComponent
            do { _ = try EnvelopeFuzzing.parseHeader(bytes) } catch { #expect(error is EnvelopeError, "\(name): header parser threw \(error)") }
            do { _ = try EnvelopeFuzzing.walkMessage(bytes) } catch { #expect(error is EnvelopeError, "\(name): body walk threw \(error)") }
            var oneShot: Result<[UInt8], any Error>
            do { oneShot = .success(try await client.decrypt(bytes, keyring: keyring).plaintext) } catch { oneShot = .failure(error) }
            let streamed = await collect(client.decryptStream(ChunkedBytes(bytes, sizes: [[1, 7, 64, 4096][bytes.count % 4]]), keyring: keyring))
            switch oneShot {
            case .success(let plaintext):
                decrypted += 1
                #expect(streamed.error == nil, "\(name): one-shot succeeded, streaming failed: \(String(describing: streamed.error))")
                #expect(streamed.chunks.flatMap { $0 } == plaintext, "\(name): plaintexts differ")
            case .failure(let error):
                refused += 1
                #expect(error is EnvelopeError, "\(name): one-shot threw \(error)")
                #expect(streamed.error is EnvelopeError, "\(name): streaming did not fail cleanly: \(String(describing: streamed.error))")
            }
        }
        // The corpus holds both kinds: genuine messages under the fuzzing key and refusals.
        #expect(decrypted > 0)
        #expect(refused > 0)
    }
}
