import EnvelopeKMS
import EnvelopeLocalKMS
import EnvelopeTestSupport
import Testing

/// Regions and error wording where the local KMS must answer as AWS does.
@Suite("Regions and wording")
struct RegionAndWordingTests {
    static let unavailable = "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access."

    // Fact: a KMS key is Regional; Decrypt without KeyId looks up the ciphertext's key in the
    // Region of the request, and AWS answers AccessDeniedException "The ciphertext refers to a
    // customer master key that does not exist, does not exist in this region, or you are not
    // allowed to access." https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html ,
    // https://repost.aws/knowledge-center/kms-access-denied-errors (ciphertext refers to a key…)
    @Test("Decrypt without KeyId refuses a ciphertext of another Region's key")
    func decryptOtherRegion() async throws {
        let story = try await CrossAccountStory.make()
        let (blob, _) = try await story.ciphertext()
        let error = await caughtError(KMSError.self) {
            try await story.client(CrossAccountStory.user1, region: "eu-west-1").decrypt(DecryptRequest(ciphertextBlob: blob, keyId: nil, encryptionContext: CrossAccountStory.context))
        }
        #expect(error?.code == .accessDenied)
        #expect(error?.message == Self.unavailable)
    }

    @Test("Decrypt without KeyId of a ciphertext whose key no longer exists: AccessDeniedException, same wording")
    func decryptMissingKey() async throws {
        let story = try await CrossAccountStory.make()
        let (blob, _) = try await story.ciphertext()
        let other = try LocalKMS()
        _ = try await other.createKey(account: CrossAccountStory.owner)
        let error = await caughtError(KMSError.self) {
            try await other.client(principal: CrossAccountStory.user1).decrypt(DecryptRequest(ciphertextBlob: blob, keyId: nil, encryptionContext: CrossAccountStory.context))
        }
        #expect(error?.code == .accessDenied)
        #expect(error?.message == Self.unavailable)
    }

    // Fact: ScheduleKeyDeletion needs a key in a state that allows it; a key already
    // PendingDeletion answers KMSInvalidStateException.
    // https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html ,
    // https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html
    @Test("ScheduleKeyDeletion on a key already pending deletion is KMSInvalidStateException")
    func scheduleTwice() async throws {
        let story = try await CrossAccountStory.make()
        try await story.kms.scheduleKeyDeletion(story.key, pendingWindowInDays: 7)
        await expectCode(.invalidState) { try await story.kms.scheduleKeyDeletion(story.key, pendingWindowInDays: 7) }
    }

    // Fact: a KMS key lives in one Region and is reachable only through that Region's endpoint
    // (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#kms_keys , "Regional");
    // a key ARN of another Region sent to this Region answers NotFoundException "Invalid arn
    // <Region of the ARN>" (wording as AWS returns it, seen in
    // https://github.com/nakedible/openssl-engine-kms/issues/1 and coreos/coreos-kubernetes#688).
    @Test("a key ARN or alias ARN of another Region is NotFoundException \"Invalid arn <Region>\"")
    func wrongRegionARN() async throws {
        let story = try await CrossAccountStory.make()
        let west = story.client(CrossAccountStory.user1, region: "us-west-2")
        let byKey = await caughtError(KMSError.self) { try await west.describeKey(DescribeKeyRequest(keyId: .keyARN(story.key))) }
        #expect(byKey?.code == .notFound)
        #expect(byKey?.message == "Invalid arn us-east-1")
        let byAlias = await caughtError(KMSError.self) { try await west.generateDataKey(GenerateDataKeyRequest(keyId: .aliasARN(story.aliasARN), numberOfBytes: 32)) }
        #expect(byAlias?.message == "Invalid arn us-east-1")
    }
}
