// Differential fuzzer (issue 15): valid messages of every suite, written by EnvelopeKit and by the
// official AWS Encryption SDK for Python, are mutated and each mutant is decrypted by both; the
// verdicts must agree (both accept with the same plaintext, or both reject).
//
//   FuzzDiff [--mutants N] [--seed S] [--out DIR]      (scripts/fuzz-diff.sh, `make fuzz-diff`)
//
// Needs ENVELOPE_TEST_PYTHON (a Python with aws-encryption-sdk, `make venv`). Writes DIR/report.txt,
// DIR/corpus/ (one or two mutants of every operator × verdict × error class, with manifest.tsv)
// and DIR/disagreements/. Exit status 1 if any disagreement is found.
import Foundation
import EnvelopeCore
import EnvelopeCrypto
import FuzzSupport

/// The repository root, from this file's path (Fuzz/Sources/FuzzDiff/FuzzDiff.swift).
private let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// The RSA key both sides hold (Tests/EnvelopeCoreTests/Vectors/differential, test-only).
private let rsaPEMPath = repository.appendingPathComponent("Tests/EnvelopeCoreTests/Vectors/differential/rsa-2048-private.pem").path
private let rsaKeyName = "fuzz-rsa-2048"

/// A decryption keyring that records the data key its inner keyring produced.
private final class CapturingKeyring: DecryptionKeyring, @unchecked Sendable {
    let inner: any DecryptionKeyring
    private let lock = NSLock()
    private var captured: SecureBytes?
    init(_ inner: any DecryptionKeyring) { self.inner = inner }
    var dataKey: SecureBytes? { lock.withLock { captured } }
    func onDecrypt(_ materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey]) async throws -> DecryptionMaterials {
        let result = try await inner.onDecrypt(materials, encryptedDataKeys: encryptedDataKeys)
        lock.withLock { captured = result.plaintextDataKey }
        return result
    }
}

/// The entry point. SwiftPM's debug builds rename an executable's `main` to `<Target>_main` (see
/// FuzzSupport/FuzzDriver.swift); like the libFuzzer targets, this one exports that symbol itself.
@_cdecl("FuzzDiff_main")
public func fuzzDiffMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    let arguments = Array(CommandLine.arguments.dropFirst())
    return runBlocking {
        do { return try await FuzzDiff.run(arguments) } catch {
            FileHandle.standardError.write(Data("FuzzDiff: \(error)\n".utf8))
            return 2
        }
    }
}

