import CEnvelopeOpenSSL

/// Reads and clears OpenSSL's thread-local error queue so one failure never leaks into the next call.
enum OpenSSLErrors {
    static func drain() -> String {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            let text = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            messages.append(String(decoding: text, as: UTF8.self))
        }
        return messages.isEmpty ? "no detail from OpenSSL" : messages.joined(separator: "; ")
    }

    static func clear() { ERR_clear_error() }
}

/// OpenSSL's state for the calling thread (its error queue, per-thread random generators).
package enum OpenSSLThreadState {
    /// Frees the calling thread's OpenSSL state now (`OPENSSL_thread_stop`), for a thread that is
    /// about to end: the engine's dedicated threads call it before they resume their caller, so
    /// nothing OpenSSL allocated for them is still alive when the API call returns (OpenSSL
    /// would otherwise free it from a thread-exit destructor, a moment later). A later OpenSSL
    /// call on the same thread would set it up again.
    package static func release() { OPENSSL_thread_stop() }
}
