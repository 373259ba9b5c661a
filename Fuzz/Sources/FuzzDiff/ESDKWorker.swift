import Foundation

/// The long-lived Python peer (Fuzz/Differential/esdk_worker.py): the official AWS Encryption SDK
/// for Python, fed one request at a time over a pipe.
final class ESDKWorker {
    private let process = Process()
    private let input: FileHandle
    private let output: FileHandle

    /// Starts `python script args...`.
    init(python: String, script: String, arguments: [String]) throws {
        let stdin = Pipe(), stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script] + arguments
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        input = stdin.fileHandleForWriting
        output = stdout.fileHandleForReading
    }

    /// The peer's answer: success with its output, or failure with the exception's class name.
    enum Answer {
        case success([UInt8])
        case failure(String)
    }

    /// Decrypts with both keys (the verdict compared with EnvelopeKit's).
    func decrypt(_ message: [UInt8]) throws -> Answer { try request("D", message) }

    /// Decrypts with the RSA key alone.
    func decryptWithRSAOnly(_ message: [UInt8]) throws -> Answer { try request("R", message) }

    func encrypt(suite: UInt16, frameLength: Int, plaintext: [UInt8], context: [String: String], keys: [String]) throws -> [UInt8] {
        let job: [String: Any] = ["suite": Int(suite), "frame_length": frameLength, "context": context, "keys": keys,
                                  "plaintext_hex": plaintext.map { String(format: "%02x", $0) }.joined()]
        switch try request("E", [UInt8](try JSONSerialization.data(withJSONObject: job))) {
        case .success(let message): return message
        case .failure(let type): throw WorkerError(description: "the Python ESDK failed to encrypt suite \(suite): \(type)")
        }
    }

    private func request(_ op: Character, _ payload: [UInt8]) throws -> Answer {
        var frame: [UInt8] = [op.asciiValue!]
        frame.appendBE(UInt64(payload.count), bytes: 4)
        try input.write(contentsOf: frame + payload)
        let head = try readExactly(5)
        let length = Int(head[1...].reduce(0) { $0 << 8 | UInt32($1) })
        let body = try readExactly(length)
        return head[0] == 1 ? .success(body) : .failure(String(decoding: body, as: UTF8.self))
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        while bytes.count < count {
            guard let chunk = try output.read(upToCount: count - bytes.count), !chunk.isEmpty else {
                throw WorkerError(description: "the Python ESDK worker exited (status \(process.isRunning ? "running" : "\(process.terminationStatus)"))")
            }
            bytes += chunk
        }
        return bytes
    }

    func close() {
        try? input.close()
        process.waitUntilExit()
    }
}

struct WorkerError: Error, CustomStringConvertible {
    let description: String
}
