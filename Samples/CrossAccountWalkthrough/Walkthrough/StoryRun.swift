import EnvelopeCore
import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeKMSPolicy
import EnvelopeLocalKMS
import Foundation

/// One run of the story: the steps in order, recording outcomes.
struct StoryRun {
    typealias W = CrossAccountWalkthrough

    let kms: LocalKMS
    let directory: String
    let log: @Sendable (String) -> Void
    private(set) var outcomes: [WalkthroughOutcome] = []
    private var step = 0

    init(kms: LocalKMS, directory: String, log: @escaping @Sendable (String) -> Void) {
        self.kms = kms
        self.directory = directory
        self.log = log
    }

    var externalClient: LocalKMSClient { kms.client(principal: W.externalUser, region: W.region) }

    mutating func play() async throws {
        let plaintextPath = directory + "/quarterly-report.txt"
        let plaintext = Array("Quarterly report: revenue up, costs down.\n".utf8)
        try Data(plaintext).write(to: URL(fileURLWithPath: plaintextPath))
        let alias = try KMSAliasName(validating: W.aliasName)
        let aliasARN = KMSAliasARN(region: W.region, account: W.ownerAccount, aliasName: alias)

        // 1. A key shared with the external account from the start.
        heading("The owner creates a key shared with account \(W.externalAccount) at creation")
        let shared = try await kms.createKey(account: W.ownerAccount, region: W.region, alias: alias, userPrincipals: [W.ownerUser],
                                             externalAccounts: [W.externalAccount], description: "shared with \(W.externalAccount)")
        say("administrator of \(W.ownerAccount): CreateKey with the external account's root in the key policy, and \(aliasARN)")
        say("key ARN: \(shared.arn)")
        showPolicy("Key policy of the shared key", try await kms.getKeyPolicy(key: shared.arn))
        record("owner-create-shared-key", actor: "administrator of \(W.ownerAccount)", action: "CreateKey with external account \(W.externalAccount)",
               expected: true, allowed: true, detail: "\(shared.arn) with statements AllowUseOfTheKey and AllowAttachmentOfPersistentResources")

        // 2. An existing key shared later.
        heading("The owner adds the external account to an existing key")
        let later = try await kms.createKey(account: W.ownerAccount, region: W.region, userPrincipals: [W.ownerUser], description: "shared later")
        let before = try await kms.getKeyPolicy(key: later.arn).contains(W.externalAccount.rootPrincipal().description)
        try await kms.addExternalAccount(W.externalAccount, key: later.arn)
        let policyAfter = try await kms.getKeyPolicy(key: later.arn)
        showPolicy("Key policy after adding \(W.externalAccount)", policyAfter)
        record("owner-add-external-account", actor: "administrator of \(W.ownerAccount)", action: "add \(W.externalAccount) to \(later.arn)",
               expected: true, allowed: !before && policyAfter.contains(W.externalAccount.rootPrincipal().description),
               detail: "the external root was \(before ? "already" : "not") in the policy before and is in it now")

        // 3. Without the IAM policy the external user is refused; the administrator attaches it.
        heading("The external account's administrator attaches the IAM policy")
        await attemptEncrypt("external-user-encrypt-before-iam-policy", keyID: .keyARN(shared.arn), input: plaintextPath,
                             output: directory + "/refused.encrypted", expected: false,
                             action: "encrypt by key ARN before any IAM policy is attached (the key policy alone is not enough)")
        let iamPolicy = KMSPolicyTemplates.externalIAMPolicy(keyARN: shared.arn)
        showPolicy("IAM policy attached to \(W.externalUser)", iamPolicy.jsonText())
        try await kms.attachUserPolicy(iamPolicy.jsonText(), principal: W.externalUser)
        record("external-admin-attach-iam-policy", actor: "administrator of \(W.externalAccount)", action: "attach the IAM policy to \(W.externalUser)",
               expected: true, allowed: true, detail: "Resource = \(shared.arn)")

        // 4. The external user encrypts by key ARN and alias ARN, and is refused by bare alias name.
        heading("The external user encrypts a file")
        let byARN = directory + "/quarterly-report.by-key-arn.encrypted"
        await attemptEncrypt("external-user-encrypt-by-key-arn", keyID: .keyARN(shared.arn), input: plaintextPath, output: byARN,
                             expected: true, action: "encrypt \(plaintextPath) naming the key by key ARN")
        await attemptEncrypt("external-user-encrypt-by-alias-arn", keyID: .aliasARN(aliasARN), input: plaintextPath,
                             output: directory + "/quarterly-report.by-alias-arn.encrypted", expected: true,
                             action: "encrypt naming the key by alias ARN \(aliasARN)")
        await attemptEncrypt("external-user-encrypt-by-alias-name", keyID: .aliasName(alias), input: plaintextPath,
                             output: directory + "/quarterly-report.by-alias-name.encrypted", expected: false,
                             action: "encrypt naming the key by bare alias name \(alias) (resolves in \(W.externalAccount))")
        await attemptDecrypt("external-user-decrypt", key: shared.arn, input: byARN, output: directory + "/quarterly-report.decrypted.txt",
                             expected: true, expectedPlaintext: plaintext, action: "decrypt the file encrypted by key ARN")

        // 5. The grant statement: grants only for AWS services acting for the user.
        heading("Grants for AWS services (AllowAttachmentOfPersistentResources)")
        await attemptGrant("external-user-create-grant-directly", key: shared.arn, viaService: nil, expected: false,
                           action: "CreateGrant called directly (kms:GrantIsForAWSResource is false)")
        await attemptGrant("aws-service-create-grant-for-external-user", key: shared.arn, viaService: "ebs.us-east-1.amazonaws.com", expected: true,
                           action: "CreateGrant made by EBS on the user's behalf (kms:GrantIsForAWSResource is true)")

        // 6. Narrowing the key policy to encrypt-only; the encrypt-only client mirrors it.
        heading("The owner narrows the external account to encrypt-only")
        let narrowed = PolicyDocument(statements: [KMSPolicyTemplates.enableIAMPoliciesStatement(owner: W.ownerAccount)]
            + KMSPolicyTemplates.keyPolicyStatements(principals: [W.ownerUser])
            + KMSPolicyTemplates.keyPolicyStatements(principals: [W.externalAccount.rootPrincipal()], permissions: .encryptOnly)
                .map { statement in var s = statement; s.sid = (s.sid ?? "") + "EncryptOnly"; return s })
        showPolicy("Narrowed key policy (PutKeyPolicy)", narrowed.jsonText())
        try await kms.putKeyPolicy(narrowed.jsonText(), key: shared.arn)
        record("owner-put-encrypt-only-policy", actor: "administrator of \(W.ownerAccount)", action: "PutKeyPolicy: the external account may only encrypt",
               expected: true, allowed: true, detail: "AllowUseOfTheKeyEncryptOnly: kms:Encrypt, kms:GenerateDataKey*, kms:DescribeKey")
        let afterNarrowing = directory + "/quarterly-report.encrypt-only.encrypted"
        await attemptEncrypt("external-user-encrypt-after-narrowing", keyID: .keyARN(shared.arn), input: plaintextPath, output: afterNarrowing,
                             expected: true, action: "encrypt by key ARN under the encrypt-only policy")
        await attemptDecrypt("external-user-decrypt-after-narrowing", key: shared.arn, input: afterNarrowing,
                             output: directory + "/refused.decrypted.txt", expected: false, expectedPlaintext: plaintext,
                             action: "decrypt under the encrypt-only policy")
        await mirrorWithEncryptOnlyClient(key: shared.arn, policy: narrowed, identityPolicies: [iamPolicy], input: plaintextPath)

        // 7. Removing the external account ends what the key policy gave it (grants, as on AWS, would survive until revoked).
        heading("The owner removes the external account")
        try await kms.removeExternalAccount(W.externalAccount, key: shared.arn)
        showPolicy("Key policy after removing \(W.externalAccount)", try await kms.getKeyPolicy(key: shared.arn))
        record("owner-remove-external-account", actor: "administrator of \(W.ownerAccount)", action: "remove \(W.externalAccount) from the key policy",
               expected: true, allowed: true, detail: "its principals left every statement; grants held by its principals (none here) would keep working until revoked, as on AWS")
        await attemptEncrypt("external-user-encrypt-after-removal", keyID: .keyARN(shared.arn), input: plaintextPath,
                             output: directory + "/refused-after-removal.encrypted", expected: false,
                             action: "encrypt by key ARN right after the removal")

        let unexpected = outcomes.filter { !$0.isAsExpected }
        log("")
        log(unexpected.isEmpty ? "All \(outcomes.count) outcomes are as the story expects."
                               : "\(unexpected.count) of \(outcomes.count) outcomes differ from the story: \(unexpected.map(\.id).joined(separator: ", "))")
    }

