@testable import EnvelopeCrypto
import Testing

/// `Array(byteCapacity:initializingWith:)` keeps the contract of `init(unsafeUninitializedCapacity:)`
/// on both of its paths (zeroed below the limit, standard above).
@Suite("Byte array allocation")
struct ByteArrayAllocationTests {
    @Test("the initialized prefix is the array, below and above the zeroed-allocation limit",
          arguments: [0, 1, 64, [UInt8].zeroedAllocationLimit, [UInt8].zeroedAllocationLimit + 1, 100_000])
    func prefixIsTheArray(capacity: Int) throws {
        for written in Set([0, capacity / 2, capacity]) {
            let array = [UInt8](byteCapacity: capacity) { buffer, count in
                #expect(buffer.count >= capacity)
                for i in 0..<written { buffer[i] = UInt8(truncatingIfNeeded: i &* 31) }
                count = written
            }
            #expect(array == (0..<written).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        }
    }

    struct Failure: Error {}

    @Test("an initializer that throws rethrows")
    func throwingInitializer() {
        #expect(throws: Failure.self) { _ = try [UInt8](byteCapacity: 16) { _, _ in throw Failure() } }
        #expect(throws: Failure.self) { _ = try [UInt8](byteCapacity: 1 << 16) { _, _ in throw Failure() } }
    }
}
