import EnvelopeCrypto
import EnvelopeKMS
import Foundation
import Testing

@Suite("KMS request/response JSON")
struct TransportCodingTests {
    static let keyARN = try! KMSKeyARN(parsing: "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")

    func object(_ value: some Encodable) throws -> [String: Any] {
        let data = try JSONEncoder().encode(value)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("GenerateDataKey request uses the KMS member names and omits empty members")
    func generateDataKeyRequest() throws {
        let full = try object(GenerateDataKeyRequest(keyId: .aliasName(KMSAliasName(validating: "alias/x")), encryptionContext: ["a": "b"],
                                                     keySpec: .aes256, grantTokens: ["t"], dryRun: true))
        #expect(Set(full.keys) == ["KeyId", "EncryptionContext", "KeySpec", "GrantTokens", "DryRun"])
        #expect(full["KeyId"] as? String == "alias/x")
        #expect(full["KeySpec"] as? String == "AES_256")
        let minimal = try object(GenerateDataKeyRequest(keyId: .keyARN(Self.keyARN), numberOfBytes: 32))
        #expect(Set(minimal.keys) == ["KeyId", "NumberOfBytes"])
        #expect(minimal["NumberOfBytes"] as? Int == 32)
    }

    @Test("blobs are base64 and plaintext decodes into SecureBytes")
    func generateDataKeyResponse() throws {
        let json = #"{"CiphertextBlob":"AQID","Plaintext":"BAUG","KeyId":"\#(Self.keyARN)"}"#
        let response = try JSONDecoder().decode(GenerateDataKeyResponse.self, from: Data(json.utf8))
        #expect(response.ciphertextBlob == [1, 2, 3])
        #expect(response.plaintext.unprotectedCopy() == [4, 5, 6])
        #expect(response.keyId == Self.keyARN)
        #expect("\(response.plaintext)".contains("redacted"))
        let back = try object(response)
        #expect(back["CiphertextBlob"] as? String == "AQID")
        #expect(back["Plaintext"] as? String == "BAUG")
    }

    @Test("a response KeyId that is not a key ARN is rejected")
    func responseKeyIdMustBeKeyARN() {
        let json = #"{"CiphertextBlob":"AQID","KeyId":"alias/x"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(GenerateDataKeyWithoutPlaintextResponse.self, from: Data(json.utf8)) }
    }

    @Test("Encrypt, Decrypt and ReEncrypt round-trip")
    func roundTrips() throws {
        let secret = try SecureBytes(copying: [UInt8](repeating: 7, count: 32))
        let encrypt = EncryptRequest(keyId: .keyARN(Self.keyARN), plaintext: secret, encryptionContext: ["k": "v"])
        let encryptJSON = try object(encrypt)
        #expect(Set(encryptJSON.keys) == ["KeyId", "Plaintext", "EncryptionContext"])
        let decodedEncrypt = try JSONDecoder().decode(EncryptRequest.self, from: JSONEncoder().encode(encrypt))
        #expect(decodedEncrypt.plaintext == secret)
        let decrypt = DecryptRequest(ciphertextBlob: [9, 9], keyId: .keyARN(Self.keyARN), grantTokens: ["g"])
        let decryptJSON = try object(decrypt)
        #expect(Set(decryptJSON.keys) == ["CiphertextBlob", "KeyId", "GrantTokens"])
        let reEncrypt = ReEncryptRequest(ciphertextBlob: [1], sourceKeyId: nil, destinationKeyId: .keyARN(Self.keyARN))
        #expect(Set(try object(reEncrypt).keys) == ["CiphertextBlob", "DestinationKeyId"])
        let decryptResponse = try JSONDecoder().decode(DecryptResponse.self, from: Data(#"{"KeyId":"\#(Self.keyARN)","Plaintext":"AAE=","EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}"#.utf8))
        #expect(decryptResponse.plaintext.unprotectedCopy() == [0, 1])
        #expect(decryptResponse.encryptionAlgorithm == .symmetricDefault)
    }

    @Test("DescribeKey metadata uses KMS names and epoch seconds")
    func keyMetadata() throws {
        let metadata = KMSKeyMetadata(awsAccountId: "111122223333", keyId: Self.keyARN.keyID, arn: Self.keyARN,
                                      creationDate: Date(timeIntervalSince1970: 1_700_000_000), enabled: true, keyState: .enabled)
        let json = try object(DescribeKeyResponse(keyMetadata: metadata))
        let inner = try #require(json["KeyMetadata"] as? [String: Any])
        #expect(inner["Arn"] as? String == Self.keyARN.description)
        #expect(inner["KeyState"] as? String == "Enabled")
        #expect(inner["AWSAccountId"] as? String == "111122223333")
        #expect(inner["CreationDate"] as? Double == 1_700_000_000)
        let back = try JSONDecoder().decode(DescribeKeyResponse.self, from: JSONEncoder().encode(DescribeKeyResponse(keyMetadata: metadata)))
        #expect(back.keyMetadata == metadata)
    }

    @Test("grant shapes")
    func grants() throws {
        let request = CreateGrantRequest(keyId: .keyARN(Self.keyARN), granteePrincipal: "arn:aws:iam::012345678901:role/R",
                                         operations: [.decrypt, .generateDataKey],
                                         constraints: KMSGrantConstraints(encryptionContextSubset: ["dept": "it"]))
        let json = try object(request)
        #expect(json["Operations"] as? [String] == ["Decrypt", "GenerateDataKey"])
        #expect((json["Constraints"] as? [String: Any])?["EncryptionContextSubset"] as? [String: String] == ["dept": "it"])
        let list = try JSONDecoder().decode(ListGrantsResponse.self, from: Data(#"{"Grants":[{"KeyId":"\#(Self.keyARN)","GrantId":"g1","CreationDate":1.5,"GranteePrincipal":"p","IssuingAccount":"arn:aws:iam::111122223333:root","Operations":["Encrypt"]}],"Truncated":false}"#.utf8))
        #expect(list.grants.first?.operations == [.encrypt])
        #expect(try object(RevokeGrantResponse()).isEmpty)
    }

    @Test("grant constraints: subset and equals")
    func constraints() {
        let subset = KMSGrantConstraints(encryptionContextSubset: ["a": "1"])
        #expect(subset.isSatisfied(by: ["a": "1", "b": "2"]))
        #expect(!subset.isSatisfied(by: ["a": "2"]))
        #expect(!subset.isSatisfied(by: ["A": "1"]))
        let equals = KMSGrantConstraints(encryptionContextEquals: ["a": "1"])
        #expect(equals.isSatisfied(by: ["a": "1"]))
        #expect(!equals.isSatisfied(by: ["a": "1", "b": "2"]))
    }

    @Test("errors carry the code and message; unknown codes fit")
    func errors() {
        let error = KMSError(code: "UnrecognizedClientException", message: "The security token included in the request is invalid.")
        #expect(error.code == .unrecognizedClient)
        #expect(error.description == "UnrecognizedClientException: The security token included in the request is invalid.")
        #expect(!error.isRetryable)
        #expect(KMSError(code: .throttling, message: "").isRetryable)
        #expect(KMSError(code: .dependencyTimeout, message: "").isRetryable)
        #expect(KMSError(code: "Custom", message: "", httpStatus: 503).isRetryable)
        #expect(!KMSError(code: .accessDenied, message: "").isRetryable)
        #expect(KMSErrorCode.accessDenied.httpStatus == 400)
        #expect(KMSErrorCode.internalError.httpStatus == 500)
    }
}