enum FuzzDiff {
    static func run(_ arguments: [String]) async throws -> Int32 {
        var mutants = 100_000, seed: UInt64 = 1, outDirectory = repository.appendingPathComponent(".build-fuzz/diff").path
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--mutants": mutants = Int(iterator.next() ?? "") ?? mutants
            case "--seed": seed = UInt64(iterator.next() ?? "") ?? seed
            case "--out": outDirectory = iterator.next() ?? outDirectory
            default: throw WorkerError(description: "unknown argument \(argument); use --mutants N --seed S --out DIR")
            }
        }
        guard let python = ProcessInfo.processInfo.environment["ENVELOPE_TEST_PYTHON"] else {
            throw WorkerError(description: "set ENVELOPE_TEST_PYTHON to a Python with aws-encryption-sdk (make venv)")
        }
        let aes = try FuzzKeys.keyring()
        let rsaPrivate = try RSAPrivateKey(pem: String(contentsOfFile: rsaPEMPath, encoding: .utf8))
        let rsa = try RawRSAKeyring(keyNamespace: FuzzKeys.namespace, keyName: rsaKeyName, padding: .oaepSHA256,
                                    publicKey: rsaPrivate.publicKey, privateKey: rsaPrivate)
        let both = try MultiKeyring(generator: aes, children: [rsa])
        let decryptKeyring = try MultiDecryptionKeyring(keyrings: [aes, rsa])
        let decryptor = try EnvelopeClient(commitmentPolicy: .requireEncryptAllowDecrypt)
        let worker = try ESDKWorker(python: python, script: repository.appendingPathComponent("Fuzz/Differential/esdk_worker.py").path,
                                    arguments: [FuzzKeys.keyBytes.map { String(format: "%02x", $0) }.joined(), rsaPEMPath,
                                                FuzzKeys.namespace, FuzzKeys.name, rsaKeyName])
        defer { worker.close() }

        // Base messages: every suite, both writers, several shapes and key sets.
        var bases: [BaseMessage] = []
        let keyrings: [String: any Keyring] = ["aes": aes, "rsa": rsa, "aes+rsa": both]
        for suite in AlgorithmSuite.all {
            let encryptor = try EnvelopeClient(commitmentPolicy: suite.isCommitting ? .requireEncryptRequireDecrypt : .forbidEncryptAllowDecrypt)
            let shapes: [(writer: String, frame: Int, size: Int, keys: String)] = [
                ("swift", 16, 0, "aes"), ("swift", 16, 40, "aes"), ("swift", 64, 150, "rsa"), ("swift", 128, 300, "aes+rsa"), ("swift", 1, 3, "aes"),
                ("python", 128, 0, "aes"), ("python", 128, 200, "aes"), ("python", 0, 50, "aes"), ("python", 256, 300, "rsa"), ("python", 128, 128, "aes+rsa"),
            ]
            for (index, shape) in shapes.enumerated() {
                let plaintext = (0..<shape.size).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ index) }
                let context: EncryptionContext = index % 2 == 0 ? [:] : ["purpose": "diff", "n": "\(shape.size)"]
                let message: [UInt8]
                if shape.writer == "swift" {
                    message = try await encryptor.encrypt(plaintext, keyring: keyrings[shape.keys]!, encryptionContext: context,
                                                          suite: suite, frameLength: shape.frame).ciphertext
                } else {
                    message = try worker.encrypt(suite: suite.id, frameLength: shape.frame, plaintext: plaintext,
                                                 context: Dictionary(uniqueKeysWithValues: context.map { ($0.key, $0.value) }),
                                                 keys: shape.keys.split(separator: "+").map(String.init))
                }
                let capture = CapturingKeyring(decryptKeyring)
                let decrypted = try await decryptor.decrypt(message, keyring: capture).plaintext
                guard decrypted == plaintext, case .success(let theirs) = try worker.decrypt(message), theirs == plaintext else {
                    throw WorkerError(description: "base message \(shape.writer) \(suite.idHex) does not decrypt on both sides")
                }
                guard let (header, headerLength) = HeaderFields.parse(message),
                      let layout = BodyLayout(message, header: header, headerLength: headerLength, signed: suite.isSigned) else {
                    throw WorkerError(description: "base message \(shape.writer) \(suite.idHex) does not walk")
                }
                bases.append(BaseMessage(name: "\(shape.writer)-\(suite.idHex)-f\(shape.frame)-n\(shape.size)-\(shape.keys)", suite: suite,
                                         bytes: message, plaintext: plaintext, dataKey: capture.dataKey!, header: header, layout: layout))
            }
        }
        print("FuzzDiff: \(bases.count) base messages (\(AlgorithmSuite.all.count) suites × EnvelopeKit and Python ESDK writers); \(mutants) mutants, seed \(seed)")

        var tally = Tally(outDirectory: outDirectory)
        var mutator = Mutator(rng: SeededGenerator(state: seed), bases: bases)
        let start = Date()
        for index in 0..<mutants {
            let (mutant, op, base) = mutator.next()
            let ours: Result<[UInt8], EnvelopeError>
            do { ours = .success(try await decryptor.decrypt(mutant, keyring: decryptKeyring).plaintext) } catch let error as EnvelopeError {
                ours = .failure(error)
            } catch {
                fatalError("EnvelopeKit's decrypt threw a non-EnvelopeError: \(error)")
            }
            let theirs = try worker.decrypt(mutant)
            tally.record(mutant: mutant, op: op, base: base.name, ours: ours, theirs: theirs) {
                Explanation.classify(mutant: mutant, base: base, ours: ours, theirs: theirs, rsaOnly: { try worker.decryptWithRSAOnly(mutant) })
            }
            if (index + 1) % 10_000 == 0 {
                print("  \(index + 1) mutants, \(tally.disagreements) disagreements (\(tally.unexplained) unexplained), \(Int(Date().timeIntervalSince(start))) s")
                fflush(nil)  // progress shows up in a log file as it is printed
            }
        }
        try tally.write(seconds: Date().timeIntervalSince(start), seed: seed)
        return tally.unexplained == 0 ? 0 : 1
    }
}

/// Required by the libFuzzer runtime that `-sanitize=fuzzer` links in (its `main` refers to it); never called.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDiffUnusedTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fatalError("FuzzDiff is a program, not a libFuzzer target: run it through scripts/fuzz-diff.sh")
}
