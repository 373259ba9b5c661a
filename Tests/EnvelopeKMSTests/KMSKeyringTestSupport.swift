import EnvelopeTestSupport
import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeKMSPolicy
import EnvelopeLocalKMS
import Foundation
import Testing

extension CrossAccountStory {
    /// A counting transport for `principal` on the story's local KMS.
    func transport(_ principal: AWSPrincipalARN, region: AWSRegion = CrossAccountStory.region) -> CountingKMSTransport {
        CountingKMSTransport(kms.client(principal: principal, region: region))
    }
}

let samplePlaintext: [UInt8] = Array("Account 109876543210 shares a KMS key with account 012345678901.".utf8) + RandomBytes.array(count: 300)

/// A small in-memory KMS double for what the local KMS cannot do: multi-Region replicas (every
/// Region holds a replica of each `mrk-` key) and recording the exact requests. Decrypt succeeds
/// only with the key (or, for `mrk-` keys, a replica of the key) that made the blob.
final class FakeKMS: @unchecked Sendable {
    struct Blob { let key: KMSKeyARN; let plaintext: [UInt8]; let context: [String: String] }
    private let lock = NSLock()
    private var blobs: [[UInt8]: Blob] = [:]
    private(set) var log: [String] = []
    private(set) var grantTokensSeen: [[String]] = []
    private(set) var numberOfBytesSeen: [Int] = []
    var aliases: [KMSAliasARN: KMSKeyARN] = [:]
    var deniedDecrypt: Set<KMSKeyARN> = []

    func transport(_ region: AWSRegion) -> FakeKMSTransport { FakeKMSTransport(fake: self, region: region) }

    func locked<T>(_ body: () throws -> T) rethrows -> T { try lock.withLock(body) }

    func record(_ entry: String, tokens: [String]) { locked { log.append(entry); grantTokensSeen.append(tokens) } }

    func resolve(_ id: KMSKeyIdentifier, region: AWSRegion) throws -> KMSKeyARN {
        switch id {
        case .keyARN(let arn):
            guard arn.region == region else { throw KMSError(code: .notFound, message: "wrong region") }
            return arn
        case .aliasARN(let alias):
            guard let arn = locked({ aliases[alias] }) else { throw KMSError(code: .notFound, message: "Alias \(alias) is not found.") }
            return arn
        default:
            throw KMSError(code: .notFound, message: "the fake KMS only takes ARNs")
        }
    }

    func seal(_ plaintext: [UInt8], key: KMSKeyARN, context: [String: String]) -> [UInt8] {
        let blob = RandomBytes.array(count: 24)
        locked { blobs[blob] = Blob(key: key, plaintext: plaintext, context: context) }
        return blob
    }

    func open(_ blob: [UInt8], key: KMSKeyARN, context: [String: String]) throws -> [UInt8] {
        guard let stored = locked({ blobs[blob] }) else { throw KMSError(code: .invalidCiphertext, message: "unknown blob") }
        if locked({ deniedDecrypt.contains(key) }) {
            throw KMSError(code: .accessDenied, message: "User: fake is not authorized to perform: kms:Decrypt on resource: \(key)")
        }
        let sameKey = stored.key == key || (key.isMultiRegion && stored.key.keyID == key.keyID && stored.key.account == key.account)
        guard sameKey else { throw KMSError(code: .incorrectKey, message: "blob made by \(stored.key)") }
        guard stored.context == context else { throw KMSError(code: .invalidCiphertext, message: "context mismatch") }
        return stored.plaintext
    }
}

struct FakeKMSTransport: KMSTransport {
    let fake: FakeKMS
    let region: AWSRegion

    func generateDataKey(_ request: GenerateDataKeyRequest) async throws -> GenerateDataKeyResponse {
        fake.record("GenerateDataKey \(request.keyId)", tokens: request.grantTokens)
        fake.locked { fake.numberOfBytesSeenAppend(request.numberOfBytes ?? -1) }
        let key = try fake.resolve(request.keyId, region: region)
        let plaintext = RandomBytes.array(count: request.numberOfBytes ?? 32)
        return GenerateDataKeyResponse(ciphertextBlob: fake.seal(plaintext, key: key, context: request.encryptionContext),
                                       plaintext: try SecureBytes(copying: plaintext), keyId: key)
    }

    func generateDataKeyWithoutPlaintext(_ request: GenerateDataKeyWithoutPlaintextRequest) async throws -> GenerateDataKeyWithoutPlaintextResponse {
        throw KMSError(code: .validation, message: "not in the fake")
    }

    func encrypt(_ request: EncryptRequest) async throws -> EncryptResponse {
        fake.record("Encrypt \(request.keyId)", tokens: request.grantTokens)
        let key = try fake.resolve(request.keyId, region: region)
        return EncryptResponse(ciphertextBlob: fake.seal(request.plaintext.unprotectedCopy(), key: key, context: request.encryptionContext), keyId: key)
    }

    func decrypt(_ request: DecryptRequest) async throws -> DecryptResponse {
        fake.record("Decrypt \(request.keyId.map { "\($0)" } ?? "-")", tokens: request.grantTokens)
        guard let id = request.keyId else { throw KMSError(code: .validation, message: "the fake needs KeyId") }
        let key = try fake.resolve(id, region: region)
        let plaintext = try fake.open(request.ciphertextBlob, key: key, context: request.encryptionContext)
        return DecryptResponse(keyId: key, plaintext: try SecureBytes(copying: plaintext))
    }

    func reEncrypt(_ request: ReEncryptRequest) async throws -> ReEncryptResponse { throw KMSError(code: .validation, message: "not in the fake") }

    func describeKey(_ request: DescribeKeyRequest) async throws -> DescribeKeyResponse {
        fake.record("DescribeKey \(request.keyId)", tokens: request.grantTokens)
        let key = try fake.resolve(request.keyId, region: region)
        return DescribeKeyResponse(keyMetadata: KMSKeyMetadata(awsAccountId: key.account, keyId: key.keyID, arn: key, creationDate: Date(),
                                                               enabled: true, keyState: .enabled, multiRegion: key.isMultiRegion))
    }

    func getPublicKey(_ request: GetPublicKeyRequest) async throws -> GetPublicKeyResponse { throw KMSError(code: .validation, message: "not in the fake") }
    func createGrant(_ request: CreateGrantRequest) async throws -> CreateGrantResponse { throw KMSError(code: .validation, message: "not in the fake") }
    func listGrants(_ request: ListGrantsRequest) async throws -> ListGrantsResponse { throw KMSError(code: .validation, message: "not in the fake") }
    func revokeGrant(_ request: RevokeGrantRequest) async throws -> RevokeGrantResponse { throw KMSError(code: .validation, message: "not in the fake") }
}

extension FakeKMS {
    fileprivate func numberOfBytesSeenAppend(_ n: Int) { numberOfBytesSeen.append(n) }
}
