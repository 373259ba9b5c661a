import CEnvelopeOpenSSL

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// OpenSSL contexts kept per thread and reused by synchronous calls, so no context is ever shared
/// between threads and none is created per call. A synchronous function cannot change threads
/// half-way, so a context taken from `current` stays on one thread while it is used.
///
/// Only contexts that hold no secret between calls live here (HKDF wipes its key copy after
/// each derivation; see `envelope_hkdf_derive`). They are freed when their thread exits.
final class PerThreadContexts {
    private var hkdf: [OpaquePointer?] = [nil, nil, nil, nil]

    deinit {
        for ctx in hkdf { if let ctx { EVP_KDF_CTX_free(ctx) } }
    }

    /// This thread's HKDF context for `hash`, digest already set.
    func hkdfContext(_ hash: HashFunction) throws -> OpaquePointer {
        let index = HashFunction.allCases.firstIndex(of: hash)!
        if let ctx = hkdf[index] { return ctx }
        guard let ctx = envelope_hkdf_context(FetchedAlgorithms.hkdf, hash.openSSLName) else {
            throw CryptoError.openSSL("EVP_KDF_CTX_new (HKDF)")
        }
        hkdf[index] = ctx
        return ctx
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { pointer in
            #if canImport(Darwin)
            Unmanaged<PerThreadContexts>.fromOpaque(pointer).release()
            #else
            if let pointer { Unmanaged<PerThreadContexts>.fromOpaque(pointer).release() }
            #endif
        }
        precondition(status == 0, "pthread_key_create failed (\(status))")
        return key
    }()

    /// The calling thread's contexts.
    static var current: PerThreadContexts {
        if let existing = pthread_getspecific(key) {
            return Unmanaged<PerThreadContexts>.fromOpaque(existing).takeUnretainedValue()
        }
        let contexts = PerThreadContexts()
        pthread_setspecific(key, Unmanaged.passRetained(contexts).toOpaque())
        return contexts
    }
}
