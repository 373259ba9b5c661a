import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeKMSHTTP
import EnvelopeLocalKMS
import EnvelopeLocalKMSServer
import EnvelopeTestSupport
import Foundation
import Testing

/// The RSA story (``RSAKeyPairStory``) served over the KMS wire protocol on 127.0.0.1: our HTTP
/// transport and KMS RSA keyring, and the official Python ESDK 4.0.7's KMS RSA keyring (Material
/// Providers Library 1.11.3, boto3) through `Tests/Interop/kms_rsa_peer.py`, both ways.
@Suite("KMS RSA keyring over the local KMS server", .serialized)
struct KMSRSAOverWireTests {
    struct Served {
        let story: RSAKeyPairStory
        let server: RunningLocalKMSServer
        let external: LocalKMSAccessKey

        static func start() async throws -> Served {
            let story = try await RSAKeyPairStory.make()
            let external = try await story.kms.createAccessKey(principal: CrossAccountStory.externalUser)
            return Served(story: story, server: try await LocalKMSServer(kms: story.kms, port: 0).start(), external: external)
        }

        func transport() throws -> KMSHTTPTransport {
            KMSHTTPTransport(region: CrossAccountStory.region, endpoint: KMSEndpoint(url: server.url, signingRegion: "us-east-1"),
                             credentials: StaticCredentialsProvider(try AWSCredentials(accessKeyId: external.accessKeyId, secretAccessKey: external.secretAccessKey)),
                             http: AWSHTTPClient(retryPolicy: .none))
        }
    }

    @Test("HTTP transport: GetPublicKey, Decrypt with an encryption algorithm; a message round trip through the keyring as ExternalUser",
          arguments: KMSEncryptionAlgorithm.rsaAlgorithms)
    func overHTTP(_ algorithm: KMSEncryptionAlgorithm) async throws {
        let served = try await Served.start()
        let kms = try served.transport()
        let answer = try await kms.getPublicKey(GetPublicKeyRequest(keyId: .aliasARN(served.story.aliasARN)))
        #expect(answer.keyId == served.story.key && answer.keySpec == "RSA_2048")
        let keyring = try await KMSRSAKeyring.resolving(.aliasARN(served.story.aliasARN), encryptionAlgorithm: algorithm, transport: kms)
        let client = EnvelopeClient()
        let plaintext = Array("an RSA-wrapped data key over the wire".utf8)
        let message = try await client.encrypt(plaintext, keyring: keyring, encryptionContext: ["purpose": "wire"], suite: .aes256GCMHKDFSHA512CommitKey)
        let decrypted = try await client.decrypt(message.ciphertext, keyring: keyring)
        #expect(decrypted.plaintext == plaintext)
        // AWS's error code comes back over the wire: no algorithm for an RSA key.
        let error = try await #require(throws: KMSError.self) {
            try await kms.decrypt(DecryptRequest(ciphertextBlob: message.header.encryptedDataKeys[0].ciphertext, keyId: .keyARN(served.story.key)))
        }
        #expect(error.code == .invalidKeyUsage)
        await served.server.stop()
    }

    /// Interop with the MPL's `CreateAwsKmsRsaKeyringInput` keyring, its boto3 KMS client pointed at
    /// the served local KMS: Python encrypts (GetPublicKey over the wire) and we decrypt; we encrypt
    /// and Python decrypts (Decrypt with the algorithm over the wire).
    @Test("Python ESDK 4.0.7 KMS RSA keyring: Python encrypts → we decrypt, we encrypt → Python decrypts", arguments: KMSEncryptionAlgorithm.rsaAlgorithms)
    func pythonInterop(_ algorithm: KMSEncryptionAlgorithm) async throws {
        let python = try TestPython.interpreter(needing: "aws-encryption-sdk 4.0.7 with aws-cryptographic-material-providers 1.11.3")
        let served = try await Served.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kms-rsa-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let plaintext = Array("Account 109876543210 shares an RSA key pair with account 012345678901.".utf8) + RandomBytes.array(count: 5000)
        try Data(plaintext).write(to: directory.appendingPathComponent("plain.bin"))
        let context = ["purpose": "rsa interop", "Department": "IT"]

        // Python → Swift.
        let pythonContext = try await runPeer(python, served: served, ["encrypt", served.story.key.description, algorithm.rawValue,
                                                                        "plain.bin", "python.enc", String(decoding: try JSONEncoder().encode(context), as: UTF8.self)],
                                              in: directory)
        #expect(pythonContext == context)
        let fromPython = try [UInt8](Data(contentsOf: directory.appendingPathComponent("python.enc")))
        let keyring = try KMSRSAKeyring(keyARN: served.story.key, encryptionAlgorithm: algorithm, publicKey: nil, transport: try served.transport())
        let decrypted = try await EnvelopeClient().decrypt(fromPython, keyring: keyring)
        #expect(decrypted.plaintext == plaintext)
        #expect(decrypted.encryptionContext["purpose"] == "rsa interop")

        // Swift → Python.
        let encryptor = try await KMSRSAKeyring.resolving(.aliasARN(served.story.aliasARN), encryptionAlgorithm: algorithm, transport: try served.transport())
        let ours = try await EnvelopeClient().encrypt(plaintext, keyring: encryptor, encryptionContext: EncryptionContext(context), suite: .aes256GCMHKDFSHA512CommitKey)
        try Data(ours.ciphertext).write(to: directory.appendingPathComponent("swift.enc"))
        let seen = try await runPeer(python, served: served, ["decrypt", served.story.key.description, algorithm.rawValue, "swift.enc", "swift.out"], in: directory)
        #expect(seen == context)
        #expect(try [UInt8](Data(contentsOf: directory.appendingPathComponent("swift.out"))) == plaintext)
        await served.server.stop()
    }

    /// Runs the peer as ExternalUser against the served KMS; returns the encryption context it printed.
    private func runPeer(_ python: URL, served: Served, _ arguments: [String], in directory: URL) async throws -> [String: String] {
        let process = Process()
        process.executableURL = python
        process.currentDirectoryURL = directory
        let endpoint = served.server.url.absoluteString
        process.arguments = [TestRepository.file("Tests/Interop/kms_rsa_peer.py").path, arguments[0], endpoint, "us-east-1"] + arguments.dropFirst()
        process.environment = [
            "AWS_ACCESS_KEY_ID": served.external.accessKeyId, "AWS_SECRET_ACCESS_KEY": served.external.secretAccessKey,
            "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true",
            "PATH": "/usr/bin:/bin", "HOME": directory.path,
        ]
        let stdoutFile = directory.appendingPathComponent("peer.out"), stderrFile = directory.appendingPathComponent("peer.err")
        _ = FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        let out = try FileHandle(forWritingTo: stdoutFile), err = try FileHandle(forWritingTo: stderrFile)
        defer { try? out.close(); try? err.close() }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let stderrText = String(decoding: (try? Data(contentsOf: stderrFile)) ?? Data(), as: UTF8.self)
        guard status == 0 else { throw TestSupportError("kms_rsa_peer.py \(arguments[0]) exited with \(status): \(stderrText.suffix(3000))") }
        let line = try Data(contentsOf: stdoutFile)
        let object = try #require(try JSONSerialization.jsonObject(with: line) as? [String: Any], "peer printed no JSON: \(stderrText)")
        return try #require(object["EncryptionContext"] as? [String: String])
    }
}
