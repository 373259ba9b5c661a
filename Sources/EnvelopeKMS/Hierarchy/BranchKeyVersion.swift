/// A branch key version: the UUID that names one version of a branch key, as the 36-character
/// string the store uses and as the 16 bytes the hierarchical keyring stores in each encrypted
/// data key. Spec: framework/structures.md ("Branch Key Version").
///
/// Held as two big-endian 64-bit halves: no allocation per message, and hashing and comparing
/// cost two integer operations.
struct BranchKeyVersion: Hashable, Sendable {
    /// Bytes 0–7 and 8–15 of the UUID, big-endian.
    private let high: UInt64
    private let low: UInt64

    /// The 16 bytes of the UUID.
    var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Parses the canonical text form `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (either case).
    init?(_ text: String) {
        var text = text
        let parsed: (UInt64, UInt64)? = text.withUTF8 { utf8 in
            guard utf8.count == 36 else { return nil }
            var halves: (UInt64, UInt64) = (0, 0)
            var digits = 0
            for (index, c) in utf8.enumerated() {
                if index == 8 || index == 13 || index == 18 || index == 23 {
                    guard c == UInt8(ascii: "-") else { return nil }
                    continue
                }
                guard let nibble = Self.nibble(c) else { return nil }
                if digits < 16 { halves.0 = halves.0 << 4 | UInt64(nibble) } else { halves.1 = halves.1 << 4 | UInt64(nibble) }
                digits += 1
            }
            return halves
        }
        guard let parsed else { return nil }
        (high, low) = parsed
    }

    /// The version stored in an encrypted data key (exactly 16 bytes).
    init(bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count == 16, "a branch key version is 16 bytes")
        high = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        low = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    }

    /// The version stored in an encrypted data key (exactly 16 bytes).
    init(bytes: some Collection<UInt8>) {
        self = Array(bytes).withUnsafeBytes { Self(bytes: $0) }
    }

    /// Runs `body` on the 16 bytes of the UUID.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var halves = (high.bigEndian, low.bigEndian)
        return try Swift.withUnsafeBytes(of: &halves) { try body($0) }
    }

    /// The lower-case text form, as the branch key store writes versions.
    var text: String {
        let digits: StaticString = "0123456789abcdef"
        return withUnsafeBytes { bytes in
            String(unsafeUninitializedCapacity: 36, initializingUTF8With: { out in
                var n = 0
                for (i, byte) in bytes.enumerated() {
                    if i == 4 || i == 6 || i == 8 || i == 10 { out[n] = UInt8(ascii: "-"); n += 1 }
                    out[n] = digits.utf8Start[Int(byte >> 4)]
                    out[n + 1] = digits.utf8Start[Int(byte & 0x0F)]
                    n += 2
                }
                return n
            })
        }
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
