#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import EnvelopeCrypto

/// `envelope keygen`: new raw wrapping keys, written to files only the owner can read.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create raw wrapping keys (key files for provider=raw-aes, raw-rsa and raw-ecdh SPECs).",
        discussion: """
            Key files are created with mode 0600 and never replace an existing
            file (a key file may be the only copy of a key).

            Examples:
              envelope keygen raw-aes -o k.bin
              envelope encrypt -i f -o f.encrypted \\
                -w provider=raw-aes key-file=k.bin namespace=ns name=k1
              envelope keygen raw-rsa -o rsa.pem --public-output rsa.pub.pem
              envelope keygen raw-ecdh --curve p384 -o me.pem --public-output me.pub.pem
            """,
        subcommands: [KeygenRawAESCommand.self, KeygenRawRSACommand.self, KeygenRawECDHCommand.self])
}

/// `envelope keygen raw-aes -o FILE`.
struct KeygenRawAESCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raw-aes",
        abstract: "Write 32 random bytes (an AES-256 key) to a new file with mode 0600.")

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("The key file to create (must not exist).", valueName: "FILE"))
    var output: String

    func run() throws {
        var key = RandomBytes.array(count: 32)
        defer { ConstantTime.zeroArray(&key) }
        try KeyFileWriter.create(output, contents: key, what: "AES key")
    }
}

/// `envelope keygen raw-rsa -o FILE [--bits N] [--passphrase-file F] [--public-output PUB]`.
struct KeygenRawRSACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raw-rsa",
        abstract: "Write a new RSA private key (PEM PKCS#8, encrypted with --passphrase-file) to a new file with mode 0600.")

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("The private key file to create (must not exist).", valueName: "FILE"))
    var output: String

    @Option(name: .long, help: ArgumentHelp("Modulus size in bits: 2048 to 16384.", valueName: "N"))
    var bits: Int = 3072

    @Option(name: .customLong("passphrase-file"), help: ArgumentHelp("Encrypt the private key (PBES2, AES-256-CBC) under the passphrase in F (one final newline is ignored).", valueName: "F"))
    var passphraseFile: String?

    @Option(name: .customLong("public-output"), help: ArgumentHelp("Also write the public key (PEM SubjectPublicKeyInfo), for hosts that only encrypt.", valueName: "PUB"))
    var publicOutput: String?

    func run() throws {
        guard (2048...16384).contains(bits) else {
            throw CLIError.usage("--bits must be between 2048 and 16384, not \(bits)", hint: "3072 (the default) or 4096 are the usual sizes")
        }
        // Refuse before the (slow) generation when a destination exists.
        try KeyFileWriter.checkKeyPairDestinations(output, publicOutput)
        var passphrase = try passphraseFile.map { (path) throws(CLIError) in try PassphraseSource.read(file: path) }
        defer { if passphrase != nil { ConstantTime.zeroArray(&passphrase!) } }
        let pem: String
        let publicPEM: String
        do {
            let key = try RSAPrivateKey(generatingBits: bits)
            pem = try passphrase.map { try key.privatePEM(passphrase: $0) } ?? key.privatePEM()
            publicPEM = try key.publicKey.pem()
        } catch {
            throw CLIError.from(error, doing: "generating the RSA key")
        }
        try KeyFileWriter.createKeyPair(privatePEM: pem, at: output, publicPEM: publicPEM, at: publicOutput, what: "RSA")
    }
}

/// Creates key files: exclusively (never replacing anything), with an exact mode, flushed to disk.
enum KeyFileWriter {
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static func existsError(_ path: String) -> CLIError {
        CLIError(.cannotCreate, "\(path) already exists; keygen never replaces a file",
                 hint: "choose another -o (the existing file may be the only copy of a key)")
    }

    /// Refuses a key pair's destinations when they are the same file or one exists.
    static func checkKeyPairDestinations(_ output: String, _ publicOutput: String?) throws(CLIError) {
        if let publicOutput, publicOutput == output { throw CLIError.usage("--public-output and -o name the same file") }
        for path in [output] + (publicOutput.map { [$0] } ?? []) where exists(path) {
            throw existsError(path)
        }
    }

    /// Writes a private key (mode 0600; its bytes are wiped afterwards) and, when asked, its public
    /// key (mode 0644).
    static func createKeyPair(privatePEM: String, at output: String, publicPEM: String, at publicOutput: String?, what: String) throws(CLIError) {
        var bytes = Array(privatePEM.utf8)
        defer { ConstantTime.zeroArray(&bytes) }
        try create(output, contents: bytes, what: "\(what) private key")
        if let publicOutput {
            try create(publicOutput, contents: Array(publicPEM.utf8), what: "\(what) public key", mode: 0o644)
        }
    }

    /// Writes `contents` to a new file `path` with `mode`; on failure nothing is left behind.
    static func create(_ path: String, contents: [UInt8], what: String, mode: mode_t = 0o600) throws(CLIError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else {
            let code = errno
            if code == EEXIST { throw existsError(path) }
            throw CLIError(.cannotCreate, "cannot create the \(what) file \(path): \(String(cString: strerror(code)))",
                           hint: "check that the directory exists and is writable")
        }
        var failure = fchmod(fd, mode) == 0 ? StandardStreams.writeAll(contents, to: fd) : errno
        if failure == 0 && fsync(fd) != 0 { failure = errno }
        close(fd)
        guard failure == 0 else {
            unlink(path)
            throw CLIError(.ioError, "writing the \(what) file \(path) failed: \(String(cString: strerror(failure)))")
        }
    }
}
