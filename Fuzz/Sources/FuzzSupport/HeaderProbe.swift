import EnvelopeCore
import Foundation

/// A decryption keyring that decrypts nothing and records how many encrypted data keys it was
/// offered: reaching it means the public decrypt path parsed (and limit-checked) the header.
public final class HeaderProbe: DecryptionKeyring, @unchecked Sendable {
    private let lock = NSLock()
    private var offered: Int?

    public init() {}

    /// The EDK count of the header, once the keyring was reached.
    public var encryptedDataKeyCount: Int? { lock.withLock { offered } }

    public func onDecrypt(_ materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey]) async throws -> DecryptionMaterials {
        lock.withLock { offered = encryptedDataKeys.count }
        throw EnvelopeError(.unableToDecryptDataKey, "the header probe decrypts nothing")
    }

    /// Decrypts `bytes` in memory with a fresh probe; returns the EDK count if the header parsed.
    public static func parse(_ bytes: [UInt8], client: EnvelopeClient) async throws -> Int? {
        let probe = HeaderProbe()
        do {
            _ = try await client.decrypt(bytes, keyring: probe)
            fatalError("the header probe cannot decrypt anything")
        } catch let error as EnvelopeError where error.code == .unableToDecryptDataKey && probe.encryptedDataKeyCount != nil {
            return probe.encryptedDataKeyCount
        }
    }
}
