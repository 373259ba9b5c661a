import Foundation
import Testing

@Suite("envelope verify-access: the encrypt-only client's DryRun check per key")
struct VerifyAccessTests {
    @Test("a key the caller may use: both actions allowed, exit 0; nothing is encrypted")
    func allowed() throws {
        let fx = try KMSFixture()
        let result = try fx.asExternalUser(["verify-access", "-w", "key=\(fx.keyARN)", "-c", "purpose=check"])
        #expect(result.status == 0, "\(result)")
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.first?.contains("kms:GenerateDataKey") == true && lines.first?.contains("kms:Encrypt") == true, "\(result)")
        let row = try #require(lines.first { $0.hasPrefix(fx.keyARN) }, "\(result)")
        #expect(row.components(separatedBy: "allowed").count - 1 == 2, "\(row)")
    }

    @Test("without the caller's IAM policy: both denied by KMS (AccessDeniedException), exit 77")
    func denied() throws {
        let fx = try KMSFixture(attachIAMPolicy: false)
        let result = try fx.asExternalUser(["verify-access", "-w", "key=\(fx.keyARN)"])
        #expect(result.status == 77, "\(result)")
        let row = try #require(result.stdoutText.split(separator: "\n").first { $0.hasPrefix(fx.keyARN) }, "\(result)")
        #expect(row.components(separatedBy: "denied (AccessDeniedException)").count - 1 == 2, "\(row)")
        #expect(result.stderr.contains("may not encrypt with"), "\(result)")
    }

    @Test("raw keys and a missing -w are usage errors")
    func usage() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        #expect(try box.run(["verify-access"] + key.spec).status == 64)
        #expect(try box.run(["verify-access"]).status == 64)
    }
}
