import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

// Issue 8, item 3: the built `envelope` binary is killed (SIGKILL, and SIGTERM) at spread-out
// moments while it encrypts or decrypts a large file or a directory. Whatever the moment, a file
// under the final output name is complete and correct, or absent. No timing is asserted: the
// kill moments are spread over the duration of an uninterrupted run, measured first.

/// Starts the CLI and sends `signal` after `delay` seconds (if it is still running).
func runAndKill(_ arguments: [String], in box: Sandbox, after delay: TimeInterval, signal: Int32 = SIGKILL) throws -> (killed: Bool, status: Int32) {
    let process = Process()
    process.executableURL = CLIRunner.envelope
    process.arguments = arguments
    process.currentDirectoryURL = box.url
    process.environment = ["PATH": "/usr/bin:/bin", "HOME": box.file("home").path, "LANG": "C.UTF-8"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    Thread.sleep(forTimeInterval: delay)
    let killed = process.isRunning && kill(process.processIdentifier, signal) == 0
    process.waitUntilExit()
    return (killed && process.terminationReason == .uncaughtSignal, process.terminationStatus)
}

/// Seconds an uninterrupted run takes (only to spread the kill moments; never asserted).
func measure(_ body: () throws -> Void) rethrows -> TimeInterval {
    let start = Date()
    try body()
    return Date().timeIntervalSince(start)
}

@Suite("envelope: crash safety (killed at random moments)", .serialized)
struct CrashSafetyTests {
    static let runs = 14

    @Test("SIGKILL during encrypt of a 24 MiB file never leaves a partial file under the output name")
    func killDuringEncrypt() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        let plaintext = testBytes(24 << 20, seed: 9)
        try box.write("big.bin", plaintext)
        let duration = try measure {
            let r = try box.run(["encrypt", "-i", "big.bin", "-o", "reference.enc"] + key.spec)
            #expect(r.status == 0, "\(r)")
        }
        var interrupted = 0, completed = 0
        for i in 0..<Self.runs {
            let output = "out-\(i).enc"
            let outcome = try runAndKill(["encrypt", "-i", "big.bin", "-o", output] + key.spec, in: box, after: duration * Double(i) / Double(Self.runs - 2))
            if box.exists(output) {
                completed += 1
                // Present means complete: it decrypts to the original.
                let dec = try box.run(["decrypt", "-i", output, "-o", "check-\(i).bin"] + key.spec)
                #expect(dec.status == 0, "run \(i): \(output) exists but does not decrypt: \(dec)")
                #expect(try box.read("check-\(i).bin") == plaintext, "run \(i)")
                try FileManager.default.removeItem(at: box.file("check-\(i).bin"))
            } else {
                interrupted += 1
                #expect(outcome.killed, "run \(i): no output although the CLI was not killed (status \(outcome.status))")
            }
        }
        #expect(interrupted + completed == Self.runs)
        #expect(interrupted > 0, "no run was interrupted: the matrix tested nothing")
        print("crash matrix encrypt: \(Self.runs) kills, \(interrupted) before the output appeared, \(completed) after; \(box.temporaryLeftovers().count) temporary files left by SIGKILL")
    }

    @Test("SIGKILL during decrypt of a 24 MiB message never leaves a partial (unverified) plaintext under the output name")
    func killDuringDecrypt() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        let plaintext = testBytes(24 << 20, seed: 10)
        try box.write("big.bin", plaintext)
        #expect(try box.run(["encrypt", "-i", "big.bin", "-o", "big.enc"] + key.spec).status == 0)
        let duration = try measure {
            let r = try box.run(["decrypt", "-i", "big.enc", "-o", "reference.bin"] + key.spec)
            #expect(r.status == 0, "\(r)")
        }
        var interrupted = 0, completed = 0
        for i in 0..<Self.runs {
            let output = "out-\(i).bin"
            let outcome = try runAndKill(["decrypt", "-i", "big.enc", "-o", output] + key.spec, in: box, after: duration * Double(i) / Double(Self.runs - 2))
            if box.exists(output) {
                completed += 1
                #expect(try box.read(output) == plaintext, "run \(i): \(output) is not the full plaintext")
                try FileManager.default.removeItem(at: box.file(output))
            } else {
                interrupted += 1
                #expect(outcome.killed, "run \(i): no output although the CLI was not killed")
            }
        }
        #expect(interrupted > 0)
        print("crash matrix decrypt: \(Self.runs) kills, \(interrupted) before the output appeared, \(completed) after")
    }

    @Test("SIGTERM during encrypt removes the temporary file and leaves either no output or the complete one")
    func terminateDuringEncrypt() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        try box.write("big.bin", testBytes(24 << 20, seed: 11))
        let duration = try measure {
            let r = try box.run(["encrypt", "-i", "big.bin", "-o", "reference.enc"] + key.spec)
            #expect(r.status == 0, "\(r)")
        }
        var interrupted = 0
        for i in 0..<6 {
            let output = "term-\(i).enc"
            let outcome = try runAndKill(["encrypt", "-i", "big.bin", "-o", output] + key.spec, in: box,
                                         after: duration * (0.1 + Double(i) * 0.12), signal: SIGTERM)
            if box.exists(output) {
                // The signal may land after the output was published (the cleanup waits for a
                // publication in progress): then it must be the whole message.
                let back = try box.run(["decrypt", "-i", output, "-o", "back-\(i).bin"] + key.spec)
                #expect(back.status == 0, "run \(i): \(output) exists but is not a complete message: \(back)")
                #expect(try box.read("back-\(i).bin") == box.read("big.bin"), "run \(i)")
            } else {
                interrupted += 1
                #expect(outcome.killed || outcome.status != 0, "run \(i): no output although the run was not interrupted")
            }
            #expect(box.temporaryLeftovers().isEmpty, "run \(i): temporary files left after SIGTERM: \(box.temporaryLeftovers())")
        }
        #expect(interrupted > 0)
    }

    @Test("SIGKILL during a directory run (-r, --jobs 2): every output present is complete; a later run decrypts them all")
    func killDuringDirectoryRun() throws {
        let box = try Sandbox()
        let key = try RawAESKey.make(in: box)
        var files: [String: [UInt8]] = [:]
        for i in 0..<16 { files["in/f\(i).bin"] = testBytes(1 << 20, seed: UInt8(20 + i)) }
        for (name, bytes) in files { try box.write(name, bytes) }
        let duration = try measure {
            let r = try box.run(["encrypt", "-i", "in", "-o", "reference", "-r", "--jobs", "2"] + key.spec)
            #expect(r.status == 0, "\(r)")
        }
        var partialRuns = 0
        for i in 0..<8 {
            let outDir = "out-\(i)"
            _ = try runAndKill(["encrypt", "-i", "in", "-o", outDir, "-r", "--jobs", "2"] + key.spec, in: box,
                               after: duration * Double(i) / 7)
            let present = files.keys.filter { box.exists($0.replacingOccurrences(of: "in/", with: "\(outDir)/") + ".encrypted") }
            if present.count < files.count { partialRuns += 1 }
            guard !present.isEmpty else { continue }
            // Every finished output decrypts (a -r decrypt fails and names the file otherwise).
            let dec = try box.run(["decrypt", "-i", outDir, "-o", "back-\(i)", "-r"] + key.spec)
            #expect(dec.status == 0, "run \(i): a present output is damaged: \(dec)")
            for name in present {
                let back = name.replacingOccurrences(of: "in/", with: "back-\(i)/")
                #expect(try box.read(back) == files[name], "run \(i): \(back)")
            }
        }
        #expect(partialRuns > 0, "no directory run was interrupted")
    }
}
