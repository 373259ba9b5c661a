import Foundation

/// A Python helper process from the test venv: started with a script, it prints one JSON line when
/// ready and exits when its stdin closes (so it also ends when the test process ends).
final class PythonPeer: @unchecked Sendable {
    let process: Process
    let stdin: Pipe
    /// The JSON object the script printed when ready.
    let ready: [String: Any]

    /// `ENVELOPE_TEST_PYTHON`, else `<repo>/.build/venv/bin/python3`.
    static func interpreter(file: String = #filePath) throws -> URL {
        if let path = ProcessInfo.processInfo.environment["ENVELOPE_TEST_PYTHON"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let repo = URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let venv = repo.appendingPathComponent(".build/venv/bin/python3")
        guard FileManager.default.isExecutableFile(atPath: venv.path) else {
            throw PeerError("no Python test venv at \(venv.path): run `make test` (or create it as COMMON.md says) or set ENVELOPE_TEST_PYTHON")
        }
        return venv
    }

    /// Starts `python3 -c script args…` and waits for its first stdout line.
    init(script: String, arguments: [String] = [], environment: [String: String] = [:]) throws {
        process = Process()
        process.executableURL = try Self.interpreter()
        process.arguments = ["-c", script] + arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        process.environment = env
        stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        var line: [UInt8] = []
        let handle = stdout.fileHandleForReading
        while true {
            let chunk = handle.readData(ofLength: 1)
            if chunk.isEmpty { break }
            if chunk[chunk.startIndex] == UInt8(ascii: "\n") { break }
            line.append(chunk[chunk.startIndex])
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else {
            process.terminate()
            let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile().suffix(2000), as: UTF8.self)
            throw PeerError("python helper did not start: \(String(decoding: line, as: UTF8.self)) \(errors)")
        }
        ready = object
        // Keep draining stderr so the child never blocks on a full pipe.
        stderr.fileHandleForReading.readabilityHandler = { handle in _ = handle.availableData }
    }

    /// Runs a script to completion and returns its stdout (throws with stderr if it fails).
    static func run(script: String, arguments: [String] = [], environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = try interpreter()
        process.arguments = ["-c", script] + arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        process.environment = env
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PeerError("python exited with \(process.terminationStatus): \(String(decoding: errors.suffix(3000), as: UTF8.self))")
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Closes stdin (the script stops its server and exits) and waits.
    func stop() {
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit { if process.isRunning { stop() } }
}

struct PeerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
