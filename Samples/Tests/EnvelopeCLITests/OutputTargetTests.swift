#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing

/// Issue 16, defects 1, 11 and 12 (outputs): devices and FIFOs are written directly and never
/// replaced; missing output directories are refused; temporary files of a killed run are found.
@Suite("envelope: device, FIFO and stdout outputs; missing directories; stale temporary files")
struct OutputTargetTests {
    private static func fileType(_ path: String) -> mode_t {
        var info = stat()
        guard lstat(path, &info) == 0 else { return 0 }
        return info.st_mode & S_IFMT
    }

    @Test("-o /dev/null works without --force, and /dev/null is still a character device afterwards (also with --force)")
    func devNull() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(5000))
        #expect(Self.fileType("/dev/null") == S_IFCHR)
        let plain = try box.run(["encrypt", "-i", "plain.bin", "-o", "/dev/null"] + key.spec)
        #expect(plain.status == 0, "\(plain)")
        #expect(plain.stderr.isEmpty, "\(plain)")
        #expect(Self.fileType("/dev/null") == S_IFCHR)
        // Decrypt into /dev/null: a verification-only run.
        #expect(try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc"] + key.spec).status == 0)
        let verify = try box.run(["decrypt", "-i", "m.enc", "-o", "/dev/null"] + key.spec)
        #expect(verify.status == 0, "\(verify)")
        #expect(Self.fileType("/dev/null") == S_IFCHR)
    }

    @Test("--force never replaces a FIFO: the output is written into it, and it is still a FIFO afterwards")
    func fifo() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(20_000))
        let fifo = box.file("pipe").path
        #expect(mkfifo(fifo, 0o600) == 0)
        // A reader (cat) copies what comes through the FIFO into a file.
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/sh")
        reader.arguments = ["-c", "timeout 60 cat pipe > received.enc"]
        reader.currentDirectoryURL = box.url
        try reader.run()
        let enc = try box.run(["encrypt", "-i", "plain.bin", "-o", "pipe", "--force"] + key.spec)
        reader.waitUntilExit()
        #expect(enc.status == 0, "\(enc)")
        #expect(Self.fileType(fifo) == S_IFIFO, "the FIFO was replaced")
        let dec = try box.run(["decrypt", "-i", "received.enc", "-o", "back.bin"] + key.spec)
        #expect(dec.status == 0, "\(dec)")
        #expect(try box.read("back.bin") == testBytes(20_000))
        #expect(box.temporaryLeftovers().isEmpty)
    }

    @Test("a symbolic link or other non-regular output is refused even with --force, and left as it is")
    func symlinkRefused() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(100))
        try box.write("target.txt", Array("keep".utf8))
        try FileManager.default.createSymbolicLink(atPath: box.file("link").path, withDestinationPath: "target.txt")
        let forced = try box.run(["encrypt", "-i", "plain.bin", "-o", "link", "--force"] + key.spec)
        #expect(forced.status == 73, "\(forced)")
        #expect(forced.stderr.contains("symbolic link"), "\(forced)")
        #expect(Self.fileType(box.file("link").path) == S_IFLNK)
        #expect(try box.read("target.txt") == Array("keep".utf8))
    }

    @Test("-o DIR/FILE with a missing DIR is refused unless --create-dirs")
    func missingDirectory() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(100))
        let refused = try box.run(["encrypt", "-i", "plain.bin", "-o", "nodir/x.enc"] + key.spec)
        #expect(refused.status == 73, "\(refused)")
        #expect(refused.stderr.contains("does not exist") && refused.stderr.contains("--create-dirs"), "\(refused)")
        #expect(!box.exists("nodir"))
        let created = try box.run(["encrypt", "-i", "plain.bin", "-o", "nodir/x.enc", "--create-dirs"] + key.spec)
        #expect(created.status == 0, "\(created)")
        #expect(box.exists("nodir/x.enc"))
    }

    @Test("a temporary file left by a killed run (SIGKILL) is removed by the next run into the directory, which says so")
    func staleTemporaryFile() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(1000))
        let run = try PipedRun.start(["encrypt", "-i", "-", "-o", "out/killed.enc", "--create-dirs"] + key.spec, in: box, feeding: testBytes(1000))
        run.waitForTemporaryFile(in: box)
        let leftovers = box.temporaryLeftovers()
        #expect(leftovers.count == 1, "the temporary output never appeared")
        kill(run.process.processIdentifier, SIGKILL)
        run.finish()
        #expect(box.temporaryLeftovers() == leftovers, "SIGKILL cannot be caught: the temporary file stays")
        let next = try box.run(["encrypt", "-i", "plain.bin", "-o", "out/next.enc"] + key.spec)
        #expect(next.status == 0, "\(next)")
        #expect(next.stderr.contains("removed the stale temporary file"), "\(next)")
        #expect(box.temporaryLeftovers().isEmpty, "\(box.temporaryLeftovers())")
        #expect(box.exists("out/next.enc"))
    }

    @Test("a temporary file whose writer cannot be proven gone is reported, not removed")
    func unprovableTemporaryFile() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("plain.bin", testBytes(100))
        // The older name format (no process id): left alone, reported.
        let old = box.file(".a.enc.envelope-0011223344ff.tmp")
        try box.write(old.lastPathComponent, [1, 2, 3])
        let past = Date(timeIntervalSinceNow: -3600)
        try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: old.path)
        let run = try box.run(["encrypt", "-i", "plain.bin", "-o", "b.enc"] + key.spec)
        #expect(run.status == 0, "\(run)")
        #expect(run.stderr.contains("temporary file of an earlier run"), "\(run)")
        #expect(FileManager.default.fileExists(atPath: old.path))
    }

    @Test("Ctrl-C on -o - after output went out says how many bytes went out and that they must be discarded")
    func interruptAfterStdout() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        let output = Pipe(), errors = Pipe()
        let run = try PipedRun.start(["encrypt", "-i", "-", "-o", "-", "--frame-length", "1024"] + key.spec, in: box, feeding: [],
                                     output: output, errors: errors)
        let process = run.process, input = run.input
        // Feed until the first bytes come out (bounded), keeping stdin open.
        var received = 0
        var fed = 0
        while received == 0 && fed < 64 {
            input.fileHandleForWriting.write(Data(testBytes(256 * 1024, seed: UInt8(fed % 250))))
            fed += 1
            var fds = pollfd(fd: output.fileHandleForReading.fileDescriptor, events: Int16(POLLIN), revents: 0)
            if poll(&fds, 1, 500) > 0 { received = output.fileHandleForReading.availableData.count }
        }
        #expect(received > 0, "no output came out")
        process.interrupt()
        process.waitUntilExit()
        try? input.fileHandleForWriting.close()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 130)
        #expect(stderr.contains("bytes already went to standard output and must be discarded"), "\(stderr)")
        #expect(!stderr.contains("no output was written"), "\(stderr)")
    }

    @Test("a decrypt to stdout that fails after frames went out says how many bytes to discard")
    func failureAfterStdout() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        // Several batches of frames: the first ones verify and go out before the last fails.
        try box.write("plain.bin", testBytes(6_000_000))
        #expect(try box.run(["encrypt", "-i", "plain.bin", "-o", "m.enc", "--frame-length", "1024",
                             "--algorithm", "AES_256_GCM_HKDF_SHA512_COMMIT_KEY"] + key.spec).status == 0)
        var message = try box.read("m.enc")
        message[message.count - 40] ^= 1
        try box.write("m.enc", message)
        let dec = try box.run(["decrypt", "-i", "m.enc", "-o", "-"] + key.spec)
        #expect(dec.status == 65, "\(dec)")
        #expect(!dec.stdout.isEmpty)
        #expect(dec.stderr.contains("\(dec.stdout.count) bytes already went to standard output: discard them"), "\(dec.stderr)")
    }
}
