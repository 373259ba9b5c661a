import EnvelopeTestSupport
import Foundation
import Testing

/// `-w provider=aws-kms-rsa …` and `kms create-key --key-spec RSA_*` with the real `envelope`
/// binary, on the local KMS and on `envelope kms serve` driven by the AWS CLI.
@Suite("envelope: asymmetric KMS keys (provider=aws-kms-rsa)")
struct KMSRSACLITests {
    static let owner = CrossAccountStory.Names.owner
    static let ownerRoot = "arn:aws:iam::\(owner):root"
    static let suite = ["--algorithm", "AES_256_GCM_HKDF_SHA512_COMMIT_KEY"]

    @Test("local KMS: create-key --key-spec RSA_2048, encrypt and decrypt with provider=aws-kms-rsa; a signed suite is refused",
          arguments: ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"])
    func localRoundTrip(_ algorithm: String) throws {
        let box = try Sandbox()
        try box.write("plain.bin", testBytes(20_000))
        let state = box.file("kms-state").path
        let local = ["--kms", "local", "--kms-state", state, "--principal", Self.ownerRoot]
        let created = try box.run(["kms", "create-key", "--account", Self.owner, "--key-spec", "RSA_2048", "--key-usage", "ENCRYPT_DECRYPT", "--kms-state", state])
        #expect(created.status == 0, "\(created)")
        let metadata = try #require(try created.json()["KeyMetadata"] as? [String: Any])
        #expect(metadata["KeySpec"] as? String == "RSA_2048")
        #expect(metadata["EncryptionAlgorithms"] as? [String] == ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"])
        let arn = try #require(metadata["Arn"] as? String)
        let spec = ["-w", "provider=aws-kms-rsa", "key=\(arn)", "algorithm=\(algorithm)"]

        let encrypted = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc"] + spec + Self.suite + local)
        #expect(encrypted.status == 0, "\(encrypted)")
        let decrypted = try box.run(["decrypt", "-i", "m.enc", "-o", "m.out"] + spec + local)
        #expect(decrypted.status == 0, "\(decrypted)")
        #expect(try box.read("m.out") == testBytes(20_000))

        let signed = try box.run(["encrypt", "-i", "plain.bin", "-o", "signed.enc"] + spec + local)
        #expect(signed.status != 0, "\(signed)")
        #expect(signed.stderr.contains("signing") || signed.stderr.contains("signature"), "\(signed)")
        #expect(!box.exists("signed.enc"))
        let otherAlgorithm = algorithm == "RSAES_OAEP_SHA_1" ? "RSAES_OAEP_SHA_256" : "RSAES_OAEP_SHA_1"
        let wrong = try box.run(["decrypt", "-i", "m.enc", "-o", "wrong.out", "-w", "provider=aws-kms-rsa", "key=\(arn)", "algorithm=\(otherAlgorithm)"] + local)
        #expect(wrong.status != 0 && wrong.stderr.contains("InvalidCiphertextException"), "\(wrong)")
    }

    @Test("SPEC errors: missing algorithm=, an unknown algorithm, an unknown word; bad --key-spec")
    func specErrors() throws {
        let box = try Sandbox()
        try box.write("plain.bin", [1, 2, 3])
        let arn = "arn:aws:kms:us-east-1:\(Self.owner):key/1234abcd-12ab-34cd-56ef-1234567890ab"
        for (words, needle) in [(["provider=aws-kms-rsa", "key=\(arn)"], "algorithm="),
                                (["provider=aws-kms-rsa", "key=\(arn)", "algorithm=SYMMETRIC_DEFAULT"], "not an RSA encryption algorithm"),
                                (["provider=aws-kms-rsa", "key=\(arn)", "algorithm=RSAES_OAEP_SHA_1", "padding=x"], "padding")] {
            let result = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "-w"] + words)
            #expect(result.status == 64, "\(result)")
            #expect(result.stderr.contains(needle), "\(result)")
        }
        let badSpec = try box.run(["kms", "create-key", "--account", Self.owner, "--key-spec", "ECC_NIST_P256", "--kms-state", box.file("s").path])
        #expect(badSpec.status != 0 && badSpec.stderr.contains("ECC_NIST_P256"), "\(badSpec)")
    }

    /// The AWS CLI against `envelope kms serve`: create-key with a key spec, get-public-key, and
    /// encrypt/decrypt with --encryption-algorithm; a public key file from get-public-key then
    /// encrypts with `envelope` without KMS, and `envelope` decrypts over the wire.
    /// https://docs.aws.amazon.com/kms/latest/APIReference/API_GetPublicKey.html (DER SPKI, base64 over HTTP),
    /// https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html (EncryptionAlgorithm required for asymmetric keys).
    @Test("AWS CLI against kms serve: create-key RSA_3072, get-public-key, encrypt/decrypt with an algorithm; envelope with public-key-file=")
    func awsCLIAgainstServe() throws {
        let story = try OwnerStory(.serve)
        let created = try story.awsCLI(["kms", "create-key", "--key-spec", "RSA_3072", "--key-usage", "ENCRYPT_DECRYPT", "--description", "rsa"])
        #expect(created.status == 0, "\(created)")
        let metadata = try #require(try created.json()["KeyMetadata"] as? [String: Any])
        #expect(metadata["KeySpec"] as? String == "RSA_3072")
        let arn = try #require(metadata["Arn"] as? String)

        let publicKey = try story.awsCLI(["kms", "get-public-key", "--key-id", arn])
        #expect(publicKey.status == 0, "\(publicKey)")
        let answer = try publicKey.json()
        #expect(answer["KeyId"] as? String == arn && answer["KeyUsage"] as? String == "ENCRYPT_DECRYPT")
        #expect(answer["EncryptionAlgorithms"] as? [String] == ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"])
        let publicKeyText = try #require(answer["PublicKey"] as? String)
        let der = try #require(Data(base64Encoded: publicKeyText))
        try story.box.write("pub.der", [UInt8](der))

        try story.box.write("secret.bin", Array("a short secret".utf8))
        let encrypted = try story.awsCLI(["kms", "encrypt", "--key-id", arn, "--plaintext", "fileb://secret.bin", "--encryption-algorithm", "RSAES_OAEP_SHA_256"])
        #expect(encrypted.status == 0, "\(encrypted)")
        let blobText = try #require(try encrypted.json()["CiphertextBlob"] as? String)
        let blob = try #require(Data(base64Encoded: blobText))
        #expect(blob.count == 384)
        try story.box.write("blob.bin", [UInt8](blob))
        let decrypted = try story.awsCLI(["kms", "decrypt", "--key-id", arn, "--ciphertext-blob", "fileb://blob.bin", "--encryption-algorithm", "RSAES_OAEP_SHA_256"])
        #expect(decrypted.status == 0, "\(decrypted)")
        let decryptedJSON = try decrypted.json()
        #expect(decryptedJSON["Plaintext"] as? String == Data("a short secret".utf8).base64EncodedString())
        #expect(decryptedJSON["EncryptionAlgorithm"] as? String == "RSAES_OAEP_SHA_256")
        let noAlgorithm = try story.awsCLI(["kms", "decrypt", "--key-id", arn, "--ciphertext-blob", "fileb://blob.bin"])
        #expect(noAlgorithm.status != 0 && noAlgorithm.stderr.contains("InvalidKeyUsageException"), "\(noAlgorithm)")

        let spec = ["-w", "provider=aws-kms-rsa", "key=\(arn)", "algorithm=RSAES_OAEP_SHA_1"]
        let sealed = try story.owner(["encrypt", "-i", "plain.bin", "-o", "m.enc"] + spec + ["public-key-file=pub.der"] + Self.suite)
        #expect(sealed.status == 0, "\(sealed)")
        let opened = try story.owner(["decrypt", "-i", "m.enc", "-o", "m.out"] + spec)
        #expect(opened.status == 0, "\(opened)")
        #expect(try story.box.read("m.out") == OwnerStory.plaintext)
    }
}
