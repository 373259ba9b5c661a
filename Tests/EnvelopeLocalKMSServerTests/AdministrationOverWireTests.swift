import EnvelopeCrypto
import EnvelopeKMS
import EnvelopeKMSHTTP
import EnvelopeLocalKMS
@testable import EnvelopeLocalKMSServer
import EnvelopeTestSupport
import Foundation
import Testing

/// The administration API of `kms serve`, authorized like the data plane.
/// Facts: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html (the default
/// statement "Enable IAM User Permissions" delegates to IAM policies of the owner account);
/// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
/// (only the listed cryptographic and grant operations work for principals of another account;
/// PutKeyPolicy, GetKeyPolicy and the other management operations never do).
@Suite("Local KMS served: the administration API", .serialized)
struct AdministrationOverWireTests {
    static let owner: AWSAccountID = "111122223333"
    static let external: AWSAccountID = "444455556666"

    struct Rig {
        let kms: LocalKMS
        let server: RunningLocalKMSServer

        func client(_ principal: String, region: AWSRegion = "us-east-1") async throws -> KMSHTTPTransport {
            let access = try await kms.createAccessKey(principal: try AWSPrincipalARN(parsing: principal))
            return KMSHTTPTransport(
                region: region, endpoint: KMSEndpoint(url: server.url, signingRegion: region.rawValue),
                credentials: StaticCredentialsProvider(try AWSCredentials(accessKeyId: access.accessKeyId, secretAccessKey: access.secretAccessKey)),
                http: AWSHTTPClient(retryPolicy: .none))
        }
    }

    static func rig() async throws -> Rig {
        let kms = try LocalKMS()
        return Rig(kms: kms, server: try await LocalKMSServer(kms: kms, port: 0).start())
    }

    static func allowAll(_ account: AWSAccountID, also extra: String = "") -> String {
        #"{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::\#(account):root"},"Action":"kms:*","Resource":"*"}\#(extra)]}"#
    }

    @Test("the owner's root administers over the wire: CreateKey with a policy, aliases, lists, GetKeyPolicy/PutKeyPolicy, key states, grants")
    func ownerRoot() async throws {
        let rig = try await Self.rig()
        defer { Task { await rig.server.stop() } }
        let root = try await rig.client("arn:aws:iam::111122223333:root")
        // Key policies may name only principals that exist (as in AWS).
        try await rig.kms.createPrincipal(try AWSPrincipalARN(parsing: "arn:aws:iam::111122223333:user/Reader"))
        let created = try await root.createKey(CreateKeyRequest(policy: Self.allowAll(Self.owner), keyDescription: "over the wire"))
        let arn = created.keyMetadata.arn
        #expect(arn.account == Self.owner && created.keyMetadata.keyState == .enabled)
        _ = try await root.createAlias(CreateAliasRequest(aliasName: KMSAliasName(rawValue: "alias/wire")!, targetKeyId: .keyID(arn.keyID)))
        #expect(try await root.allKeys().map(\.keyArn) == [arn.description])
        #expect(try await root.allAliases(keyId: .keyARN(arn)).map(\.aliasName) == ["alias/wire"])
        #expect(try await root.getKeyPolicy(GetKeyPolicyRequest(keyId: .keyARN(arn))).policy == Self.allowAll(Self.owner))
        let replaced = Self.allowAll(Self.owner, also: #",{"Sid":"Reader","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Reader"},"Action":"kms:DescribeKey","Resource":"*"}"#)
        _ = try await root.putKeyPolicy(PutKeyPolicyRequest(keyId: .keyARN(arn), policy: replaced))
        #expect(try await root.getKeyPolicy(GetKeyPolicyRequest(keyId: .keyARN(arn))).policy == replaced)
        _ = try await root.disableKey(DisableKeyRequest(keyId: .keyARN(arn)))
        #expect(try await root.describeKey(DescribeKeyRequest(keyId: .keyARN(arn))).keyMetadata.keyState == .disabled)
        _ = try await root.enableKey(EnableKeyRequest(keyId: .keyARN(arn)))
        let scheduled = try await root.scheduleKeyDeletion(ScheduleKeyDeletionRequest(keyId: .keyARN(arn), pendingWindowInDays: 7))
        #expect(scheduled.keyState == .pendingDeletion && scheduled.pendingWindowInDays == 7 && scheduled.keyId == arn.description)
        #expect(try await root.cancelKeyDeletion(CancelKeyDeletionRequest(keyId: .keyARN(arn))).keyId == arn.description)
        _ = try await root.enableKey(EnableKeyRequest(keyId: .keyARN(arn)))
        let grant = try await root.createGrant(CreateGrantRequest(keyId: .keyARN(arn), granteePrincipal: "arn:aws:iam::444455556666:role/Auditor",
                                                                  retiringPrincipal: "arn:aws:iam::111122223333:root", operations: [.decrypt]))
        #expect(try await root.allGrants(keyId: .keyARN(arn)).map(\.grantId) == [grant.grantId])
        _ = try await root.retireGrant(RetireGrantRequest(grantToken: grant.grantToken))
        #expect(try await root.allGrants(keyId: .keyARN(arn)).isEmpty)
    }

    @Test("\"Enable IAM User Permissions\" delegates to IAM: an owner user needs an IAM policy for each administration action")
    func delegationToIAM() async throws {
        let rig = try await Self.rig()
        defer { Task { await rig.server.stop() } }
        let admin = try await rig.client("arn:aws:iam::111122223333:user/Admin")
        let refused = try await #require(throws: KMSError.self) { try await admin.createKey(CreateKeyRequest()) }
        #expect(refused.code == .accessDenied && refused.message.contains("kms:CreateKey"))
        try await rig.kms.attachUserPolicy(#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:CreateKey","kms:GetKeyPolicy"],"Resource":"*"}]}"#,
                                           principal: try AWSPrincipalARN(parsing: "arn:aws:iam::111122223333:user/Admin"))
        let key = try await admin.createKey(CreateKeyRequest()).keyMetadata.arn
        #expect(try await admin.getKeyPolicy(GetKeyPolicyRequest(keyId: .keyARN(key))).policy.contains("arn:aws:iam::111122223333:root"))
        let put = try await #require(throws: KMSError.self) {
            try await admin.putKeyPolicy(PutKeyPolicyRequest(keyId: .keyARN(key), policy: Self.allowAll(Self.owner)))
        }
        #expect(put.code == .accessDenied && put.message.contains("because no identity-based policy allows the kms:PutKeyPolicy action"), "\(put)")
    }

