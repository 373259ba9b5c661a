import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeLocalKMS
import Foundation
import Testing
import EnvelopeTestSupport

/// The cross-account story of DESIGN.md: account 109876543210 owns a key whose policy trusts its
/// user User1 and the external account 012345678901; 111122223333 is an unrelated third account.
struct Story {
    static let owner: AWSAccountID = "109876543210"
    static let external: AWSAccountID = "012345678901"
    static let third: AWSAccountID = "111122223333"
    static let user1 = AWSPrincipalARN("arn:aws:iam::109876543210:user/User1")!
    static let ownerRoot = owner.rootPrincipal()
    static let ownerOther = AWSPrincipalARN("arn:aws:iam::109876543210:user/Other")!
    static let externalRoot = external.rootPrincipal()
    static let alice = AWSPrincipalARN("arn:aws:iam::012345678901:user/Alice")!
    static let bob = AWSPrincipalARN("arn:aws:iam::012345678901:user/Bob")!
    static let externalRole = AWSPrincipalARN("arn:aws:iam::012345678901:role/Builder")!
    static let thirdUser = AWSPrincipalARN("arn:aws:iam::111122223333:user/Mallory")!
    static let alias = KMSAliasName(rawValue: "alias/shared")!
    static let region: AWSRegion = "us-east-1"
    static let context = ["purpose": "story", "Department": "IT"]

    let kms: LocalKMS
    let key: KMSKeyARN

    var aliasARN: KMSAliasARN { KMSAliasARN(region: Story.region, account: Story.owner, aliasName: Story.alias) }

    /// The story's key, and Alice with the external administrator's IAM policy attached.
    static func make(kms: LocalKMS? = nil, aliceIAM: KMSPermissions? = .keyUser) async throws -> Story {
        let kms = try kms ?? LocalKMS()
        let metadata = try await kms.createKey(account: owner, region: region, alias: alias, userPrincipals: [user1], externalAccounts: [external])
        if let aliceIAM {
            try await kms.attachUserPolicy(KMSPolicyTemplates.externalIAMPolicy(keyARN: metadata.arn, permissions: aliceIAM).jsonText(), principal: alice)
        }
        return Story(kms: kms, key: metadata.arn)
    }

    func client(_ principal: AWSPrincipalARN, region: AWSRegion = Story.region, viaService: String? = nil) -> LocalKMSClient {
        kms.client(principal: principal, region: region, viaService: viaService)
    }

    /// GenerateDataKey then Decrypt as `principal`, by `identifier`; checks the round trip.
    @discardableResult
    func roundTrip(_ principal: AWSPrincipalARN, identifier: KMSKeyIdentifier? = nil, context: [String: String] = Story.context) async throws -> GenerateDataKeyResponse {
        let client = client(principal)
        let generated = try await client.generateDataKey(GenerateDataKeyRequest(keyId: identifier ?? .keyARN(key), encryptionContext: context, keySpec: .aes256))
        #expect(generated.keyId == key)
        #expect(generated.plaintext.count == 32)
        let decrypted = try await client.decrypt(DecryptRequest(ciphertextBlob: generated.ciphertextBlob, keyId: .keyARN(key), encryptionContext: context))
        #expect(decrypted.plaintext == generated.plaintext)
        #expect(decrypted.keyId == key)
        return generated
    }

    /// A ciphertext made by User1, for decrypt tests.
    func ciphertext(context: [String: String] = Story.context) async throws -> (blob: [UInt8], plaintext: SecureBytes) {
        let r = try await client(Story.user1).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(key), encryptionContext: context, numberOfBytes: 32))
        return (r.ciphertextBlob, r.plaintext)
    }
}

/// Expects an AccessDeniedException worded as AWS does, naming the principal, action and key ARN.
func expectAccessDenied<T>(_ caller: AWSPrincipalARN, _ action: KMSAction, _ key: KMSKeyARN, _ reason: KMSDenialReason,
                           sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T) async {
    guard let error = await caughtError(KMSError.self, sourceLocation: sourceLocation, body) else { return }
    #expect(error.code == .accessDenied, "\(error)", sourceLocation: sourceLocation)
    let expected = KMSAccessEvaluator.accessDeniedMessage(caller: caller, action: action, keyARN: key, reason: reason)
    #expect(error.message == expected, sourceLocation: sourceLocation)
    #expect(error.message.hasPrefix("User: \(caller) is not authorized to perform: \(action) on resource: \(key)"), sourceLocation: sourceLocation)
}

func expectCode<T>(_ code: KMSErrorCode, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T) async {
    guard let error = await caughtError(KMSError.self, sourceLocation: sourceLocation, body) else { return }
    #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
}

func policy(_ statements: String) -> String {
    #"{"Version":"2012-10-17","Statement":["# + statements + "]}"
}

func enableIAM(_ account: AWSAccountID = Story.owner) -> String {
    #"{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::\#(account):root"},"Action":"kms:*","Resource":"*"}"#
}
