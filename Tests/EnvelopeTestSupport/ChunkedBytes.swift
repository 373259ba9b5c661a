/// A byte array as an AsyncSequence of chunks of the given sizes (cycled): the one chunker of
/// the test targets, for streaming APIs.
public struct ChunkedBytes: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    let bytes: [UInt8]
    let sizes: [Int]

    /// Chunks of `sizes[0]`, `sizes[1]`, … bytes, starting over after the last size.
    public init(_ bytes: [UInt8], sizes: [Int]) {
        precondition(!sizes.isEmpty && sizes.allSatisfy { $0 > 0 }, "chunk sizes must be positive")
        self.bytes = bytes
        self.sizes = sizes
    }

    /// Chunks of `size` bytes.
    public init(_ bytes: [UInt8], size: Int) { self.init(bytes, sizes: [size]) }

    public struct Iterator: AsyncIteratorProtocol {
        let bytes: [UInt8]
        let sizes: [Int]
        var offset = 0
        var index = 0
        public mutating func next() async -> [UInt8]? {
            guard offset < bytes.count else { return nil }
            let n = Swift.min(sizes[index % sizes.count], bytes.count - offset)
            index += 1
            defer { offset += n }
            return Array(bytes[offset..<(offset + n)])
        }
    }

    public func makeAsyncIterator() -> Iterator { Iterator(bytes: bytes, sizes: sizes) }
}
