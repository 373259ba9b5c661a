#if canImport(Glibc)
import Glibc
private let systemRead = Glibc.read
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemRead = Darwin.read
private let systemWrite = Darwin.write
#endif
import Foundation

/// The bytes of a file as an asynchronous sequence of chunks, read on demand (one chunk in memory).
///
/// The sequence is `Sendable`; each iterator opens the file itself and closes it when freed.
public struct FileChunks: AsyncSequence, Sendable {
    /// File bytes.
    public typealias Element = [UInt8]
    /// The file to read.
    public let url: URL
    /// Bytes per chunk (the last chunk may be shorter).
    public let chunkSize: Int

    /// Reads `url` in chunks of `chunkSize` bytes (default 64 KiB).
    public init(url: URL, chunkSize: Int = 64 * 1024) {
        precondition(chunkSize > 0, "chunkSize must be positive")
        self.url = url
        self.chunkSize = chunkSize
    }

    /// Opens the file lazily on the first `next()`.
    public func makeAsyncIterator() -> Iterator { Iterator(url: url, chunkSize: chunkSize) }

    /// Reads the next chunk; not `Sendable`.
    public struct Iterator: AsyncIteratorProtocol {
        private let url: URL
        private let chunkSize: Int
        private var file: FileDescriptor?
        private var finished = false

        init(url: URL, chunkSize: Int) {
            self.url = url
            self.chunkSize = chunkSize
        }

        /// The next chunk, or nil at end of file.
        public mutating func next() async throws -> [UInt8]? {
            if finished { return nil }
            if file == nil { file = try FileDescriptor(reading: url) }
            let chunk = try file!.read(upTo: chunkSize)
            if chunk.isEmpty {
                finished = true
                file = nil
                return nil
            }
            return chunk
        }
    }
}

/// An open POSIX file descriptor, closed when freed.
final class FileDescriptor {
    let fd: Int32
    let path: String

    init(reading url: URL) throws {
        path = url.path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileDescriptor.error("open \(path) for reading") }
    }

    init(creatingExclusively path: String, mode: mode_t) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileDescriptor.error("create \(path)") }
    }

    /// Uses a descriptor the caller owns (e.g. standard input or output); it is not closed here.
    init(borrowing fd: Int32, name: String) {
        self.fd = fd
        path = name
        owned = false
    }

    private var owned = true

    deinit { if owned { close(fd) } }

    func read(upTo count: Int) throws -> [UInt8] {
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, n in
            n = 0
            while true {
                let r = systemRead(fd, buffer.baseAddress, count)
                if r < 0 && errno == EINTR { continue }
                if r < 0 { failure = errno } else { n = r }
                break
            }
        }
        if failure != 0 { throw FileDescriptor.error("read \(path)", code: failure) }
        return bytes
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let w = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if w < 0 && errno == EINTR { continue }
                guard w > 0 else { throw FileDescriptor.error("write \(path)") }
                offset += w
            }
        }
    }

    func sync() throws {
        guard fsync(fd) == 0 else { throw FileDescriptor.error("fsync \(path)") }
    }

    static func error(_ what: String, code: Int32 = errno) -> EnvelopeError {
        EnvelopeError(.io, "Could not \(what): \(String(cString: strerror(code))). Check the path and its permissions.")
    }
}
