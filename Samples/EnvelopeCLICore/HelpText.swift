import EnvelopeCore

/// Text shared by several `--help` pages, and small helpers of the crypto commands.
enum HelpText {
    static let specs = """
        SPEC (all words after one -w; several keys are several -w):
          key=ARN|ID|alias [key=…] [region=R] [profile=P]
              an AWS KMS key; another account's key must be named by its
              key ARN or alias ARN
          provider=raw-aes key-file=F namespace=NS name=N [key-encoding=E]
              a raw AES key: F holds 16, 24 or 32 bytes; E: raw (default),
              base64 or hex
          provider=raw-rsa key-file=PEM namespace=NS name=N padding=P
                  [passphrase-file=F | passphrase-env=VAR]
              a raw RSA key; P: pkcs1, oaep-sha1, oaep-sha256, oaep-sha384,
              oaep-sha512; a public PEM encrypts, a private PEM does both;
              an encrypted private PEM needs its passphrase (never prompted)
              keys under 2048 bits are refused unless allow-weak-key=yes
          provider=aws-kms-rsa key=ARN algorithm=A [public-key-file=F]
                  [region=R] [profile=P]
              an asymmetric KMS key (RSA key pair): encrypts locally with the
              public key (F: PEM or DER; else kms:GetPublicKey), decrypts with
              kms:Decrypt; A: RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256; only
              suites without signing (e.g. --algorithm
              AES_256_GCM_HKDF_SHA512_COMMIT_KEY)
          provider=raw-ecdh curve=C schema=S [key-file=PEM] [recipient-key=PUB]
              raw ECDH key agreement; C: p256, p384, p521; S: static (your
              key-file= and their recipient-key=), ephemeral (encrypt only,
              recipient-key=), discovery (decrypt only, key-file=); PEM is a
              PKCS#8 private key, PUB a DER or PEM public key
          hierarchy=ID table=T kms-key=ARN [logical-name=N] [ttl=SECONDS]
                  [dynamodb-endpoint=URL]
              the hierarchical keyring: branch key ID from a branch key store
              in DynamoDB table T (see `envelope branch-key`), wrapped under
              the KMS key ARN; each branch key version is cached for SECONDS
              (default 600)
        KMS backend (after the subcommand):
          --kms local [--kms-state DIR] [--principal ARN]   (the default)
          --kms aws [--kms-endpoint URL]
          env: ENVELOPE_KMS, ENVELOPE_KMS_STATE, ENVELOPE_PRINCIPAL
        """

    static let exitCodes = """
        Exit status:
        \(CLIExitCode.table)
        """

    static func suite(named name: String?) throws(CLIError) -> AlgorithmSuite? {
        guard let name else { return nil }
        guard let suite = AlgorithmSuite.named(name) ?? AlgorithmSuite.named(name.uppercased()) else {
            throw .usage("--algorithm \(name) is not an algorithm suite",
                         hint: "use one of " + AlgorithmSuite.all.map(\.name).joined(separator: ", "))
        }
        return suite
    }

    static func openMetadata(_ destination: String?, jobs: [MessageJob]) throws(CLIError) -> MetadataLog? {
        guard let destination else { return nil }
        if destination == "-" && jobs.contains(where: { $0.output == .stdout }) {
            throw .usage("--metadata-output - and -o - would both write to stdout", hint: "write the metadata to a file: --metadata-output PATH")
        }
        if destination != "-", jobs.contains(where: { $0.output == .file(destination) || $0.input == .file(destination) }) {
            throw .usage("--metadata-output \(destination) is also an input or output")
        }
        return try MetadataLog(destination: destination)
    }
}
