import Foundation
import Testing

@Suite("envelope: stdin/stdout and directories")
struct StreamsAndDirectoriesTests {
    @Test("stdin to stdout both ways")
    func pipes() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        let plaintext = testBytes(300_001)
        let enc = try box.run(["encrypt", "-i", "-", "-o", "-"] + key.spec, stdin: plaintext)
        #expect(enc.status == 0, "\(enc)")
        #expect(enc.stdout.count > plaintext.count)
        #expect(enc.stdout.prefix(2) == [0x02, 0x05], "a v2 message with suite 0x0578 starts 02 05 78")
        let dec = try box.run(["decrypt", "-i", "-", "-o", "-"] + key.spec, stdin: enc.stdout)
        #expect(dec.status == 0, "\(dec)")
        #expect(dec.stdout == plaintext)
    }

    @Test("stdin to a file and a file to stdout; empty input")
    func mixed() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        let enc = try box.run(["encrypt", "-i", "-", "-o", "empty.enc"] + key.spec, stdin: [])
        #expect(enc.status == 0, "\(enc)")
        let dec = try box.run(["decrypt", "-i", "empty.enc", "-o", "-", "--metadata-output", "meta.jsonl"] + key.spec)
        #expect(dec.status == 0, "\(dec)")
        #expect(dec.stdout.isEmpty)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(try box.read("meta.jsonl"))) as? [String: Any])
        #expect(record["input"] as? String == "empty.enc")
        #expect(record["output"] as? String == "-")
    }

    @Test("a base64-encoded message is recognised and decoded (armor: ArmorTests has the rest)")
    func base64Input() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        let enc = try box.run(["encrypt", "-i", "-", "-o", "-"] + key.spec, stdin: testBytes(100))
        let encoded = Array(Data(enc.stdout).base64EncodedString().utf8)
        let dec = try box.run(["decrypt", "-i", "-", "-o", "out", "--verbose"] + key.spec, stdin: encoded)
        #expect(dec.status == 0, "\(dec)")
        #expect(dec.stderr.lowercased().contains("base64"))
        #expect(try box.read("out") == testBytes(100))
    }

    @Test("-r encrypts a directory tree into another with --suffix, --jobs 2, and decrypts it back", arguments: [1, 2])
    func directories(jobs: Int) throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        let files = ["a.txt": testBytes(10, seed: 1), "sub/b.bin": testBytes(70_000, seed: 2), "sub/deeper/c": testBytes(0, seed: 3),
                     "d.dat": testBytes(4096, seed: 4)]
        for (name, bytes) in files { try box.write("in/" + name, bytes) }
        let enc = try box.run(["encrypt", "-i", "in", "-o", "out", "-r", "--suffix", ".enc", "--jobs", String(jobs),
                               "--metadata-output", "meta.jsonl"] + key.spec)
        #expect(enc.status == 0, "\(enc)")
        for name in files.keys { #expect(box.exists("out/\(name).enc"), "out/\(name).enc") }
        let records = String(decoding: try box.read("meta.jsonl"), as: UTF8.self).split(separator: "\n")
        #expect(records.count == files.count)
        let dec = try box.run(["decrypt", "-i", "out", "-o", "back", "-r", "--jobs", String(jobs)] + key.spec)
        #expect(dec.status == 0, "\(dec)")
        for (name, bytes) in files {
            #expect(try box.read("back/\(name).enc.decrypted") == bytes, "back/\(name).enc.decrypted")
        }
        #expect(box.temporaryLeftovers().isEmpty)
    }

    @Test("the default suffix is .encrypted; a file into an existing directory keeps its name")
    func defaultSuffix() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("report.txt", testBytes(10))
        try FileManager.default.createDirectory(at: box.file("outdir"), withIntermediateDirectories: true)
        #expect(try box.run(["encrypt", "-i", "report.txt", "-o", "outdir"] + key.spec).status == 0)
        #expect(box.exists("outdir/report.txt.encrypted"))
        try box.write("tree/x", [1])
        #expect(try box.run(["encrypt", "-i", "tree", "-o", "tree-out", "-r"] + key.spec).status == 0)
        #expect(box.exists("tree-out/x.encrypted"))
    }

    @Test("a directory run goes on after a bad file, reports it, and exits non-zero")
    func directoryWithBadFile() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("in/good", testBytes(100))
        #expect(try box.run(["encrypt", "-i", "in", "-o", "enc", "-r"] + key.spec).status == 0)
        try box.write("enc/bad.encrypted", Array("not a message at all".utf8))
        let dec = try box.run(["decrypt", "-i", "enc", "-o", "dec", "-r"] + key.spec)
        #expect(dec.status == 65, "\(dec)")
        #expect(dec.stderr.contains("bad.encrypted"))
        #expect(dec.stderr.contains("1 of 2"))
        #expect(try box.read("dec/good") == testBytes(100))
        #expect(!box.exists("dec/bad"))
    }

    @Test("a directory without -r, or into stdout, is a usage error")
    func directoryRules() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("in/a", [1])
        let noR = try box.run(["encrypt", "-i", "in", "-o", "out"] + key.spec)
        #expect(noR.status == 64, "\(noR)")
        #expect(noR.stderr.contains("-r"))
        let toStdout = try box.run(["encrypt", "-i", "in", "-o", "-", "-r"] + key.spec)
        #expect(toStdout.status == 64, "\(toStdout)")
    }
}
