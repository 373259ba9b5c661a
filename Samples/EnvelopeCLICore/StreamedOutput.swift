#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Copies what a message writes to stdout or a device through a pipe, counting the bytes that
/// went out, so that an interrupt or a failure can say how many bytes the reader must discard
/// (a file output, by contrast, never appears unless complete).
final class StreamedOutput: @unchecked Sendable {
    /// Bytes that reached stdout or a device in this run, and the name of where they went.
    private static let lock = NSLock()
    nonisolated(unsafe) private static var total: Int64 = 0
    nonisolated(unsafe) private static var lastTarget = "standard output"

    /// `(bytes, target)` written so far in this run.
    static var written: (bytes: Int64, target: String) { lock.withLock { (total, lastTarget) } }

    /// "; 1234 bytes already went to standard output: discard them", or "" when none did.
    static var discardNotice: String {
        let (bytes, target) = written
        return bytes > 0 ? "; \(bytes) bytes already went to \(target): discard them" : ""
    }

    /// The descriptor the message is written to (the pipe's write end).
    let descriptor: Int32
    private let readEnd: Int32
    private let destination: Int32
    private let finished = DispatchSemaphore(value: 0)
    private var failure: Int32 = 0
    private var closed = false

    /// Starts copying into `destination`, named `name` in messages.
    init(destination: Int32, name: String) throws(CLIError) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else {
            throw CLIError(.ioError, "cannot create a pipe for \(name): \(String(cString: strerror(errno)))")
        }
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        readEnd = ends[0]
        descriptor = ends[1]
        self.destination = destination
        Self.lock.withLock { Self.lastTarget = name }
        let thread = Thread { [self] in pump() }
        thread.name = "envelope-output"
        thread.start()
    }

    deinit { _ = finish() }

    private func pump() {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            // After a write failure, keep draining so the writer never blocks; nothing more goes out.
            guard failure == 0 else { continue }
            let code = StandardStreams.writeAll(Array(buffer[0..<n]), to: destination)
            if code != 0 {
                failure = code
            } else {
                Self.lock.withLock { Self.total += Int64(n) }
            }
        }
        finished.signal()
    }

    /// Ends the message: closes the write end, waits until every byte was copied, and returns
    /// the `errno` of a failed write (0 when all went out).
    func finish() -> Int32 {
        guard !closed else { return failure }
        closed = true
        close(descriptor)
        finished.wait()
        close(readEnd)
        return failure
    }
}
