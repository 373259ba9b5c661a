@testable import EnvelopeCLICore
import EnvelopeKMS
import Foundation
import Testing

/// The console's edits of the story's key policy (add/remove an external account), without a KMS.
@Suite("EnvelopeCLICore: key policy edits and their diff")
struct KeyPolicyEditTests {
    static let policy = """
        {"Version":"2012-10-17","Statement":[\
        {"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::109876543210:root"},"Action":"kms:*","Resource":"*"},\
        {"Sid":"AllowUseOfTheKey","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::109876543210:user/User1"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"},\
        {"Sid":"OnlyExternal","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::012345678901:role/Auditor","012345678901"]},"Action":"kms:DescribeKey","Resource":"*"},\
        {"Sid":"NoDeletion","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::012345678901:root"},"Action":"kms:ScheduleKeyDeletion","Resource":"*"}]}
        """

    func statements(_ text: String) throws -> [[String: Any]] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        return try #require(object["Statement"] as? [[String: Any]])
    }

    func principals(_ statement: [String: Any]) -> [String] {
        let aws = (statement["Principal"] as? [String: Any])?["AWS"]
        return (aws as? [String]) ?? (aws as? String).map { [$0] } ?? []
    }

    @Test("adding an account extends AllowUseOfTheKey (scalar → list) and appends the missing grant statement")
    func add() throws {
        let edited = try KeyPolicyEdit.addingExternalAccount("444455556666", partition: .aws, to: Self.policy)
        let all = try statements(edited)
        #expect(all.map { $0["Sid"] as? String } == ["Enable IAM User Permissions", "AllowUseOfTheKey", "OnlyExternal", "NoDeletion",
                                                       "AllowAttachmentOfPersistentResources"])
        #expect(principals(all[1]) == ["arn:aws:iam::109876543210:user/User1", "arn:aws:iam::444455556666:root"])
        #expect(principals(all[4]) == ["arn:aws:iam::444455556666:root"])
        #expect(try KeyPolicyEdit.addingExternalAccount("444455556666", partition: .aws, to: edited) == edited, "adding twice changes nothing")
    }

    @Test("removing an account drops its root, ID, users and roles from Allow statements, drops emptied ones, keeps Deny statements")
    func remove() throws {
        let edited = try KeyPolicyEdit.removingExternalAccount("012345678901", from: Self.policy)
        let all = try statements(edited)
        #expect(all.map { $0["Sid"] as? String } == ["Enable IAM User Permissions", "AllowUseOfTheKey", "NoDeletion"])
        #expect(principals(all[2]) == ["arn:aws:iam::012345678901:root"], "a Deny naming the account stays")
    }

    @Test("the diff marks removed and added lines, keeps context, and is empty for equal texts")
    func diff() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj"
        let new = "a\nb\nc\nd\ne\nF\ng\nh\ni\nj"
        let rendered = LineDiff.render(old: old, new: new, oldLabel: "old", newLabel: "new", context: 2)
        #expect(rendered == "--- old\n+++ new\n  …\n  d\n  e\n- f\n+ F\n  g\n  h\n  …\n")
        #expect(LineDiff.render(old: old, new: old, oldLabel: "old", newLabel: "new").isEmpty)
    }
}
