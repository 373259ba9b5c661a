import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeKMSHTTP
import EnvelopeLocalKMS
@testable import EnvelopeLocalKMSServer
import EnvelopeTestSupport
import Foundation
import Logging
import Testing

/// The story's key (``CrossAccountStory``) served on 127.0.0.1 with a free port; User1 and
/// "Other" (same account, named by no policy) have access keys.
struct ServedKMS: Sendable {
    static let account = CrossAccountStory.owner
    let kms: LocalKMS
    let server: RunningLocalKMSServer
    let key: KMSKeyARN
    let aliasARN: String
    let user1: LocalKMSAccessKey
    let noAccess: LocalKMSAccessKey

    static func start() async throws -> ServedKMS {
        let (story, user1Key, noAccessKey) = try await prepare()
        let server = try await LocalKMSServer(kms: story.kms, port: 0).start()
        return ServedKMS(kms: story.kms, server: server, key: story.key, aliasARN: story.aliasARN.description, user1: user1Key, noAccess: noAccessKey)
    }

    /// The story's local KMS with access keys of User1 (a key user) and of a principal without access.
    static func prepare() async throws -> (story: CrossAccountStory, user1: LocalKMSAccessKey, noAccess: LocalKMSAccessKey) {
        let story = try await CrossAccountStory.make(externalIAM: nil)
        return (story, try await story.kms.createAccessKey(principal: CrossAccountStory.user1),
                try await story.kms.createAccessKey(principal: CrossAccountStory.ownerOther))
    }

    func transport(_ id: String, _ secret: String) throws -> KMSHTTPTransport {
        KMSHTTPTransport(
            region: "us-east-1",
            endpoint: KMSEndpoint(url: server.url, signingRegion: "us-east-1"),
            credentials: StaticCredentialsProvider(try AWSCredentials(accessKeyId: id, secretAccessKey: secret)),
            http: AWSHTTPClient(retryPolicy: .none))
    }
}

@Suite("Local KMS served over the KMS wire protocol", .serialized)
struct LocalKMSServerTests {
    @Test("the bound port is reported (port 0 picks a free one)")
    func reportsPort() async throws {
        let served = try await ServedKMS.start()
        defer { Task { await served.server.stop() } }
        #expect(served.server.port > 0)
        #expect(served.server.url.absoluteString == "http://127.0.0.1:\(served.server.port)")
    }

