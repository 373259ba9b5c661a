import EnvelopeKMS
import EnvelopeKMSPolicy
import EnvelopeLocalKMS
import EnvelopeTestSupport
import Foundation
import Testing

/// Every decision is explained and logged, one JSON line per request.
@Suite("Decision log")
struct DecisionLogTests {
    @Test("one JSON line per request in the state directory: caller, action, resource, outcome, deciding statements")
    func persistedLines() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("decision-log-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let story = try await CrossAccountStory.make(kms: try LocalKMS(stateDirectory: directory))
        _ = try await story.client(CrossAccountStory.externalUser).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32))
        await expectCode(.accessDenied) {
            try await story.client(CrossAccountStory.thirdUser).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32))
        }
        let text = try String(contentsOfFile: directory + "/" + LocalKMS.decisionLogFileName, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        let allowed = try LocalKMSDecision(jsonLine: lines[0])
        #expect(allowed.caller == CrossAccountStory.externalUser.description)
        #expect(allowed.action == "kms:GenerateDataKey")
        #expect(allowed.resource == story.key.description)
        #expect(allowed.outcome == "Allow")
        #expect(allowed.statements.map(\.sid) == ["AllowUseOfTheKey", "AllowUseOfTheKey"])
        #expect(allowed.statements.map(\.source) == [.keyPolicy, .identityPolicy(principal: CrossAccountStory.externalUser.description, index: 0)])
        let denied = try LocalKMSDecision(jsonLine: lines[1])
        #expect(denied.outcome == "Deny")
        #expect(denied.denial == .noKeyPolicyAllows)
        #expect(denied.explanation.contains("no statement allows"))
        // Another process (a second instance on the same directory) reads the same log.
        let reopened = try LocalKMS(stateDirectory: directory)
        #expect(try await reopened.decisionLog() == [allowed, denied])
    }

    @Test("a grant that allows is named in the log")
    func grantNamed() async throws {
        let story = try await CrossAccountStory.make()
        let grant = try await story.client(CrossAccountStory.user1, viaService: "ebs.us-east-1.amazonaws.com").createGrant(
            CreateGrantRequest(keyId: .keyARN(story.key), granteePrincipal: CrossAccountStory.bob.description, operations: [.generateDataKey]))
        _ = try await story.client(CrossAccountStory.bob).generateDataKey(GenerateDataKeyRequest(keyId: .keyARN(story.key), numberOfBytes: 32))
        let last = try #require(try await story.kms.decisionLog().last)
        #expect(last.outcome == "Allow")
        #expect(last.statements.map(\.source) == [.grant(grantId: grant.grantId)])
    }

    @Test("an in-memory KMS keeps a bounded decision log: the most recent decisions")
    func boundedInMemory() async throws {
        let story = try await CrossAccountStory.make()
        let client = story.client(CrossAccountStory.user1)
        for _ in 0...LocalKMS.memoryDecisionLimit {
            _ = try await client.describeKey(DescribeKeyRequest(keyId: .keyARN(story.key)))
        }
        let thirdUser = story.client(CrossAccountStory.thirdUser)
        await expectCode(.accessDenied) { try await thirdUser.describeKey(DescribeKeyRequest(keyId: .keyARN(story.key))) }
        let log = try await story.kms.decisionLog()
        #expect(log.count <= LocalKMS.memoryDecisionLimit)
        #expect(log.last?.caller == CrossAccountStory.thirdUser.description)
    }
}
