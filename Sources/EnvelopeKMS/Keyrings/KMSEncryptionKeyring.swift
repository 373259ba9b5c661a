import EnvelopeCore
import EnvelopeCrypto

/// The encrypt side of a KMS keyring: generates the data key with `GenerateDataKey` (as the
/// generator) or wraps an existing one with `Encrypt`, and records the key ARN that KMS returned.
///
/// Spec: framework/aws-kms/aws-kms-keyring.md ("OnEncrypt"). The key may be named any way KMS
/// accepts: key ARN or alias ARN (own account or another), key ID or alias name (own account
/// only). The encrypted data key always stores the key ARN from the response, never an alias.
public struct KMSEncryptionKeyring: EncryptionKeyring, CustomStringConvertible {
    /// How a generator keyring obtains the data key.
    public enum DataKeyGeneration: Sendable, Hashable, CustomStringConvertible {
        /// `GenerateDataKey` (needs `kms:GenerateDataKey`), as the ESDK does.
        case generateDataKey
        /// `RandomBytes.secure` locally, then `Encrypt` (needs only `kms:Encrypt`). For principals
        /// whose policy allows Encrypt but not GenerateDataKey.
        case localRandomThenEncrypt

        /// `GenerateDataKey` or `local random + Encrypt`.
        public var description: String {
            self == .generateDataKey ? "GenerateDataKey" : "local random + Encrypt"
        }
    }

    /// The key, as configured.
    public let keyID: KMSKeyIdentifier
    /// Grant tokens sent with every request.
    public let grantTokens: [String]
    /// How the data key is made when this keyring is the generator.
    public let dataKeyGeneration: DataKeyGeneration
    private let transport: any KMSTransport

    /// Creates the keyring.
    /// - Parameters:
    ///   - keyID: any key identifier; a key of another account needs its key ARN or alias ARN.
    ///   - transport: talks to KMS in the key's Region (checked here for ARNs).
    ///   - grantTokens: passed through on every call (at most 10).
    ///   - dataKeyGeneration: `.generateDataKey` (default) or `.localRandomThenEncrypt`.
    public init(keyID: KMSKeyIdentifier, transport: any KMSTransport, grantTokens: [String] = [],
                dataKeyGeneration: DataKeyGeneration = .generateDataKey) throws {
        if let region = keyID.arnRegion, region != transport.region {
            throw EnvelopeKMSKeyringErrors.regionMismatch(keyID, keyRegion: region, transportRegion: transport.region, role: "encryption")
        }
        guard grantTokens.count <= 10 else {
            throw EnvelopeError(.invalidArgument, "KMS accepts at most 10 grant tokens per request; \(grantTokens.count) were given.")
        }
        self.keyID = keyID
        self.transport = transport
        self.grantTokens = grantTokens
        self.dataKeyGeneration = dataKeyGeneration
    }

    /// `KMS encryption keyring(KEY)`.
    public var description: String { "KMS encryption keyring(\(keyID))" }

    /// Generates the data key (no data key yet) or wraps the existing one, and appends the EDK.
    public func onEncrypt(_ materials: EncryptionMaterials) async throws -> EncryptionMaterials {
        var result = materials
        let suite = materials.suite
        if let dataKey = materials.plaintextDataKey {
            result.encryptedDataKeys.append(try await wrap(dataKey, materials: materials, role: "additional"))
            return result
        }
        switch dataKeyGeneration {
        case .generateDataKey:
            // Spec: framework/aws-kms/aws-kms-keyring.md ("OnEncrypt") — GenerateDataKey with
            // NumberOfBytes = the suite's key derivation input length, the EC and grant tokens.
            let request = GenerateDataKeyRequest(keyId: keyID, encryptionContext: materials.encryptionContext.dictionary,
                                                 numberOfBytes: suite.dataKeyLength, grantTokens: grantTokens)
            let response: GenerateDataKeyResponse
            do {
                response = try await transport.generateDataKey(request)
            } catch {
                throw failure(EnvelopeKMSKeyringErrors.callFailed(error, key: keyID, action: .generateDataKey), suite: suite)
            }
            guard response.plaintext.count == suite.dataKeyLength else {
                throw failure(KMSDataKeyError(key: keyID, action: .generateDataKey,
                                              reason: .wrongPlaintextLength(got: response.plaintext.count, expected: suite.dataKeyLength)), suite: suite)
            }
            result.plaintextDataKey = response.plaintext
            result.encryptedDataKeys.append(EncryptedDataKey(providerID: awsKMSProviderID, providerInfo: Array(response.keyId.description.utf8),
                                                             ciphertext: response.ciphertextBlob))
        case .localRandomThenEncrypt:
            let dataKey: SecureBytes
            do { dataKey = try RandomBytes.secure(count: suite.dataKeyLength) } catch {
                throw EnvelopeError(.cryptoFailure, "Generating a data key locally failed in the crypto library. Retry; if it persists, report it.", causes: [error])
            }
            let edk = try await wrap(dataKey, materials: materials, role: "generator")
            result.plaintextDataKey = dataKey
            result.encryptedDataKeys.append(edk)
        }
        return result
    }

    // Spec: framework/aws-kms/aws-kms-keyring.md ("OnEncrypt") — Encrypt with the configured key,
    // the plaintext data key, the EC and the grant tokens; the EDK stores the response KeyId.
    private func wrap(_ dataKey: SecureBytes, materials: EncryptionMaterials, role: String) async throws -> EncryptedDataKey {
        let request = EncryptRequest(keyId: keyID, plaintext: dataKey, encryptionContext: materials.encryptionContext.dictionary, grantTokens: grantTokens)
        do {
            let response = try await transport.encrypt(request)
            return EncryptedDataKey(providerID: awsKMSProviderID, providerInfo: Array(response.keyId.description.utf8), ciphertext: response.ciphertextBlob)
        } catch {
            throw failure(EnvelopeKMSKeyringErrors.callFailed(error, key: keyID, action: .encrypt), suite: materials.suite)
        }
    }

    private func failure(_ error: KMSDataKeyError, suite: AlgorithmSuite) -> EnvelopeError {
        var hint = "Check that the caller may use \(error.action.rawValue) on the key (key policy and, for another account's key, the caller's IAM policy)"
        if !keyID.isARN { hint += "; a key ID or alias name always resolves in the caller's own account and Region — use the key ARN or alias ARN for another account's key" }
        return EnvelopeError(.keyringFailure, "\(description) could not \(error.action == .generateDataKey ? "generate" : "encrypt") a data key for \(suite.name): \(error). \(hint).",
                             causes: [error])
    }
}

extension KMSKeyIdentifier {
    /// The Region an ARN names (nil for key IDs and alias names).
    var arnRegion: AWSRegion? {
        switch self {
        case .keyARN(let arn): arn.region
        case .aliasARN(let arn): arn.region
        case .keyID, .aliasName: nil
        }
    }
}
