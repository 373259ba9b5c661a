#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of an already open file descriptor (stdin) as an asynchronous sequence of chunks.
struct FileDescriptorChunks: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    /// The descriptor to read (not closed by the sequence).
    let fd: Int32
    /// The most bytes per chunk.
    let chunkSize: Int

    func makeAsyncIterator() -> Iterator { Iterator(fd: fd, chunkSize: chunkSize) }

    struct Iterator: AsyncIteratorProtocol {
        let fd: Int32
        let chunkSize: Int
        var finished = false

        mutating func next() async throws -> [UInt8]? {
            guard !finished else { return nil }
            var buffer = [UInt8](repeating: 0, count: chunkSize)
            var filled = 0
            // Fill the chunk (pipes deliver small pieces); stop at end of input.
            while filled < chunkSize {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, chunkSize - filled) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw CLIError(.ioError, "reading stdin failed: \(String(cString: strerror(errno)))")
                }
                if n == 0 {
                    finished = true
                    break
                }
                filled += n
            }
            guard filled > 0 else { return nil }
            buffer.removeLast(chunkSize - filled)
            return buffer
        }
    }
}

/// Passes chunks through and counts their bytes into a ``ProgressMeter``.
struct CountingChunks<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == [UInt8] {
    typealias Element = [UInt8]
    let base: Base
    let meter: ProgressMeter

    func makeAsyncIterator() -> Iterator { Iterator(base: base.makeAsyncIterator(), meter: meter) }

    struct Iterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let meter: ProgressMeter

        mutating func next() async throws -> [UInt8]? {
            guard let chunk = try await base.next() else { return nil }
            meter.add(chunk.count)
            return chunk
        }
    }
}
