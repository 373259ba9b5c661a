import ArgumentParser
import EnvelopeCore
import EnvelopeKMS
import Foundation

/// `envelope verify-access -w SPEC…`: asks KMS, with DryRun requests, which of the calls encrypt
/// makes each key would allow, without encrypting anything.
struct VerifyAccessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-access",
        abstract: "Check with KMS DryRun requests that the caller may encrypt with each -w key (nothing is encrypted).",
        discussion: """
            For each KMS key of the -w SPECs, the encrypt-only client's start-up
            check asks KMS whether kms:GenerateDataKey and kms:Encrypt would be
            allowed (KMS answers DryRunOperationException when they would), and
            prints one line per key. Exit status 0 when every key can wrap a
            data key (the first key through GenerateDataKey or Encrypt, the
            others through Encrypt), 77 otherwise.

            Example:
              envelope verify-access \\
                -w key=arn:aws:kms:us-east-1:109876543210:key/KEY-ID \\
                -c purpose=backup --kms local \\
                --principal arn:aws:iam::012345678901:user/Alice

            \(HelpText.exitCodes)
            """)

    @Option(name: [.customShort("w"), .customLong("wrapping-keys")], help: ArgumentHelp("A KMS key SPEC (key=ARN…); several -w for several keys.", valueName: "SPEC"))
    var wrappingKeys: [String] = []

    @Option(name: [.customShort("c"), .customLong("encryption-context")], parsing: .upToNextOption, help: ArgumentHelp("The encryption context to check with, for policies with context conditions.", valueName: "k=v"))
    var context: [String] = []

    @OptionGroup var backend: KMSBackendOptions
    @OptionGroup var caller: CallerOptions

    /// The calls checked, in table order.
    static let actions: [KMSAction] = [.generateDataKey, .encrypt]

    func run() async throws {
        let specs = try wrappingKeys.map { (text) throws(CLIError) in try WrappingKeySpec(parsing: text) }
        guard !specs.isEmpty else {
            throw CLIError.usage("verify-access needs at least one -w key=ARN", hint: "e.g. -w key=arn:aws:kms:us-east-1:109876543210:key/KEY-ID")
        }
        let (pairs, _) = try ContextArguments.parse(context, allowBareKeys: false)
        let builder = try KeyringBuilder.make(specs: specs, backend: backend, principal: caller.principal)
        var rows: [(key: KMSKeyIdentifier, checks: [KMSAccessCheck])] = []
        for spec in specs {
            guard case .kms(let keys, let region, let profile) = spec.kind, let kmsBackend = builder.backend else {
                throw CLIError.usage("verify-access checks KMS keys only, not -w \(spec.text)", hint: "raw keys need no permission: drop this -w")
            }
            let transports = try KMSKeyringFactory.supplier(backend: kmsBackend, defaultRegion: region, profile: profile, principal: builder.principal)
            for key in keys {
                var checks: [KMSAccessCheck] = []
                for action in Self.actions {
                    checks += try await Self.check(key, action, transports: transports, context: EncryptionContext(pairs))
                }
                rows.append((key, checks))
            }
        }
        StandardStreams.printStdout(Self.table(rows))
        // No answer from KMS (network, credentials) says nothing about permissions: report that instead.
        if let unanswered = rows.flatMap(\.checks).compactMap(\.failure).first(where: { $0.kmsError == nil }) {
            throw CLIError.from(unanswered, doing: "asking KMS about \(unanswered.key)")
        }
        // Like the encrypt-only client: the first key makes the data key, the others wrap it with Encrypt.
        let unusable = rows.enumerated().filter { index, row in
            !row.checks.contains { $0.isAllowed && (index == 0 || $0.action == .encrypt) }
        }.map(\.element.key)
        guard unusable.isEmpty else {
            var error = CLIError(.accessDenied, "the caller may not encrypt with " + unusable.map(\.description).joined(separator: ", "),
                                 hint: "both the key policy and the caller's IAM policy must allow kms:GenerateDataKey or kms:Encrypt; `envelope kms get-key-policy --key ARN` shows the key policy")
            error.code = "accessNotVerified"
            throw error
        }
    }

    /// One DryRun check through the encrypt-only client configured to need exactly `action`.
    static func check(_ key: KMSKeyIdentifier, _ action: KMSAction, transports: KMSTransportSupplier,
                      context: EncryptionContext) async throws(CLIError) -> [KMSAccessCheck] {
        do {
            let client = try EncryptOnlyClient(generatorKey: EncryptOnlyKey(key, permissions: KMSPermissions([action])), transports: transports)
            return try await client.verifyAccess(encryptionContext: context, requireAll: false)
        } catch {
            throw CLIError.from(error, doing: "checking \(action.rawValue) on \(key)")
        }
    }

    /// `KEY  kms:GenerateDataKey  kms:Encrypt` with `allowed` or the KMS error code per cell.
    static func table(_ rows: [(key: KMSKeyIdentifier, checks: [KMSAccessCheck])]) -> String {
        let header = ["KEY"] + actions.map { "kms:\($0.rawValue)" }
        let body = rows.map { row in
            [row.key.description] + actions.map { action in
                row.checks.first { $0.action == action }.map(cell) ?? "-"
            }
        }
        let all = [header] + body
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { line in
            line.enumerated().map { column, text in
                column == line.count - 1 ? text : text.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    private static func cell(_ check: KMSAccessCheck) -> String {
        guard let failure = check.failure else { return "allowed" }
        if let kms = failure.kmsError { return "denied (\(kms.code.rawValue))" }
        return "failed (\(CLIFailureKind(classifying: failure).rawValue))"
    }
}
