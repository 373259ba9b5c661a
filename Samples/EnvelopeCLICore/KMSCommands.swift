import ArgumentParser
import EnvelopeKMS
import EnvelopeKMSPolicy
import EnvelopeLocalKMS
import Foundation

/// `envelope kms …`: administration of the local KMS, as the administrator of the account that
/// owns the key (or, for attach-user-policy and create-access-key, of the principal's account).
struct KMSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kms",
        abstract: "Administer the local KMS: keys, key policies, IAM policies, access keys; serve it over the KMS wire protocol.",
        discussion: """
            Every subcommand prints JSON on stdout. They act as the
            administrator of the account that owns the key (for
            attach-user-policy and create-access-key: of the principal's
            account), so they need no calling --principal. Backend options
            (--kms, --kms-state) come after the subcommand.

            \(HelpText.exitCodes)
            """,
        subcommands: [KMSCreateKey.self, KMSAddExternalAccount.self, KMSRemoveExternalAccount.self, KMSPutKeyPolicy.self,
                      KMSGetKeyPolicy.self, KMSAttachUserPolicy.self, KMSCreateAccessKey.self, KMSServe.self,
                      KMSTrail.self, KMSTagPrincipal.self, KMSSetOrganization.self])
}

/// Helpers of the `kms` subcommands.
enum KMSAdmin {
    /// The local KMS, or a clear refusal for `--kms aws` (these are administration APIs of the local KMS).
    static func local(_ options: KMSBackendOptions, command: String) throws(CLIError) -> LocalKMS {
        switch try KMSBackend.resolve(options) {
        case .local(let kms): return kms
        case .aws:
            throw CLIError(.unavailable, "envelope kms \(command) is not available with --kms aws: it administers the local KMS",
                           hint: "administer AWS KMS keys with the AWS CLI (aws kms …), or use --kms local")
        }
    }

    static func keyARN(_ text: String) throws(CLIError) -> KMSKeyARN {
        do { return try KMSKeyARN(parsing: text) } catch {
            throw .usage("--key \(text): \(error.description)", hint: "give the key ARN that `envelope kms create-key` printed (KeyMetadata.Arn)")
        }
    }

    static func account(_ text: String, option: String = "--account") throws(CLIError) -> AWSAccountID {
        do { return try AWSAccountID(validating: text) } catch {
            throw .usage("\(option) \(text): \(error.description)", hint: "an account ID is 12 digits, e.g. 012345678901")
        }
    }

    static func run<T>(_ action: String, _ body: () async throws -> T) async throws(CLIError) -> T {
        do { return try await body() } catch { throw CLIError.from(error, doing: action) }
    }

    static func printPolicy(of key: KMSKeyARN, kms: LocalKMS) async throws(CLIError) {
        let text = try await run("reading the key policy of \(key)") { try await kms.getKeyPolicy(key: key) }
        JSONOutput.print(JSONOutput.policy(text))
    }
}

