import EnvelopeTestSupport
import Foundation
import Testing

/// Runs the built `envelope` (and `cross-account-walkthrough`) binaries as a user would.
///
/// The binaries are found in `ENVELOPE_BIN_DIR` if set, else next to the test bundle (the
/// directory `swift test` built into), else `<repo>/.build/debug`.
enum CLIRunner {
    /// The repository root.
    static var repoRoot: URL { TestRepository.root }

    /// The directory holding the built executables.
    static let binDirectory: URL = {
        let environment = ProcessInfo.processInfo.environment
        var candidates: [URL] = []
        if let dir = environment["ENVELOPE_BIN_DIR"], !dir.isEmpty { candidates.append(URL(fileURLWithPath: dir)) }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(bundle.bundleURL.deletingLastPathComponent())
        }
        if let argv0 = CommandLine.arguments.first {
            let url = URL(fileURLWithPath: argv0)
            candidates.append(url.deletingLastPathComponent())
            candidates.append(url.deletingLastPathComponent().deletingLastPathComponent())
        }
        candidates.append(repoRoot.appendingPathComponent(".build/debug"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("envelope").path) }
            ?? repoRoot.appendingPathComponent(".build/debug")
    }()

    static var envelope: URL { binDirectory.appendingPathComponent("envelope") }
    static var walkthrough: URL { binDirectory.appendingPathComponent("cross-account-walkthrough") }

    /// The outcome of one run.
    struct Result: CustomStringConvertible {
        let status: Int32
        let stdout: [UInt8]
        let stderr: String
        var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
        var description: String { "exit \(status)\nstdout: \(stdoutText.prefix(2000))\nstderr: \(stderr)" }

        /// Parses stdout as one JSON object.
        func json() throws -> [String: Any] {
            let object = try JSONSerialization.jsonObject(with: Data(stdout))
            return try #require(object as? [String: Any], "stdout is not a JSON object: \(stdoutText)")
        }
    }

    /// Runs `executable` with `arguments` in `directory`, feeding `stdin` (empty if nil), with
    /// `environment` added to a clean environment (HOME points into `directory`).
    static func run(_ arguments: [String], in directory: URL, stdin: [UInt8]? = nil, environment: [String: String] = [:],
                    executable: URL = envelope) throws -> Result {
        #expect(FileManager.default.isExecutableFile(atPath: executable.path),
                "\(executable.path) is missing: build it first (swift build, or swift test builds it as a dependency of EnvelopeCLITests)")
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env: [String: String] = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                                     "HOME": directory.appendingPathComponent("home").path, "LANG": "C.UTF-8"]
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let tag = UUID().uuidString
        let outURL = directory.appendingPathComponent(".stdout-\(tag)")
        let errURL = directory.appendingPathComponent(".stderr-\(tag)")
        let inURL = directory.appendingPathComponent(".stdin-\(tag)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: inURL.path, contents: Data(stdin ?? []))
        defer {
            for url in [outURL, errURL, inURL] { try? FileManager.default.removeItem(at: url) }
        }
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let input = try FileHandle(forReadingFrom: inURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        process.waitUntilExit()
        try out.close(); try err.close(); try input.close()
        return Result(status: process.terminationStatus,
                      stdout: [UInt8](try Data(contentsOf: outURL)),
                      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// Runs a shell command line under `script`, so that stdin, stdout and stderr are a terminal;
    /// returns the exit status and everything the terminal showed.
    static func runInTerminal(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> (status: Int32, transcript: String) {
        let command = ([envelope.path] + arguments).map(shellQuote).joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        process.currentDirectoryURL = directory
        var env: [String: String] = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                                     "HOME": directory.appendingPathComponent("home").path, "TERM": "xterm"]
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let outURL = directory.appendingPathComponent(".transcript-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outURL) }
        let out = try FileHandle(forWritingTo: outURL)
        process.standardOutput = out
        process.standardError = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try out.close()
        return (process.terminationStatus, String(decoding: try Data(contentsOf: outURL), as: UTF8.self))
    }

    static func shellQuote(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

/// A fresh temporary directory per test, removed afterwards.
final class Sandbox {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("envelope-cli-tests-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let target = file(name)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: target)
        return target
    }

    func read(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: file(name))) }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: file(name).path) }

    /// Regular files left in the sandbox whose name looks like one of our temporary outputs.
    func temporaryLeftovers() -> [String] {
        let all = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String]) ?? []
        return all.filter { $0.contains(".envelope-") && $0.hasSuffix(".tmp") }
    }

    /// `run` in this sandbox.
    func run(_ arguments: [String], stdin: [UInt8]? = nil, environment: [String: String] = [:]) throws -> CLIRunner.Result {
        try CLIRunner.run(arguments, in: url, stdin: stdin, environment: environment)
    }
}

/// Deterministic test bytes.
func testBytes(_ count: Int, seed: UInt8 = 7) -> [UInt8] {
    var state = UInt32(seed) &* 2_654_435_761 &+ 1
    return (0..<count).map { _ in
        state = state &* 1_664_525 &+ 1_013_904_223
        return UInt8(truncatingIfNeeded: state >> 24)
    }
}

/// Raw AES key files and the -w SPEC words that name them.
struct RawAESKey {
    let file: String
    let namespace: String
    let name: String
    let bytes: [UInt8]

    var spec: [String] { ["-w", "provider=raw-aes", "key-file=\(file)", "namespace=\(namespace)", "name=\(name)"] }
    var hex: String { hexString(bytes) }

    static func make(in sandbox: Sandbox, name: String = "key1", namespace: String = "cli-tests", length: Int = 32, seed: UInt8 = 1) throws -> RawAESKey {
        let bytes = testBytes(length, seed: seed)
        try sandbox.write(name + ".bin", bytes)
        // Key files are private (envelope warns about a key file readable by group or others).
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: sandbox.file(name + ".bin").path)
        return RawAESKey(file: name + ".bin", namespace: namespace, name: name, bytes: bytes)
    }
}

/// An `envelope` run reading a pipe that stays open (so it is still running), for tests that
/// signal or kill it part-way.
struct PipedRun {
    let process: Process
    let input: Pipe

    /// Starts `arguments` in `box` with stdin a pipe fed `bytes` (kept open); stdout and stderr
    /// go to `output` and `errors` (discarded when nil).
    static func start(_ arguments: [String], in box: Sandbox, feeding bytes: [UInt8], output: Pipe? = nil, errors: Pipe? = nil) throws -> PipedRun {
        let process = Process()
        process.executableURL = CLIRunner.envelope
        process.arguments = arguments
        process.currentDirectoryURL = box.url
        process.environment = ["HOME": box.path, "PATH": "/usr/bin:/bin"]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = output ?? FileHandle.nullDevice
        process.standardError = errors ?? FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(bytes))
        return PipedRun(process: process, input: input)
    }

    /// Waits (bounded: 30 s) until a temporary output exists in `box`: the run is writing.
    func waitForTemporaryFile(in box: Sandbox) {
        // Waits for the event itself; stops early if the CLI exits. The bound (10 min) is a hang
        // guard only, never reached by a slow but working run (TSan, parallel suites).
        var polls = 0
        while box.temporaryLeftovers().isEmpty && process.isRunning && polls < 12_000 {
            usleep(50_000)
            polls += 1
        }
    }

    /// Waits for the end of the process and closes stdin.
    func finish() {
        process.waitUntilExit()
        try? input.fileHandleForWriting.close()
    }
}
