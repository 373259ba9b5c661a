import Foundation
import Testing
import EnvelopeCrypto
import EnvelopeTestSupport
import EnvelopeCore

// Issue 15: mutants chosen from differential fuzzing runs against the official Python ESDK
// (scripts/fuzz-diff.sh, `make fuzz-diff`; chosen by Fuzz/Differential/curate.py) are replayed with
// their expected verdicts: one of every rejection class, the edge cases both implementations accept,
// and examples of every known disagreement (where the expected verdict is EnvelopeKit's, and the
// class names the spec section the Python ESDK departs from: Fuzz/Sources/FuzzDiff/Explanation.swift).

/// One mutant of Tests/EnvelopeCoreTests/Vectors/differential/manifest.tsv.
struct DifferentialMutant: Sendable, CustomTestStringConvertible {
    let file: String
    let accepts: Bool
    let plaintextSHA256: String
    let pythonAccepts: Bool
    let disagreement: String
    let mutation: String
    let base: String

    var testDescription: String { "\(file) (\(disagreement), \(mutation))" }

    static let directory = TestRepository.file("Tests/EnvelopeCoreTests/Vectors/differential")

    static let all: [DifferentialMutant] = {
        guard let text = try? String(contentsOf: directory.appendingPathComponent("manifest.tsv"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 9 else { return nil }
            return DifferentialMutant(file: f[0], accepts: f[1] == "accept", plaintextSHA256: f[2], pythonAccepts: f[3] == "accept",
                                      disagreement: f[4], mutation: f[5], base: f[8])
        }
    }()

    /// The keys of the differential run: the fuzzing AES key (bytes 0x00...0x1F, as in
    /// Fuzz/Sources/FuzzSupport/FuzzKeys.swift) and the test-only RSA key in the corpus folder.
    static func keyring() throws -> MultiDecryptionKeyring {
        let aes = try RawAESKeyring(keyNamespace: "envelope-fuzz", keyName: "fuzz-aes-256", wrappingKey: try SecureBytes(copying: (0..<32).map { UInt8($0) }))
        let pem = try String(contentsOf: directory.appendingPathComponent("rsa-2048-private.pem"), encoding: .utf8)
        let privateKey = try RSAPrivateKey(pem: pem)
        let rsa = try RawRSAKeyring(keyNamespace: "envelope-fuzz", keyName: "fuzz-rsa-2048", padding: .oaepSHA256,
                                    publicKey: privateKey.publicKey, privateKey: privateKey)
        return try MultiDecryptionKeyring(keyrings: [aes, rsa])
    }
}

@Suite("Differential fuzzing corpus (Python ESDK)")
struct DifferentialCorpusTests {
    @Test("the corpus covers every suite, both writers, accepts, rejections and every known disagreement")
    func coverage() {
        let mutants = DifferentialMutant.all
        #expect(mutants.count >= 100, "Tests/EnvelopeCoreTests/Vectors/differential is missing or nearly empty; run make fuzz-diff and Fuzz/Differential/curate.py")
        let suites = Set(mutants.compactMap { $0.base.split(separator: "-").dropFirst().first.map(String.init) })
        #expect(suites.count == AlgorithmSuite.all.count, "suites in the corpus: \(suites.sorted())")
        #expect(Set(mutants.map { $0.base.hasPrefix("python") }) == [true, false])
        #expect(mutants.contains { $0.accepts } && mutants.contains { !$0.accepts })
        let classes = Set(mutants.map(\.disagreement))
        for known in ["python-ignores-trailing-bytes", "python-stops-at-first-failing-aes-edk", "python-accepts-context-pair-count-0",
                      "envelopekit-refuses-framed-frame-length-0", "envelopekit-decryption-limit"] {
            #expect(classes.contains(known), "no mutant of the disagreement class \(known)")
        }
    }

    @Test("each mutant gets its expected verdict, one-shot and streaming", arguments: DifferentialMutant.all)
    func replay(_ mutant: DifferentialMutant) async throws {
        let bytes = [UInt8](try Data(contentsOf: DifferentialMutant.directory.appendingPathComponent(mutant.file)))
        let keyring = try DifferentialMutant.keyring()
        let client = try EnvelopeClient(commitmentPolicy: .requireEncryptAllowDecrypt)
        let oneShot: Result<[UInt8], any Error>
        do { oneShot = .success(try await client.decrypt(bytes, keyring: keyring).plaintext) } catch { oneShot = .failure(error) }
        let streamed = await collect(client.decryptStream(ChunkedBytes(bytes, size: [1, 7, 64, 4096][bytes.count % 4]), keyring: keyring))
        if mutant.accepts {
            let plaintext = try oneShot.get()
            let digest = try HashFunction.sha256.digest(plaintext).map { String(format: "%02x", $0) }.joined()
            #expect(digest == mutant.plaintextSHA256)
            #expect(streamed.error == nil && streamed.chunks.flatMap { $0 } == plaintext)
        } else {
            guard case .failure(let error) = oneShot else {
                Issue.record("\(mutant.file) decrypted but must be refused (\(mutant.disagreement))")
                return
            }
            #expect(error is EnvelopeError)
            #expect(streamed.error is EnvelopeError, "streaming: \(String(describing: streamed.error))")
        }
    }
}
