import Foundation
import EnvelopeCrypto

/// One of the 11 ESDK algorithm suites, as a row of a data table.
///
/// Spec: framework/algorithm-suites.md ("Supported Algorithm Suites").
public struct AlgorithmSuite: Sendable, Hashable, CustomStringConvertible {
    /// How the message key is derived from the data key.
    public enum KeyDerivation: Sendable, Hashable {
        /// The data key is the message key (legacy suites 0x0014/0x0046/0x0078).
        case identity
        /// HKDF with the given hash, salt = zeros, info = suite ID ‖ message ID.
        case hkdf(HashFunction)
        /// HKDF-SHA512 with salt = message ID, plus a 32-byte key commitment (v2 messages).
        case committingHKDFSHA512
    }

    /// The two-byte suite ID, e.g. `0x0578`.
    public let id: UInt16
    /// The ESDK name, e.g. `"AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384"`.
    public var name: String { nameLiteral.description }
    /// The name as the table row spells it: a `StaticString` keeps the suite a plain value (no
    /// reference to retain and release each time a suite, a header or materials are copied).
    private let nameLiteral: StaticString
    /// The data key (and message key) length in bytes: 16, 24 or 32.
    public let dataKeyLength: Int
    /// How the message key is derived.
    public let keyDerivation: KeyDerivation
    /// The ECDSA curve of signed suites, nil for unsigned ones.
    public let signatureCurve: ECDSACurve?
    /// The message format version this suite is written with (1 or 2).
    public let messageFormatVersion: Int

