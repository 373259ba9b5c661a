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
    /// The algorithm name.
    public var description: String { rawValue }
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
    /// The operations a grant may name for a symmetric encryption key.
    public static let symmetricKeyOperations: [KMSGrantOperation] = [
        .decrypt, .encrypt, .generateDataKey, .generateDataKeyWithoutPlaintext, .reEncryptFrom, .reEncryptTo,
        .createGrant, .retireGrant, .describeKey,
    ]
    /// The operation name.
    public var description: String { rawValue }
}
