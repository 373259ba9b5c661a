import ArgumentParser
import EnvelopeKMS
import EnvelopeKMSPolicy
import EnvelopeLocalKMS
import Foundation

struct KMSCreateKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-key",
        abstract: "Create a KMS key (CreateKey): symmetric, or with --key-spec an RSA key pair for encryption; prints {\"KeyMetadata\": {…, \"Arn\", \"KeyId\", \"KeyState\"}} (and \"AliasArn\" with --alias).",
        discussion: """
            The key policy: --policy-file F, else, with --user-principal or
            --external-account, the default statement for --account plus
            AllowUseOfTheKey and AllowAttachmentOfPersistentResources for those
            principals (external accounts by their root ARN), else KMS's
            default key policy. With --kms aws the key is created in the
            account of the AWS credentials; --account must be that account.
            """)

    @Option(name: .long, help: ArgumentHelp("The owning account (12 digits); required with --kms local or a rendered policy.", valueName: "ID")) var account: String?
    @Option(name: .long, help: ArgumentHelp("Also create this alias in the owner's account and Region.", valueName: "alias/NAME")) var alias: String?
    @Option(name: .customLong("user-principal"), parsing: .upToNextOption, help: ArgumentHelp("Principals of the key policy statements.", valueName: "ARN")) var userPrincipals: [String] = []
    @Option(name: .customLong("external-account"), parsing: .upToNextOption, help: ArgumentHelp("External accounts allowed to use the key.", valueName: "ID")) var externalAccounts: [String] = []
    @Option(name: .customLong("policy-file"), help: ArgumentHelp("The key policy document (- for stdin) instead of a rendered one.", valueName: "F|-")) var policyFile: String?
    @Option(name: .long, help: ArgumentHelp("A description of the key.", valueName: "TEXT")) var description: String?
    @Option(name: .customLong("key-spec"), help: ArgumentHelp("SYMMETRIC_DEFAULT (the default), or RSA_2048, RSA_3072, RSA_4096 for an RSA key pair (for -w provider=aws-kms-rsa).", valueName: "SPEC")) var keySpec: String?
    @Option(name: .customLong("key-usage"), help: ArgumentHelp("ENCRYPT_DECRYPT (the default; the only usage the local KMS creates).", valueName: "USAGE")) var keyUsage: String?
    @Flag(name: .customLong("multi-region"), help: "A multi-Region primary key (mrk-…).") var multiRegion = false
    @Flag(name: .customLong("bypass-lockout-safety-check"), help: "Skip KMS's policy lockout safety check (BypassPolicyLockoutSafetyCheck).") var bypassLockout = false
    @OptionGroup var target: AdminTargetOptions

    func run() async throws {
        KMSBackend.mayCreateLocalState = true
        let owner = try account.map { (text) throws(CLIError) in try KMSAdmin.account(text) }
        let users = try userPrincipals.map { (text) throws(CLIError) in try KMSBackend.parsePrincipal(text, option: "--user-principal") }
        let externals = try externalAccounts.map { (text) throws(CLIError) in try KMSAdmin.account(text, option: "--external-account") }
        if let owner, externals.contains(owner) {
            throw CLIError.usage("--external-account \(owner) is the owning account", hint: "external accounts are other accounts; the owner's IAM policies already apply")
        }
        var aliasName: KMSAliasName?
        if let alias {
            do { aliasName = try KMSAliasName(validating: alias.hasPrefix("alias/") ? alias : "alias/" + alias) } catch {
                throw CLIError.usage("--alias \(alias): \(error.description)", hint: "e.g. --alias alias/SharedKey")
            }
        }
        var policy: String?
        if let policyFile {
            guard users.isEmpty && externals.isEmpty else {
                throw CLIError.usage("--policy-file replaces the rendered policy: give it, or --user-principal/--external-account, not both")
            }
            policy = try PolicyFileReader.read(policyFile)
        } else if !users.isEmpty || !externals.isEmpty {
            guard let owner else { throw CLIError.usage("a rendered key policy needs --account ID (the owning account)") }
            let principals = users + externals.map { $0.rootPrincipal(partition: .aws) }
            policy = KMSPolicyTemplates.keyPolicy(owner: owner, principals: principals).jsonText()
            try await target.registerInLocalIAM([owner.rootPrincipal(partition: .aws)] + principals)
        }
        let kms = try target.transport(key: nil, account: owner, command: "create-key")
        let request = CreateKeyRequest(policy: policy, keyDescription: description, keyUsage: keyUsage, keySpec: keySpec,
                                       bypassPolicyLockoutSafetyCheck: bypassLockout, multiRegion: multiRegion)
        let metadata = try await KMSAdmin.runPolicyChange("creating the key") { try await kms.createKey(request) }.keyMetadata
        if let owner, metadata.awsAccountId != owner {
            StandardStreams.printStderr("warning: the key was created in account \(metadata.awsAccountId) (the credentials' account), not --account \(owner)\n")
        }
        var members: [(String, JSONValue)] = [("KeyMetadata", try JSONOutput.value(of: metadata))]
        if let aliasName {
            _ = try await KMSAdmin.run("creating \(aliasName) for \(metadata.arn)") {
                try await kms.createAlias(CreateAliasRequest(aliasName: aliasName, targetKeyId: .keyARN(metadata.arn)))
            }
            members.append(("AliasArn", .string(KMSAliasARN(region: metadata.arn.region, account: metadata.awsAccountId, aliasName: aliasName).description)))
        }
        JSONOutput.print(.object(members))
    }
}

