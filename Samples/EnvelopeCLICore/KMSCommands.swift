import ArgumentParser
import EnvelopeKMS
import EnvelopeKMSPolicy
import EnvelopeKMSHTTP
import EnvelopeLocalKMS
import Foundation

/// `envelope kms …`: the key owner's side of the story over any backend, plus local-only IAM.
struct KMSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kms",
        abstract: "Administer KMS keys (local KMS, AWS KMS, moto or `kms serve`); local IAM; serve the local KMS.",
        discussion: """
            Key administration (create-key … retire-grant) works on every
            backend: with --kms local it acts as the administrator (account
            root) of the account that owns the key; with --kms aws it calls
            the KMS API (CreateKey, GetKeyPolicy, PutKeyPolicy, ListGrants, …)
            as whoever the AWS credentials belong to — against AWS KMS, moto
            or `envelope kms serve` (--kms-endpoint URL).

            IAM stays local-only: attach-user-policy and create-access-key
            change the local KMS's own IAM (with AWS, use `aws iam
            put-user-policy` / `aws iam create-access-key`).

            Every subcommand prints JSON on stdout. Backend options (--kms,
            --kms-state, --kms-endpoint) come after the subcommand.

            \(HelpText.exitCodes)
            """,
        subcommands: [KMSInit.self, KMSCreateKey.self, KMSCreateAlias.self, KMSDescribeKey.self, KMSListKeys.self, KMSListAliases.self,
                      KMSGetKeyPolicy.self, KMSPutKeyPolicy.self, KMSAddExternalAccount.self, KMSRemoveExternalAccount.self,
                      KMSReplicateKey.self, KMSEnableKey.self, KMSDisableKey.self, KMSScheduleKeyDeletion.self, KMSCancelKeyDeletion.self,
                      KMSCreateGrant.self, KMSListGrants.self, KMSRevokeGrant.self, KMSRetireGrant.self,
                      KMSAttachUserPolicy.self, KMSCreateAccessKey.self, KMSServe.self,
                      KMSTrail.self, KMSTagPrincipal.self, KMSSetOrganization.self])
}

/// Helpers of the `kms` subcommands.
enum KMSAdmin {
    /// The local KMS, or a clear refusal for `--kms aws` (IAM and `serve` are the local KMS's own).
    static func local(_ options: KMSBackendOptions, command: String) throws(CLIError) -> LocalKMS {
        switch try KMSBackend.resolve(options) {
        case .local(let kms): return kms
        case .aws:
            throw CLIError(.unavailable, "envelope kms \(command) is not available with --kms aws: it changes the local KMS's own IAM",
                           hint: "with AWS, use the AWS CLI (aws iam …), or use --kms local")
        }
    }

    static func keyARN(_ text: String) throws(CLIError) -> KMSKeyARN {
        do { return try KMSKeyARN(parsing: text) } catch {
            throw .usage("--key \(text): \(error.description)", hint: "give the key ARN that `envelope kms create-key` printed (KeyMetadata.Arn)")
        }
    }

    static func keyIdentifier(_ text: String) throws(CLIError) -> KMSKeyIdentifier {
        do { return try KMSKeyIdentifier(parsing: text) } catch {
            throw .usage("--key \(text): \(error.description)", hint: "give a key ARN (KeyMetadata.Arn), a key ID, or alias/NAME")
        }
    }

    static func account(_ text: String, option: String = "--account") throws(CLIError) -> AWSAccountID {
        do { return try AWSAccountID(validating: text) } catch {
            throw .usage("\(option) \(text): \(error.description)", hint: "an account ID is 12 digits, e.g. 012345678901")
        }
    }

    static func region(_ text: String) throws(CLIError) -> AWSRegion {
        do { return try AWSRegion(validating: text) } catch {
            throw .usage("--region \(text): \(error.description)", hint: "e.g. --region us-east-1")
        }
    }

    static func run<T>(_ action: String, _ body: () async throws -> T) async throws(CLIError) -> T {
        do { return try await body() } catch { throw CLIError.from(error, doing: action) }
    }