    @Test("an external account's administrator cannot PutKeyPolicy or GetKeyPolicy on the owner's key, even when the key policy says kms:*")
    func noCrossAccountManagement() async throws {
        let rig = try await Self.rig()
        defer { Task { await rig.server.stop() } }
        let root = try await rig.client("arn:aws:iam::111122223333:root")
        try await rig.kms.createAccount(Self.external)
        let generous = Self.allowAll(Self.owner, also: #",{"Sid":"External","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kms:*","Resource":"*"}"#)
        let key = try await root.createKey(CreateKeyRequest(policy: generous)).keyMetadata.arn
        let externalAdmin = try await rig.client("arn:aws:iam::444455556666:root")
        for attempt in [{ _ = try await externalAdmin.putKeyPolicy(PutKeyPolicyRequest(keyId: .keyARN(key), policy: generous)) },
                        { _ = try await externalAdmin.getKeyPolicy(GetKeyPolicyRequest(keyId: .keyARN(key))) },
                        { _ = try await externalAdmin.disableKey(DisableKeyRequest(keyId: .keyARN(key))) },
                        { _ = try await externalAdmin.scheduleKeyDeletion(ScheduleKeyDeletionRequest(keyId: .keyARN(key))) }] as [@Sendable () async throws -> Void] {
            let error = try await #require(throws: KMSError.self) { try await attempt() }
            #expect(error.code == .accessDenied, "\(error)")
        }
        // The cross-account actions of the same statement do work.
        #expect(try await externalAdmin.describeKey(DescribeKeyRequest(keyId: .keyARN(key))).keyMetadata.arn == key)
        #expect(try await root.describeKey(DescribeKeyRequest(keyId: .keyARN(key))).keyMetadata.keyState == .enabled)
    }

    /// https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html: BypassPolicyLockoutSafetyCheck;
    /// "The new key policy will not allow you to update the key policy in the future."
    @Test("the policy lockout safety check on CreateKey and PutKeyPolicy, and its bypass")
    func lockout() async throws {
        let rig = try await Self.rig()
        defer { Task { await rig.server.stop() } }
        let root = try await rig.client("arn:aws:iam::111122223333:root")
        try await rig.kms.createPrincipal(try AWSPrincipalARN(parsing: "arn:aws:iam::111122223333:user/Someone"))
        let lockedOut = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Someone"},"Action":"kms:*","Resource":"*"}]}"#
        let onCreate = try await #require(throws: KMSError.self) { try await root.createKey(CreateKeyRequest(policy: lockedOut)) }
        #expect(onCreate.code == .malformedPolicyDocument && onCreate.message == "The new key policy will not allow you to update the key policy in the future.")
        #expect(try await root.allKeys().isEmpty, "nothing was created")
        let key = try await root.createKey(CreateKeyRequest(policy: Self.allowAll(Self.owner))).keyMetadata.arn
        let onPut = try await #require(throws: KMSError.self) { try await root.putKeyPolicy(PutKeyPolicyRequest(keyId: .keyARN(key), policy: lockedOut)) }
        #expect(onPut.code == .malformedPolicyDocument && onPut.message == "The new key policy will not allow you to update the key policy in the future.")
        _ = try await root.putKeyPolicy(PutKeyPolicyRequest(keyId: .keyARN(key), policy: lockedOut, bypassPolicyLockoutSafetyCheck: true))
        let after = try await #require(throws: KMSError.self) { try await root.getKeyPolicy(GetKeyPolicyRequest(keyId: .keyARN(key))) }
        #expect(after.code == .accessDenied)
    }
}

/// Server fidelity: SigV4 clock skew and the opt-in `kms:ViaService` header.
extension LocalKMSWireHandlerTests {
    func message(_ response: LocalKMSWireResponse) -> String {
        ((try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any])?["message"] as? String ?? ""
    }