struct KMSCreateAlias: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-alias", abstract: "Create an alias for a key of the same account and Region (CreateAlias); prints {\"AliasName\", \"TargetKeyId\"}.")

    @Option(name: .long, help: ArgumentHelp("The key (ARN or key ID).", valueName: "ARN|ID")) var key: String
    @Option(name: .long, help: ArgumentHelp("The alias name.", valueName: "alias/NAME")) var alias: String
    @Option(name: .long, help: ArgumentHelp("With --kms local and a key ID: the owning account.", valueName: "ID")) var account: String?
    @OptionGroup var target: AdminTargetOptions

    func run() async throws {
        let keyId = try KMSAdmin.keyIdentifier(key)
        let aliasName: KMSAliasName
        do { aliasName = try KMSAliasName(validating: alias.hasPrefix("alias/") ? alias : "alias/" + alias) } catch {
            throw CLIError.usage("--alias \(alias): \(error.description)", hint: "e.g. --alias alias/SharedKey")
        }
        let kms = try target.transport(key: keyId, account: try account.map { (t) throws(CLIError) in try KMSAdmin.account(t) }, command: "create-alias")
        _ = try await KMSAdmin.run("creating \(aliasName)") { try await kms.createAlias(CreateAliasRequest(aliasName: aliasName, targetKeyId: keyId)) }
        JSONOutput.print(.object([("AliasName", .string(aliasName.rawValue)), ("TargetKeyId", .string(keyId.description))]))
    }
}

struct KMSDescribeKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "describe-key", abstract: "Print {\"KeyMetadata\": {…}} (DescribeKey).")

    @Option(name: .long, help: ArgumentHelp("The key (ARN, key ID, alias ARN or alias/NAME).", valueName: "KEY")) var key: String
    @Option(name: .long, help: ArgumentHelp("With --kms local and a key ID or alias name: the owning account.", valueName: "ID")) var account: String?
    @OptionGroup var target: AdminTargetOptions

    func run() async throws {
        let keyId = try KMSAdmin.keyIdentifier(key)
        let kms = try target.transport(key: keyId, account: try account.map { (t) throws(CLIError) in try KMSAdmin.account(t) }, command: "describe-key")
        let response = try await KMSAdmin.run("describing \(keyId)") { try await kms.describeKey(DescribeKeyRequest(keyId: keyId)) }
        JSONOutput.print(try JSONOutput.value(of: response))
    }
}

struct KMSListKeys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list-keys", abstract: "Print {\"Keys\": [{\"KeyId\", \"KeyArn\"}…]} of the account and Region (ListKeys, every page).")

    @Option(name: .long, help: ArgumentHelp("With --kms local: the account.", valueName: "ID")) var account: String?
    @OptionGroup var target: AdminTargetOptions

    func run() async throws {
        let kms = try target.transport(key: nil, account: try account.map { (t) throws(CLIError) in try KMSAdmin.account(t) }, command: "list-keys")
        let keys = try await KMSAdmin.run("listing keys") { try await kms.allKeys() }
        JSONOutput.print(.object([("Keys", try JSONOutput.value(of: keys))]))
    }
}

struct KMSListAliases: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list-aliases", abstract: "Print {\"Aliases\": [{\"AliasName\", \"AliasArn\", \"TargetKeyId\"}…]} (ListAliases, every page).")

    @Option(name: .long, help: ArgumentHelp("Only the aliases of this key.", valueName: "ARN|ID")) var key: String?
    @Option(name: .long, help: ArgumentHelp("With --kms local: the account.", valueName: "ID")) var account: String?
    @OptionGroup var target: AdminTargetOptions

    func run() async throws {
        let keyId = try key.map { (t) throws(CLIError) in try KMSAdmin.keyIdentifier(t) }
        let kms = try target.transport(key: keyId, account: try account.map { (t) throws(CLIError) in try KMSAdmin.account(t) }, command: "list-aliases")
        let aliases = try await KMSAdmin.run("listing aliases") { try await kms.allAliases(keyId: keyId) }
        JSONOutput.print(.object([("Aliases", try JSONOutput.value(of: aliases))]))
    }
}

