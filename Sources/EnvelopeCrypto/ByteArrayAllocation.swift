extension Array where Element == UInt8 {
    /// The largest capacity ``init(byteCapacity:initializingWith:)`` allocates zeroed: up to here
    /// zeroing costs less than the lookup it avoids.
    package static let zeroedAllocationLimit = 4096

    /// `init(unsafeUninitializedCapacity:initializingWith:)` for bytes, cheaper for the small
    /// arrays of every message (message ID, wrapped key, AAD, a 1 KiB message): same contract.
    ///
    /// With Swift 6.3 on Linux, `init(unsafeUninitializedCapacity:)` and `init(repeating:count:)`
    /// call the standard library's unspecialized buffer allocation, which looks up the metadata of
    /// `_ContiguousArrayStorage<UInt8>` in the runtime's cache on every call: about 400
    /// instructions, as much as the allocation itself. An array copied from a collection is
    /// allocated by code specialized here, without the lookup, so up to
    /// ``zeroedAllocationLimit`` bytes the array is made from zeros (about 0.15 instructions a
    /// byte) and then written; larger ones take the standard path.
    package init(byteCapacity capacity: Int,
                 initializingWith initializer: (inout UnsafeMutableBufferPointer<UInt8>, inout Int) throws -> Void) rethrows {
        guard capacity <= Self.zeroedAllocationLimit else {
            try self.init(unsafeUninitializedCapacity: capacity, initializingWith: initializer)
            return
        }
        self.init(repeatElement(0, count: capacity))
        var count = 0
        try withUnsafeMutableBufferPointer { buffer in
            try initializer(&buffer, &count)
            precondition(count <= capacity, "initialized more bytes than the capacity")
        }
        if count < capacity { removeLast(capacity - count) }
    }
}
