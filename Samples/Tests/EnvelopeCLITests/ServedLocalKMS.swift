import EnvelopeTestSupport
import Foundation
import Testing

/// `envelope kms serve` on a free port of 127.0.0.1 over a state directory, stopped on release.
final class ServedLocalKMS {
    let process = Process()
    let endpoint: String

    init(state: String, home: String, extraArguments: [String] = []) throws {
        process.executableURL = CLIRunner.envelope
        process.arguments = ["kms", "serve", "--port", "0", "--kms-state", state] + extraArguments
        process.environment = ["HOME": home, "PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = readFirstLine(of: pipe.fileHandleForReading)
        let ready = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any], "serve printed no JSON line")
        endpoint = try #require(ready["Endpoint"] as? String)
    }

    /// Stops the server and waits for it.
    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    deinit { stop() }
}
