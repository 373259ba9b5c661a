import EnvelopeTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Issue 18, part 3: the records-server sample starts under its ServiceGroup, serves an encrypt
// (and the decrypt back), and on SIGTERM finishes a request that is in flight before it exits.
// Synchronized on events only: its stdout lines ("listening on", "shutting down", "stopped") and
// its log line for each request received.

/// One HTTP/1.1 exchange over a plain socket, so that a test can stop half-way through a body.
final class RawHTTPConnection {
    let fd: Int32

    init(port: Int) throws {
        #if canImport(Glibc)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = loopbackAddress(port: UInt16(port))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(fd); throw TestSupportError("cannot connect to 127.0.0.1:\(port)") }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { return }
            sent += n
        }
    }

    /// Reads the response to the end of the connection (requests say `Connection: close`).
    func response() -> (status: Int, body: [UInt8]) {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let status = text.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else { return (status, []) }
        return (status, Array(bytes[(end + 4)...]))
    }

    static func head(_ path: String, length: Int) -> [UInt8] {
        Array("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(length)\r\nConnection: close\r\n\r\n".utf8)
    }

    static func post(port: Int, _ path: String, _ body: [UInt8]) throws -> (status: Int, body: [UInt8]) {
        let connection = try RawHTTPConnection(port: port)
        connection.send(head(path, length: body.count) + body)
        return connection.response()
    }
}

/// Collects a process's stderr lines on a thread of its own; waits for a count of matching lines.
final class LineWatcher: @unchecked Sendable {
    private let condition = NSCondition()
    private var lines: [String] = []
    private var ended = false

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            var pending: [UInt8] = []
            while true {
                let data = handle.availableData  // blocks until data, empty at end of file
                condition.lock()
                pending += data
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    lines.append(String(decoding: pending[..<newline], as: UTF8.self))
                    pending.removeSubrange(...newline)
                }
                if data.isEmpty { ended = true }
                condition.broadcast()
                condition.unlock()
                if data.isEmpty { return }
            }
        }
    }

    /// Blocks until `count` lines contain `text` (true) or the stream ended first (false).
    func wait(for text: String, count: Int = 1) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while lines.filter({ $0.contains(text) }).count < count {
            if ended { return false }
            condition.wait()
        }
        return true
    }

    var text: String {
        condition.lock()
        defer { condition.unlock() }
        return lines.joined(separator: "\n")
    }
}

@Suite("records-server sample: service lifecycle")
struct RecordsServerTests {
    @Test("serves an encrypt and its decrypt; on SIGTERM the request in flight is answered, then it exits 0")
    func servesAndDrainsOnSIGTERM() throws {
        let process = Process()
        process.executableURL = CLIRunner.binDirectory.appendingPathComponent("records-server")
        process.arguments = ["0"]
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let logs = LineWatcher(stderr.fileHandleForReading)
        func nextLine() -> String { String(decoding: readFirstLine(of: stdout.fileHandleForReading), as: UTF8.self) }

        let listening = nextLine()
        let port = try #require(listening.split(separator: ":").last.flatMap { Int($0) }, "unexpected first line: \(listening)")

        // An encrypt, and its decrypt back.
        let record = Array(#"{"patient":"p-1","note":"RECORD-CANARY"}"#.utf8)
        let encrypted = try RawHTTPConnection.post(port: port, "/records", record)
        #expect(encrypted.status == 200)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(encrypted.body)) as? [String: String])
        let message = try #require(json["ciphertext"].flatMap { Data(base64Encoded: $0) }.map { Array($0) })
        #expect(message.first == 0x02)
        #expect(json["keyArn"]?.hasPrefix("arn:aws:kms:us-east-1:111122223333:key/") == true)
        let decrypted = try RawHTTPConnection.post(port: port, "/records/decrypt", message)
        #expect(decrypted.status == 200)
        #expect(decrypted.body == record)

        // A request in flight: its head and half its body are in; the handler has started.
        let inFlight = try RawHTTPConnection(port: port)
        inFlight.send(RawHTTPConnection.head("/records", length: record.count) + record[..<20])
        #expect(logs.wait(for: "record received", count: 2))
        kill(process.processIdentifier, SIGTERM)
        #expect(nextLine() == "shutting down")
        // The shutdown has begun; the rest of the body arrives, and the answer is complete.
        inFlight.send(Array(record[20...]))
        let late = inFlight.response()
        #expect(late.status == 200)
        let lateJSON = try JSONSerialization.jsonObject(with: Data(late.body)) as? [String: String]
        #expect(lateJSON?["ciphertext"].flatMap { Data(base64Encoded: $0) }?.first == 0x02)

        #expect(nextLine() == "stopped")
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        // Metrics and spans went to the log, and the record's text did not.
        #expect(logs.wait(for: "span envelope.encrypt"))
        #expect(logs.wait(for: "span KMS.GenerateDataKey"))
        #expect(logs.wait(for: "metric counter envelopekit_messages_total"))
        #expect(!logs.text.contains("RECORD-CANARY"))
    }
}
