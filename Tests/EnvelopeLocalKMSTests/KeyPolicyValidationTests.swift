import EnvelopeKMS
import EnvelopeKMSPolicy
import EnvelopeLocalKMS
import Foundation
import EnvelopeTestSupport
import Testing

/// PutKeyPolicy and CreateKey check what AWS checks.
@Suite("Key policy validation")
struct KeyPolicyValidationTests {
    // Fact: "The principals in the key policy must exist and be visible to KMS"; otherwise
    // PutKeyPolicy fails with MalformedPolicyDocumentException "Policy contains a statement with
    // one or more invalid principals."
    // https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html ,
    // https://repost.aws/knowledge-center/kms-policy-error-invalid-principals
    @Test("a principal that does not exist is MalformedPolicyDocumentException with AWS's message", arguments: [
        "arn:aws:iam::109876543210:user/NeverCreated",
        "arn:aws:iam::109876543210:role/team/NeverCreated",
        "arn:aws:iam::444455556666:root",
        "444455556666",
    ])
    func nonexistentPrincipal(_ principal: String) async throws {
        let story = try await CrossAccountStory.make()
        let statement = #"{"Effect":"Allow","Principal":{"AWS":"\#(principal)"},"Action":"kms:Decrypt","Resource":"*"}"#
        let error = await caughtError(KMSError.self) { try await story.kms.putKeyPolicy(policy(enableIAM() + "," + statement), key: story.key) }
        #expect(error?.code == .malformedPolicyDocument)
        #expect(error?.message == "Policy contains a statement with one or more invalid principals.")
        let created = await caughtError(KMSError.self) { try await story.kms.createKey(account: CrossAccountStory.owner, policy: policy(enableIAM() + "," + statement)) }
        #expect(created?.code == .malformedPolicyDocument)
    }

    @Test("principals created in the local IAM are accepted, with their path")
    func existingPrincipals() async throws {
        let story = try await CrossAccountStory.make()
        let role = AWSPrincipalARN("arn:aws:iam::109876543210:role/team/Admin")!
        try await story.kms.createPrincipal(role)
        try await story.kms.createAccount("444455556666")
        let statement = #"{"Effect":"Allow","Principal":{"AWS":["\#(role)","444455556666"]},"Action":"kms:Decrypt","Resource":"*"}"#
        try await story.kms.putKeyPolicy(policy(enableIAM() + "," + statement), key: story.key)
    }

    // Fact: unless BypassPolicyLockoutSafetyCheck is true, "the key policy must allow the calling
    // principal to make a subsequent PutKeyPolicy request on the KMS key"; the error is
    // MalformedPolicyDocumentException. https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html ,
    // https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#prevent-unmanageable-key
    @Test("the policy lockout safety check refuses a policy that locks the caller out, unless bypassed")
    func lockoutCheck() async throws {
        let story = try await CrossAccountStory.make()
        let lockout = policy(#"{"Effect":"Allow","Principal":{"AWS":"\#(CrossAccountStory.user1)"},"Action":"kms:Decrypt","Resource":"*"}"#)
        let error = await caughtError(KMSError.self) { try await story.kms.putKeyPolicy(lockout, key: story.key) }
        #expect(error?.code == .malformedPolicyDocument)
        #expect(error?.message == "The new key policy will not allow you to update the key policy in the future.")
        #expect(try await story.kms.getKeyPolicy(key: story.key) != lockout)
        // A user administrator is checked with its own IAM policies too.
        try await story.kms.attachUserPolicy(policy(#"{"Effect":"Allow","Action":"kms:PutKeyPolicy","Resource":"*"}"#), principal: CrossAccountStory.ownerOther)
        try await story.kms.putKeyPolicy(policy(enableIAM()), key: story.key, caller: CrossAccountStory.ownerOther)
        await expectCode(.malformedPolicyDocument) { try await story.kms.putKeyPolicy(lockout, key: story.key, caller: CrossAccountStory.ownerOther) }
        // Bypassing, as the KMS parameter does.
        try await story.kms.putKeyPolicy(lockout, key: story.key, bypassPolicyLockoutSafetyCheck: true)
        #expect(try await story.kms.getKeyPolicy(key: story.key) == lockout)
        await expectCode(.malformedPolicyDocument) { try await story.kms.createKey(account: CrossAccountStory.owner, policy: lockout) }
        _ = try await story.kms.createKey(account: CrossAccountStory.owner, policy: lockout, bypassPolicyLockoutSafetyCheck: true)
    }

    // Fact: the key policy size limit is 32 KiB (32768 bytes); "If the key policy exceeds the
    // length constraint, KMS returns a LimitExceededException."
    // https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html
    @Test("a policy over 32 KiB is refused with LimitExceededException")
    func sizeLimit() async throws {
        let story = try await CrossAccountStory.make()
        let padding = String(repeating: "x", count: 32_768)
        let big = policy(enableIAM() + #",{"Sid":"\#(padding)","Effect":"Allow","Principal":{"AWS":"\#(CrossAccountStory.user1)"},"Action":"kms:Decrypt","Resource":"*"}"#)
        await expectCode(.limitExceeded) { try await story.kms.putKeyPolicy(big, key: story.key) }
        await expectCode(.limitExceeded) { try await story.kms.createKey(account: CrossAccountStory.owner, policy: big) }
    }

    // Fact: using ForAllValues with kms:EncryptionContext:context-key is refused when a key
    // policy is created or updated (OverlyPermissiveCondition).
    // https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context
    @Test("ForAllValues with kms:EncryptionContext:<key> is refused")
    func forAllValuesEncryptionContextRefused() async throws {
        let story = try await CrossAccountStory.make()
        let statement = #"{"Effect":"Allow","Principal":{"AWS":"\#(CrossAccountStory.user1)"},"Action":"kms:Decrypt","Resource":"*","Condition":{"ForAllValues:StringEquals":{"kms:EncryptionContext:Department":"IT"}}}"#
        let error = await caughtError(KMSError.self) { try await story.kms.putKeyPolicy(policy(enableIAM() + "," + statement), key: story.key) }
        #expect(error?.code == .malformedPolicyDocument)
        #expect(error?.message.contains("OverlyPermissiveCondition") == true)
    }
}