    /// KMS allows 5 minutes of clock skew and words the refusal "Signature expired: <date> is now
    /// earlier than <now - 5 min> (<now> - 5 min.)" (AWS's InvalidSignatureException, as the AWS CLI
    /// shows it; https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html
    /// "Request signature expired").
    @Test("SigV4 clock skew: 4m59s accepted, 5m01s late is 'Signature expired', 5m01s early is 'Signature not yet current'")
    func clockSkew() async throws {
        let (handler, access, key) = try await setup()
        let signedAt = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
        let body = #"{"KeyId":"\#(key)"}"#
        #expect(await handler.handle(try signed(access, body: body, date: signedAt), now: signedAt.addingTimeInterval(299)).status == 200)
        #expect(await handler.handle(try signed(access, body: body, date: signedAt), now: signedAt.addingTimeInterval(-299)).status == 200)
        let late = await handler.handle(try signed(access, body: body, date: signedAt), now: signedAt.addingTimeInterval(301))
        #expect(code(late) == "InvalidSignatureException")
        #expect(message(late) == "Signature expired: 20260101T000000Z is now earlier than 20260101T000001Z (20260101T000501Z - 5 min.)")
        let early = await handler.handle(try signed(access, body: body, date: signedAt), now: signedAt.addingTimeInterval(-301))
        #expect(code(early) == "InvalidSignatureException")
        #expect(message(early) == "Signature not yet current: 20260101T000000Z is still later than 20251231T235959Z (20251231T235459Z + 5 min.)")
    }

    @Test("X-Envelope-Via-Service sets kms:ViaService only when the server allows it; off by default")
    func viaServiceHeader() async throws {
        let kms = try LocalKMS()
        let user = try AWSPrincipalARN(parsing: "arn:aws:iam::111122223333:user/User1")
        let policy = #"{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},{"Sid":"ViaEC2","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/User1"},"Action":"kms:DescribeKey","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"ec2.us-east-1.amazonaws.com"}}}]}"#
        let access = try await kms.createAccessKey(principal: user)
        let key = try await kms.createKey(account: "111122223333", policy: policy).arn
        func request(via: String?) throws -> SigV4Request {
            var request = SigV4Request(method: "POST", path: "/", headers: [
                ("Host", "127.0.0.1:1"), ("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "TrentService.DescribeKey"),
            ] + (via.map { [("X-Envelope-Via-Service", $0)] } ?? []), body: Array(#"{"KeyId":"\#(key)"}"#.utf8))
            _ = try SigV4Signer(region: "us-east-1", service: "kms")
                .sign(&request, credentials: try AWSCredentials(accessKeyId: access.accessKeyId, secretAccessKey: access.secretAccessKey), date: Date())
            return request
        }
        let off = LocalKMSWireHandler(kms: kms)
        #expect(code(await off.handle(try request(via: nil))) == "AccessDeniedException")
        let refused = await off.handle(try request(via: "ec2.us-east-1.amazonaws.com"))
        #expect(code(refused) == "ValidationException" && message(refused).contains("--allow-via-service-header"))
        let on = LocalKMSWireHandler(kms: kms, acceptsViaServiceHeader: true)
        #expect(await on.handle(try request(via: "ec2.us-east-1.amazonaws.com")).status == 200)
        #expect(code(await on.handle(try request(via: "s3.us-east-1.amazonaws.com"))) == "AccessDeniedException")
        #expect(code(await on.handle(try request(via: nil))) == "AccessDeniedException")
    }
}
