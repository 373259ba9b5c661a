import ArgumentParser
import EnvelopeKMS
import EnvelopeKMSPolicy
import EnvelopeLocalKMS
import Foundation

/// `envelope kms trail [--follow]`: the local KMS's decision log.
struct KMSTrail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trail",
        abstract: "Print the local KMS's decision log: one JSON line per authorization decision.",
        discussion: """
            Local only (--kms local). In the spirit of CloudTrail: each line
            has the time, the caller (and its IAM identity, PrincipalArn),
            the action, the key ARN (resource), the Region, the outcome
            (Allow or Deny), and which statement of which policy (key
            policy, IAM policy or grant) allowed or denied it — or "no
            statement allows". The log is the file trail.jsonl in the
            state directory. --follow keeps printing new lines as requests
            arrive (stop it with Ctrl-C).
            """)

    @Flag(name: .long, help: "Keep printing new decisions as they are logged.") var follow = false
    @OptionGroup var backend: KMSBackendOptions

    func run() async throws {
        let kms = try KMSAdmin.local(backend, command: "trail")
        guard let path = kms.decisionLogPath else {
            throw CLIError.usage("envelope kms trail needs a state directory", hint: "pass --kms-state DIR (or set ENVELOPE_KMS_STATE)")
        }
        var offset: UInt64 = 0
        repeat {
            offset = try Self.printLines(of: path, from: offset)
            if follow { try await Task.sleep(for: .milliseconds(200)) }
        } while follow
    }

    /// Prints the complete lines of the file after `offset`; returns the offset after them.
    static func printLines(of path: String, from offset: UInt64) throws(CLIError) -> UInt64 {
        guard let handle = FileHandle(forReadingAtPath: path) else { return offset }
        defer { try? handle.close() }
        let data: Data
        do {
            try handle.seek(toOffset: offset)
            data = try handle.readToEnd() ?? Data()
        } catch {
            throw CLIError(.ioError, "reading the decision log \(path) failed: \(error.localizedDescription)")
        }
        guard let lastNewline = data.lastIndex(of: UInt8(ascii: "\n")) else { return offset }
        let complete = data[data.startIndex...lastNewline]
        FileHandle.standardOutput.write(complete)
        return offset + UInt64(complete.count)
    }
}

/// `envelope kms tag-principal`: local IAM only.
struct KMSTagPrincipal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tag-principal",
        abstract: "Create an IAM user or role in the local IAM (with its path) and tag it; local only.",
        discussion: """
            Local only (--kms local): IAM is not part of KMS; on AWS use
            `aws iam create-user/create-role/tag-user/tag-role`. Key
            policies may only name users and roles that exist; tags are
            seen by policies as aws:PrincipalTag/KEY and ${aws:PrincipalTag/KEY}.
            Prints {"Principal": ARN, "Tags": {…}}.
            """)

    @Option(name: .customLong("principal-arn"), help: ArgumentHelp("The user or role, e.g. arn:aws:iam::111122223333:role/team/Admin.", valueName: "ARN")) var principal: String
    @Option(name: .customLong("tag"), parsing: .upToNextOption, help: ArgumentHelp("Tags to set.", valueName: "KEY=VALUE")) var tags: [String] = []
    @OptionGroup var backend: KMSBackendOptions

    func run() async throws {
        let arn = try KMSBackend.parsePrincipal(principal, option: "--principal-arn")
        var parsed: [String: String] = [:]
        for tag in tags {
            guard let equals = tag.firstIndex(of: "="), equals != tag.startIndex else {
                throw CLIError.usage("--tag \(tag): expected KEY=VALUE", hint: "e.g. --tag team=blue")
            }
            parsed[String(tag[..<equals])] = String(tag[tag.index(after: equals)...])
        }
        let kms = try KMSAdmin.local(backend, command: "tag-principal")
        let all = try await KMSAdmin.run("tagging \(arn)") {
            try await kms.tagPrincipal(arn, tags: parsed)
            return try await kms.principalTags(arn)
        }
        JSONOutput.print(.object([("Principal", .string(arn.description)),
                                  ("Tags", .object(all.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))]))
    }
}

/// `envelope kms set-organization`: local IAM only.
struct KMSSetOrganization: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-organization",
        abstract: "Create an account in the local IAM and put it into an organization (aws:PrincipalOrgID); local only.",
        discussion: """
            Local only (--kms local): on AWS, accounts join organizations
            through AWS Organizations. Without --organization-id the account
            is created (if needed) and leaves its organization. Key policies
            may only name accounts that exist. Prints {"Account": ID,
            "OrganizationId": …}.
            """)

    @Option(name: .long, help: ArgumentHelp("The account (12 digits).", valueName: "ID")) var account: String
    @Option(name: .customLong("organization-id"), help: ArgumentHelp("The organization, e.g. o-a1b2c3d4e5.", valueName: "ID")) var organizationID: String?
    @OptionGroup var backend: KMSBackendOptions

    func run() async throws {
        let id = try KMSAdmin.account(account)
        let kms = try KMSAdmin.local(backend, command: "set-organization")
        try await KMSAdmin.run("setting the organization of \(id)") { try await kms.setOrganization(organizationID, account: id) }
        JSONOutput.print(.object([("Account", .string(id.rawValue)), ("OrganizationId", organizationID.map(JSONValue.string) ?? .null)]))
    }
}
