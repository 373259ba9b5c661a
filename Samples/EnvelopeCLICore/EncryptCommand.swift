import ArgumentParser
import EnvelopeCore
import EnvelopeKMS

/// `envelope encrypt`.
struct EncryptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encrypt",
        abstract: "Encrypt files, directories or stdin into AWS Encryption SDK messages.",
        discussion: """
            \(HelpText.specs)

            Examples:
              envelope encrypt -i report.pdf -o report.pdf.encrypted \\
                -w key=arn:aws:kms:us-east-1:109876543210:key/KEY-ID \\
                -c purpose=backup --kms local \\
                --principal arn:aws:iam::012345678901:user/Alice
              envelope encrypt -i photos -o photos-encrypted -r \\
                -w provider=raw-aes key-file=k.bin namespace=ns name=k1
              tar c dir | envelope encrypt -i - -o - \\
                -w provider=raw-aes key-file=k.bin namespace=ns name=k1 \\
                > dir.tar.encrypted

            \(HelpText.exitCodes)
            """)

    @OptionGroup var io: InputOutputOptions

    @Option(name: [.customShort("w"), .customLong("wrapping-keys")], help: ArgumentHelp("A wrapping key SPEC (all its words follow one -w; several keys are several -w). The first key generates the data key.", valueName: "SPEC"))
    var wrappingKeys: [String] = []

    @Option(name: [.customShort("c"), .customLong("encryption-context")], parsing: .upToNextOption, help: ArgumentHelp("Encryption context pairs bound to the message (-c a=b -c c=d, or -c a=b c=d).", valueName: "k=v"))
    var context: [String] = []

    @Option(name: .long, help: ArgumentHelp("The algorithm suite, by its ESDK name (default AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384).", valueName: "NAME"))
    var algorithm: String?

    @Option(name: .customLong("frame-length"), help: ArgumentHelp("Plaintext bytes per frame (1 to 2147483647, default 4096).", valueName: "N"))
    var frameLength: Int?

    @Flag(name: .customLong("allow-large-frames"), help: "Allow --frame-length above 67108864 (64 MiB), which decrypt refuses unless given --max-frame-length.")
    var allowLargeFrames = false

    @Flag(name: .long, help: "Write the message base64-encoded (standard alphabet, no line breaks), as aws-encryption-cli --encode; decrypt recognises it.")
    var encode = false

    @OptionGroup var client: ClientOptions
    @OptionGroup var backend: KMSBackendOptions
    @OptionGroup var caller: CallerOptions

    func run() async throws {
        try io.validateCommon()
        let specs = try wrappingKeys.map { (text) throws(CLIError) in try WrappingKeySpec(parsing: text) }
        guard !specs.isEmpty else {
            throw CLIError.usage("encrypt needs at least one -w SPEC", hint: "e.g. -w key=arn:aws:kms:us-east-1:109876543210:key/KEY-ID, or -w provider=raw-aes key-file=F namespace=NS name=N")
        }
        let (pairs, _) = try ContextArguments.parse(context, allowBareKeys: false)
        if let reserved = pairs.keys.sorted().first(where: { $0.hasPrefix("aws-crypto-") }) {
            throw CLIError.usage("-c \(reserved): encryption context keys starting with aws-crypto- are reserved for the SDK",
                                 hint: "rename the key (e.g. -c \(reserved.dropFirst("aws-crypto-".count))=…); the SDK adds aws-crypto-public-key itself for signed suites")
        }
        let suite = try HelpText.suite(named: algorithm)
        let frameLength = self.frameLength ?? EnvelopeClient.defaultFrameLength
        guard frameLength >= 1, frameLength <= Int(Int32.max) else {
            throw CLIError.usage("--frame-length must be between 1 and 2147483647, not \(frameLength)", hint: "the default is 4096; larger frames (e.g. 65536) are faster for big files")
        }
        if frameLength > DecryptionLimits.defaultMaxFrameLength && !allowLargeFrames {
            throw CLIError.usage("--frame-length \(frameLength) is above \(DecryptionLimits.defaultMaxFrameLength) (64 MiB), which decrypt refuses by default",
                                 hint: "use a smaller --frame-length (65536 is fast), or pass --allow-large-frames and decrypt with --max-frame-length")
        }
        let envelopeClient = try client.makeClient(concurrency: io.concurrency)
        if let suite, !envelopeClient.commitmentPolicy.allowsEncrypt(with: suite) {
            throw CLIError(.usage, "--algorithm \(suite.name) is not allowed by the commitment policy \(envelopeClient.commitmentPolicy.rawValue)",
                           hint: suite.isCommitting ? "use --commitment-policy require-encrypt-require-decrypt" : "a non-committing suite needs --commitment-policy forbid-encrypt-allow-decrypt")
        }
        let plan = try io.plan(defaultSuffix: ".encrypted")
        let jobs = plan.jobs
        let metadata = try HelpText.openMetadata(io.metadataOutput, jobs: jobs)
        let builder = try KeyringBuilder.make(specs: specs, backend: backend, principal: caller.principal)
        let engine: EncryptionEngine
        if client.encryptOnly {
            engine = .encryptOnly(try EncryptionEngine.encryptOnlyClient(builder: builder, policy: try client.policy(),
                                                                         maxEncryptedDataKeys: try client.maxKeys(),
                                                                         concurrency: io.concurrency))
        } else {
            engine = .standard(envelopeClient, DefaultMaterialsManager(encryptionKeyring: try await builder.encryptionKeyring()))
        }
        TemporaryFileRegistry.shared.installSignalHandlers()
        let overwrite = io.overwrite
        try await JobRunner(jobs: jobs, verb: "encrypting", quiet: io.quiet, metadata: metadata, plan: plan).run { job, meter in
            var processor = MessageProcessor(client: envelopeClient, meter: meter, overwrite: overwrite)
            processor.encode = encode
            return try await processor.encrypt(job, engine: engine, context: EncryptionContext(pairs), suite: suite, frameLength: frameLength)
        }
    }
}
