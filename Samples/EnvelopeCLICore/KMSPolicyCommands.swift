import ArgumentParser
import EnvelopeKMS
import EnvelopeKMSPolicy
import Foundation

/// `--key ARN` and the backend: the key whose policy a command reads or changes.
struct KeyPolicyTarget: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The key ARN (or key ID with --account on --kms local).", valueName: "ARN")) var key: String
    @OptionGroup var target: AdminTargetOptions

    func open(_ command: String, account: AWSAccountID? = nil) throws(CLIError) -> (KMSKeyIdentifier, any KMSAdministrationTransport) {
        let keyId = try KMSAdmin.keyIdentifier(key)
        return (keyId, try target.transport(key: keyId, account: account, command: command))
    }

    static func policy(of keyId: KMSKeyIdentifier, _ kms: any KMSAdministrationTransport) async throws(CLIError) -> String {
        try await KMSAdmin.run("reading the key policy of \(keyId)") { try await kms.getKeyPolicy(GetKeyPolicyRequest(keyId: keyId)).policy }
    }
}

struct KMSGetKeyPolicy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get-key-policy", abstract: "Print the key policy document (GetKeyPolicy).")

    @OptionGroup var options: KeyPolicyTarget

    func run() async throws {
        let (keyId, kms) = try options.open("get-key-policy")
        JSONOutput.print(JSONOutput.policy(try await KeyPolicyTarget.policy(of: keyId, kms)))
    }
}

struct KMSPutKeyPolicy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put-key-policy",
        abstract: "Replace the key policy (PutKeyPolicy) with the document in F (- for stdin); prints it.",
        discussion: "KMS refuses a policy that would not let you update it later (the policy lockout safety check) unless --bypass-lockout-safety-check is given.")

    @Option(name: .customLong("policy-file"), help: ArgumentHelp("The policy document.", valueName: "F|-")) var policyFile: String
    @Flag(name: .customLong("bypass-lockout-safety-check"), help: "Skip KMS's policy lockout safety check (BypassPolicyLockoutSafetyCheck).") var bypassLockout = false
    @OptionGroup var options: KeyPolicyTarget

    func run() async throws {
        let text = try PolicyFileReader.read(policyFile)
        let (keyId, kms) = try options.open("put-key-policy")
        _ = try await KMSAdmin.runPolicyChange("putting the key policy of \(keyId)") {
            try await kms.putKeyPolicy(PutKeyPolicyRequest(keyId: keyId, policy: text, bypassPolicyLockoutSafetyCheck: bypassLockout))
        }
        JSONOutput.print(JSONOutput.policy(try await KeyPolicyTarget.policy(of: keyId, kms)))
    }
}

/// `--key ARN --account ID [--dry-run] [--bypass-lockout-safety-check]`: the console's edit of the
/// key policy — GetKeyPolicy, edit the story's statements, show the diff, PutKeyPolicy.
struct ExternalAccountOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The external account.", valueName: "ID")) var account: String
    @Flag(name: .customLong("dry-run"), help: "Print the policy diff on stdout and change nothing.") var dryRun = false
    @Flag(name: .customLong("bypass-lockout-safety-check"), help: "Skip KMS's policy lockout safety check (BypassPolicyLockoutSafetyCheck).") var bypassLockout = false
    @OptionGroup var key: KeyPolicyTarget

    /// Applies `edit` to the key policy; prints the diff (stderr, or stdout with --dry-run) and
    /// then the new policy (stdout). Returns the key, the transport, and whether it applied.
    func apply(command: String, verb: String, _ edit: (AWSAccountID, KMSKeyIdentifier, String) throws(CLIError) -> String)
        async throws(CLIError) -> (account: AWSAccountID, keyId: KMSKeyIdentifier, kms: any KMSAdministrationTransport) {
        let external = try KMSAdmin.account(account)
        let (keyId, kms) = try key.open(command)
        if case .keyARN(let arn) = keyId, arn.account == external {
            throw CLIError.usage("\(external) owns the key \(arn)", hint: "name another account: the owner's access comes from its own IAM policies")
        }
        let current = try await KeyPolicyTarget.policy(of: keyId, kms)
        let proposed = try edit(external, keyId, current)
        let diff = LineDiff.render(old: try KeyPolicyEdit.normalized(current), new: proposed,
                                   oldLabel: "key policy of \(keyId) (current)", newLabel: "key policy of \(keyId) (\(dryRun ? "proposed" : "new"))")
        let summary = diff.isEmpty ? "no change: the key policy already says this (\(verb) \(external))\n" : diff
        if dryRun {
            StandardStreams.printStdout(summary)
            return (external, keyId, kms)
        }
        StandardStreams.printStderr(summary)
        if !diff.isEmpty {
            _ = try await KMSAdmin.runPolicyChange("\(verb) \(external) in the key policy of \(keyId)") {
                try await kms.putKeyPolicy(PutKeyPolicyRequest(keyId: keyId, policy: proposed, bypassPolicyLockoutSafetyCheck: bypassLockout))
            }
        }
        JSONOutput.print(JSONOutput.policy(try await KeyPolicyTarget.policy(of: keyId, kms)))
        return (external, keyId, kms)
    }
}

