import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
import Foundation

/// How a raw AES key file holds its bytes (`key-encoding=` in the SPEC).
enum KeyFileEncoding: String, Sendable, Equatable {
    case raw, base64, hex
}

/// Where the passphrase of an encrypted PEM private key comes from (never a prompt).
enum KeyPassphrase: Sendable, Equatable {
    /// A file holding the passphrase (one trailing newline is ignored).
    case file(String)
    /// An environment variable holding it.
    case environment(String)
}

/// One `-w SPEC`: the wrapping keys it names, in the words of aws-encryption-cli.
///
/// ```
/// key=ARN|ID|alias [key=…] [region=R] [profile=P]                  AWS KMS key(s)
/// provider=raw-aes key-file=F namespace=NS name=N [key-encoding=E] 16/24/32 key bytes in F; E: raw (default), base64, hex
/// provider=raw-rsa key-file=PEM namespace=NS name=N padding=P      P: pkcs1, oaep-sha1, oaep-sha256, oaep-sha384, oaep-sha512
///     [passphrase-file=F | passphrase-env=VAR]                   for a passphrase-protected private key
///   [allow-weak-key=yes]                                            accept an RSA key under 2048 bits
/// provider=aws-kms-rsa key=ARN algorithm=A [public-key-file=F]     an asymmetric KMS key; A: RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256
///     [region=R] [profile=P]
/// provider=raw-ecdh curve=C schema=S [key-file=PEM] [recipient-key=PUB]   see ``RawECDHSpec``
/// hierarchy=ID table=T kms-key=ARN [logical-name=N] [ttl=S] [dynamodb-endpoint=URL]   see ``HierarchySpec``
/// ```
struct WrappingKeySpec: Sendable, Equatable {
    /// What the SPEC names.
    enum Kind: Sendable, Equatable {
        /// AWS KMS keys (the first is the generator when this SPEC comes first), with optional Region and profile.
        case kms(keys: [KMSKeyIdentifier], region: String?, profile: String?)
        /// A raw AES wrapping key read from a file.
        case rawAES(keyFile: String, namespace: String, name: String, encoding: KeyFileEncoding = .raw)
        /// A raw RSA key pair (or public key only, to encrypt) read from a PEM file; keys under
        /// 2048 bits only with `allow-weak-key=yes`.
        case rawRSA(keyFile: String, namespace: String, name: String, padding: RSAPadding, passphrase: KeyPassphrase? = nil,
                    allowWeakKey: Bool = false)
        /// An asymmetric KMS key (RSA key pair): the public key from `publicKeyFile` or GetPublicKey.
        case kmsRSA(key: KMSKeyIdentifier, algorithm: KMSEncryptionAlgorithm, publicKeyFile: String?, region: String?, profile: String?)
        /// A raw ECDH key agreement (static, ephemeral or discovery schema).
        case rawECDH(RawECDHSpec)
        /// The hierarchical keyring over a branch key store in DynamoDB.
        case hierarchy(HierarchySpec)
    }

    /// What the SPEC names.
    let kind: Kind
    /// The SPEC as the user typed it (for messages).
    let text: String

    static let paddings: [String: RSAPadding] = [
        "pkcs1": .pkcs1, "oaep-sha1": .oaepSHA1, "oaep-sha256": .oaepSHA256, "oaep-sha384": .oaepSHA384, "oaep-sha512": .oaepSHA512,
    ]

    /// Parses one joined SPEC (see ``ArgumentPreprocessor``).
    init(parsing joined: String) throws(CLIError) {
        let words = joined.split(separator: ArgumentPreprocessor.separator, omittingEmptySubsequences: true).map(String.init)
        let text = words.joined(separator: " ")
        self.text = text
        kind = try WrappingKeySpec.parseKind(words: words, text: text)
    }

