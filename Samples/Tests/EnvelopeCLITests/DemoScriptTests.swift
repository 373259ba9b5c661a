import Foundation
import Testing

@Suite("scripts/demo.sh (make demo)")
struct DemoScriptTests {
    @Test("the demo runs with the built binary: shared key, encrypt and decrypt as the external user, refusals as expected")
    func demo() throws {
        let box = try Sandbox()
        let script = CLIRunner.repoRoot.appendingPathComponent("scripts/demo.sh")
        let result = try CLIRunner.run([script.path, CLIRunner.envelope.path], in: box.url,
                                       environment: ["TMPDIR": box.path + "/"], executable: URL(fileURLWithPath: "/bin/bash"))
        #expect(result.status == 0, "\(result)")
        let text = result.stdoutText
        for word in ["arn:aws:kms:us-east-1:109876543210:key/", "identical to the original", "NotFoundException",
                     "AccessDeniedException", "Demo complete"] {
            #expect(text.contains(word), "the demo output lacks \(word)")
        }
        let left = (try? FileManager.default.contentsOfDirectory(atPath: box.path))?.filter { $0.hasPrefix("envelope-demo.") } ?? []
        #expect(left.isEmpty, "the demo removes its temporary directory")
    }
}
