@testable import EnvelopeCrypto
import EnvelopeTestSupport
import Testing

/// The pool of guarded pages small secrets are carved from (issue 14 item 6).
/// Tests that look at freed memory use a private pool, so no other test can reuse the slot first.
@Suite("Guarded memory pool")
struct GuardedMemoryPoolTests {
    @Test("A released slot is wiped before it goes back to the pool")
    func wipedOnRelease() throws {
        let pool = GuardedMemoryPool()
        let slot = try #require(pool.allocate(count: 32))
        slot.initializeMemory(as: UInt8.self, repeating: 0xA5, count: GuardedMemoryPool.slotSize)
        pool.release(slot)
        let bytes = UnsafeRawBufferPointer(start: slot, count: GuardedMemoryPool.slotSize)
        #expect(bytes.allSatisfy { $0 == 0 })
    }

    @Test("Freed slots are reused; a pool grows by whole chunks and stops at its cap")
    func reuseAndCap() throws {
        let pool = GuardedMemoryPool()
        let first = try #require(pool.allocate(count: 16))
        pool.release(first)
        #expect(pool.allocate(count: 64) == first)
        #expect(pool.chunkCount == 1)
        var held = [first]
        while let slot = pool.allocate(count: 1) { held.append(slot) }
        #expect(held.count == GuardedMemoryPool.maxChunks * GuardedMemoryPool.slotsPerChunk)
        #expect(pool.chunkCount == GuardedMemoryPool.maxChunks)
        #expect(Set(held).count == held.count)
        pool.release(held.removeLast())
        #expect(pool.allocate(count: 8) != nil)
    }

    @Test("Secrets that do not fit a slot are refused by the pool", arguments: [0, GuardedMemoryPool.slotSize + 1, 1 << 20])
    func tooLargeForPool(count: Int) {
        #expect(GuardedMemoryPool().allocate(count: count) == nil)
    }

    @Test("SecureBytes up to a slot come from the shared pool; larger ones get their own guarded allocation",
          arguments: [1, 16, 32, 64, 65, 4096, 1 << 20])
    func secureBytesSizes(count: Int) throws {
        let pattern = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let secret = try SecureBytes(copying: pattern)
        #expect(secret.isPooled == (count <= GuardedMemoryPool.slotSize))
        let address = try #require(secret.storageAddress)
        #expect(GuardedMemoryPool.shared.owns(address) == secret.isPooled)
        #expect(secret.unprotectedCopy() == pattern)
    }

    @Test("A throwing initializer gives its slot back (no leak, no double free)")
    func throwingInitializer() throws {
        struct Failure: Error {}
        for _ in 0..<(2 * GuardedMemoryPool.slotsPerChunk * GuardedMemoryPool.maxChunks) {
            #expect(throws: Failure.self) { try SecureBytes(count: 32) { _ in throw Failure() } }
        }
        // Had the slots leaked, the pool would be exhausted and this would not be pooled.
        #expect(try SecureBytes(count: 32) { $0.initializeMemory(as: UInt8.self, repeating: 1) }.isPooled)
    }

    @Test("Many tasks allocating and freeing at once never share a slot or see another's bytes")
    func concurrency() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for round in 0..<200 {
                        let secrets = try (0..<40).map { i in
                            try SecureBytes(count: 32) { $0.initializeMemory(as: UInt8.self, repeating: UInt8(truncatingIfNeeded: task * 41 + round + i)) }
                        }
                        for (i, secret) in secrets.enumerated() {
                            let expected = UInt8(truncatingIfNeeded: task * 41 + round + i)
                            #expect(secret.withUnsafeBytes { $0.allSatisfy { $0 == expected } })
                        }
                        #expect(Set(secrets.compactMap { $0.storageAddress }).count == secrets.count)
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}

@Suite("Algorithms fetched once per process")
struct FetchedAlgorithmTests {
    @Test("HKDF with an empty salt right after a salted derivation matches RFC 5869 case 3 (no state carried over)")
    func hkdfContextReuse() throws {
        let ikm = try SecureBytes(copying: [UInt8](repeating: 0x0b, count: 22))
        let other = try SecureBytes(copying: [UInt8](repeating: 0x77, count: 64))
        for _ in 0..<3 {
            _ = try HKDF.deriveKey(hash: .sha256, inputKey: other, salt: [1, 2, 3], info: [4, 5, 6, 7], length: 32)
            let okm = try HKDF.deriveKey(hash: .sha256, inputKey: ikm, salt: [], info: [], length: 42)
            #expect(okm.unprotectedCopy() == hex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"))
        }
    }

    @Test("HKDF from many tasks at once gives the single-threaded answer")
    func hkdfConcurrent() async throws {
        let ikm = try SecureBytes(copying: [UInt8](repeating: 0x0b, count: 22))
        let expected = try HKDF.deriveKey(hash: .sha512, inputKey: ikm, salt: [9], info: [8], length: 32).unprotectedCopy()
        try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var last: [UInt8] = []
                    for _ in 0..<500 { last = try HKDF.deriveKey(hash: .sha512, inputKey: ikm, salt: [9], info: [8], length: 32).unprotectedCopy() }
                    return last
                }
            }
            for try await result in group { #expect(result == expected) }
        }
    }

    @Test("HMAC with an empty key and message (known answer)")
    func hmacEmptyKey() throws {
        #expect(try HashFunction.sha256.hmac(key: [], data: []) ==
            hex("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"))
    }
}