    private static func parseKind(words: [String], text: String) throws(CLIError) -> Kind {
        guard !words.isEmpty else {
            throw .usage("-w needs a SPEC", hint: "e.g. -w key=arn:aws:kms:us-east-1:111122223333:key/KEY-ID, or -w provider=raw-aes key-file=F namespace=NS name=N")
        }
        var pairs: [(String, String)] = []
        for word in words {
            guard let eq = word.firstIndex(of: "="), eq != word.startIndex else {
                throw .usage("-w \(text): \"\(word)\" is not a name=value pair", hint: "each word of a SPEC is name=value, e.g. key=ARN or key-file=PATH")
            }
            pairs.append((String(word[..<eq]), String(word[word.index(after: eq)...])))
        }
        func single(_ name: String) throws(CLIError) -> String? {
            let values = pairs.filter { $0.0 == name }.map(\.1)
            guard values.count <= 1 else { throw .usage("-w \(text): \(name)= is given \(values.count) times") }
            if let value = values.first, value.isEmpty { throw .usage("-w \(text): \(name)= is empty") }
            return values.first
        }
        func required(_ name: String, _ provider: String) throws(CLIError) -> String {
            guard let value = try single(name) else {
                throw .usage("-w \(text): provider=\(provider) needs \(name)=",
                             hint: "provider=\(provider) key-file=PATH namespace=NS name=NAME" + (provider == "raw-rsa" ? " padding=oaep-sha256" : ""))
            }
            return value
        }
        func onlyAllowed(_ names: Set<String>, _ what: String) throws(CLIError) {
            if let bad = pairs.first(where: { !names.contains($0.0) }) {
                throw .usage("-w \(text): \"\(bad.0)\" is not valid for \(what)", hint: "valid names: \(names.sorted().joined(separator: ", "))")
            }
        }
        // `hierarchy=ID` names the hierarchical keyring without a provider= word.
        let provider = try single("provider") ?? (pairs.contains { $0.0 == "hierarchy" } ? "hierarchy" : "aws-kms")
        switch provider {
        case "aws-kms":
            try onlyAllowed(["provider", "key", "region", "profile"], "an AWS KMS key")
            let keyTexts = pairs.filter { $0.0 == "key" }.map(\.1)
            guard !keyTexts.isEmpty else {
                throw .usage("-w \(text): no key= given", hint: "name the KMS key: -w key=arn:aws:kms:REGION:ACCOUNT:key/KEY-ID (or an alias ARN)")
            }
            var keys: [KMSKeyIdentifier] = []
            for keyText in keyTexts {
                do { keys.append(try KMSKeyIdentifier(parsing: keyText)) } catch {
                    throw .usage("-w \(text): \(error.description)", hint: "a key of another account must be named by key ARN or alias ARN")
                }
            }
            return .kms(keys: keys, region: try single("region"), profile: try single("profile"))
        case "raw-aes":
            try onlyAllowed(["provider", "key-file", "namespace", "name", "key-encoding"], "provider=raw-aes")
            let encodingText = try single("key-encoding") ?? "raw"
            guard let encoding = KeyFileEncoding(rawValue: encodingText) else {
                throw .usage("-w \(text): key-encoding=\(encodingText) is not known", hint: "key-encoding is raw (the default), base64 or hex")
            }
            return .rawAES(keyFile: try required("key-file", provider), namespace: try required("namespace", provider), name: try required("name", provider),
                           encoding: encoding)
        case "raw-rsa":
            try onlyAllowed(["provider", "key-file", "namespace", "name", "padding", "passphrase-file", "passphrase-env", "allow-weak-key"], "provider=raw-rsa")
            let passphraseFile = try single("passphrase-file"), passphraseEnv = try single("passphrase-env")
            if passphraseFile != nil && passphraseEnv != nil {
                throw .usage("-w \(text): give passphrase-file= or passphrase-env=, not both")
            }
            let passphrase = passphraseFile.map(KeyPassphrase.file) ?? passphraseEnv.map(KeyPassphrase.environment)
            let allowWeak = try single("allow-weak-key")
            guard allowWeak == nil || allowWeak == "yes" else {
                throw .usage("-w \(text): allow-weak-key=\(allowWeak!) is not known", hint: "allow-weak-key=yes accepts an RSA key under 2048 bits; omit it otherwise")
            }
            let paddingText = try required("padding", provider)
            guard let padding = WrappingKeySpec.paddings[paddingText] else {
                throw .usage("-w \(text): padding=\(paddingText) is not known", hint: "padding is one of pkcs1, oaep-sha1, oaep-sha256, oaep-sha384, oaep-sha512")
            }
            return .rawRSA(keyFile: try required("key-file", provider), namespace: try required("namespace", provider),
                           name: try required("name", provider), padding: padding, passphrase: passphrase,
                           allowWeakKey: allowWeak == "yes")
        case "aws-kms-rsa":
            return try parseKMSRSA(single: single, onlyAllowed: onlyAllowed, text: text)
        case "raw-ecdh":
            try onlyAllowed(RawECDHSpec.allowedNames, "provider=raw-ecdh")
            return .rawECDH(try RawECDHSpec(text: text, value: single))
        case "hierarchy":
            try onlyAllowed(HierarchySpec.allowedNames, "the hierarchical keyring")
            return .hierarchy(try HierarchySpec(text: text, value: single))
        default:
            throw .usage("-w \(text): provider=\(provider) is not known", hint: "provider is aws-kms (the default), raw-aes, raw-rsa, raw-ecdh, aws-kms-rsa or hierarchy")
        }
    }

    /// `provider=aws-kms-rsa key=ARN algorithm=A [public-key-file=F] [region=R] [profile=P]`.
    private static func parseKMSRSA(single: (String) throws(CLIError) -> String?, onlyAllowed: (Set<String>, String) throws(CLIError) -> Void,
                                    text: String) throws(CLIError) -> Kind {
        try onlyAllowed(["provider", "key", "algorithm", "public-key-file", "region", "profile"], "provider=aws-kms-rsa")
        let example = "provider=aws-kms-rsa key=arn:aws:kms:REGION:ACCOUNT:key/KEY-ID algorithm=RSAES_OAEP_SHA_256"
        guard let keyText = try single("key") else { throw .usage("-w \(text): provider=aws-kms-rsa needs key=", hint: example) }
        let key: KMSKeyIdentifier
        do { key = try KMSKeyIdentifier(parsing: keyText) } catch {
            throw .usage("-w \(text): \(error.description)", hint: "a key of another account must be named by key ARN or alias ARN")
        }
        guard let algorithmText = try single("algorithm") else { throw .usage("-w \(text): provider=aws-kms-rsa needs algorithm=", hint: example) }
        let algorithm = KMSEncryptionAlgorithm(rawValue: algorithmText)
        guard KMSEncryptionAlgorithm.rsaAlgorithms.contains(algorithm) else {
            throw .usage("-w \(text): algorithm=\(algorithmText) is not an RSA encryption algorithm of KMS", hint: "algorithm is RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256")
        }
        return .kmsRSA(key: key, algorithm: algorithm, publicKeyFile: try single("public-key-file"), region: try single("region"), profile: try single("profile"))
    }

    /// Whether this SPEC names KMS keys (so the command needs a KMS backend).
    var usesKMS: Bool {
        switch kind {
        case .kms, .kmsRSA, .hierarchy: true
        case .rawAES, .rawRSA, .rawECDH: false
        }
    }
}
