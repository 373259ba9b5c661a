#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing to stdout/stderr and asking whether they are terminals.
enum StandardStreams {
    /// Whether stdout is a terminal (binary output is then refused).
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    /// Whether stderr is a terminal (the progress bar is drawn only then).
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
    /// Whether stdin is a terminal (reading a message typed at a keyboard makes no sense).
    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    /// Writes all of `bytes` to a file descriptor, retrying on EINTR and short writes; returns 0
    /// or the `errno` of the failure.
    static func writeAll(_ bytes: [UInt8], to fd: Int32) -> Int32 {
        bytes.withUnsafeBytes { p -> Int32 in
            var offset = 0
            while offset < p.count {
                let n = write(fd, p.baseAddress! + offset, p.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += n
            }
            return 0
        }
    }

    /// Writes bytes to stdout.
    static func writeStdout(_ bytes: [UInt8]) throws(CLIError) {
        let code = writeAll(bytes, to: STDOUT_FILENO)
        guard code == 0 else {
            throw CLIError(.ioError, "writing stdout failed: \(String(cString: strerror(code)))")
        }
    }

    /// Writes text to stdout.
    static func printStdout(_ text: String) {
        try? writeStdout(Array(text.utf8))
    }

    /// Writes text to stderr (best effort).
    static func printStderr(_ text: String) {
        _ = writeAll(Array(text.utf8), to: STDERR_FILENO)
    }
}
