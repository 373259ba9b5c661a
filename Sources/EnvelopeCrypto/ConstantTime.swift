import CEnvelopeSodium

/// Comparisons whose running time does not depend on where two secrets differ.
public enum ConstantTime {
    /// True when both buffers have the same length and the same bytes. The length itself is public.
    public static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        Sodium.ensureReady()
        guard a.count == b.count else { return false }
        guard a.count > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return true }
        return sodium_memcmp(pa, pb, a.count) == 0
    }

    /// True when both byte sequences are equal, compared in constant time.
    public static func equal<A: ContiguousByteStorage, B: ContiguousByteStorage>(_ a: A, _ b: B) -> Bool {
        a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in equal(pa, pb) } }
    }

    /// Overwrites a buffer with zeros in a way the compiler cannot optimise away.
    public static func zero(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        sodium_memzero(base, buffer.count)
    }
}

/// Anything that can expose its bytes contiguously (arrays, slices, `SecureBytes`).
public protocol ContiguousByteStorage {
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension Array: ContiguousByteStorage where Element == UInt8 {}
extension ArraySlice: ContiguousByteStorage where Element == UInt8 {}
extension ContiguousArray: ContiguousByteStorage where Element == UInt8 {}