    /// True for the key-committing suites 0x0478 and 0x0578.
    public var isCommitting: Bool { keyDerivation == .committingHKDFSHA512 }
    /// True when messages carry an ECDSA footer.
    public var isSigned: Bool { signatureCurve != nil }
    /// The message ID length: 16 bytes (v1) or 32 bytes (v2).
    public var messageIDLength: Int { messageFormatVersion == 1 ? 16 : 32 }
    /// The hash that feeds the footer signature (SHA-256 for P-256, SHA-384 for P-384).
    public var signatureHash: HashFunction? { signatureCurve?.hash }
    /// The ESDK name plus the hex ID.
    public var description: String { "\(name) (0x\(idHex))" }
    /// The ID as four hex digits, e.g. `"0578"`.
    public var idHex: String {
        let s = String(id, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    private init(_ id: UInt16, _ name: StaticString, _ bytes: Int, _ kdf: KeyDerivation, _ curve: ECDSACurve?, _ version: Int) {
        self.id = id
        self.nameLiteral = name
        self.dataKeyLength = bytes
        self.keyDerivation = kdf
        self.signatureCurve = curve
        self.messageFormatVersion = version
    }

    /// 0x0578, the default: AES-256-GCM, HKDF-SHA512 with key commitment, ECDSA P-384.
    public static let aes256GCMHKDFSHA512CommitKeyECDSAP384 = AlgorithmSuite(0x0578, "AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384", 32, .committingHKDFSHA512, .p384, 2)
    /// 0x0478: AES-256-GCM, HKDF-SHA512 with key commitment.
    public static let aes256GCMHKDFSHA512CommitKey = AlgorithmSuite(0x0478, "AES_256_GCM_HKDF_SHA512_COMMIT_KEY", 32, .committingHKDFSHA512, nil, 2)
    /// 0x0378: AES-256-GCM, HKDF-SHA384, ECDSA P-384 (v1).
    public static let aes256GCMHKDFSHA384ECDSAP384 = AlgorithmSuite(0x0378, "AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384", 32, .hkdf(.sha384), .p384, 1)
    /// 0x0346: AES-192-GCM, HKDF-SHA384, ECDSA P-384 (v1).
    public static let aes192GCMHKDFSHA384ECDSAP384 = AlgorithmSuite(0x0346, "AES_192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384", 24, .hkdf(.sha384), .p384, 1)
    /// 0x0214: AES-128-GCM, HKDF-SHA256, ECDSA P-256 (v1).
    public static let aes128GCMHKDFSHA256ECDSAP256 = AlgorithmSuite(0x0214, "AES_128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256", 16, .hkdf(.sha256), .p256, 1)
    /// 0x0178: AES-256-GCM, HKDF-SHA256 (v1).
    public static let aes256GCMHKDFSHA256 = AlgorithmSuite(0x0178, "AES_256_GCM_IV12_TAG16_HKDF_SHA256", 32, .hkdf(.sha256), nil, 1)
    /// 0x0146: AES-192-GCM, HKDF-SHA256 (v1).
    public static let aes192GCMHKDFSHA256 = AlgorithmSuite(0x0146, "AES_192_GCM_IV12_TAG16_HKDF_SHA256", 24, .hkdf(.sha256), nil, 1)
    /// 0x0114: AES-128-GCM, HKDF-SHA256 (v1).
    public static let aes128GCMHKDFSHA256 = AlgorithmSuite(0x0114, "AES_128_GCM_IV12_TAG16_HKDF_SHA256", 16, .hkdf(.sha256), nil, 1)
    /// 0x0078: AES-256-GCM, no key derivation (v1, legacy).
    public static let aes256GCMNoKDF = AlgorithmSuite(0x0078, "AES_256_GCM_IV12_TAG16", 32, .identity, nil, 1)
    /// 0x0046: AES-192-GCM, no key derivation (v1, legacy).
    public static let aes192GCMNoKDF = AlgorithmSuite(0x0046, "AES_192_GCM_IV12_TAG16", 24, .identity, nil, 1)
    /// 0x0014: AES-128-GCM, no key derivation (v1, legacy).
    public static let aes128GCMNoKDF = AlgorithmSuite(0x0014, "AES_128_GCM_IV12_TAG16", 16, .identity, nil, 1)

    /// All 11 suites, strongest first.
    public static let all: [AlgorithmSuite] = [
        .aes256GCMHKDFSHA512CommitKeyECDSAP384, .aes256GCMHKDFSHA512CommitKey,
        .aes256GCMHKDFSHA384ECDSAP384, .aes192GCMHKDFSHA384ECDSAP384, .aes128GCMHKDFSHA256ECDSAP256,
        .aes256GCMHKDFSHA256, .aes192GCMHKDFSHA256, .aes128GCMHKDFSHA256,
        .aes256GCMNoKDF, .aes192GCMNoKDF, .aes128GCMNoKDF,
    ]

    /// The suite with this ID, or nil.
    public static func withID(_ id: UInt16) -> AlgorithmSuite? {
        all.first { $0.id == id }
    }

    /// The suite with this ESDK name. Accepts the Python/CLI names
    /// (`AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384`, `AES_128_GCM_IV12_TAG16`), the specification
    /// names (`ALG_AES_256_GCM_IV12_TAG16_NO_KDF`, `ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY`), any case,
    /// and a hex ID such as `0x0578` or `0578`.
    public static func named(_ name: String) -> AlgorithmSuite? {
        var key = name.uppercased()
        if key.hasPrefix("0X") { key.removeFirst(2) }
        if key.count == 4, let id = UInt16(key, radix: 16) { return withID(id) }
        if key.hasPrefix("ALG_") { key.removeFirst(4) }
        if key.hasSuffix("_NO_KDF") { key.removeLast(7) }
        return all.first { suite in
            suite.name == key || suite.name.replacingOccurrences(of: "_IV12_TAG16", with: "") == key.replacingOccurrences(of: "_IV12_TAG16", with: "")
        }
    }

    /// Suites are identified by their ID.
    public static func == (lhs: AlgorithmSuite, rhs: AlgorithmSuite) -> Bool { lhs.id == rhs.id }
    /// Hashes the ID.
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}
