import ArgumentParser
import EnvelopeKMS
import EnvelopeKMSPolicy
import Foundation

struct KMSCreateGrant: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-grant", abstract: "Let a principal use the key for some operations (CreateGrant); prints {\"GrantId\", \"GrantToken\"}.")

    @Option(name: .customLong("grantee-principal"), help: ArgumentHelp("Who may use the grant (any account).", valueName: "ARN")) var grantee: String
    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp("Decrypt, Encrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext, ReEncryptFrom, ReEncryptTo, CreateGrant, RetireGrant, DescribeKey.", valueName: "OP")) var operations: [String]
    @Option(name: .customLong("retiring-principal"), help: ArgumentHelp("Who may retire the grant.", valueName: "ARN")) var retiring: String?
    @Option(name: .long, help: ArgumentHelp("A name (makes retries idempotent).", valueName: "NAME")) var name: String?
    @Option(name: .customLong("encryption-context-subset"), parsing: .upToNextOption, help: ArgumentHelp("Constraint: requests must carry these pairs.", valueName: "k=v")) var subset: [String] = []
    @Option(name: .customLong("encryption-context-equals"), parsing: .upToNextOption, help: ArgumentHelp("Constraint: requests must carry exactly these pairs.", valueName: "k=v")) var equals: [String] = []
    @OptionGroup var key: KeyPolicyTarget

    func run() async throws {
        let granteeARN = try KMSBackend.parsePrincipal(grantee, option: "--grantee-principal")
        if let retiring { _ = try KMSBackend.parsePrincipal(retiring, option: "--retiring-principal") }
        guard !operations.isEmpty else { throw CLIError.usage("--operations needs at least one operation", hint: "e.g. --operations Decrypt DescribeKey") }
        let subsetPairs = try ContextArguments.parse(subset, allowBareKeys: false).pairs
        let equalsPairs = try ContextArguments.parse(equals, allowBareKeys: false).pairs
        let constraints = subsetPairs.isEmpty && equalsPairs.isEmpty ? nil
            : KMSGrantConstraints(encryptionContextSubset: subsetPairs.isEmpty ? nil : subsetPairs, encryptionContextEquals: equalsPairs.isEmpty ? nil : equalsPairs)
        let (keyId, kms) = try key.open("create-grant")
        let request = CreateGrantRequest(keyId: keyId, granteePrincipal: granteeARN.description, retiringPrincipal: retiring,
                                         operations: operations.map(KMSGrantOperation.init(rawValue:)), constraints: constraints, name: name)
        let response = try await KMSAdmin.run("creating a grant on \(keyId) for \(granteeARN)") { try await kms.createGrant(request) }
        JSONOutput.print(try JSONOutput.value(of: response))
    }
}

struct KMSListGrants: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list-grants", abstract: "Print {\"Grants\": […]} of the key (ListGrants, every page).")

    @Option(name: .customLong("grantee-principal"), help: ArgumentHelp("Only the grants of this grantee.", valueName: "ARN")) var grantee: String?
    @OptionGroup var key: KeyPolicyTarget

    func run() async throws {
        let (keyId, kms) = try key.open("list-grants")
        let grants = try await KMSAdmin.run("listing the grants of \(keyId)") { try await kms.allGrants(keyId: keyId, granteePrincipal: grantee) }
        JSONOutput.print(.object([("Grants", try JSONOutput.value(of: grants))]))
    }
}

struct KMSRevokeGrant: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke-grant", abstract: "Delete a grant (RevokeGrant); prints {\"GrantId\", \"Revoked\": true}.")

    @Option(name: .customLong("grant-id"), help: ArgumentHelp("The grant.", valueName: "ID")) var grantId: String
    @OptionGroup var key: KeyPolicyTarget

    func run() async throws {
        let (keyId, kms) = try key.open("revoke-grant")
        _ = try await KMSAdmin.run("revoking grant \(grantId)") { try await kms.revokeGrant(RevokeGrantRequest(keyId: keyId, grantId: grantId)) }
        JSONOutput.print(.object([("GrantId", .string(grantId)), ("Revoked", .bool(true))]))
    }
}

struct KMSRetireGrant: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retire-grant",
        abstract: "Retire a grant (RetireGrant) by --grant-token, or by --key ARN and --grant-id; prints {\"Retired\": true}.",
        discussion: "The retiring principal, the grantee of a grant that allows RetireGrant, or the key's account may retire a grant.")

    @Option(name: .customLong("grant-token"), help: ArgumentHelp("The grant token.", valueName: "TOKEN")) var grantToken: String?
    @Option(name: .customLong("grant-id"), help: ArgumentHelp("The grant (with --key).", valueName: "ID")) var grantId: String?
    @Option(name: .long, help: ArgumentHelp("The key ARN (with --grant-id).", valueName: "ARN")) var key: String?
    @Option(name: .long, help: ArgumentHelp("With --kms local and --grant-token: the account whose administrator retires it.", valueName: "ID")) var account: String?
    @OptionGroup var target: AdminTargetOptions

    func run() async throws {
        guard (grantToken != nil) != (grantId != nil), (grantId == nil) == (key == nil) else {
            throw CLIError.usage("give --grant-token, or --key ARN with --grant-id")
        }
        let keyId = try key.map { (t) throws(CLIError) in try KMSAdmin.keyIdentifier(t) }
        let kms = try target.transport(key: keyId, account: try account.map { (t) throws(CLIError) in try KMSAdmin.account(t) }, command: "retire-grant")
        _ = try await KMSAdmin.run("retiring the grant") {
            try await kms.retireGrant(RetireGrantRequest(grantToken: grantToken, keyId: keyId, grantId: grantId))
        }
        var members: [(String, JSONValue)] = []
        if let grantId { members.append(("GrantId", .string(grantId))) }
        members.append(("Retired", .bool(true)))
        JSONOutput.print(.object(members))
    }
}
