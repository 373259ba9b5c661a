import EnvelopeCrypto

/// A growable byte queue: chunks are appended at the end, parsed bytes are consumed from the
/// front; storage is compacted and reused, so for streaming input it stays about one frame plus
/// one input chunk in size. Also the engine's plaintext buffers (the frame being collected, the
/// held final frame), as everything it ever held is wiped: on growth, by ``wipe()``, when freed.
final class ByteAccumulator {
    private var storage: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    /// The largest number of bytes ever held at once.
    private(set) var highWater = 0
    /// The end of the storage written since the last ``wipe()``.
    private var dirty = 0
    /// The end of the storage ever written (what ``storageIsZero`` looks at).
    private var touched = 0

    init(capacity: Int) {
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(capacity, 64), alignment: 16)
    }

    deinit {
        ConstantTime.zero(storage)
        storage.deallocate()
    }

    var count: Int { end - start }
    var isEmpty: Bool { end == start }

    /// The unconsumed bytes (valid until the next mutation).
    var readable: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: storage[start..<end]) }

    func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        if end + bytes.count > storage.count {
            let live = count
            if live + bytes.count <= storage.count {
                if live > 0 { storage.baseAddress!.copyMemory(from: storage.baseAddress! + start, byteCount: live) }
            } else {
                let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: max(storage.count * 2, live + bytes.count), alignment: 16)
                if live > 0 { grown.baseAddress!.copyMemory(from: storage.baseAddress! + start, byteCount: live) }
                ConstantTime.zero(storage)
                storage.deallocate()
                storage = grown
                dirty = 0
                touched = 0
            }
            start = 0
            end = live
            dirty = max(dirty, end)
            touched = max(touched, end)
        }
        (storage.baseAddress! + end).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        grew(by: bytes.count)
    }

    /// One read into the free storage, up to `limit` bytes held (at most the capacity); returns
    /// the bytes read (0 at the end of the input).
    func append(reading read: (UnsafeMutableRawBufferPointer) throws -> Int, upTo limit: Int) throws -> Int {
        precondition(start == 0 && limit <= storage.count, "read past the buffer's capacity")
        let n = try read(UnsafeMutableRawBufferPointer(rebasing: storage[end..<limit]))
        grew(by: n)
        return n
    }

    private func grew(by n: Int) {
        end += n
        dirty = max(dirty, end)
        touched = max(touched, end)
        highWater = max(highWater, count)
    }

    /// Zeroes every byte written since the last wipe and empties the queue (the storage is kept).
    func wipe() {
        ConstantTime.zero(UnsafeMutableRawBufferPointer(rebasing: storage[0..<dirty]))
        start = 0
        end = 0
        dirty = 0
    }

    /// True when every byte ever written to the current storage is zero (tests: nothing survives a wipe).
    var storageIsZero: Bool { !storage[0..<touched].contains { $0 != 0 } }

    func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }

    func consume(_ n: Int) {
        precondition(n <= count, "consumed more than buffered")
        start += n
        if start == end { start = 0; end = 0 }
    }
}

extension Array where Element == UInt8 {
    /// A new array holding a copy of `bytes` (a single memcpy, also fast in debug builds).
    init(copying bytes: UnsafeRawBufferPointer) {
        self.init(byteCapacity: bytes.count) { buffer, count in
            if let base = bytes.baseAddress, bytes.count > 0 {
                UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: base, byteCount: bytes.count)
            }
            count = bytes.count
        }
    }
}
