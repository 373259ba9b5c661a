import CEnvelopeSodium

/// libsodium must be initialised once before use; `sodium_init` is thread-safe and idempotent.
enum Sodium {
    static let ready: Bool = sodium_init() >= 0

    @inline(__always)
    static func ensureReady() {
        precondition(ready, "libsodium could not be initialised")
    }
}
