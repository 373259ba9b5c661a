import Testing
@testable import EnvelopeCore

/// Splits a byte array into chunks of the given sizes (cycled), as an AsyncSequence.
struct ChunkedBytes: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let bytes: [UInt8]
    let sizes: [Int]

    init(_ bytes: [UInt8], sizes: [Int]) {
        self.bytes = bytes
        self.sizes = sizes
    }

    struct Iterator: AsyncIteratorProtocol {
        let bytes: [UInt8]
        let sizes: [Int]
        var offset = 0
        var index = 0
        mutating func next() async throws -> [UInt8]? {
            guard offset < bytes.count else { return nil }
            let n = Swift.min(sizes[index % sizes.count], bytes.count - offset)
            index += 1
            defer { offset += n }
            return Array(bytes[offset..<(offset + n)])
        }
    }

    func makeAsyncIterator() -> Iterator { Iterator(bytes: bytes, sizes: sizes) }
}

/// Collects the chunks of a stream, and the error that ended it (if any).
func collect<S: AsyncSequence>(_ stream: S) async -> (chunks: [[UInt8]], error: (any Error)?) where S.Element == [UInt8] {
    var chunks: [[UInt8]] = []
    do {
        for try await chunk in stream { chunks.append(chunk) }
        return (chunks, nil)
    } catch {
        return (chunks, error)
    }
}
