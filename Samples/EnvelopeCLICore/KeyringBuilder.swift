#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
import Foundation

/// Builds the keyrings the `-w` SPECs name: the first key of the first SPEC generates the data
/// key, every other key wraps it too (a multi-keyring); on decrypt, any of them may unwrap it.
struct KeyringBuilder {
    let specs: [WrappingKeySpec]
    /// The KMS backend (nil when no SPEC names a KMS key).
    let backend: KMSBackend?
    /// Who calls the local KMS.
    let principal: AWSPrincipalARN?

    /// Resolves the backend (and, for the local KMS, the caller) only when a SPEC names a KMS key.
    static func make(specs: [WrappingKeySpec], backend options: KMSBackendOptions, principal text: String?) throws(CLIError) -> KeyringBuilder {
        guard specs.contains(where: \.usesKMS) else { return KeyringBuilder(specs: specs, backend: nil, principal: nil) }
        let (backend, principal) = try KMSBackend.resolveWithCaller(options, principal: text)
        return KeyringBuilder(specs: specs, backend: backend, principal: principal)
    }

    private func kmsBackend() throws(CLIError) -> KMSBackend {
        guard let backend else { throw CLIError(.failure, "internal: no KMS backend was resolved") }
        return backend
    }

    /// The encrypt side.
    func encryptionKeyring() async throws(CLIError) -> any EncryptionKeyring {
        var keyrings: [any EncryptionKeyring] = []
        for spec in specs {
            switch spec.kind {
            case .rawAES(let file, let namespace, let name, let encoding):
                keyrings.append(try rawAES(file: file, namespace: namespace, name: name, encoding: encoding, spec: spec))
            case .rawRSA(let file, let namespace, let name, let padding, let passphrase, let allowWeak):
                keyrings.append(try rawRSA(file: file, namespace: namespace, name: name, padding: padding, passphrase: passphrase, allowWeak: allowWeak,
                                           needPrivate: false, spec: spec))
            case .rawECDH(let ecdh):
                keyrings.append(try ecdh.encryptionKeyring(spec: spec) { (path) throws(CLIError) in try readKeyFile(path, spec: spec) })
            case .kms(let keys, let region, let profile):
                keyrings += try KMSKeyringFactory.encryptionKeyrings(keys: keys, region: region, profile: profile, backend: kmsBackend(), principal: principal)
            case .kmsRSA:
                keyrings.append(try await kmsRSA(spec))
            case .hierarchy(let hierarchy):
                keyrings.append(try hierarchy.keyring(backend: kmsBackend(), principal: principal, spec: spec))
            }
        }
        guard let generator = keyrings.first else {
            throw .usage("encrypt needs at least one -w SPEC", hint: "e.g. -w key=arn:aws:kms:us-east-1:109876543210:key/KEY-ID")
        }
        if keyrings.count == 1 { return generator }
        // Spec: framework/multi-keyring.md ("OnEncrypt") — the generator makes the data key, every child wraps it.
        do {
            return try MultiEncryptionKeyring(generator: generator, children: Array(keyrings.dropFirst()))
        } catch {
            throw CLIError.from(error, doing: "combining the -w keys")
        }
    }

    /// The decrypt side.
    func decryptionKeyring() async throws(CLIError) -> any DecryptionKeyring {
        var keyrings: [any DecryptionKeyring] = []
        for spec in specs {
            switch spec.kind {
            case .rawAES(let file, let namespace, let name, let encoding):
                keyrings.append(try rawAES(file: file, namespace: namespace, name: name, encoding: encoding, spec: spec))
            case .rawRSA(let file, let namespace, let name, let padding, let passphrase, let allowWeak):
                keyrings.append(try rawRSA(file: file, namespace: namespace, name: name, padding: padding, passphrase: passphrase, allowWeak: allowWeak,
                                           needPrivate: true, spec: spec))
            case .rawECDH(let ecdh):
                keyrings.append(try ecdh.decryptionKeyring(spec: spec) { (path) throws(CLIError) in try readKeyFile(path, spec: spec) })
            case .kms(let keys, let region, let profile):
                keyrings += try await KMSKeyringFactory.decryptionKeyrings(keys: keys, region: region, profile: profile, backend: kmsBackend(), principal: principal)
            case .kmsRSA:
                keyrings.append(try await kmsRSA(spec, decrypting: true))
            case .hierarchy(let hierarchy):
                keyrings.append(try hierarchy.keyring(backend: kmsBackend(), principal: principal, spec: spec))
            }
        }
        guard let first = keyrings.first else {
            throw .usage("decrypt needs -w SPEC or --discovery", hint: "name the key(s) that may decrypt with -w, or pass --discovery")
        }
        if keyrings.count == 1 { return first }
        // Spec: framework/multi-keyring.md ("OnDecrypt") — the first keyring that decrypts wins.
        do {
            return try MultiDecryptionKeyring(keyrings: keyrings)
        } catch {
            throw CLIError.from(error, doing: "combining the -w keys")
        }
    }

