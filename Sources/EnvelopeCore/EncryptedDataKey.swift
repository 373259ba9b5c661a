/// A data key wrapped by one master key, as stored in the message header.
///
/// Spec: framework/structures.md ("Encrypted Data Key"), data-format/message-header.md.
public struct EncryptedDataKey: Sendable, Hashable, CustomStringConvertible {
    /// Who wrapped it: the key namespace of a raw keyring, or `aws-kms`.
    public var providerID: String
    /// Provider-specific bytes: the key name (raw AES adds tag length, IV length and IV) or key ARN.
    public var providerInfo: [UInt8]
    /// The wrapped data key.
    public var ciphertext: [UInt8]

    /// Creates an encrypted data key.
    public init(providerID: String, providerInfo: [UInt8], ciphertext: [UInt8]) {
        self.providerID = providerID
        self.providerInfo = providerInfo
        self.ciphertext = ciphertext
    }

    /// The key name or ARN carried in the provider info, for messages and error reports.
    ///
    /// Raw AES provider info ends with tag length (128 bits), IV length (12) and the IV; that tail
    /// is removed. Bytes that are not UTF-8 are shown as hex.
    public var keyName: String {
        providerInfo.withUnsafeBytes { info in
            var name = info
            if info.count >= 20, info[(info.count - 20)..<(info.count - 12)].elementsEqual(Self.rawAESInfoTail) {
                name = UnsafeRawBufferPointer(rebasing: info[0..<(info.count - 20)])
            }
            if let text = String(utf8Bytes: name), !text.unicodeScalars.contains(where: { $0.value < 0x20 }) {
                return text
            }
            return "0x" + name.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        }
    }

    /// What follows the key name in raw AES provider info, before the IV: tag bits (128) and IV length (12).
    private static let rawAESInfoTail: [UInt8] = [0, 0, 0, 128, 0, 0, 0, 12]

    /// Provider ID and key name (no key bytes).
    public var description: String { "EncryptedDataKey(provider: \"\(UntrustedText.escaped(providerID))\", key: \"\(UntrustedText.escaped(keyName))\", \(ciphertext.count) bytes)" }
}
