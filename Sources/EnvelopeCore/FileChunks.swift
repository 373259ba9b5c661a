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
        private var file: EngineFile?
        private var finished = false

        init(url: URL, chunkSize: Int) {
            self.url = url
            self.chunkSize = chunkSize
        }

        /// The next chunk, or nil at end of file.
        public mutating func next() async throws -> [UInt8]? {
            if finished { return nil }
            if file == nil { file = try EngineFile(reading: url.path) }
            let source = file!
            let size = chunkSize
            var failure: (any Error)?
            let chunk = [UInt8](unsafeUninitializedCapacity: size) { buffer, n in
                do { n = try source.read(into: UnsafeMutableRawBufferPointer(buffer)) } catch { failure = error; n = 0 }
            }
            if let failure { throw failure }
            if chunk.isEmpty {
                finished = true
                file = nil
                return nil
            }
            return chunk
        }
    }
}