struct KMSAddExternalAccount: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-external-account",
        abstract: "Let another account use the key: GetKeyPolicy, add its root to AllowUseOfTheKey and AllowAttachmentOfPersistentResources, PutKeyPolicy; prints the diff (stderr) and the new key policy.",
        discussion: "The external account's administrator must still attach an IAM policy to its users and roles (envelope policy render prints it).")

    @OptionGroup var options: ExternalAccountOptions

    func run() async throws {
        try await options.key.target.registerInLocalIAM([try KMSAdmin.account(options.account).rootPrincipal(partition: .aws)])
        _ = try await options.apply(command: "add-external-account", verb: "adding") { account, keyId, policy throws(CLIError) in
            let partition: AWSPartition = keyId.keyARN?.partition ?? .aws
            return try KeyPolicyEdit.addingExternalAccount(account, partition: partition, to: policy)
        }
    }
}

struct KMSRemoveExternalAccount: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove-external-account",
        abstract: "Take an account out of the key policy (GetKeyPolicy, edit, PutKeyPolicy); prints the diff (stderr) and the new key policy, then the grants its principals still hold.",
        discussion: """
            Removal ends access through the key policy at once. Grants are
            independent of the key policy: a grant held by a principal of the
            removed account keeps working until it is revoked or retired, on
            AWS as here. The command lists them on stderr; --revoke-grants
            revokes them (RevokeGrant), or use `envelope kms revoke-grant`.
            """)

    @Flag(name: .customLong("revoke-grants"), help: "Also revoke the grants held by the account's principals.") var revokeGrants = false
    @OptionGroup var options: ExternalAccountOptions

    func run() async throws {
        let (account, keyId, kms) = try await options.apply(command: "remove-external-account", verb: "removing") { account, _, policy throws(CLIError) in
            try KeyPolicyEdit.removingExternalAccount(account, from: policy)
        }
        let grants = try await KMSAdmin.run("listing the grants of \(keyId)") { try await kms.allGrants(keyId: keyId) }
            .filter { AWSPrincipalARN($0.granteePrincipal)?.account == account }
        guard !grants.isEmpty else {
            StandardStreams.printStderr("no grants on \(keyId) are held by principals of \(account)\n")
            return
        }
        let act = revokeGrants && !options.dryRun
        var text = act ? "revoking \(grants.count) grant(s) held by principals of \(account):\n"
            : "\(grants.count) grant(s) held by principals of \(account) keep working until revoked (grants are independent of the key policy):\n"
        for grant in grants {
            text += "  \(grant.grantId)  \(grant.granteePrincipal)  \(grant.operations.map(\.rawValue).joined(separator: ","))\n"
        }
        if !act { text += "revoke them with --revoke-grants, or: envelope kms revoke-grant --key \(keyId) --grant-id ID\n" }
        StandardStreams.printStderr(text)
        guard act else { return }
        for grant in grants {
            _ = try await KMSAdmin.run("revoking grant \(grant.grantId)") { try await kms.revokeGrant(RevokeGrantRequest(keyId: keyId, grantId: grant.grantId)) }
            StandardStreams.printStderr("revoked \(grant.grantId)\n")
        }
    }
}
