#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EnvelopeCore
import EnvelopeCrypto
import Foundation

/// `-w provider=raw-ecdh curve=C schema=S …`: a raw ECDH key agreement (the keyrings of
/// EnvelopeCore's `RawECDHKeyring`, `RawECDHEphemeralKeyring`, `RawECDHDiscoveryKeyring`).
///
/// ```
/// schema=static    key-file=MY.pem recipient-key=THEIRS   encrypt to them; decrypt what either of us sent
/// schema=ephemeral recipient-key=THEIRS                   encrypt only, with a fresh key pair per message
/// schema=discovery key-file=MY.pem                        decrypt only: anything sent to my key
/// ```
/// `key-file` is a PEM PKCS#8 private key; `recipient-key` a public key, DER or PEM SubjectPublicKeyInfo.
struct RawECDHSpec: Sendable, Equatable {
    enum Schema: String, Sendable, Equatable, CaseIterable {
        case `static`, ephemeral, discovery
    }

    static let curves: [String: ECDHCurve] = ["p256": .p256, "p384": .p384, "p521": .p521]

    let curve: ECDHCurve
    let schema: Schema
    /// This party's private key (static: the sender's; discovery: the recipient's).
    let keyFile: String?
    /// The other party's public key (static, ephemeral).
    let recipientKeyFile: String?

    static let allowedNames: Set<String> = ["provider", "curve", "schema", "key-file", "recipient-key"]

    /// Parses the SPEC's values (`value(name)` returns a name's single value, or nil).
    init(text: String, value: (String) throws(CLIError) -> String?) throws(CLIError) {
        let usage = "provider=raw-ecdh curve=p256|p384|p521 schema=static key-file=MY.pem recipient-key=THEIR.pub"
        guard let curveText = try value("curve") else { throw .usage("-w \(text): provider=raw-ecdh needs curve=", hint: usage) }
        guard let curve = Self.curves[curveText] else {
            throw .usage("-w \(text): curve=\(curveText) is not known", hint: "curve is p256, p384 or p521")
        }
        guard let schemaText = try value("schema") else { throw .usage("-w \(text): provider=raw-ecdh needs schema=", hint: usage) }
        guard let schema = Schema(rawValue: schemaText) else {
            throw .usage("-w \(text): schema=\(schemaText) is not known",
                         hint: "schema is static (key-file= and recipient-key=), ephemeral (recipient-key=) or discovery (key-file=)")
        }
        let keyFile = try value("key-file"), recipientKeyFile = try value("recipient-key")
        switch schema {
        case .static:
            guard keyFile != nil, recipientKeyFile != nil else {
                throw .usage("-w \(text): schema=static needs key-file= (your private key) and recipient-key= (their public key)", hint: usage)
            }
        case .ephemeral:
            guard recipientKeyFile != nil, keyFile == nil else {
                throw .usage("-w \(text): schema=ephemeral takes recipient-key= (their public key) and no key-file=",
                             hint: "a fresh key pair is made for each message; to use your own key pair, use schema=static")
            }
        case .discovery:
            guard keyFile != nil, recipientKeyFile == nil else {
                throw .usage("-w \(text): schema=discovery takes key-file= (your private key) and no recipient-key=",
                             hint: "discovery decrypts whatever was sent to your key; to accept one sender only, use schema=static")
            }
        }
        self.curve = curve
        self.schema = schema
        self.keyFile = keyFile
        self.recipientKeyFile = recipientKeyFile
    }

    /// The encrypt side (static or ephemeral).
    func encryptionKeyring(spec: WrappingKeySpec, read: (String) throws(CLIError) -> [UInt8]) throws(CLIError) -> any EncryptionKeyring {
        switch schema {
        case .static: return try staticKeyring(spec: spec, read: read)
        case .ephemeral:
            return RawECDHEphemeralKeyring(recipientPublicKey: try publicKey(spec: spec, read: read))
        case .discovery:
            throw .usage("-w \(spec.text): schema=discovery only decrypts",
                         hint: "to encrypt for a recipient, use schema=ephemeral recipient-key=THEIR.pub (or schema=static with your own key-file=)")
        }
    }

