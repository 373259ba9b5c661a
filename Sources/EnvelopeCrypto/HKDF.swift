import CEnvelopeOpenSSL

/// HKDF (RFC 5869) through OpenSSL's EVP_KDF, in its three modes: extract-and-expand, extract
/// only, expand only.
///
/// OpenSSL 3.0's HKDF cannot duplicate a prepared context (no `dupctx` before 3.1), and a fresh
/// context costs two allocations and a fetch of its digest by name. So derivations run on
/// contexts kept in a `ContextPool` per digest, their digest set once; after use the key copy a
/// context holds is replaced (OpenSSL wipes and frees it), so idle contexts hold no secret.
/// Several derivations from one key (a message key and its commitment) share one ``Session``.
public enum HKDF {
    /// Derives `length` bytes into guarded memory.
    public static func deriveKey(
        hash: HashFunction, inputKey: SecureBytes, salt: [UInt8], info: [UInt8], length: Int
    ) throws -> SecureBytes {
        try salt.withUnsafeBytes { s in
            try info.withUnsafeBytes { i in try deriveKey(hash: hash, inputKey: inputKey, salt: s, info: i, length: length) }
        }
    }

    /// Derives `length` bytes into guarded memory from salt and info in caller buffers.
    public static func deriveKey(
        hash: HashFunction, inputKey: SecureBytes, salt: UnsafeRawBufferPointer, info: UnsafeRawBufferPointer, length: Int
    ) throws -> SecureBytes {
        try session(hash: hash) { try $0.deriveKey(inputKey: inputKey, salt: salt, info: info, length: length) }
    }

    /// Derives `output.count` bytes into a caller buffer (for public values such as a key
    /// commitment; secrets go to ``deriveKey(hash:inputKey:salt:info:length:)-(_,_,UnsafeRawBufferPointer,_,_)``).
    public static func derive(
        hash: HashFunction, inputKey: SecureBytes, salt: UnsafeRawBufferPointer, info: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) throws {
        try session(hash: hash) { try $0.derive(inputKey: inputKey, salt: salt, info: info, into: output) }
    }

    /// HKDF-Extract alone (RFC 5869 section 2.2): the pseudorandom key (digest length) in guarded
    /// memory. With ``expand(hash:pseudorandomKey:info:into:)`` it gives the same bytes as
    /// ``derive(hash:inputKey:salt:info:into:)``, but several outputs from one input key and salt
    /// (a message key and its commitment) pay for the extract step once.
    public static func extract(hash: HashFunction, inputKey: SecureBytes, salt: UnsafeRawBufferPointer) throws -> SecureBytes {
        try session(hash: hash) { try $0.extract(inputKey: inputKey, salt: salt) }
    }

    /// HKDF-Expand alone (RFC 5869 section 2.3) from a pseudorandom key made by
    /// ``extract(hash:inputKey:salt:)``, into a caller buffer (for public values).
    public static func expand(
        hash: HashFunction, pseudorandomKey: SecureBytes, info: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) throws {
        try session(hash: hash) { try $0.expand(pseudorandomKey: pseudorandomKey, info: info, into: output) }
    }

    /// HKDF-Expand alone into guarded memory (for keys).
    public static func expandKey(hash: HashFunction, pseudorandomKey: SecureBytes, info: UnsafeRawBufferPointer, length: Int) throws -> SecureBytes {
        try session(hash: hash) { try $0.expandKey(pseudorandomKey: pseudorandomKey, info: info, length: length) }
    }

    /// Runs `body` with a ``Session``: one pooled OpenSSL context for `hash`, whose key copy is
    /// wiped once when `body` returns or throws. The session must not outlive `body`.
    public static func session<R>(hash: HashFunction, _ body: (Session) throws -> R) throws -> R {
        let pool = hkdfContextPools.pool(for: hash)
        guard let ctx = pool.take() ?? envelope_hkdf_context(FetchedAlgorithms.hkdf, hash.openSSLCName) else {
            throw CryptoError.openSSL("EVP_KDF_CTX_new (HKDF)")
        }
        defer {
            // OpenSSL clears and frees the key copy when a new key is set; a context that
            // refuses is freed (which wipes it) instead of kept.
            if envelope_hkdf_forget_key(ctx) == 1 { pool.give(ctx) } else { OpenSSLErrors.clear(); EVP_KDF_CTX_free(ctx) }
        }
        // What the context holds, on the stack (a session never outlives this call).
        return try withUnsafeTemporaryAllocation(of: Session.Held.self, capacity: 1) { held in
            held.initializeElement(at: 0, to: Session.Held())
            defer { held.deinitialize() }
            return try body(Session(hash: hash, context: ctx, held: held.baseAddress!))
        }
    }

    /// Derivations with one digest on one OpenSSL context (see ``HKDF/session(hash:_:)``).
    public struct Session {
        /// The digest of every derivation of the session.
        public let hash: HashFunction
        fileprivate let context: OpaquePointer
        fileprivate let held: UnsafeMutablePointer<Held>

