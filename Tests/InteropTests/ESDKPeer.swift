import EnvelopeTestSupport
import Foundation

/// Runs the official AWS Encryption SDK for Python through `Tests/Interop/esdk_peer.py`.
///
/// The interpreter is `TestPython.interpreter` (`ENVELOPE_TEST_PYTHON` when set, else
/// `<repo>/.build/venv/bin/python3`, created by `make venv` / `make test`).
struct ESDKPeer: Sendable {
    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    struct RunError: Error, CustomStringConvertible {
        var description: String
    }

    let python: URL
    let script: URL

    /// Finds the interpreter and the peer script, or explains how to get them.
    static func locate() throws -> ESDKPeer {
        let python = try TestPython.interpreter(needing: "the interop tests: aws-encryption-sdk 4.0.7")
        let script = TestRepository.file("Tests/Interop/esdk_peer.py")
        guard FileManager.default.fileExists(atPath: script.path) else {
            throw SetupError(description: "The interop peer \(script.path) is missing from this checkout.")
        }
        return ESDKPeer(python: python, script: script)
    }

    /// Runs all `jobs` in one Python process and returns one result per job, in order. Any peer
    /// script with the same batch protocol may be run (`script`): jobs are its own, results shared.
    func run<Job: Encodable>(_ jobs: [Job]) async throws -> [PeerResult] {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("envelopekit-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let jobsFile = directory.appendingPathComponent("jobs.json")
        try encoder.encode(jobs).write(to: jobsFile)

        // Output goes to files, not pipes, so a large answer cannot fill a pipe and stall the peer.
        let stdoutFile = directory.appendingPathComponent("stdout.json")
        let stderrFile = directory.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        let stdoutHandle = try FileHandle(forWritingTo: stdoutFile)
        let stderrHandle = try FileHandle(forWritingTo: stderrFile)
        defer {
            try? stdoutHandle.close()
            try? stderrHandle.close()
        }

        let process = Process()
        process.executableURL = python
        process.arguments = [script.path, "batch", jobsFile.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdoutHandle
        process.standardError = stderrHandle
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }

        let stderrText = String(decoding: (try? Data(contentsOf: stderrFile)) ?? Data(), as: UTF8.self)
        guard status == 0 else {
            throw RunError(description: "esdk_peer.py exited with status \(status): \(stderrText)")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let results = try decoder.decode([PeerResult].self, from: Data(contentsOf: stdoutFile))
        guard results.count == jobs.count else {
            throw RunError(description: "esdk_peer.py answered \(results.count) results for \(jobs.count) jobs: \(stderrText)")
        }
        return results
    }
}
