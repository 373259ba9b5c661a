import EnvelopeCore
import EnvelopeCrypto
import Foundation

/// Records every data key a keyring produced (a test-only tap; the secret is copied to scan for it).
public final class DataKeyTap: EncryptionKeyring, @unchecked Sendable {
    let base: any EncryptionKeyring
    private let lock = NSLock()
    private var keys: [[UInt8]] = []
    /// The plaintext data keys produced so far.
    public var dataKeys: [[UInt8]] { lock.withLock { keys } }
    /// Taps `base`.
    public init(_ base: any EncryptionKeyring) { self.base = base }
    /// `base`'s materials, its data key recorded.
    public func onEncrypt(_ materials: EncryptionMaterials) async throws -> EncryptionMaterials {
        let m = try await base.onEncrypt(materials)
        if let key = m.plaintextDataKey { lock.withLock { keys.append(key.unprotectedCopy()) } }
        return m
    }
}

/// The spellings a secret could take in a log line or a span: hex (both cases), base64 (padded
/// or not), decimal bytes.
public func spellings(_ secret: [UInt8]) -> [String] {
    let hex = hexString(secret)
    let data = Data(secret)
    return [hex, hex.uppercased(), data.base64EncodedString(), data.base64EncodedString().replacingOccurrences(of: "=", with: ""),
            secret.map { String($0) }.joined(separator: ", ")]
}
