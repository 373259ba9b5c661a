// NIST SP 800-108 key derivation in counter mode with an HMAC PRF, through OpenSSL's "KBKDF"
// EVP_KDF (EnvelopeCrypto's CounterModeKDF.swift). The helpers only build OSSL_PARAM lists, which
// Swift cannot do directly; the derivation is libcrypto's.
#ifndef ENVELOPEKIT_OPENSSL_KBKDF_H
#define ENVELOPEKIT_OPENSSL_KBKDF_H

#include <openssl/core_names.h>
#include <openssl/kdf.h>

/// A new KBKDF context (from a fetched "KBKDF") in counter mode with HMAC and `digest_name` set,
/// so a derivation on it fetches nothing by name. NULL on failure.
static inline EVP_KDF_CTX *envelope_kbkdf_context(EVP_KDF *kdf, const char *digest_name) {
    EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(kdf);
    if (kctx == NULL) return NULL;
    OSSL_PARAM params[4];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, (char *)"COUNTER", 0);
    params[1] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC, (char *)"HMAC", 0);
    params[2] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest_name, 0);
    params[3] = OSSL_PARAM_construct_end();
    if (EVP_KDF_CTX_set_params(kctx, params) <= 0) {
        EVP_KDF_CTX_free(kctx);
        return NULL;
    }
    return kctx;
}

/// Derives `out_len` bytes on a context made by envelope_kbkdf_context: for i = 1, 2, …:
/// HMAC(key, [i]_32 || label || 0x00 || context || [L]_32), with L = out_len * 8 in bits
/// (OpenSSL's defaults: a 32-bit big-endian counter before the fixed input, the zero separator
/// and the length field both on). Key, label and context are passed on every call, so nothing of
/// an earlier call on the same context is used. Returns 1 on success.
static inline int envelope_kbkdf_run(EVP_KDF_CTX *kctx, const unsigned char *key, size_t key_len,
                                     const unsigned char *label, size_t label_len,
                                     const unsigned char *context, size_t context_len,
                                     unsigned char *out, size_t out_len) {
    OSSL_PARAM params[4];
    // OpenSSL's KBKDF calls the label "salt" and the context "info".
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)label, label_len);
    params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)context, context_len);
    params[3] = OSSL_PARAM_construct_end();
    return EVP_KDF_derive(kctx, out, out_len, params) > 0;
}

/// Replaces the key a KBKDF context holds by one zero byte, so a context kept for reuse holds no
/// secret (OpenSSL re-keys its HMAC, overwriting the old key schedule). Returns 1 on success.
static inline int envelope_kbkdf_forget_key(EVP_KDF_CTX *kctx) {
    static const unsigned char zero = 0;
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)&zero, 1);
    params[1] = OSSL_PARAM_construct_end();
    return EVP_KDF_CTX_set_params(kctx, params) > 0;
}

#endif