        /// The mode and key object of the context's last successful call. The object is kept
        /// alive here, so while it is held no other key can sit at its address.
        fileprivate struct Held {
            var mode: Int32 = -1
            var key: SecureBytes? = nil
        }

        /// Extract-and-expand into guarded memory.
        public func deriveKey(inputKey: SecureBytes, salt: UnsafeRawBufferPointer, info: UnsafeRawBufferPointer, length: Int) throws -> SecureBytes {
            try checkLength(length)
            return try SecureBytes(count: length) { out in try derive(inputKey: inputKey, salt: salt, info: info, into: out) }
        }

        /// Extract-and-expand into a caller buffer.
        public func derive(inputKey: SecureBytes, salt: UnsafeRawBufferPointer, info: UnsafeRawBufferPointer,
                           into output: UnsafeMutableRawBufferPointer) throws {
            try run(EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND, key: inputKey, salt: salt, info: info, into: output)
        }

        /// HKDF-Extract: the pseudorandom key in guarded memory.
        public func extract(inputKey: SecureBytes, salt: UnsafeRawBufferPointer) throws -> SecureBytes {
            try SecureBytes(count: hash.digestLength) { prk in
                try run(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, key: inputKey, salt: salt, info: UnsafeRawBufferPointer(start: nil, count: 0), into: prk)
            }
        }

        /// HKDF-Expand into a caller buffer (public values).
        public func expand(pseudorandomKey: SecureBytes, info: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws {
            try run(EVP_KDF_HKDF_MODE_EXPAND_ONLY, key: pseudorandomKey, salt: UnsafeRawBufferPointer(start: nil, count: 0), info: info, into: output)
        }

        /// HKDF-Expand into guarded memory (keys).
        public func expandKey(pseudorandomKey: SecureBytes, info: UnsafeRawBufferPointer, length: Int) throws -> SecureBytes {
            try checkLength(length)
            return try SecureBytes(count: length) { out in try expand(pseudorandomKey: pseudorandomKey, info: info, into: out) }
        }

        private func checkLength(_ length: Int) throws {
            guard length > 0, length <= 255 * hash.digestLength else {
                throw CryptoError(.invalidInput, "HKDF output length \(length) is out of range for \(hash)")
            }
        }

        /// One derivation in `mode`. Every parameter the mode reads is set on every call, so
        /// nothing of an earlier call on the same context is used.
        private func run(_ mode: Int32, key: SecureBytes, salt: UnsafeRawBufferPointer,
                         info: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws {
            try checkLength(output.count)
            // OpenSSL 3.0 ignores an empty salt parameter, which on a reused context would keep the
            // previous call's salt. RFC 5869 section 2.2: no salt means HashLen zero bytes, which
            // HMAC treats exactly as an empty key; so an empty salt is passed as those zeros.
            let usesSalt = mode != EVP_KDF_HKDF_MODE_EXPAND_ONLY
            // OpenSSL 3.0.19 crashes (in SHA*_Update) when a context that expanded a non-empty
            // info is given an empty one. An empty info never occurs in the ESDK's derivations;
            // when a caller passes one, that call runs on a context of its own.
            let emptyInfo = mode != EVP_KDF_HKDF_MODE_EXTRACT_ONLY && info.isEmpty
            let fresh = emptyInfo ? envelope_hkdf_context(FetchedAlgorithms.hkdf, hash.openSSLCName) : nil
            if emptyInfo && fresh == nil { throw CryptoError.openSSL("EVP_KDF_CTX_new (HKDF)") }
            defer { if let fresh { EVP_KDF_CTX_free(fresh) } }
            let ctx = fresh ?? context
            // Two expands from one pseudorandom key (a message key and its commitment): the second
            // leaves the key OpenSSL already holds in place (measured on OpenSSL 3.0.19: one
            // allocation and about 700 instructions fewer).
            let keepKey = fresh == nil && held.pointee.mode == mode && held.pointee.key === key
            held.pointee = Held()
            let ok = withUnsafeTemporaryAllocation(byteCount: usesSalt && salt.isEmpty ? hash.digestLength : 0, alignment: 1) { zeros in
                zeros.initializeMemory(as: UInt8.self, repeating: 0)
                let s = usesSalt && salt.isEmpty ? UnsafeRawBufferPointer(zeros) : salt
                return key.withUnsafeBytes { k in
                    envelope_hkdf_run(ctx, mode, keepKey ? nil : k.bindMemory(to: UInt8.self).baseAddress, k.count,
                                      s.bindMemory(to: UInt8.self).baseAddress, s.count,
                                      info.bindMemory(to: UInt8.self).baseAddress, info.count,
                                      output.bindMemory(to: UInt8.self).baseAddress, output.count)
                }
            }
            guard ok == 1 else { throw CryptoError.openSSL("HKDF") }
            if fresh == nil { held.pointee = Held(mode: mode, key: key) }
        }
    }
}

/// Idle HKDF contexts, one pool per digest (a context's digest is set once, at creation).
let hkdfContextPools = DigestContextPools { EVP_KDF_CTX_free($0) }
