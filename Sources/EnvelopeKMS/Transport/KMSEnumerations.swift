/// The length of a generated data key, as `KeySpec` (`AES_256`, `AES_128`).
public struct KMSDataKeySpec: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The spec name.
    public let rawValue: String
    /// Wraps a spec name.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// A 256-bit key (32 bytes).
    public static let aes256 = KMSDataKeySpec(rawValue: "AES_256")
    /// A 128-bit key (16 bytes).
    public static let aes128 = KMSDataKeySpec(rawValue: "AES_128")
    /// Bytes of key this spec asks for, or `nil` for an unknown spec.
    public var byteCount: Int? { self == .aes256 ? 32 : self == .aes128 ? 16 : nil }
    /// The spec name.
    public var description: String { rawValue }
}

/// An encryption algorithm of a KMS key (`SYMMETRIC_DEFAULT` for symmetric keys).
public struct KMSEncryptionAlgorithm: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The algorithm name.
    public let rawValue: String
    /// Wraps an algorithm name.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// AES-256-GCM inside KMS, the only algorithm of symmetric encryption keys.
    public static let symmetricDefault = KMSEncryptionAlgorithm(rawValue: "SYMMETRIC_DEFAULT")
    /// RSA-OAEP with SHA-1 (and MGF1 with SHA-1), for RSA key pairs with key usage `ENCRYPT_DECRYPT`.
    public static let rsaesOAEPSHA1 = KMSEncryptionAlgorithm(rawValue: "RSAES_OAEP_SHA_1")
    /// RSA-OAEP with SHA-256 (and MGF1 with SHA-256), for RSA key pairs with key usage `ENCRYPT_DECRYPT`.
    public static let rsaesOAEPSHA256 = KMSEncryptionAlgorithm(rawValue: "RSAES_OAEP_SHA_256")
    /// The algorithms of an RSA key pair for encryption, in the order KMS lists them.
    public static let rsaAlgorithms: [KMSEncryptionAlgorithm] = [.rsaesOAEPSHA1, .rsaesOAEPSHA256]
    /// The algorithm name.
    public var description: String { rawValue }
}

/// The key specs of RSA key pairs for encryption (`KeySpec` of CreateKey, DescribeKey, GetPublicKey).
public enum KMSRSAKeySpec: String, Sendable, CaseIterable, Codable {
    /// A 2048-bit RSA key pair.
    case rsa2048 = "RSA_2048"
    /// A 3072-bit RSA key pair.
    case rsa3072 = "RSA_3072"
    /// A 4096-bit RSA key pair.
    case rsa4096 = "RSA_4096"

    /// The modulus size in bits.
    public var bits: Int {
        switch self {
        case .rsa2048: 2048
        case .rsa3072: 3072
        case .rsa4096: 4096
        }
    }
}

/// The state of a KMS key (`Enabled`, `Disabled`, `PendingDeletion`, …).
public struct KMSKeyState: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The state name.
    public let rawValue: String
    /// Wraps a state name.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// Usable.
    public static let enabled = KMSKeyState(rawValue: "Enabled")
    /// Disabled: cryptographic operations fail with `DisabledException`.
    public static let disabled = KMSKeyState(rawValue: "Disabled")
    /// Scheduled for deletion: cryptographic operations fail with `KMSInvalidStateException`.
    public static let pendingDeletion = KMSKeyState(rawValue: "PendingDeletion")
    /// Awaiting imported key material.
    public static let pendingImport = KMSKeyState(rawValue: "PendingImport")
    /// Unavailable (custom key store disconnected).
    public static let unavailable = KMSKeyState(rawValue: "Unavailable")
    /// The state name.
    public var description: String { rawValue }
}

/// An operation a grant permits (`Decrypt`, `Encrypt`, `GenerateDataKey`, …).
public struct KMSGrantOperation: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The operation name.
    public let rawValue: String
    /// Wraps an operation name.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// Decrypt.
    public static let decrypt = KMSGrantOperation(rawValue: "Decrypt")
    /// Encrypt.
    public static let encrypt = KMSGrantOperation(rawValue: "Encrypt")
    /// GenerateDataKey.
    public static let generateDataKey = KMSGrantOperation(rawValue: "GenerateDataKey")
    /// GenerateDataKeyWithoutPlaintext.
    public static let generateDataKeyWithoutPlaintext = KMSGrantOperation(rawValue: "GenerateDataKeyWithoutPlaintext")
    /// ReEncrypt with this key as the source.
    public static let reEncryptFrom = KMSGrantOperation(rawValue: "ReEncryptFrom")
    /// ReEncrypt with this key as the destination.
    public static let reEncryptTo = KMSGrantOperation(rawValue: "ReEncryptTo")
    /// CreateGrant (the grantee may create grants for a subset of this grant's operations).
    public static let createGrant = KMSGrantOperation(rawValue: "CreateGrant")
    /// RetireGrant.
    public static let retireGrant = KMSGrantOperation(rawValue: "RetireGrant")
    /// DescribeKey.
    public static let describeKey = KMSGrantOperation(rawValue: "DescribeKey")
    /// GetPublicKey (asymmetric keys).
    public static let getPublicKey = KMSGrantOperation(rawValue: "GetPublicKey")
    /// The operations a grant may name for a symmetric encryption key.
    public static let symmetricKeyOperations: [KMSGrantOperation] = [
        .decrypt, .encrypt, .generateDataKey, .generateDataKeyWithoutPlaintext, .reEncryptFrom, .reEncryptTo,
        .createGrant, .retireGrant, .describeKey,
    ]
    /// The operations a grant may name for an RSA key pair for encryption (grants.html, "Grant operations").
    public static let rsaEncryptionKeyOperations: [KMSGrantOperation] = [
        .decrypt, .encrypt, .getPublicKey, .reEncryptFrom, .reEncryptTo, .createGrant, .retireGrant, .describeKey,
    ]
    /// The operation name.
    public var description: String { rawValue }
}