    // MARK: - Attempts

    private mutating func attemptEncrypt(_ id: String, keyID: KMSKeyIdentifier, input: String, output: String, expected: Bool, action: String) async {
        let client = EnvelopeClient()
        do {
            let keyring = try KMSEncryptionKeyring(keyID: keyID, transport: externalClient)
            let result = try await client.encryptFile(at: URL(fileURLWithPath: input), to: URL(fileURLWithPath: output), keyring: keyring,
                                                      encryptionContext: ["department": "finance"])
            let arns = result.header.encryptedDataKeys.map(\.keyName).joined(separator: ", ")
            record(id, actor: W.externalUser.description, action: action, expected: expected, allowed: true,
                   detail: "wrote \(URL(fileURLWithPath: output).lastPathComponent); encrypted data key under \(arns)")
        } catch {
            record(id, actor: W.externalUser.description, action: action, expected: expected, allowed: false, detail: Self.explain(error))
        }
    }

    private mutating func attemptDecrypt(_ id: String, key: KMSKeyARN, input: String, output: String, expected: Bool,
                                         expectedPlaintext: [UInt8], action: String) async {
        let client = EnvelopeClient()
        do {
            let keyring = try KMSStrictDecryptionKeyring(keyARN: key, transport: externalClient)
            _ = try await client.decryptFile(at: URL(fileURLWithPath: input), to: URL(fileURLWithPath: output), keyring: keyring)
            let same = FileManager.default.contents(atPath: output).map { [UInt8]($0) == expectedPlaintext } ?? false
            record(id, actor: W.externalUser.description, action: action, expected: expected, allowed: same,
                   detail: same ? "the plaintext matches the original" : "the plaintext differs from the original")
        } catch {
            let leftOutput = FileManager.default.fileExists(atPath: output)
            record(id, actor: W.externalUser.description, action: action, expected: expected, allowed: false,
                   detail: Self.explain(error) + (leftOutput ? " (an output file was left!)" : "; no output file was written"))
        }
    }

