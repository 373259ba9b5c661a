import EnvelopeCrypto

/// Fills a new `SecureBytes` with `body`, rethrowing its error only after the buffer exists.
///
/// `SecureBytes.init(count:_:)` must not see its initializer throw: as of this writing its
/// failure path frees the guarded memory and then lets `deinit` free it again (reported to the
/// EnvelopeCrypto owner). So the error is caught inside, the buffer is wiped, and rethrown here.
func secureOutput(count: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> Void) throws -> SecureBytes {
    var failure: (any Error)?
    let bytes = try SecureBytes(count: count) { buffer in
        do { try body(buffer) } catch {
            failure = error
            ConstantTime.zero(buffer)
        }
    }
    if let failure { throw failure }
    return bytes
}
