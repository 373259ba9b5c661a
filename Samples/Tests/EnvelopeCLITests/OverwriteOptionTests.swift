@testable import EnvelopeCLICore
import Foundation
import Testing

@Suite("envelope: --interactive and --no-overwrite")
struct OverwriteOptionTests {
    @Test("--no-overwrite is the default: an existing output is refused (73) and kept")
    func noOverwrite() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(100))
        try box.write("m.enc", Array("keep me".utf8))
        for flags in [[], ["--no-overwrite"]] {
            let result = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc"] + flags + key.spec)
            #expect(result.status == 73, "\(result)")
            #expect(try box.read("m.enc") == Array("keep me".utf8))
        }
    }

    @Test("contradictory flags are usage errors", arguments: [["--no-overwrite", "--force"], ["--no-overwrite", "--interactive"], ["--force", "--interactive"]])
    func contradictions(flags: [String]) throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(100))
        let result = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc"] + flags + key.spec)
        #expect(result.status == 64, "\(result)")
    }

    @Test("--interactive without a terminal on stdin asks nothing and refuses the existing output")
    func interactiveWithoutTerminal() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(100))
        try box.write("m.enc", Array("keep me".utf8))
        let result = try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "--interactive"] + key.spec, stdin: Array("y\n".utf8))
        #expect(result.status == 73, "\(result)")
        #expect(!result.stderr.contains("Overwrite existing output file"), "asked without a terminal: \(result)")
        #expect(try box.read("m.enc") == Array("keep me".utf8))
        // With no existing output, --interactive has nothing to ask.
        let fresh = try box.run(["encrypt", "-i", "plain.bin", "-o", "new.enc", "--interactive"] + key.spec)
        #expect(fresh.status == 0, "\(fresh)")
    }

    @Test("--interactive keeps a job only on an answer starting with y or Y", arguments: [("y", true), ("Yes", true), ("n", false), ("", false), (nil, false)])
    func answers(answer: String?, replaces: Bool) throws {
        let box = try Sandbox()
        try box.write("exists.enc", [1])
        let jobs = [MessageJob(input: .file("a"), output: .file(box.file("exists.enc").path), size: 1),
                    MessageJob(input: .file("b"), output: .file(box.file("new.enc").path), size: 1)]
        var questions: [String] = []
        let kept = try OverwritePrompt.confirm(jobs, stdinIsTerminal: true) { question in
            questions.append(question)
            return answer
        }
        #expect(questions.count == 1)
        #expect(questions.first?.contains("exists.enc") == true)
        #expect(kept.count == (replaces ? 2 : 1))
        #expect(kept.contains(jobs[1]))
    }
}
