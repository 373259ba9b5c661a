import EnvelopeCrypto
import EnvelopeKMS
@testable import EnvelopeKMSHTTP
import EnvelopeTestSupport
import Foundation
import Logging
import Testing

/// The HTTP transport against moto with IAM signature checking on.
///
/// moto does not enforce key policies or key states; those are covered by the local KMS server
/// tests. The end-to-end encrypt/decrypt of a message through the KMS keyring belongs with the
/// keyring tests once the keyrings exist.
@Suite("KMS HTTP transport against moto (SigV4 checked)", .serialized)
struct MotoTransportTests {
    static let account = "123456789012"

    func transport(_ id: String, _ secret: String, sessionToken: String? = nil) async throws -> KMSHTTPTransport {
        let moto = try await MotoFixture.shared.start()
        let credentials = try AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: sessionToken)
        return KMSHTTPTransport(
            region: "us-east-1",
            endpoint: KMSEndpoint(url: URL(string: moto.endpoint)!, signingRegion: "us-east-1"),
            credentials: StaticCredentialsProvider(credentials),
            http: AWSHTTPClient(retryPolicy: .none))
    }

    func allowed() async throws -> KMSHTTPTransport {
        let moto = try await MotoFixture.shared.start()
        return try await transport(moto.allowedId, moto.allowedSecret)
    }

    func aliasARN(_ index: Int) throws -> KMSKeyIdentifier {
        try KMSKeyIdentifier(parsing: "arn:aws:kms:us-east-1:\(Self.account):alias/envelope-\(index)")
    }

    @Test("DescribeKey by key ARN and by alias ARN gives the key ARN")
    func describeKey() async throws {
        let moto = try await MotoFixture.shared.start()
        let kms = try await allowed()
        let byKey = try await kms.describeKey(DescribeKeyRequest(keyId: .keyARN(moto.key1)))
        #expect(byKey.keyMetadata.arn == moto.key1)
        #expect(byKey.keyMetadata.keyState == .enabled)
        let byAlias = try await kms.describeKey(DescribeKeyRequest(keyId: try aliasARN(1)))
        #expect(byAlias.keyMetadata.arn == moto.key1)
    }

    @Test("GenerateDataKey (alias ARN) then Decrypt (key ARN) round-trips the data key")
    func generateAndDecrypt() async throws {
        let moto = try await MotoFixture.shared.start()
        let kms = try await allowed()
        let context = ["purpose": "test", "tenant": "a"]
        let generated = try await kms.generateDataKey(
            GenerateDataKeyRequest(keyId: try aliasARN(1), encryptionContext: context, numberOfBytes: 32))
        #expect(generated.keyId == moto.key1)
        #expect(generated.plaintext.count == 32)
        let decrypted = try await kms.decrypt(
            DecryptRequest(ciphertextBlob: generated.ciphertextBlob, keyId: .keyARN(moto.key1), encryptionContext: context))
        #expect(decrypted.keyId == moto.key1)
        #expect(decrypted.plaintext == generated.plaintext)
    }

    @Test("GenerateDataKeyWithoutPlaintext, Encrypt, ReEncrypt")
    func otherCryptoOperations() async throws {
        let moto = try await MotoFixture.shared.start()
        let kms = try await allowed()
        let withoutPlaintext = try await kms.generateDataKeyWithoutPlaintext(
            GenerateDataKeyWithoutPlaintextRequest(keyId: .keyARN(moto.key1), keySpec: .aes256))
        #expect(withoutPlaintext.keyId == moto.key1)
        #expect(!withoutPlaintext.ciphertextBlob.isEmpty)

        let secret = try SecureBytes(copying: Array("sixteen byte key".utf8))
        let encrypted = try await kms.encrypt(EncryptRequest(keyId: try aliasARN(1), plaintext: secret))
        #expect(encrypted.keyId == moto.key1)
        let reEncrypted = try await kms.reEncrypt(
            ReEncryptRequest(ciphertextBlob: encrypted.ciphertextBlob, sourceKeyId: .keyARN(moto.key1),
                             destinationKeyId: .keyARN(moto.key2)))
        #expect(reEncrypted.sourceKeyId == moto.key1)
        #expect(reEncrypted.keyId == moto.key2)
        let decrypted = try await kms.decrypt(
            DecryptRequest(ciphertextBlob: reEncrypted.ciphertextBlob, keyId: .keyARN(moto.key2)))
        #expect(decrypted.plaintext == secret)
    }

    @Test("CreateGrant, ListGrants, RevokeGrant")
    func grants() async throws {
        let moto = try await MotoFixture.shared.start()
        let kms = try await allowed()
        let grantee = "arn:aws:iam::\(Self.account):user/envelope-denied"
        let created = try await kms.createGrant(
            CreateGrantRequest(keyId: .keyARN(moto.key2), granteePrincipal: grantee, operations: [.decrypt, .encrypt]))
        #expect(!created.grantId.isEmpty)
        let listed = try await kms.listGrants(ListGrantsRequest(keyId: .keyARN(moto.key2)))
        #expect(listed.grants.contains { $0.grantId == created.grantId && $0.granteePrincipal == grantee })
        _ = try await kms.revokeGrant(RevokeGrantRequest(keyId: .keyARN(moto.key2), grantId: created.grantId))
        let after = try await kms.listGrants(ListGrantsRequest(keyId: .keyARN(moto.key2)))
        #expect(!after.grants.contains { $0.grantId == created.grantId })
    }

    @Test("NotFoundException for an unknown key ARN")
    func notFound() async throws {
        let kms = try await allowed()
        let missing = try KMSKeyIdentifier(parsing: "arn:aws:kms:us-east-1:\(Self.account):key/00000000-0000-0000-0000-000000000000")
        let error = try await #require(throws: KMSError.self) { try await kms.describeKey(DescribeKeyRequest(keyId: missing)) }
        #expect(error.code == .notFound)
        #expect(error.httpStatus == 400)
    }

    @Test("InvalidCiphertextException for a tampered ciphertext")
    func invalidCiphertext() async throws {
        let moto = try await MotoFixture.shared.start()
        let kms = try await allowed()
        let encrypted = try await kms.encrypt(
            EncryptRequest(keyId: .keyARN(moto.key1), plaintext: try SecureBytes(copying: Array("data key".utf8))))
        var tampered = encrypted.ciphertextBlob
        tampered[tampered.count - 1] ^= 0x01
        let error = try await #require(throws: KMSError.self) {
            try await kms.decrypt(DecryptRequest(ciphertextBlob: tampered, keyId: .keyARN(moto.key1)))
        }
        #expect(error.code == .invalidCiphertext)
    }

    @Test("a user without kms permissions gets AccessDenied (moto answers in XML)")
    func accessDenied() async throws {
        let moto = try await MotoFixture.shared.start()
        let kms = try await transport(moto.deniedId, moto.deniedSecret)
        let error = try await #require(throws: KMSError.self) {
            try await kms.describeKey(DescribeKeyRequest(keyId: .keyARN(moto.key1)))
        }
        #expect(error.code.rawValue == "AccessDenied")
        #expect(error.httpStatus == 403)
        #expect(error.message.contains("kms:DescribeKey"))
    }

    @Test("a wrong secret gets SignatureDoesNotMatch and is not retried")
    func wrongSecret() async throws {
        let moto = try await MotoFixture.shared.start()
        let credentials = try AWSCredentials(accessKeyId: moto.allowedId, secretAccessKey: String(repeating: "x", count: 40))
        let kms = KMSHTTPTransport(
            region: "us-east-1",
            endpoint: KMSEndpoint(url: URL(string: moto.endpoint)!, signingRegion: "us-east-1"),
            credentials: StaticCredentialsProvider(credentials),
            http: AWSHTTPClient(retryPolicy: RetryPolicy(maxAttempts: 5, baseDelay: 0.01)))
        let error = try await #require(throws: KMSError.self) {
            try await kms.describeKey(DescribeKeyRequest(keyId: .keyARN(moto.key1)))
        }
        #expect(error.code.rawValue == "SignatureDoesNotMatch")
    }

    @Test("STS AssumeRole (query protocol, XML) gives session credentials that KMS accepts")
    func assumeRoleProgrammatically() async throws {
        let moto = try await MotoFixture.shared.start()
        let source = StaticCredentialsProvider(try AWSCredentials(accessKeyId: moto.allowedId, secretAccessKey: moto.allowedSecret))
        let http = AWSHTTPClient(retryPolicy: .none)
        let assume = STSAssumeRoleCredentialsProvider(
            roleArn: moto.roleArn, sessionName: "envelope-test", durationSeconds: 900, source: source,
            region: "us-east-1", endpoint: moto.endpoint, http: http)
        let temporary = try await assume.credentials(logger: Logger(label: "test"))
        #expect(temporary.sessionToken != nil)
        #expect(temporary.expiration != nil)
        #expect(!"\(temporary)".contains(temporary.sessionToken!))
        let kms = KMSHTTPTransport(
            region: "us-east-1",
            endpoint: KMSEndpoint(url: URL(string: moto.endpoint)!, signingRegion: "us-east-1"),
            credentials: assume, http: http)
        let described = try await kms.describeKey(DescribeKeyRequest(keyId: .keyARN(moto.key1)))
        #expect(described.keyMetadata.arn == moto.key1)
    }

    @Test("STS AssumeRole with a wrong source secret fails with the STS error")
    func assumeRoleRefused() async throws {
        let moto = try await MotoFixture.shared.start()
        let source = StaticCredentialsProvider(try AWSCredentials(accessKeyId: moto.allowedId, secretAccessKey: "wrong"))
        let assume = STSAssumeRoleCredentialsProvider(
            roleArn: moto.roleArn, sessionName: "envelope-test", source: source,
            region: "us-east-1", endpoint: moto.endpoint, http: AWSHTTPClient(retryPolicy: .none))
        let error = try await #require(throws: AWSCredentialsError.self) { try await assume.credentials(logger: Logger(label: "test")) }
        #expect(error.kind == .assumeRoleFailed)
        #expect(error.message.contains("SignatureDoesNotMatch"))
    }

    @Test("profile with role_arn + source_profile in the shared files, endpoint from AWS_ENDPOINT_URL")
    func profileAssumeRole() async throws {
        let moto = try await MotoFixture.shared.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("envelope-aws-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let credentialsFile = directory.appendingPathComponent("credentials")
        let configFile = directory.appendingPathComponent("config")
        try """
        [base]
        aws_access_key_id = \(moto.allowedId)
        aws_secret_access_key = \(moto.allowedSecret)
        """.write(to: credentialsFile, atomically: true, encoding: .utf8)
        try """
        [default]
        region = eu-west-1

        [profile crossaccount]
        role_arn = \(moto.roleArn)
        source_profile = base
        region = us-east-1
        """.write(to: configFile, atomically: true, encoding: .utf8)
        let environment = [
            "HOME": directory.path,
            "AWS_SHARED_CREDENTIALS_FILE": credentialsFile.path,
            "AWS_CONFIG_FILE": configFile.path,
            "AWS_PROFILE": "crossaccount",
            "AWS_ENDPOINT_URL": moto.endpoint,
        ]
        let kms = try KMSHTTPTransport.standard(environment: environment, http: AWSHTTPClient(retryPolicy: .none))
        #expect(kms.region.rawValue == "us-east-1")
        let described = try await kms.describeKey(DescribeKeyRequest(keyId: .keyARN(moto.key1)))
        #expect(described.keyMetadata.arn == moto.key1)
    }

    @Test("profile with role_arn + credential_source = Environment, per-service endpoints")
    func profileCredentialSourceEnvironment() async throws {
        let moto = try await MotoFixture.shared.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("envelope-aws-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let configFile = directory.appendingPathComponent("config")
        try """
        [profile fromenv]
        role_arn = \(moto.roleArn)
        credential_source = Environment
        """.write(to: configFile, atomically: true, encoding: .utf8)
        let environment = [
            "HOME": directory.path, "AWS_CONFIG_FILE": configFile.path, "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": moto.allowedId, "AWS_SECRET_ACCESS_KEY": moto.allowedSecret,
            "AWS_ENDPOINT_URL_STS": moto.endpoint, "AWS_ENDPOINT_URL_KMS": moto.endpoint,
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9",  // must lose to the per-service variables
        ]
        let logs = LogRecorder()
        let kms = try KMSHTTPTransport.standard(
            profile: "fromenv", environment: environment, http: AWSHTTPClient(retryPolicy: .none), logger: logs.logger())
        let described = try await kms.describeKey(DescribeKeyRequest(keyId: .keyARN(moto.key1)))
        #expect(described.keyMetadata.arn == moto.key1)
        #expect(logs.text.contains("assumed role"))
        #expect(!logs.text.contains(moto.allowedSecret))
    }
}
