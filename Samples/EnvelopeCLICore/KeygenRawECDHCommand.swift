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
        try KeyFileWriter.checkKeyPairDestinations(output, publicOutput)
        let pem: String
        let publicPEM: String
        do {
            let key = try ECDHPrivateKey(generatingOn: ecdhCurve)
            pem = try key.privatePEM()
            publicPEM = try RawECDHSpec.pem(key.publicKey)
        } catch {
            throw CLIError.from(error, doing: "generating the EC key")
        }
        try KeyFileWriter.createKeyPair(privatePEM: pem, at: output, publicPEM: publicPEM, at: publicOutput, what: "EC")
    }
}
