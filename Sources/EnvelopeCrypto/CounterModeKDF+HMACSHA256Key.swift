import CEnvelopeSodium

extension CounterModeKDF {
    /// A key derivation key prepared for many counter-mode derivations with HMAC-SHA-256: the
    /// HMAC's inner and outer hash states after the key's padded blocks, computed once and kept in
    /// guarded memory.
    ///
    /// ``CounterModeKDF/deriveKey(hash:key:label:context:length:)`` hashes the key's two padded
    /// blocks on every call, and OpenSSL's `KBKDF` adds its parameter handling and a context
    /// copy per block; with one key used for many derivations (the hierarchical keyring derives a
    /// wrapping key per message from one cached branch key) that is most of the cost. A derivation
    /// from a prepared key copies the prepared state to the stack, hashes the block's fixed input
    /// and finishes the HMAC: the same bytes, `HMAC(key, [i]₃₂ ‖ label ‖ 0x00 ‖ context ‖ [L]₃₂)`
    /// per block.
    ///
    /// The HMAC is libsodium's (`crypto_auth_hmacsha256`), whose state is a plain structure, so
    /// the prepared state, which is as secret as the key, lives in ``SecureBytes`` (guarded,
    /// locked, wiped when the last reference goes); the stack copy is wiped after each derivation.
    public final class HMACSHA256Key: Sendable {
        /// A `crypto_auth_hmacsha256_state` right after `crypto_auth_hmacsha256_init`.
        private let prepared: SecureBytes

        /// Prepares `key`: any length but zero (HMAC hashes a key longer than 64 bytes first; an
        /// empty key is refused, as OpenSSL's KBKDF refuses it).
        public init(_ key: SecureBytes) throws {
            guard key.count > 0 else { throw CryptoError(.invalidInput, "a counter-mode KDF key must not be empty") }
            Sodium.ensureReady()
            prepared = try SecureBytes(count: MemoryLayout<crypto_auth_hmacsha256_state>.size) { state in
                let ok = key.withUnsafeBytes { k in
                    crypto_auth_hmacsha256_init(state.baseAddress!.assumingMemoryBound(to: crypto_auth_hmacsha256_state.self),
                                                k.bindMemory(to: UInt8.self).baseAddress!, k.count)
                }
                guard ok == 0 else { throw CryptoError(.invalidInput, "HMAC-SHA-256 key preparation failed") }
            }
        }

        /// Derives `length` bytes into guarded memory: the bytes that
        /// ``CounterModeKDF/deriveKey(hash:key:label:context:length:)`` gives for HMAC-SHA-256
        /// and the same key, label and context.
        ///
        /// - Parameters:
        ///   - label: The label (the purpose of the derived key).
        ///   - context: The context (for example a per-message salt).
        ///   - length: Output bytes, 1 … 1024.
        public func deriveKey(label: [UInt8], context: UnsafeRawBufferPointer, length: Int) throws -> SecureBytes {
            guard length > 0, length <= 1024 else {
                throw CryptoError(.invalidInput, "counter-mode KDF output length \(length) is out of range (1…1024 bytes)")
            }
            // SP 800-108 section 4.1: [i]₃₂ ‖ label ‖ 0x00 ‖ context ‖ [L]₃₂, L in bits; both
            // integers 32-bit big-endian, as OpenSSL's KBKDF and the Material Providers Library.
            var lengthField = UInt32(length * 8).bigEndian
            return try SecureBytes(count: length) { out in
                try withUnsafeTemporaryAllocation(of: crypto_auth_hmacsha256_state.self, capacity: 1) { scratch in
                    try withUnsafeTemporaryAllocation(byteCount: Int(crypto_auth_hmacsha256_BYTES), alignment: 1) { block in
                        let state = scratch.baseAddress!
                        defer {
                            sodium_memzero(UnsafeMutableRawPointer(state), MemoryLayout<crypto_auth_hmacsha256_state>.size)
                            sodium_memzero(block.baseAddress!, block.count)
                        }
                        var written = 0
                        var counter: UInt32 = 1
                        while written < length {
                            prepared.withUnsafeBytes { p in
                                UnsafeMutableRawPointer(state).copyMemory(from: p.baseAddress!, byteCount: p.count)
                            }
                            var counterField = counter.bigEndian
                            var separator: UInt8 = 0
                            var ok = withUnsafeBytes(of: &counterField) { Self.update(state, $0) }
                            ok = ok && label.withUnsafeBytes { Self.update(state, $0) }
                            ok = ok && withUnsafeBytes(of: &separator) { Self.update(state, $0) }
                            ok = ok && Self.update(state, context)
                            ok = ok && withUnsafeBytes(of: &lengthField) { Self.update(state, $0) }
                            ok = ok && crypto_auth_hmacsha256_final(state, block.baseAddress!.assumingMemoryBound(to: UInt8.self)) == 0
                            guard ok else { throw CryptoError(.invalidInput, "counter-mode KDF (HMAC-SHA-256) failed") }
                            let n = min(block.count, length - written)
                            UnsafeMutableRawBufferPointer(rebasing: out[written..<(written + n)]).copyMemory(from: UnsafeRawBufferPointer(rebasing: block[0..<n]))
                            written += n
                            counter += 1
                        }
                    }
                }
            }
        }

        private static func update(_ state: UnsafeMutablePointer<crypto_auth_hmacsha256_state>, _ bytes: UnsafeRawBufferPointer) -> Bool {
            guard let base = bytes.baseAddress, bytes.count > 0 else { return true }
            return crypto_auth_hmacsha256_update(state, base.assumingMemoryBound(to: UInt8.self), UInt64(bytes.count)) == 0
        }
    }
}
