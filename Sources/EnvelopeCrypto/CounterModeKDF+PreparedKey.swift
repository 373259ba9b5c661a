import CEnvelopeOpenSSL

extension CounterModeKDF {
    /// A key derivation key keyed once into an OpenSSL HMAC context, for many counter-mode
    /// derivations from the same key.
    ///
    /// ``CounterModeKDF/deriveKey(hash:key:label:context:length:)`` goes through OpenSSL's
    /// `KBKDF`, which in OpenSSL 3.0 keys its HMAC again whenever a parameter changes — on every
    /// call, since the context (a per-message salt) changes — and looks its parameters up by name.
    /// The hierarchical keyring derives a wrapping key per message from one cached branch key, so
    /// that set-up was most of its cost. Here the HMAC (OpenSSL's `EVP_MAC`) is keyed once; each
    /// block duplicates the keyed context and hashes `[i]₃₂ ‖ label ‖ 0x00 ‖ context ‖ [L]₃₂`
    /// (SP 800-108 section 4.1, `L` in bits, both integers 32-bit big-endian): the bytes OpenSSL's
    /// `KBKDF` gives, which the tests check.
    ///
    /// The keyed context holds HMAC's inner and outer states, as secret as the key; OpenSSL wipes
    /// them when the last reference to this object goes. Concurrent derivations only read it.
    public final class PreparedKey: @unchecked Sendable {
        /// The HMAC digest.
        public let hash: HashFunction
        /// An `EVP_MAC_CTX` keyed with the key; never updated, only duplicated.
        private let keyed: OpaquePointer

        /// Keys an HMAC context with `key` (any length but zero: OpenSSL's `KBKDF` refuses an
        /// empty key too).
        public init(hash: HashFunction, key: SecureBytes) throws {
            guard key.count > 0 else { throw CryptoError(.invalidInput, "a counter-mode KDF key must not be empty") }
            guard let ctx = EVP_MAC_CTX_dup(HMACTemplates.template(for: hash)) else { throw CryptoError.openSSL("EVP_MAC_CTX_dup") }
            let ok = key.withUnsafeBytes { k in EVP_MAC_init(ctx, k.bindMemory(to: UInt8.self).baseAddress, k.count, nil) == 1 }
            guard ok else {
                EVP_MAC_CTX_free(ctx)
                throw CryptoError.openSSL("EVP_MAC_init (HMAC-\(hash))")
            }
            self.hash = hash
            keyed = ctx
        }

        deinit { EVP_MAC_CTX_free(keyed) }

        /// Derives `length` bytes into guarded memory: the bytes that
        /// ``CounterModeKDF/deriveKey(hash:key:label:context:length:)`` gives for the same digest,
        /// key, label and context.
        ///
        /// - Parameters:
        ///   - label: The label (the purpose of the derived key).
        ///   - context: The context (for example a per-message salt).
        ///   - length: Output bytes, 1 … 1024.
        public func deriveKey(label: [UInt8], context: UnsafeRawBufferPointer, length: Int) throws -> SecureBytes {
            try CounterModeKDF.checkOutputLength(length)
            let blockLength = hash.digestLength
            var lengthField = UInt32(length * 8).bigEndian
            return try SecureBytes(count: length) { out in
                try withUnsafeTemporaryAllocation(byteCount: blockLength, alignment: 1) { block in
                    defer { ConstantTime.zero(block) }
                    var written = 0
                    var counter: UInt32 = 1
                    while written < length {
                        guard let ctx = EVP_MAC_CTX_dup(keyed) else { throw CryptoError.openSSL("EVP_MAC_CTX_dup") }
                        defer { EVP_MAC_CTX_free(ctx) }
                        var counterField = counter.bigEndian
                        var separator: UInt8 = 0
                        var outLength = 0
                        let ok = withUnsafeBytes(of: &counterField) { Self.update(ctx, $0) }
                            && label.withUnsafeBytes { Self.update(ctx, $0) }
                            && withUnsafeBytes(of: &separator) { Self.update(ctx, $0) }
                            && Self.update(ctx, context)
                            && withUnsafeBytes(of: &lengthField) { Self.update(ctx, $0) }
                            && EVP_MAC_final(ctx, block.bindMemory(to: UInt8.self).baseAddress, &outLength, blockLength) == 1
                        guard ok, outLength == blockLength else { throw CryptoError.openSSL("counter-mode KDF (HMAC-\(hash))") }
                        let n = min(blockLength, length - written)
                        UnsafeMutableRawBufferPointer(rebasing: out[written..<(written + n)])
                            .copyMemory(from: UnsafeRawBufferPointer(rebasing: block[0..<n]))
                        written += n
                        counter += 1
                    }
                }
            }
        }

        private static func update(_ ctx: OpaquePointer, _ bytes: UnsafeRawBufferPointer) -> Bool {
            guard let base = bytes.baseAddress, bytes.count > 0 else { return true }
            return EVP_MAC_update(ctx, base.assumingMemoryBound(to: UInt8.self), bytes.count) == 1
        }
    }
}
