import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeKMSPolicy
import EnvelopeLocalKMS
import Foundation
import Testing
import EnvelopeTestSupport

/// Helpers of the local KMS tests on the shared story (``CrossAccountStory``, in EnvelopeTestSupport).
extension CrossAccountStory {
    /// GenerateDataKey then Decrypt as `principal`, by `identifier`; checks the round trip.
    @discardableResult
    func roundTrip(_ principal: AWSPrincipalARN, identifier: KMSKeyIdentifier? = nil, context: [String: String] = CrossAccountStory.context) async throws -> GenerateDataKeyResponse {
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
    func ciphertext(context: [String: String] = CrossAccountStory.context) async throws -> (blob: [UInt8], plaintext: SecureBytes) {
        let r = try await client(CrossAccountStory.user1).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(key), encryptionContext: context, numberOfBytes: 32))
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

func enableIAM(_ account: AWSAccountID = CrossAccountStory.owner) -> String {
    #"{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::\#(account):root"},"Action":"kms:*","Resource":"*"}"#
}
