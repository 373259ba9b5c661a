import ArgumentParser
import EnvelopeKMS
import EnvelopeKMSPolicy

/// `envelope policy …`.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Render the policy documents of the cross-account story; simulate a KMS call against the local KMS's policies.",
        subcommands: [PolicyRender.self, PolicySimulate.self])
}

/// `envelope policy render`.
struct PolicyRender: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print {\"KeyPolicyStatements\": […], \"ExternalIAMPolicy\": {…}} for sharing a key with principals.",
        discussion: """
            KeyPolicyStatements: AllowUseOfTheKey (kms:Encrypt, kms:Decrypt,
            kms:ReEncrypt*, kms:GenerateDataKey*, kms:DescribeKey) and
            AllowAttachmentOfPersistentResources (kms:CreateGrant,
            kms:ListGrants, kms:RevokeGrant, only when
            kms:GrantIsForAWSResource is true) for the principals: add
            them to the key policy. ExternalIAMPolicy: what the external
            account's administrator attaches to its users and roles
            (Resource = the key ARN). With --encrypt-only: only
            kms:Encrypt, kms:GenerateDataKey* and kms:DescribeKey, and no
            grant statement.
            """)

    @Option(name: .customLong("key-arn"), help: ArgumentHelp("The shared key's ARN.", valueName: "ARN")) var keyARN: String
    @Option(name: .customLong("principal"), parsing: .upToNextOption, help: ArgumentHelp("Principals to allow (account roots, users, roles).", valueName: "ARN")) var principals: [String] = []
    @Flag(name: .customLong("encrypt-only"), help: "Allow encrypting only.") var encryptOnly = false

    func run() throws {
        let key = try KMSAdmin.keyARN(keyARN)
        guard !principals.isEmpty else {
            throw CLIError.usage("policy render needs --principal ARN…", hint: "e.g. --principal arn:aws:iam::012345678901:root")
        }
        let parsed = try principals.map { (text) throws(CLIError) in try KMSBackend.parsePrincipal(text, option: "--principal") }
        JSONOutput.print(KMSPolicyTemplates.render(keyARN: key, principals: parsed, encryptOnly: encryptOnly))
    }
}
