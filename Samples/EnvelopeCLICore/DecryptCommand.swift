import ArgumentParser
import EnvelopeCore
import EnvelopeKMS

/// `envelope decrypt`.
struct DecryptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt",
        abstract: "Decrypt AWS Encryption SDK messages (from any ESDK language) into files, directories or stdout.",
        discussion: """
            \(HelpText.specs)

            Decrypt needs -w SPECs naming the keys that may decrypt (only
            those are tried), or --discovery (any KMS key the caller may
            use; --discovery-account ID… limits it to some accounts of
            --discovery-partition, default aws).
            -c k=v requires the message's encryption context to hold k=v;
            -c k requires it to have key k.
            Output files appear only when the whole message verified.
            With -o -, frames are written as they verify; on failure the
            exit status is non-zero: discard what was read. --buffer
            writes nothing to stdout until the whole message (signature
            included) verified; --refuse-signed fails right after the
            header on signed messages, before any output.

            Examples:
              envelope decrypt -i report.pdf.encrypted -o report.pdf \\
                -w key=arn:aws:kms:us-east-1:109876543210:key/KEY-ID \\
                -c purpose=backup --kms local \\
                --principal arn:aws:iam::012345678901:user/Alice
              envelope decrypt -i in.encrypted -o - --discovery \\
                --discovery-account 109876543210 | less

            \(HelpText.exitCodes)
            """)

    @OptionGroup var io: InputOutputOptions

    @Option(name: [.customShort("w"), .customLong("wrapping-keys")], help: ArgumentHelp("A key that may decrypt (SPEC, as for encrypt; several -w to allow several).", valueName: "SPEC"))
    var wrappingKeys: [String] = []

    @Flag(name: .long, help: "Decrypt with any KMS key named in the message that the caller may use (instead of -w).")
    var discovery = false

    @Option(name: .customLong("discovery-account"), parsing: .upToNextOption, help: ArgumentHelp("With --discovery: only keys of these accounts.", valueName: "ID"))
    var discoveryAccounts: [String] = []

    @Option(name: .customLong("discovery-partition"), help: ArgumentHelp("With --discovery-account: the accounts' partition (default aws).", valueName: "P"))
    var discoveryPartition: String?

    @Option(name: [.customShort("c"), .customLong("encryption-context")], parsing: .upToNextOption, help: ArgumentHelp("Required encryption context: k=v pairs the message must carry, or bare keys it must have.", valueName: "k=v|k"))
    var context: [String] = []

    @Flag(name: .long, help: "The input is base64 (as aws-encryption-cli --decode; line breaks are ignored). Without it, base64 input is recognised by its first bytes and decoded too (--verbose says so).")
    var decode = false

    @Option(name: .customLong("strip-suffix"), help: ArgumentHelp("Output names in a directory drop this ending of the input name (then get --suffix, default none); other names get --suffix (default .decrypted). '' turns it off.", valueName: "SUFFIX"))
    var stripSuffix: String = ".encrypted"

    @OptionGroup var limits: DecryptLimitOptions

    @Flag(name: .customLong("buffer"), help: "With -o -: write nothing until the whole message, signature included, verified (the plaintext waits in a temporary file).")
    var buffer = false

    @Flag(name: .customLong("refuse-signed"), help: "Fail right after the header, before any output, if the message uses a signed suite.")
    var refuseSigned = false

    @OptionGroup var client: ClientOptions
    @OptionGroup var backend: KMSBackendOptions
    @OptionGroup var caller: CallerOptions

    func run() async throws {
        // The encrypt-only client has no decrypt operation: refuse before anything else (no KMS call, no file).
        if client.encryptOnly {
            throw CLIError.usage("decrypt --encrypt-only: the encrypt-only client cannot decrypt",
                                 hint: "it mirrors a key policy that allows kms:Encrypt and kms:GenerateDataKey* but not kms:Decrypt; drop --encrypt-only to decrypt")
        }
        try io.validateCommon()
        let specs = try wrappingKeys.map { (text) throws(CLIError) in try WrappingKeySpec(parsing: text) }
        if discovery && !specs.isEmpty {
            throw CLIError.usage("decrypt takes either -w SPEC or --discovery, not both", hint: "-w decrypts only with the named keys; --discovery with any KMS key the caller may use")
        }
        if !discovery && (!discoveryAccounts.isEmpty || discoveryPartition != nil) {
            throw CLIError.usage("--discovery-account and --discovery-partition need --discovery",
                                 hint: "e.g. --discovery --discovery-account 109876543210 --discovery-partition aws")
        }
        if discoveryPartition != nil && discoveryAccounts.isEmpty {
            throw CLIError.usage("--discovery-partition needs --discovery-account ID", hint: "a discovery filter is a partition and a set of accounts")
        }
        if !discovery && specs.isEmpty {
            throw CLIError.usage("decrypt needs -w SPEC or --discovery", hint: "name the key(s) that may decrypt with -w, or pass --discovery")
        }
        let (pairs, keys) = try ContextArguments.parse(context, allowBareKeys: true)
        var envelopeClient = try client.makeClient(concurrency: io.concurrency)
        envelopeClient.limits = try limits.limits()
        envelopeClient.limits.refuseSignedSuites = refuseSigned
        let plan = try io.plan(defaultSuffix: ".decrypted", strip: stripSuffix)
        let jobs = plan.jobs
        let metadata = try HelpText.openMetadata(io.metadataOutput, jobs: jobs)
        let keyring: any DecryptionKeyring
        if discovery {
            let (kmsBackend, principal) = try KMSBackend.resolveWithCaller(backend, principal: caller.principal)
            keyring = try KMSKeyringFactory.discoveryKeyring(accounts: discoveryAccounts, partition: discoveryPartition,
                                                             backend: kmsBackend, principal: principal)
        } else {
            keyring = try await KeyringBuilder.make(specs: specs, backend: backend, principal: caller.principal).decryptionKeyring()
        }
        TemporaryFileRegistry.shared.installSignalHandlers()
        let overwrite = io.overwrite
        let buffer = buffer
        try await JobRunner(jobs: jobs, verb: "decrypting", quiet: io.quiet, metadata: metadata, plan: plan).run { job, meter in
            var processor = MessageProcessor(client: envelopeClient, meter: meter, overwrite: overwrite)
            processor.decoding = decode ? .always : .automatic
            processor.bufferStdout = buffer
            return try await processor.decrypt(job, keyring: keyring, requiredPairs: pairs, requiredKeys: keys)
        }
    }
}