    /// The decrypt side (static or discovery).
    func decryptionKeyring(spec: WrappingKeySpec, read: (String) throws(CLIError) -> [UInt8]) throws(CLIError) -> any DecryptionKeyring {
        switch schema {
        case .static: return try staticKeyring(spec: spec, read: read)
        case .discovery:
            return RawECDHDiscoveryKeyring(recipientPrivateKey: try privateKey(spec: spec, read: read))
        case .ephemeral:
            throw .usage("-w \(spec.text): schema=ephemeral only encrypts (its private key is gone after each message)",
                         hint: "the recipient decrypts with -w provider=raw-ecdh curve=C schema=discovery key-file=THEIR-PRIVATE.pem")
        }
    }

    private func staticKeyring(spec: WrappingKeySpec, read: (String) throws(CLIError) -> [UInt8]) throws(CLIError) -> RawECDHKeyring {
        let privateKey = try privateKey(spec: spec, read: read)
        let publicKey = try publicKey(spec: spec, read: read)
        do {
            return try RawECDHKeyring(senderPrivateKey: privateKey, recipientPublicKey: publicKey)
        } catch {
            throw CLIError.from(error, doing: "-w \(spec.text)")
        }
    }

    private func privateKey(spec: WrappingKeySpec, read: (String) throws(CLIError) -> [UInt8]) throws(CLIError) -> ECDHPrivateKey {
        guard let keyFile else { throw CLIError(.failure, "internal: no key-file= in \(spec.text)") }
        var bytes = try read(keyFile)
        let pem = String(decoding: bytes, as: UTF8.self)
        ConstantTime.zeroArray(&bytes)
        KeyFileCheck.warnIfShared(keyFile)
        if pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            throw .usage("-w \(spec.text): the key file \(keyFile) is passphrase-protected, which provider=raw-ecdh does not read",
                         hint: "write it unencrypted into a file only you can read: openssl pkey -in \(keyFile) -out NEWFILE")
        }
        do {
            return try ECDHPrivateKey(pem: pem, curve: curve)
        } catch {
            throw refused(error, file: keyFile, spec: spec, what: "a \(curve) private key (PEM PKCS#8)")
        }
    }

    private func publicKey(spec: WrappingKeySpec, read: (String) throws(CLIError) -> [UInt8]) throws(CLIError) -> ECDHPublicKey {
        guard let recipientKeyFile else { throw CLIError(.failure, "internal: no recipient-key= in \(spec.text)") }
        let bytes = try read(recipientKeyFile)
        do {
            return try ECDHPublicKey(subjectPublicKeyInfo: Self.derFromPEM(bytes) ?? bytes, curve: curve)
        } catch {
            throw refused(error, file: recipientKeyFile, spec: spec, what: "a \(curve) public key (DER or PEM SubjectPublicKeyInfo)")
        }
    }

    private func refused(_ error: any Error, file: String, spec: WrappingKeySpec, what: String) -> CLIError {
        var failure: CLIError
        if let keyError = error as? ECDHKeyError, case .wrongCurve(_, let found) = keyError.reason {
            let name = Self.curveNames[found] ?? found
            failure = CLIError(.usage, "-w \(spec.text): \(file) holds a key on \(name), not on \(curve)",
                               hint: "set curve= to the key's curve, or give a key on \(curve)")
        } else {
            failure = CLIError(.usage, "-w \(spec.text): \(file) is not \(what)", hint: "envelope keygen raw-ecdh --curve C -o KEY.pem --public-output KEY.pub makes a key pair")
        }
        failure.details = String(describing: error)
        return failure
    }

    /// OpenSSL's short names of the NIST curves, as `ECDHKeyError.wrongCurve` reports a key's curve.
    static let curveNames = ["prime256v1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"]

    /// The DER inside a `-----BEGIN PUBLIC KEY-----` block, or nil when `bytes` is not PEM text.
    static func derFromPEM(_ bytes: [UInt8]) -> [UInt8]? {
        let text = String(decoding: bytes, as: UTF8.self)
        let begin = "-----BEGIN PUBLIC KEY-----", end = "-----END PUBLIC KEY-----"
        guard let start = text.range(of: begin), let stop = text.range(of: end, range: start.upperBound..<text.endIndex) else { return nil }
        let body = text[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
        return Data(base64Encoded: String(body)).map { Array($0) }
    }

    /// A public key as PEM text (what `keygen raw-ecdh --public-output` writes).
    static func pem(_ key: ECDHPublicKey) throws -> String {
        let base64 = Data(try key.subjectPublicKeyInfo()).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN PUBLIC KEY-----\n\(base64)\n-----END PUBLIC KEY-----\n"
    }
}
