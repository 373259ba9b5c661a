import ArgumentParser
import EnvelopeCrypto

/// `envelope keygen raw-ecdh -o FILE [--curve C] [--public-output PUB]`.
struct KeygenRawECDHCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raw-ecdh",
        abstract: "Write a new EC private key (PEM PKCS#8) for provider=raw-ecdh to a new file with mode 0600.",
        discussion: """
            Give the public key (--public-output) to the parties that encrypt for
            you; keep the private key for schema=static or schema=discovery.
            """)

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("The private key file to create (must not exist).", valueName: "FILE"))
    var output: String

    @Option(name: .long, help: ArgumentHelp("The curve: p256, p384 or p521.", valueName: "C"))
    var curve: String = "p256"

    @Option(name: .customLong("public-output"), help: ArgumentHelp("Also write the public key (PEM SubjectPublicKeyInfo), for the parties that encrypt for you.", valueName: "PUB"))
    var publicOutput: String?

    func run() throws {
        guard let ecdhCurve = RawECDHSpec.curves[curve] else {
            throw CLIError.usage("--curve \(curve) is not known", hint: "the curve is p256 (the default), p384 or p521")
        }
        if let publicOutput, publicOutput == output { throw CLIError.usage("--public-output and -o name the same file") }
        for path in [output] + (publicOutput.map { [$0] } ?? []) where KeyFileWriter.exists(path) {
            throw KeyFileWriter.existsError(path)
        }
        let pem: String
        let publicPEM: String
        do {
            let key = try ECDHPrivateKey(generatingOn: ecdhCurve)
            pem = try key.privatePEM()
            publicPEM = try RawECDHSpec.pem(key.publicKey)
        } catch {
            throw CLIError.from(error, doing: "generating the EC key")
        }
        var bytes = Array(pem.utf8)
        defer { ConstantTime.zeroArray(&bytes) }
        try KeyFileWriter.create(output, contents: bytes, what: "EC private key")
        if let publicOutput {
            try KeyFileWriter.create(publicOutput, contents: Array(publicPEM.utf8), what: "EC public key", mode: 0o644)
        }
    }
}
