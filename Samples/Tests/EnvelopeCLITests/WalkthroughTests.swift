import CrossAccountWalkthroughKit
import Foundation
import Testing

@Suite("cross-account walkthrough")
struct WalkthroughTests {
    /// What the story expects of each attempt.
    static let expected: [(String, Bool)] = [
        ("owner-create-shared-key", true),
        ("owner-add-external-account", true),
        ("external-user-encrypt-before-iam-policy", false),
        ("external-admin-attach-iam-policy", true),
        ("external-user-encrypt-by-key-arn", true),
        ("external-user-encrypt-by-alias-arn", true),
        ("external-user-encrypt-by-alias-name", false),
        ("external-user-decrypt", true),
        ("external-user-create-grant-directly", false),
        ("aws-service-create-grant-for-external-user", true),
        ("owner-put-encrypt-only-policy", true),
        ("external-user-encrypt-after-narrowing", true),
        ("external-user-decrypt-after-narrowing", false),
        ("encrypt-only-permissions-derived", false),
        ("encrypt-only-client-encrypt", true),
        ("owner-remove-external-account", true),
        ("external-user-encrypt-after-removal", false),
    ]

    @Test("every step of the story has the expected outcome, with the KMS error codes of the refusals")
    func outcomes() async throws {
        let outcomes = try await CrossAccountWalkthrough().run()
        #expect(outcomes.map(\.id) == Self.expected.map(\.0))
        for (id, allowed) in Self.expected {
            let outcome = try #require(outcomes.first { $0.id == id })
            #expect(outcome.allowed == allowed, "\(outcome)")
            #expect(outcome.isAsExpected, "\(outcome)")
        }
        let byName = try #require(outcomes.first { $0.id == "external-user-encrypt-by-alias-name" })
        #expect(byName.detail.contains("NotFoundException"))
        for id in ["external-user-encrypt-before-iam-policy", "external-user-create-grant-directly", "external-user-decrypt-after-narrowing",
                   "external-user-encrypt-after-removal"] {
            #expect(outcomes.first { $0.id == id }?.detail.contains("AccessDeniedException") == true, "\(id)")
        }
        #expect(outcomes.first { $0.id == "external-user-decrypt-after-narrowing" }?.detail.contains("no output file") == true)
    }

    @Test("the executable prints each step, the policies and the outcomes, and exits 0")
    func executable() throws {
        let box = try Sandbox()
        let result = try CLIRunner.run(["--work-dir", box.file("work").path], in: box.url, executable: CLIRunner.walkthrough)
        #expect(result.status == 0, "\(result)")
        let text = result.stdoutText
        for word in ["Step 1", "Step 7", "AllowUseOfTheKey", "AllowAttachmentOfPersistentResources", "kms:GrantIsForAWSResource",
                     "REFUSED (as expected)", "NotFoundException", "AccessDeniedException", "All 17 outcomes are as the story expects"] {
            #expect(text.contains(word), "the walkthrough output lacks \(word)")
        }
        #expect(!text.contains("UNEXPECTED"))
        #expect(FileManager.default.fileExists(atPath: box.file("work/kms-state/state.json").path))
    }
}