    private mutating func attemptGrant(_ id: String, key: KMSKeyARN, viaService: String?, expected: Bool, action: String) async {
        let client = kms.client(principal: W.externalUser, region: W.region, viaService: viaService)
        let request = CreateGrantRequest(keyId: .keyARN(key), granteePrincipal: AWSPrincipalARN(account: W.externalAccount, kind: .role(path: "EBSVolumeAccess")).description,
                                         operations: [.decrypt, .generateDataKeyWithoutPlaintext])
        do {
            let response = try await client.createGrant(request)
            record(id, actor: viaService.map { "\($0) for \(W.externalUser)" } ?? W.externalUser.description, action: action,
                   expected: expected, allowed: true, detail: "grant \(response.grantId) created")
        } catch {
            record(id, actor: viaService.map { "\($0) for \(W.externalUser)" } ?? W.externalUser.description, action: action,
                   expected: expected, allowed: false, detail: Self.explain(error))
        }
    }

    /// The encrypt-only client derives the user's permissions from the two policies: it can
    /// encrypt and has no decrypt entry point at all.
    private mutating func mirrorWithEncryptOnlyClient(key: KMSKeyARN, policy: PolicyDocument, identityPolicies: [PolicyDocument], input: String) async {
        let derived = EncryptOnlyKey.derived(keyARN: key, keyPolicy: policy, identityPolicies: identityPolicies, principal: W.externalUser)
        say("permissions derived from the key policy and the IAM policy: \(derived.permissions)")
        record("encrypt-only-permissions-derived", actor: W.externalUser.description, action: "derive the permissions from the narrowed policies",
               expected: false, allowed: derived.permissions.canDecrypt,
               detail: "can decrypt: \(derived.permissions.canDecrypt); can encrypt: \(derived.permissions.canEncrypt)")
        do {
            let client = try EncryptOnlyClient(generatorKey: derived, transports: .single(externalClient))
            let output = directory + "/quarterly-report.encrypt-only-client.encrypted"
            let result = try await client.encryptFile(at: URL(fileURLWithPath: input), to: URL(fileURLWithPath: output),
                                                      encryptionContext: ["department": "finance"])
            record("encrypt-only-client-encrypt", actor: W.externalUser.description, action: "encrypt with the EncryptOnlyClient built from those permissions",
                   expected: true, allowed: true, detail: "wrote \(URL(fileURLWithPath: output).lastPathComponent) with \(result.header.suite.name); the client has no decrypt method")
        } catch {
            record("encrypt-only-client-encrypt", actor: W.externalUser.description, action: "encrypt with the EncryptOnlyClient built from those permissions",
                   expected: true, allowed: false, detail: Self.explain(error))
        }
    }

    // MARK: - Output

    private mutating func heading(_ title: String) {
        step += 1
        log("")
        log("Step \(step): \(title)")
        log(String(repeating: "-", count: min(78, title.count + 8)))
    }

    private func say(_ line: String) { log("  " + line) }

    private func showPolicy(_ title: String, _ text: String) {
        log("  \(title):")
        let pretty = (try? JSONValue(parsing: text).rendered(indent: 2)) ?? text
        for line in pretty.split(separator: "\n", omittingEmptySubsequences: false) { log("    " + line) }
    }

    private mutating func record(_ id: String, actor: String, action: String, expected: Bool, allowed: Bool, detail: String) {
        let outcome = WalkthroughOutcome(id: id, actor: actor, action: action, allowed: allowed, expectedAllowed: expected, detail: detail)
        outcomes.append(outcome)
        let mark = outcome.isAsExpected ? (allowed ? "ALLOWED" : "REFUSED (as expected)") : (allowed ? "ALLOWED (UNEXPECTED)" : "REFUSED (UNEXPECTED)")
        log("  [\(mark)] \(actor): \(action)")
        log("      \(detail)")
    }

    /// The error in one line, keeping the KMS error code.
    static func explain(_ error: any Error) -> String {
        if let e = error as? EnvelopeError {
            if let kms = e.kmsDataKeyErrors.first { return kms.description }
            return e.message
        }
        return String(describing: error).split(whereSeparator: \.isNewline).joined(separator: "; ")
    }
}
