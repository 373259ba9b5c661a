import Foundation
import Testing
import EnvelopeCrypto
@testable import EnvelopeCore

/// Loads the official ESDK vectors copied into `Vectors/` (see `Vectors/SOURCE.md`).
enum Vectors {
    static let root: URL = {
        guard let url = Bundle.module.url(forResource: "Vectors", withExtension: nil) else {
            fatalError("the Vectors resource folder is missing from the test bundle")
        }
        return url
    }()

    static func data(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent(path)))
    }

    static func json(_ path: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent(path)))
    }

    /// `file://x` relative to a set folder.
    static func file(_ set: String, _ uri: String) throws -> [UInt8] {
        try data(set + "/" + uri.replacingOccurrences(of: "file://", with: ""))
    }

    /// Builds a keyring from a keys.json entry plus a manifest key description.
    static func rawKeyring(keys: [String: Any], description d: [String: Any]) throws -> (any Keyring)? {
        let keyID = d["key"] as! String
        let entry = keys[keyID] as! [String: Any]
        let name = entry["key-id"] as? String ?? keyID
        let namespace = d["provider-id"] as! String
        switch d["encryption-algorithm"] as! String {
        case "aes":
            let material = Array(Data(base64Encoded: entry["material"] as! String)!)
            return try RawAESKeyring(keyNamespace: namespace, keyName: name, wrappingKey: try SecureBytes(copying: material))
        case "rsa":
            let padding: RSAPadding
            switch (d["padding-algorithm"] as? String, d["padding-hash"] as? String) {
            case ("pkcs1", _): padding = .pkcs1
            case ("oaep-mgf1", "sha1"): padding = .oaepSHA1
            case ("oaep-mgf1", "sha256"): padding = .oaepSHA256
            case ("oaep-mgf1", "sha384"): padding = .oaepSHA384
            case ("oaep-mgf1", "sha512"): padding = .oaepSHA512
            default: return nil
            }
            let pem = pemText(entry["material"])
            if entry["type"] as? String == "private" {
                return try RawRSAKeyring(keyNamespace: namespace, keyName: name, padding: padding, publicKey: nil, privateKey: try RSAPrivateKey(pem: pem))
            }
            return try RawRSAKeyring(keyNamespace: namespace, keyName: name, padding: padding, publicKey: try RSAPublicKey(pem: pem), privateKey: nil)
        default:
            return nil
        }
    }

    static func pemText(_ material: Any?) -> String {
        if let s = material as? String { return s }
        return (material as? [String] ?? []).joined(separator: "\n")
    }
}

/// A decrypt keyring that hands out a fixed data key (commitment KATs, C-SDK "zero" keyring,
/// Python decrypt-oracle null/counting keys).
struct StaticDataKeyring: DecryptionKeyring {
    /// nil: all-zero bytes of the suite's key length; "counting": 1, 2, … N.
    enum Source: Sendable { case bytes([UInt8]), zeros, counting }
    let source: Source

    func onDecrypt(_ materials: DecryptionMaterials, encryptedDataKeys: [EncryptedDataKey]) async throws -> DecryptionMaterials {
        var result = materials
        let n = materials.suite.dataKeyLength
        switch source {
        case .bytes(let b): result.plaintextDataKey = try SecureBytes(copying: b)
        case .zeros: result.plaintextDataKey = try SecureBytes(copying: [UInt8](repeating: 0, count: n))
        case .counting: result.plaintextDataKey = try SecureBytes(copying: (1...n).map { UInt8($0) })
        }
        return result
    }
}