    @Test("our HTTP transport: every operation as User1, key and alias ARN forms")
    func transportWorks() async throws {
        let served = try await ServedKMS.start()
        let kms = try served.transport(served.user1.accessKeyId, served.user1.secretAccessKey)
        let alias = try KMSKeyIdentifier(parsing: served.aliasARN)
        let described = try await kms.describeKey(DescribeKeyRequest(keyId: alias))
        #expect(described.keyMetadata.arn == served.key)
        let context = ["department": "10"]
        let generated = try await kms.generateDataKey(GenerateDataKeyRequest(keyId: alias, encryptionContext: context, keySpec: .aes256))
        #expect(generated.keyId == served.key)
        #expect(generated.plaintext.count == 32)
        let decrypted = try await kms.decrypt(DecryptRequest(ciphertextBlob: generated.ciphertextBlob, keyId: .keyARN(served.key), encryptionContext: context))
        #expect(decrypted.plaintext == generated.plaintext)
        let withoutPlaintext = try await kms.generateDataKeyWithoutPlaintext(
            GenerateDataKeyWithoutPlaintextRequest(keyId: .keyARN(served.key), numberOfBytes: 16))
        #expect(withoutPlaintext.keyId == served.key)
        let encrypted = try await kms.encrypt(EncryptRequest(keyId: .keyARN(served.key), plaintext: try SecureBytes(copying: [1, 2, 3])))
        let reEncrypted = try await kms.reEncrypt(ReEncryptRequest(ciphertextBlob: encrypted.ciphertextBlob, sourceKeyId: .keyARN(served.key), destinationKeyId: .keyARN(served.key)))
        #expect(reEncrypted.keyId == served.key)
        // The story's key policy allows CreateGrant only with kms:GrantIsForAWSResource, which a
        // direct call never has: the policy is enforced through the wire protocol too.
        let grantError = try await #require(throws: KMSError.self) {
            try await kms.createGrant(CreateGrantRequest(
                keyId: .keyARN(served.key), granteePrincipal: "\(CrossAccountStory.ownerOther)", operations: [.decrypt]))
        }
        #expect(grantError.code == .accessDenied)
        #expect(grantError.message.contains("kms:CreateGrant"))
        // A wrong encryption context fails cleanly over the wire.
        let wrongContext = try await #require(throws: KMSError.self) {
            try await kms.decrypt(DecryptRequest(ciphertextBlob: generated.ciphertextBlob, keyId: .keyARN(served.key), encryptionContext: ["department": "11"]))
        }
        #expect(wrongContext.code == .invalidCiphertext)
        await served.server.stop()
    }

    @Test("CreateGrant, ListGrants, RevokeGrant over the wire when the key policy allows them")
    func grants() async throws {
        let served = try await ServedKMS.start()
        let policy = """
        {"Version":"2012-10-17","Statement":[
          {"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::\(CrossAccountStory.owner):root"},"Action":"kms:*","Resource":"*"},
          {"Sid":"User1","Effect":"Allow","Principal":{"AWS":"\(CrossAccountStory.user1)"},"Action":"kms:*","Resource":"*"}]}
        """
        let key = try await served.kms.createKey(account: ServedKMS.account, policy: policy).arn
        let kms = try served.transport(served.user1.accessKeyId, served.user1.secretAccessKey)
        let grantee = "\(CrossAccountStory.ownerOther)"
        let grant = try await kms.createGrant(CreateGrantRequest(keyId: .keyARN(key), granteePrincipal: grantee, operations: [.describeKey]))
        let listed = try await kms.listGrants(ListGrantsRequest(keyId: .keyARN(key)))
        #expect(listed.grants.contains { $0.grantId == grant.grantId && $0.granteePrincipal == grantee && $0.keyId == key })
        // The grant lets NoAccess describe the key, which it could not do before.
        let granteeTransport = try served.transport(served.noAccess.accessKeyId, served.noAccess.secretAccessKey)
        #expect(try await granteeTransport.describeKey(DescribeKeyRequest(keyId: .keyARN(key))).keyMetadata.arn == key)
        _ = try await kms.revokeGrant(RevokeGrantRequest(keyId: .keyARN(key), grantId: grant.grantId))
        let after = try await kms.listGrants(ListGrantsRequest(keyId: .keyARN(key)))
        #expect(!after.grants.contains { $0.grantId == grant.grantId })
        let revoked = try await #require(throws: KMSError.self) {
            try await granteeTransport.describeKey(DescribeKeyRequest(keyId: .keyARN(key)))
        }
        #expect(revoked.code == .accessDenied)
        await served.server.stop()
    }

    @Test("a principal without permission gets AccessDeniedException")
    func accessDenied() async throws {
        let served = try await ServedKMS.start()
        let kms = try served.transport(served.noAccess.accessKeyId, served.noAccess.secretAccessKey)
        let error = try await #require(throws: KMSError.self) {
            try await kms.generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(served.key), keySpec: .aes256))
        }
        #expect(error.code == .accessDenied)
        #expect(error.message.contains("\(CrossAccountStory.ownerOther)"))
        await served.server.stop()
    }

    @Test("a wrong secret is refused with InvalidSignatureException, an unknown key with UnrecognizedClientException")
    func wrongSecretAndUnknownKey() async throws {
        let served = try await ServedKMS.start()
        let wrong = try served.transport(served.user1.accessKeyId, "not-the-secret-of-user1")
        let error = try await #require(throws: KMSError.self) { try await wrong.describeKey(DescribeKeyRequest(keyId: .keyARN(served.key))) }
        #expect(error.code.rawValue == "InvalidSignatureException")
        let unknown = try served.transport("AKIAUNKNOWNUNKNOWN00", "whatever")
        let unknownError = try await #require(throws: KMSError.self) { try await unknown.describeKey(DescribeKeyRequest(keyId: .keyARN(served.key))) }
        #expect(unknownError.code.rawValue == "UnrecognizedClientException")
        await served.server.stop()
    }

    @Test("boto3 uses the server as AWS KMS: allowed user works, denied user and wrong secret are refused")
    func boto3() async throws {
        let served = try await ServedKMS.start()
        let output = try PythonPeer.run(script: Self.botoScript, arguments: [
            served.server.url.absoluteString, served.aliasARN, served.key.description,
            served.user1.accessKeyId, served.user1.secretAccessKey,
            served.noAccess.accessKeyId, served.noAccess.secretAccessKey,
        ], environment: ["AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"])
        await served.server.stop()
        let result = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: String])
        #expect(result["generateKeyId"] == served.key.description)
        #expect(result["roundTrip"] == "ok")
        #expect(result["describeArn"] == served.key.description)
        #expect(result["denied"] == "AccessDeniedException")
        #expect(result["wrongSecret"] == "InvalidSignatureException")
    }

    static let botoScript = #"""
import json, sys, boto3, botocore
endpoint, alias, key, uid, usecret, did, dsecret = sys.argv[1:8]
def client(i, s):
    return boto3.client("kms", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=i, aws_secret_access_key=s,
                        config=botocore.config.Config(retries={"max_attempts": 1}))
