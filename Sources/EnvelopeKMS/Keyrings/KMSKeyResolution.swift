import EnvelopeCore

/// How a decrypt keyring configured with an alias or a bare key ID found its key ARN: one
/// `DescribeKey` call when the keyring was built. Reported in `DataKeyOrigin/notes`.
public struct KMSKeyResolution: Sendable, Hashable, CustomStringConvertible {
    /// The identifier the keyring was configured with.
    public let configured: KMSKeyIdentifier
    /// The key ARN KMS returned for it.
    public let keyARN: KMSKeyARN

    /// Creates a record.
    public init(configured: KMSKeyIdentifier, keyARN: KMSKeyARN) {
        self.configured = configured
        self.keyARN = keyARN
    }

    /// e.g. `arn:…:alias/X resolved to arn:…:key/… through DescribeKey when the keyring was built`.
    public var description: String { "\(configured) resolved to \(keyARN) through DescribeKey when the keyring was built" }

    /// Resolves `identifier` to its key ARN with one DescribeKey call; refuses, with the reason,
    /// what cannot be resolved.
    static func resolve(_ identifier: KMSKeyIdentifier, transport: any KMSTransport, grantTokens: [String]) async throws -> (KMSKeyARN, KMSKeyResolution?) {
        if case .keyARN(let arn) = identifier { return (arn, nil) }
        if let region = identifier.arnRegion, region != transport.region {
            throw EnvelopeKMSKeyringErrors.regionMismatch(identifier, keyRegion: region, transportRegion: transport.region, role: "decryption")
        }
        do {
            let metadata = try await transport.describeKey(DescribeKeyRequest(keyId: identifier, grantTokens: grantTokens)).keyMetadata
            return (metadata.arn, KMSKeyResolution(configured: identifier, keyARN: metadata.arn))
        } catch {
            let kms = EnvelopeKMSKeyringErrors.callFailed(error, key: identifier, action: .describeKey)
            var advice: String
            switch identifier {
            case .keyID, .aliasName:
                advice = "A bare key ID or alias name always resolves in the caller's own account and Region (\(transport.region)); to decrypt with a key of another account, configure the keyring with its key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)"
            case .aliasARN:
                advice = "Configure the keyring with the key ARN instead, or let the caller use kms:DescribeKey on the key (key policy and, for another account's key, the caller's IAM policy)"
            case .keyARN:
                advice = ""
            }
            if kms.kmsError?.code == .accessDenied {
                advice += "; resolving it needs kms:DescribeKey on the key"
            }
            throw EnvelopeError(.invalidArgument, "Cannot build a decrypt keyring from \(identifier): it could not be resolved to a key ARN (\(kms)). \(advice).",
                                causes: [kms])
        }
    }
}
