import EnvelopeCore
import EnvelopeCrypto
import EnvelopeTestSupport
import Foundation
import Testing

/// The wrapping keys the interop tests use: raw AES of every size and raw RSA with every padding.
enum InteropKeyKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case aes128 = "raw-aes-128"
    case aes192 = "raw-aes-192"
    case aes256 = "raw-aes-256"
    case rsaPKCS1 = "raw-rsa-pkcs1"
    case rsaOAEPSHA1 = "raw-rsa-oaep-sha1"
    case rsaOAEPSHA256 = "raw-rsa-oaep-sha256"
    case rsaOAEPSHA384 = "raw-rsa-oaep-sha384"
    case rsaOAEPSHA512 = "raw-rsa-oaep-sha512"

    var testDescription: String { rawValue }

    /// The RSA padding and its name in the peer, nil for AES keys.
    var rsaPadding: (padding: RSAPadding, peerName: String)? {
        switch self {
        case .aes128, .aes192, .aes256: nil
        case .rsaPKCS1: (.pkcs1, "pkcs1")
        case .rsaOAEPSHA1: (.oaepSHA1, "oaep-sha1")
        case .rsaOAEPSHA256: (.oaepSHA256, "oaep-sha256")
        case .rsaOAEPSHA384: (.oaepSHA384, "oaep-sha384")
        case .rsaOAEPSHA512: (.oaepSHA512, "oaep-sha512")
        }
    }

    var aesKeyLength: Int? {
        switch self {
        case .aes128: 16
        case .aes192: 24
        case .aes256: 32
        default: nil
        }
    }
}

/// One freshly generated wrapping key, usable from both sides: our keyring and the peer's key spec.
/// RSA keys are written as PEM into `directory`, which the caller removes.
struct InteropKey: Sendable {
    let kind: InteropKeyKind
    let keyring: any Keyring
    let peerKey: PeerKey

    static let namespace = "envelopekit-interop"

    init(_ kind: InteropKeyKind, directory: URL) throws {
        self.kind = kind
        let name = "key-\(kind.rawValue)"
        if let length = kind.aesKeyLength {
            let keyBytes = RandomBytes.array(count: length)
            keyring = try RawAESKeyring(keyNamespace: Self.namespace, keyName: name, wrappingKey: SecureBytes(copying: keyBytes))
            peerKey = PeerKey(type: "raw-aes", namespace: Self.namespace, name: name, keyHex: hexString(keyBytes))
        } else {
            let (padding, peerName) = kind.rsaPadding!
            let privateKey = try RSAPrivateKey(generatingBits: 2048)
            let pemFile = directory.appendingPathComponent("\(kind.rawValue).pem")
            try Data(privateKey.privatePEM().utf8).write(to: pemFile)
            keyring = try RawRSAKeyring(keyNamespace: Self.namespace, keyName: name, padding: padding,
                                        publicKey: privateKey.publicKey, privateKey: privateKey)
            peerKey = PeerKey(type: "raw-rsa", namespace: Self.namespace, name: name, pemFile: pemFile.path, padding: peerName)
        }
    }
}

/// A temporary directory removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("envelopekit-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}