out = {}
kms = client(uid, usecret)
gen = kms.generate_data_key(KeyId=alias, KeySpec="AES_256", EncryptionContext={"a": "b"})
out["generateKeyId"] = gen["KeyId"]
dec = kms.decrypt(CiphertextBlob=gen["CiphertextBlob"], KeyId=key, EncryptionContext={"a": "b"})
out["roundTrip"] = "ok" if dec["Plaintext"] == gen["Plaintext"] else "mismatch"
out["describeArn"] = kms.describe_key(KeyId=alias)["KeyMetadata"]["Arn"]
def code(fn):
    try:
        fn()
        return "no error"
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"]
out["denied"] = code(lambda: client(did, dsecret).generate_data_key(KeyId=key, KeySpec="AES_256"))
out["wrongSecret"] = code(lambda: client(uid, "x" * 40).describe_key(KeyId=key))
print(json.dumps(out))
"""#
}

@Suite("Local KMS wire handler: signature checks")
struct LocalKMSWireHandlerTests {
    func setup() async throws -> (LocalKMSWireHandler, LocalKMSAccessKey, KMSKeyARN) {
        let kms = try LocalKMS()
        let user = CrossAccountStory.user1
        let key = try await kms.createKey(account: CrossAccountStory.owner, userPrincipals: [user]).arn
        return (LocalKMSWireHandler(kms: kms), try await kms.createAccessKey(principal: user), key)
    }

    func signed(_ access: LocalKMSAccessKey, body: String, date: Date = Date()) throws -> SigV4Request {
        var request = SigV4Request(method: "POST", path: "/", headers: [
            ("Host", "127.0.0.1:1"), ("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "TrentService.DescribeKey"),
        ], body: Array(body.utf8))
        _ = try SigV4Signer(region: "us-east-1", service: "kms")
            .sign(&request, credentials: try AWSCredentials(accessKeyId: access.accessKeyId, secretAccessKey: access.secretAccessKey), date: date)
        return request
    }

    func code(_ response: LocalKMSWireResponse) -> String? {
        ((try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any])?["__type"] as? String
    }

    @Test("a correctly signed request succeeds")
    func ok() async throws {
        let (handler, access, key) = try await setup()
        let response = await handler.handle(try signed(access, body: #"{"KeyId":"\#(key)"}"#))
        #expect(response.status == 200)
    }

    @Test("no Authorization header → MissingAuthenticationTokenException")
    func missing() async throws {
        let (handler, access, key) = try await setup()
        var request = try signed(access, body: #"{"KeyId":"\#(key)"}"#)
        request.removeHeader("Authorization")
        #expect(code(await handler.handle(request)) == "MissingAuthenticationTokenException")
    }

    @Test("malformed Authorization → IncompleteSignatureException")
    func incomplete() async throws {
        let (handler, access, key) = try await setup()
        var request = try signed(access, body: #"{"KeyId":"\#(key)"}"#)
        request.setHeader("Authorization", "AWS4-HMAC-SHA256 Credential=\(access.accessKeyId)/20250101/us-east-1/kms/aws4_request")
        #expect(code(await handler.handle(request)) == "IncompleteSignatureException")
    }

    @Test("body changed after signing → InvalidSignatureException")
    func tampered() async throws {
        let (handler, access, key) = try await setup()
        var request = try signed(access, body: #"{"KeyId":"\#(key)"}"#)
        request.body = Array(#"{"KeyId":"\#(key)" }"#.utf8)
        #expect(code(await handler.handle(request)) == "InvalidSignatureException")
    }

    @Test("signed an hour ago → refused (Signature expired)")
    func expired() async throws {
        let (handler, access, key) = try await setup()
        let response = await handler.handle(try signed(access, body: #"{"KeyId":"\#(key)"}"#, date: Date().addingTimeInterval(-3600)))
        #expect(code(response) == "InvalidSignatureException")
        #expect(String(decoding: response.body, as: UTF8.self).contains("Signature expired"))
    }

    @Test("unknown operation → UnknownOperationException")
    func unknownOperation() async throws {
        let (handler, access, key) = try await setup()
        var request = SigV4Request(method: "POST", path: "/", headers: [("Host", "h"), ("X-Amz-Target", "TrentService.DeleteEverything")], body: Array(#"{"KeyId":"\#(key)"}"#.utf8))
        _ = try SigV4Signer(region: "us-east-1", service: "kms").sign(&request, credentials: try AWSCredentials(accessKeyId: access.accessKeyId, secretAccessKey: access.secretAccessKey), date: Date())
        #expect(code(await handler.handle(request)) == "UnknownOperationException")
    }
}