struct KMSCreateKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-key",
        abstract: "Create a symmetric encryption key; prints {\"KeyMetadata\": {…, \"Arn\", \"KeyId\", \"KeyState\"}} (and \"AliasArn\" with --alias).",
        discussion: "Without --user-principal and --external-account the key policy is the default one (the owner account's IAM policies decide). With them, it also has the statements AllowUseOfTheKey and AllowAttachmentOfPersistentResources for those principals (external accounts by their root ARN).")

    @Option(name: .long, help: ArgumentHelp("The owning account (12 digits).", valueName: "ID")) var account: String
    @Option(name: .long, help: ArgumentHelp("The key's Region (default us-east-1).", valueName: "R")) var region: String?
    @Option(name: .long, help: ArgumentHelp("Also create this alias in the owner's account and Region.", valueName: "alias/NAME")) var alias: String?
    @Option(name: .customLong("user-principal"), parsing: .upToNextOption, help: ArgumentHelp("Principals of the key policy statements.", valueName: "ARN")) var userPrincipals: [String] = []
    @Option(name: .customLong("external-account"), parsing: .upToNextOption, help: ArgumentHelp("External accounts allowed to use the key.", valueName: "ID")) var externalAccounts: [String] = []
    @Option(name: .long, help: ArgumentHelp("A description of the key.", valueName: "TEXT")) var description: String?
    @OptionGroup var backend: KMSBackendOptions
    @OptionGroup var caller: AdminCallerOptions

    func run() async throws {
        try caller.validateIfGiven()
        let owner = try KMSAdmin.account(account)
        let awsRegion: AWSRegion
        do { awsRegion = try AWSRegion(validating: region ?? LocalKMS.defaultRegion.rawValue) } catch {
            throw CLIError.usage("--region \(region ?? ""): \(error.description)", hint: "e.g. --region us-east-1")
        }
        var aliasName: KMSAliasName?
        if let alias {
            do { aliasName = try KMSAliasName(validating: alias.hasPrefix("alias/") ? alias : "alias/" + alias) } catch {
                throw CLIError.usage("--alias \(alias): \(error.description)", hint: "e.g. --alias alias/SharedKey")
            }
        }
        let users = try userPrincipals.map { (text) throws(CLIError) in try KMSBackend.parsePrincipal(text, option: "--user-principal") }
        let externals = try externalAccounts.map { (text) throws(CLIError) in try KMSAdmin.account(text, option: "--external-account") }
        if externals.contains(owner) {
            throw CLIError.usage("--external-account \(owner) is the owning account", hint: "external accounts are other accounts; the owner's IAM policies already apply")
        }
        let kms = try KMSAdmin.local(backend, command: "create-key")
        let metadata = try await KMSAdmin.run("creating the key") {
            try await kms.createKey(account: owner, region: awsRegion, alias: aliasName, userPrincipals: users,
                                    externalAccounts: externals, description: description ?? "")
        }
        var members: [(String, JSONValue)] = [("KeyMetadata", try JSONOutput.value(of: metadata))]
        if let aliasName {
            members.append(("AliasArn", .string(KMSAliasARN(region: awsRegion, account: owner, aliasName: aliasName).description)))
        }
        JSONOutput.print(.object(members))
    }
}

/// `--key ARN --account ID`, shared by the two commands that change who may use a key.
struct ExternalAccountOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The key ARN.", valueName: "ARN")) var key: String
    @Option(name: .long, help: ArgumentHelp("The external account.", valueName: "ID")) var account: String
    @OptionGroup var backend: KMSBackendOptions
    @OptionGroup var caller: AdminCallerOptions

    /// Validates the options, applies `change` as the key owner's administrator, prints the new policy.
    func apply(command: String, describing verb: (AWSAccountID, KMSKeyARN) -> String,
               _ change: @escaping @Sendable (LocalKMS, AWSAccountID, KMSKeyARN) async throws -> Void) async throws {
        try caller.validateIfGiven()
        let arn = try KMSAdmin.keyARN(key)
        let external = try KMSAdmin.account(account)
        let kms = try KMSAdmin.local(backend, command: command)
        try await KMSAdmin.run(verb(external, arn)) { try await change(kms, external, arn) }
        try await KMSAdmin.printPolicy(of: arn, kms: kms)
    }
}

struct KMSAddExternalAccount: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-external-account",
        abstract: "Let another account use the key (adds its root to AllowUseOfTheKey and AllowAttachmentOfPersistentResources); prints the new key policy.")

    @OptionGroup var options: ExternalAccountOptions

    func run() async throws {
        try await options.apply(command: "add-external-account", describing: { "adding account \($0) to \($1)" }) { kms, external, arn in
            try await kms.addExternalAccount(external, key: arn)
        }
    }
}