    /// Reads a key file straight into an array the caller wipes (no intermediate `Data` copy).
    private func readKeyFile(_ path: String, spec: WrappingKeySpec) throws(CLIError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CLIError(.noInput, "-w \(spec.text): cannot read the key file \(path): \(String(cString: strerror(errno)))",
                           hint: "check the key-file= path and its permissions")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        defer { ConstantTime.zeroArray(&chunk) }
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                ConstantTime.zeroArray(&bytes)
                throw CLIError(.noInput, "-w \(spec.text): reading the key file \(path) failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            guard bytes.count + n <= 1 << 20 else {
                ConstantTime.zeroArray(&bytes)
                throw .usage("-w \(spec.text): the key file \(path) is larger than 1 MiB; it is not a key")
            }
            bytes.reserveCapacity(bytes.count + n)
            bytes += chunk[0..<n]
        }
        return bytes
    }

    private func rawAES(file: String, namespace: String, name: String, encoding: KeyFileEncoding, spec: WrappingKeySpec) throws(CLIError) -> RawAESKeyring {
        var stored = try readKeyFile(file, spec: spec)
        defer { ConstantTime.zeroArray(&stored) }
        KeyFileCheck.warnIfShared(file)
        var bytes = try KeyFileCheck.decode(stored, encoding, file: file, spec: spec)
        defer { ConstantTime.zeroArray(&bytes) }
        guard [16, 24, 32].contains(bytes.count) else {
            let detected = encoding == .raw ? KeyFileCheck.detectEncoding(stored) : nil
            let message = "-w \(spec.text): the key file \(file) holds \(bytes.count) \(encoding == .raw ? "bytes" : "decoded bytes"); a raw AES key is 16, 24 or 32 bytes"
            switch detected {
            case .base64?:
                throw .usage(message + " (it looks base64-encoded)", hint: "add key-encoding=base64 to the SPEC, or decode it into a new file: base64 -d \(file) > NEWFILE")
            case .hex?:
                throw .usage(message + " (it looks hex-encoded)", hint: "add key-encoding=hex to the SPEC, or decode it into a new file: xxd -r -p \(file) > NEWFILE")
            default:
                throw .usage(message, hint: "check key-file=; a new key goes into a new file: (set -C; umask 077; head -c 32 /dev/urandom > NEWFILE)")
            }
        }
        if encoding == .raw, let looks = KeyFileCheck.detectEncoding(stored) {
            // 32 hex digits or 24/44 base64 characters are also a valid raw key length.
            StandardStreams.printStderr("envelope: warning: the key file \(file) looks \(looks.rawValue)-encoded but is used as raw bytes; add key-encoding=\(looks.rawValue) to the SPEC if it is\n")
        }
        do {
            return try RawAESKeyring(keyNamespace: namespace, keyName: name, wrappingKey: try SecureBytes(consuming: &bytes))
        } catch {
            throw CLIError.from(error, doing: "-w \(spec.text)")
        }
    }

    private func rawRSA(file: String, namespace: String, name: String, padding: RSAPadding, passphrase: KeyPassphrase?, allowWeak: Bool,
                        needPrivate: Bool, spec: WrappingKeySpec) throws(CLIError) -> RawRSAKeyring {
        var bytes = try readKeyFile(file, spec: spec)
        let pem = String(decoding: bytes, as: UTF8.self)
        ConstantTime.zeroArray(&bytes)
        // A format check of the PEM armor (which block types the file holds), not of an error text.
        let isPrivate = pem.contains("PRIVATE KEY-----")
        let isEncrypted = pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || pem.contains("Proc-Type: 4,ENCRYPTED")
        if isPrivate { KeyFileCheck.warnIfShared(file) }
        if isEncrypted && passphrase == nil {
            throw .usage("-w \(spec.text): the key file \(file) is passphrase-protected", hint: "add passphrase-file=F or passphrase-env=VAR to the SPEC")
        }
        do {
            if isPrivate {
                let secret = try passphrase.map { (source) throws(CLIError) in try Self.readPassphrase(source, spec: spec) }
                let privateKey = try RSAPrivateKey(pem: pem, passphrase: secret)
                return try RawRSAKeyring(keyNamespace: namespace, keyName: name, padding: padding, publicKey: nil, privateKey: privateKey, allowWeakKeys: allowWeak)
            }
            guard !needPrivate else {
                throw CLIError.usage("-w \(spec.text): \(file) holds no RSA private key, which decrypt needs",
                                     hint: "give the PEM file with the private key (-----BEGIN PRIVATE KEY-----)")
            }
            return try RawRSAKeyring(keyNamespace: namespace, keyName: name, padding: padding, publicKey: try RSAPublicKey(pem: pem), privateKey: nil, allowWeakKeys: allowWeak)
        } catch let error as CLIError {
            throw error
        } catch let error as KeyTypeError {
            throw CLIError(.usage, "-w \(spec.text): \(file) holds an \(error.found) key, not an RSA key",
                           hint: "provider=raw-rsa needs an RSA key, e.g. openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072")
        } catch {
            var failure = isEncrypted
                ? CLIError(.usage, "-w \(spec.text): cannot decrypt the key file \(file) with the passphrase given", hint: "check the passphrase (passphrase-file= or passphrase-env=)")
                : CLIError(.usage, "-w \(spec.text): \(file) is not a usable RSA PEM key",
                           hint: "give a PEM public key (to encrypt) or private key (to encrypt and decrypt) of 2048 bits or more; allow-weak-key=yes in the SPEC accepts a smaller key; --verbose shows the reason")
            failure.details = String(describing: error)
            throw failure
        }
    }

    /// `provider=aws-kms-rsa`: the KMS RSA keyring, with the public key from `public-key-file=`
    /// (PEM or DER SubjectPublicKeyInfo; then `key=` must be the key ARN) or from GetPublicKey.
    /// Decrypting with a key ARN needs no public key (only kms:Decrypt), so none is fetched.
    private func kmsRSA(_ spec: WrappingKeySpec, decrypting: Bool = false) async throws(CLIError) -> KMSRSAKeyring {
        guard case .kmsRSA(let key, let algorithm, let publicKeyFile, let region, let profile) = spec.kind else {
            throw CLIError(.failure, "internal: not an aws-kms-rsa SPEC")
        }
        let transports = try KMSKeyringFactory.supplier(backend: kmsBackend(), defaultRegion: region, profile: profile, principal: principal)
        do {
            let transport = try transports.transport(for: KMSKeyringFactory.region(of: key))
            if decrypting, case .keyARN(let arn) = key {
                return try KMSRSAKeyring(keyARN: arn, encryptionAlgorithm: algorithm, publicKey: nil, transport: transport)
            }
            guard let publicKeyFile else {
                return try await KMSRSAKeyring.resolving(key, encryptionAlgorithm: algorithm, transport: transport)
            }
            guard case .keyARN(let arn) = key else {
                throw CLIError.usage("-w \(spec.text): with public-key-file=, key= must be the key ARN (encrypted data keys record it)",
                                     hint: "omit public-key-file= to resolve an alias with kms:GetPublicKey")
            }
            let bytes = try readKeyFile(publicKeyFile, spec: spec)
            let publicKey = bytes.first == 0x30
                ? try RSAPublicKey(subjectPublicKeyInfo: bytes)
                : try RSAPublicKey(pem: String(decoding: bytes, as: UTF8.self))
            return try KMSRSAKeyring(keyARN: arn, encryptionAlgorithm: algorithm, publicKey: publicKey, transport: transport)
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError.from(error, doing: "-w \(spec.text)")
        }
    }

    /// The passphrase of an encrypted PEM: a file (one trailing newline dropped) or an
    /// environment variable; never a prompt.
    static func readPassphrase(_ source: KeyPassphrase, spec: WrappingKeySpec) throws(CLIError) -> SecureBytes {
        var bytes: [UInt8]
        switch source {
        case .file(let path):
            bytes = try PassphraseSource.read(file: path)
        case .environment(let name):
            guard let value = ProcessInfo.processInfo.environment[name] else {
                throw .usage("-w \(spec.text): the environment variable \(name) is not set", hint: "export \(name) with the key's passphrase, or use passphrase-file=F")
            }
            bytes = Array(value.utf8)
        }
        defer { ConstantTime.zeroArray(&bytes) }
        guard !bytes.isEmpty else { throw .usage("-w \(spec.text): the passphrase is empty") }
        do { return try SecureBytes(consuming: &bytes) } catch {
            throw CLIError.from(error, doing: "-w \(spec.text)")
        }
    }
}

extension ConstantTime {
    /// Zeroes an array in place.
    static func zeroArray(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { ConstantTime.zero($0) }
    }
}