    /// Runs a PutKeyPolicy-like call; a refused policy gets a hint about the lockout safety check.
    static func runPolicyChange<T>(_ action: String, _ body: () async throws -> T) async throws(CLIError) -> T {
        do { return try await body() } catch {
            var failure = CLIError.from(error, doing: action)
            if let kms = error as? KMSError, kms.code == .malformedPolicyDocument {
                failure.hint = "fix the policy; if KMS answered that the new policy would not let you update it later (the policy lockout safety check), keep a statement that lets you call kms:PutKeyPolicy, or pass --bypass-lockout-safety-check if you really mean it"
            }
            throw failure
        }
    }
}

/// Where an administration command goes: the backend options, and for `--kms local` the account
/// whose administrator acts (the key ARN's, else `--account`).
struct AdminTargetOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The Region (default: the key ARN's; else AWS_REGION / the profile's; local: us-east-1).", valueName: "R")) var region: String?
    @OptionGroup var backend: KMSBackendOptions
    @OptionGroup var caller: AdminCallerOptions

    /// With `--kms local`: makes sure the principals a key policy will name exist in the local IAM
    /// (accounts by their root, users and roles), since KMS refuses a policy naming unknown
    /// principals. On AWS they exist or not already; nothing is done there.
    func registerInLocalIAM(_ principals: [AWSPrincipalARN]) async throws(CLIError) {
        guard case .local(let kms) = try KMSBackend.resolve(backend) else { return }
        try await KMSAdmin.run("registering \(principals.map(\.description).joined(separator: ", ")) in the local IAM") {
            for principal in principals {
                if principal.isAccountRoot {
                    try await kms.createAccount(principal.account, partition: principal.partition)
                } else {
                    try await kms.createPrincipal(principal)
                }
            }
        }
    }

    /// A transport for administering `key` (or, without a key, the account `account`).
    func transport(key: KMSKeyIdentifier?, account: AWSAccountID? = nil, command: String) throws(CLIError) -> any KMSAdministrationTransport {
        try caller.validateIfGiven()
        let regionOverride = try region.map { (text) throws(CLIError) in try KMSAdmin.region(text) }
        let keyRegion: AWSRegion? = switch key {
        case .keyARN(let arn)?: arn.region
        case .aliasARN(let arn)?: arn.region
        default: nil
        }
        let owner: AWSAccountID? = switch key {
        case .keyARN(let arn)?: arn.account
        case .aliasARN(let arn)?: arn.account
        default: account
        }
        // The command line first: a usage error is reported before the state directory is opened.
        if owner == nil, KMSBackend.namesLocal(backend) {
            throw .usage("envelope kms \(command) with --kms local needs the key's ARN, or --account ID", hint: "the local KMS acts as the administrator of that account")
        }
        switch try KMSBackend.resolve(backend) {
        case .local(let kms):
            guard let owner else { throw CLIError(.failure, "internal: no owner account") }
            return kms.client(principal: owner.rootPrincipal(partition: .aws), region: regionOverride ?? keyRegion ?? LocalKMS.defaultRegion)
        case .aws(let endpoint):
            do {
                return try KMSHTTPTransport.standard(region: regionOverride?.rawValue, keyIdentifier: key, customEndpoint: endpoint)
            } catch {
                throw CLIError.from(error, doing: "configuring AWS KMS")
            }
        }
    }
}

struct KMSAttachUserPolicy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach-user-policy",
        abstract: "Attach an IAM policy (F, - for stdin) to a user or role of the local KMS, in addition to those it has; prints its policies.",
        discussion: "Local KMS only: IAM is not part of the KMS API. With AWS, use `aws iam put-user-policy` (or put-role-policy).")

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
        abstract: "Create an access key for a principal (for SigV4 clients of `kms serve`); prints {\"AccessKeyId\", \"SecretAccessKey\", \"Principal\"}.",
        discussion: "Local KMS only: IAM is not part of the KMS API. With AWS, use `aws iam create-access-key`.")

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