struct KMSRemoveExternalAccount: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove-external-account",
        abstract: "Take an account's access away at once (its principals leave the key policy, its grants are revoked); prints the new key policy.")

    @OptionGroup var options: ExternalAccountOptions

    func run() async throws {
        try await options.apply(command: "remove-external-account", describing: { "removing account \($0) from \($1)" }) { kms, external, arn in
            try await kms.removeExternalAccount(external, key: arn)
        }
    }
}

struct KMSPutKeyPolicy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put-key-policy",
        abstract: "Replace the key policy (PutKeyPolicy) with the document in F (- for stdin); prints it.")

    @Option(name: .long, help: ArgumentHelp("The key ARN.", valueName: "ARN")) var key: String
    @Option(name: .customLong("policy-file"), help: ArgumentHelp("The policy document.", valueName: "F|-")) var policyFile: String
    @OptionGroup var backend: KMSBackendOptions
    @OptionGroup var caller: AdminCallerOptions

    func run() async throws {
        try caller.validateIfGiven()
        let arn = try KMSAdmin.keyARN(key)
        let text = try PolicyFileReader.read(policyFile)
        let kms = try KMSAdmin.local(backend, command: "put-key-policy")
        try await KMSAdmin.run("putting the key policy of \(arn)") { try await kms.putKeyPolicy(text, key: arn) }
        try await KMSAdmin.printPolicy(of: arn, kms: kms)
    }
}

struct KMSGetKeyPolicy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get-key-policy", abstract: "Print the key policy document.")

    @Option(name: .long, help: ArgumentHelp("The key ARN.", valueName: "ARN")) var key: String
    @OptionGroup var backend: KMSBackendOptions
    @OptionGroup var caller: AdminCallerOptions

    func run() async throws {
        try caller.validateIfGiven()
        let arn = try KMSAdmin.keyARN(key)
        let kms = try KMSAdmin.local(backend, command: "get-key-policy")
        try await KMSAdmin.printPolicy(of: arn, kms: kms)
    }
}

struct KMSAttachUserPolicy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach-user-policy",
        abstract: "Attach an IAM policy (F, - for stdin) to a user or role, in addition to those it has; prints its policies.")

    @Option(name: .customLong("principal"), help: ArgumentHelp("The user or role.", valueName: "ARN")) var principal: String
    @Option(name: .customLong("policy-file"), help: ArgumentHelp("The IAM policy document.", valueName: "F|-")) var policyFile: String
    @OptionGroup var backend: KMSBackendOptions

    func run() async throws {
        let arn = try KMSBackend.parsePrincipal(principal, option: "--principal")
        let text = try PolicyFileReader.read(policyFile)
        let kms = try KMSAdmin.local(backend, command: "attach-user-policy")
        try await KMSAdmin.run("attaching the policy to \(arn)") { try await kms.attachUserPolicy(text, principal: arn) }
        let policies = try await KMSAdmin.run("reading the policies of \(arn)") { try await kms.userPolicies(principal: arn) }
        JSONOutput.print(.object([("Principal", .string(arn.description)), ("AttachedPolicies", .array(policies.map(JSONOutput.policy)))]))
    }
}

struct KMSCreateAccessKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-access-key",
        abstract: "Create an access key for a principal (for SigV4 clients of `kms serve`); prints {\"AccessKeyId\", \"SecretAccessKey\", \"Principal\"}.")

    @Option(name: .customLong("principal"), help: ArgumentHelp("The principal the key authenticates as.", valueName: "ARN")) var principal: String
    @OptionGroup var backend: KMSBackendOptions

    func run() async throws {
        let arn = try KMSBackend.parsePrincipal(principal, option: "--principal")
        let kms = try KMSAdmin.local(backend, command: "create-access-key")
        let key = try await KMSAdmin.run("creating an access key for \(arn)") { try await kms.createAccessKey(principal: arn) }
        JSONOutput.print(.object([("AccessKeyId", .string(key.accessKeyId)), ("SecretAccessKey", .string(key.secretAccessKey)),
                                  ("Principal", .string(key.principal))]))
    }
}
