import Foundation

/// A Python helper process from the test venv: started with a script, it prints one JSON line when
/// ready and exits when its stdin closes (so it also ends when the test process ends).
public final class PythonPeer: @unchecked Sendable {
    let process: Process
    let stdin: Pipe
    /// The JSON object the script printed when ready.
    public let ready: [String: Any]

    /// Starts `python3 -c script args…` and waits for its first stdout line.
    public init(script: String, arguments: [String] = [], environment: [String: String] = [:]) throws {
        process = try Self.makeProcess(script: script, arguments: arguments, environment: environment)
        stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let line = readFirstLine(of: stdout.fileHandleForReading)
        guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else {
            process.terminate()
            let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile().suffix(2000), as: UTF8.self)
            throw TestSupportError("python helper did not start: \(String(decoding: line, as: UTF8.self)) \(errors)")
        }
        ready = object
        // Keep draining stderr so the child never blocks on a full pipe.
        stderr.fileHandleForReading.readabilityHandler = { handle in _ = handle.availableData }
    }

    /// Runs a script to completion and returns its stdout (throws with stderr if it fails).
    public static func run(script: String, arguments: [String] = [], environment: [String: String] = [:]) throws -> String {
        let process = try makeProcess(script: script, arguments: arguments, environment: environment)
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestSupportError("python exited with \(process.terminationStatus): \(String(decoding: errors.suffix(3000), as: UTF8.self))")
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Closes stdin (the script stops its server and exits) and waits.
    public func stop() {
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit { if process.isRunning { stop() } }

    /// `python3 -c script arguments…` (the test venv's interpreter, see ``TestPython``) with this
    /// process's environment plus `environment`.
    private static func makeProcess(script: String, arguments: [String], environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = try TestPython.interpreter()
        process.arguments = ["-c", script] + arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        process.environment = env
        return process
    }
}