/// `--key ARN|ID` (+ `--account` for a local key ID): the key of a key-state command.
struct KeyOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The key (ARN, or key ID with --account on --kms local).", valueName: "ARN|ID")) var key: String
    @Option(name: .long, help: ArgumentHelp("With --kms local and a key ID: the owning account.", valueName: "ID")) var account: String?
    @OptionGroup var target: AdminTargetOptions

    func open(_ command: String) throws(CLIError) -> (KMSKeyIdentifier, any KMSAdministrationTransport) {
        let keyId = try KMSAdmin.keyIdentifier(key)
        return (keyId, try target.transport(key: keyId, account: try account.map { (t) throws(CLIError) in try KMSAdmin.account(t) }, command: command))
    }

    /// Prints the key's metadata after a state change.
    func printMetadata(_ keyId: KMSKeyIdentifier, _ kms: any KMSAdministrationTransport) async throws(CLIError) {
        let response = try await KMSAdmin.run("describing \(keyId)") { try await kms.describeKey(DescribeKeyRequest(keyId: keyId)) }
        JSONOutput.print(try JSONOutput.value(of: response))
    }
}

struct KMSReplicateKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replicate-key",
        abstract: "Replicate a multi-Region primary key (mrk-…, from create-key --multi-region) into another Region (ReplicateKey); prints {\"ReplicaKeyMetadata\": {…, \"Arn\"}, \"ReplicaPolicy\"}.",
        discussion: """
            The replica has the primary's key ID and key material: a ciphertext of one
            decrypts with the other (the MRK-aware keyrings use this). Its key policy is
            --policy-file F, else KMS's default key policy.
            """)
    @Option(name: .customLong("replica-region"), help: ArgumentHelp("The Region of the replica.", valueName: "REGION")) var replicaRegion: String
    @Option(name: .customLong("policy-file"), help: ArgumentHelp("The replica's key policy (- for stdin).", valueName: "F|-")) var policyFile: String?
    @Flag(name: .customLong("bypass-lockout-safety-check"), help: "Skip KMS's policy lockout safety check (BypassPolicyLockoutSafetyCheck).") var bypassLockout = false
    @OptionGroup var options: KeyOptions
    func run() async throws {
        let (keyId, kms) = try options.open("replicate-key")
        let policy = try policyFile.map { (file) throws(CLIError) in try PolicyFileReader.read(file) }
        let request = ReplicateKeyRequest(keyId: keyId, replicaRegion: replicaRegion, policy: policy, bypassPolicyLockoutSafetyCheck: bypassLockout)
        let response = try await KMSAdmin.run("replicating \(keyId) to \(replicaRegion)") { try await kms.replicateKey(request) }
        JSONOutput.print(try JSONOutput.value(of: response))
    }
}

struct KMSEnableKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable-key", abstract: "Enable a key (EnableKey); prints its KeyMetadata.")
    @OptionGroup var options: KeyOptions
    func run() async throws {
        let (keyId, kms) = try options.open("enable-key")
        _ = try await KMSAdmin.run("enabling \(keyId)") { try await kms.enableKey(EnableKeyRequest(keyId: keyId)) }
        try await options.printMetadata(keyId, kms)
    }
}

struct KMSDisableKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disable-key", abstract: "Disable a key (DisableKey): cryptographic operations fail with DisabledException; prints its KeyMetadata.")
    @OptionGroup var options: KeyOptions
    func run() async throws {
        let (keyId, kms) = try options.open("disable-key")
        _ = try await KMSAdmin.run("disabling \(keyId)") { try await kms.disableKey(DisableKeyRequest(keyId: keyId)) }
        try await options.printMetadata(keyId, kms)
    }
}

struct KMSScheduleKeyDeletion: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule-key-deletion", abstract: "Schedule the key's deletion after 7-30 days (ScheduleKeyDeletion); prints {\"KeyId\", \"DeletionDate\", \"KeyState\", \"PendingWindowInDays\"}.")
    @Option(name: .customLong("pending-window-in-days"), help: ArgumentHelp("7 to 30 (default 30).", valueName: "N")) var days: Int?
    @OptionGroup var options: KeyOptions
    func run() async throws {
        let (keyId, kms) = try options.open("schedule-key-deletion")
        let response = try await KMSAdmin.run("scheduling the deletion of \(keyId)") {
            try await kms.scheduleKeyDeletion(ScheduleKeyDeletionRequest(keyId: keyId, pendingWindowInDays: days))
        }
        JSONOutput.print(try JSONOutput.value(of: response))
    }
}

struct KMSCancelKeyDeletion: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel-key-deletion", abstract: "Cancel a scheduled deletion (CancelKeyDeletion); the key is then Disabled; prints its KeyMetadata.")
    @OptionGroup var options: KeyOptions
    func run() async throws {
        let (keyId, kms) = try options.open("cancel-key-deletion")
        _ = try await KMSAdmin.run("cancelling the deletion of \(keyId)") { try await kms.cancelKeyDeletion(CancelKeyDeletionRequest(keyId: keyId)) }
        try await options.printMetadata(keyId, kms)
    }
}
