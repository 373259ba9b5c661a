import Foundation
import Testing

/// Issue 16, defects 2 and 8: in-place and empty directory runs, restoring names on decrypt,
/// `--skip-existing`, and the summary line of a directory run.
@Suite("envelope: directory runs in place, empty trees, name restoring, --skip-existing, summary")
struct DirectoryRunTests {
    @Test("encrypt -i dir -o dir -r writes each output next to its input, and never re-processes an output")
    func inPlace() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("tree/a.txt", testBytes(10, seed: 1))
        try box.write("tree/sub/b.bin", testBytes(5000, seed: 2))
        let enc = try box.run(["encrypt", "-i", "tree", "-o", "tree", "-r"] + key.spec)
        #expect(enc.status == 0, "\(enc)")
        #expect(box.exists("tree/a.txt.encrypted") && box.exists("tree/sub/b.bin.encrypted"))
        #expect(!box.exists("tree/a.txt.encrypted.encrypted"))
        #expect(enc.stderr.contains("encrypted 2 of 2 files"), "\(enc)")
        // A second run: the outputs of the first are not encrypted again; the inputs' outputs exist.
        let again = try box.run(["encrypt", "-i", "tree", "-o", "tree", "-r", "--skip-existing"] + key.spec)
        #expect(again.status == 0, "\(again)")
        #expect(!box.exists("tree/a.txt.encrypted.encrypted"))
        #expect(again.stderr.contains("already named *.encrypted: 2") && again.stderr.contains("existing output: 2"), "\(again)")
        // Decrypt in place restores the names next to the messages (the plaintexts are moved away first).
        try FileManager.default.removeItem(at: box.file("tree/a.txt"))
        try FileManager.default.removeItem(at: box.file("tree/sub/b.bin"))
        let dec = try box.run(["decrypt", "-i", "tree", "-o", "tree", "-r"] + key.spec)
        #expect(dec.status == 0, "\(dec)")
        #expect(try box.read("tree/a.txt") == testBytes(10, seed: 1))
        #expect(try box.read("tree/sub/b.bin") == testBytes(5000, seed: 2))
    }

    @Test("an empty tree says so and exits 0, or 66 with --fail-on-empty")
    func emptyTree() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try FileManager.default.createDirectory(at: box.file("empty"), withIntermediateDirectories: true)
        let run = try box.run(["encrypt", "-i", "empty", "-o", "out", "-r"] + key.spec)
        #expect(run.status == 0, "\(run)")
        #expect(run.stderr.contains("no files to encrypt"), "\(run)")
        let strict = try box.run(["encrypt", "-i", "empty", "-o", "out", "-r", "--fail-on-empty"] + key.spec)
        #expect(strict.status == 66, "\(strict)")
        #expect(strict.stderrLines.count == 2, "\(strict)")
    }

    @Test("the summary line counts what was skipped and why")
    func summary() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("in/a", testBytes(10))
        try FileManager.default.createSymbolicLink(atPath: box.file("in/link").path, withDestinationPath: "a")
        let run = try box.run(["encrypt", "-i", "in", "-o", "out", "-r"] + key.spec)
        #expect(run.status == 0, "\(run)")
        #expect(run.stderrLines == ["envelope: encrypted 1 of 1 file; 1 skipped (symbolic link: 1)"], "\(run)")
    }

    @Test("-r decrypt restores the names (drops .encrypted); --suffix '' is allowed into another tree; --strip-suffix")
    func restoreNames() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("in/f", testBytes(100, seed: 1))
        try box.write("in/g.txt", testBytes(200, seed: 2))
        #expect(try box.run(["encrypt", "-i", "in", "-o", "enc", "-r"] + key.spec).status == 0)
        let dec = try box.run(["decrypt", "-i", "enc", "-o", "back", "-r"] + key.spec)
        #expect(dec.status == 0, "\(dec)")
        #expect(try box.read("back/f") == testBytes(100, seed: 1))
        #expect(try box.read("back/g.txt") == testBytes(200, seed: 2))
        #expect(!box.exists("back/f.encrypted.decrypted"))
        // Another suffix: --strip-suffix names it; --suffix '' keeps the names as they are.
        #expect(try box.run(["encrypt", "-i", "in", "-o", "enc2", "-r", "--suffix", ".enc"] + key.spec).status == 0)
        let stripped = try box.run(["decrypt", "-i", "enc2", "-o", "back2", "-r", "--strip-suffix", ".enc"] + key.spec)
        #expect(stripped.status == 0, "\(stripped)")
        #expect(try box.read("back2/f") == testBytes(100, seed: 1))
        let same = try box.run(["decrypt", "-i", "enc2", "-o", "back3", "-r", "--suffix", "", "--strip-suffix", ""] + key.spec)
        #expect(same.status == 0, "\(same)")
        #expect(try box.read("back3/f.enc") == testBytes(100, seed: 1))
        // In place, an empty suffix would write over the inputs: refused.
        let over = try box.run(["decrypt", "-i", "enc2", "-o", "enc2", "-r", "--suffix", "", "--strip-suffix", ""] + key.spec)
        #expect(over.status == 64, "\(over)")
    }

    @Test("--skip-existing finishes a run that failed part-way")
    func skipExisting() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        for name in ["a", "b", "c"] { try box.write("in/\(name)", testBytes(100, seed: UInt8(name.utf8.first!))) }
        #expect(try box.run(["encrypt", "-i", "in", "-o", "enc", "-r"] + key.spec).status == 0)
        try box.write("back/a", Array("done before".utf8))
        let refused = try box.run(["decrypt", "-i", "enc", "-o", "back", "-r"] + key.spec)
        #expect(refused.status == 73, "\(refused)")
        #expect(refused.stderr.contains("--skip-existing"), "\(refused)")
        let rest = try box.run(["decrypt", "-i", "enc", "-o", "back", "-r", "--skip-existing"] + key.spec)
        #expect(rest.status == 0, "\(rest)")
        #expect(try box.read("back/a") == Array("done before".utf8))
        #expect(try box.read("back/b") == testBytes(100, seed: UInt8(ascii: "b")))
        #expect(rest.stderr.contains("decrypted 2 of 2 files; 1 skipped (existing output: 1)"), "\(rest)")
    }
}
