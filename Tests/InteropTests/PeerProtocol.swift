import EnvelopeTestSupport
import Foundation

/// A key as the Python peer understands it (`Tests/Interop/esdk_peer.py`, job field `key`).
struct PeerKey: Encodable, Sendable {
    /// "raw-aes" or "raw-rsa".
    var type: String
    var namespace: String
    var name: String
    /// Raw AES: the wrapping key in hex.
    var keyHex: String?
    /// Raw RSA: path of the PEM private key and the padding name (pkcs1, oaep-sha256, ...).
    var pemFile: String?
    var padding: String?
}

/// One job of a peer batch (`esdk_peer.py batch`).
struct PeerJob: Encodable, Sendable {
    /// "encrypt" or "decrypt".
    var op: String
    /// Plaintext (encrypt) or message (decrypt), in hex.
    var inputHex: String
    /// One key, or several in `keys` (encrypt: the first generates, each adds an EDK; decrypt: any may serve).
    var key: PeerKey?
    var keys: [PeerKey]? = nil
    var commitmentPolicy: String
    /// Encrypt only: suite id as "0x0578", frame length, encryption context.
    var suite: String?
    var frameLength: Int?
    var context: [String: String]?
}

/// The peer's answer to one job.
struct PeerResult: Decodable, Sendable {
    struct DataKey: Decodable, Sendable {
        var providerId: String
        var providerInfoHex: String
    }

    var ok: Bool
    var op: String?
    var errorType: String?
    var error: String?
    var suiteId: Int?
    var frameLength: Int?
    var contentType: Int?
    var encryptionContext: [String: String]?
    var messageIdHex: String?
    var encryptedDataKeys: [DataKey]?
    var outputHex: String?

    /// The output bytes (plaintext after decrypt, message after encrypt).
    var output: [UInt8]? { outputHex.flatMap { bytes(fromHex: $0) } }
    /// What went wrong, for test failure messages.
    var failure: String { "\(errorType ?? "?"): \(error ?? "no message")" }
}
