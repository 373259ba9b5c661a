// NIST SP 800-108 key derivation in counter mode with an HMAC PRF, through OpenSSL's "KBKDF"
// EVP_KDF (EnvelopeCrypto's CounterModeKDF.swift). The helper only builds the OSSL_PARAM list,
// which Swift cannot do directly; the derivation is libcrypto's.
#ifndef ENVELOPEKIT_OPENSSL_KBKDF_H
#define ENVELOPEKIT_OPENSSL_KBKDF_H

#include <openssl/core_names.h>
#include <openssl/kdf.h>

/// Derives `out_len` bytes: for i = 1, 2, …: HMAC(key, [i]_32 || label || 0x00 || context || [L]_32),
/// with L = out_len * 8 in bits (OpenSSL's defaults: a 32-bit big-endian counter before the fixed
/// input, the zero separator and the length field both on). `kdf` is a fetched "KBKDF".
/// Returns 1 on success.
static inline int envelope_kbkdf_counter_hmac(EVP_KDF *kdf, const char *digest_name,
                                              const unsigned char *key, size_t key_len,
                                              const unsigned char *label, size_t label_len,
                                              const unsigned char *context, size_t context_len,
                                              unsigned char *out, size_t out_len) {
    EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(kdf);
    if (kctx == NULL) return 0;
    OSSL_PARAM params[7];
    int n = 0;
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, (char *)"COUNTER", 0);
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC, (char *)"HMAC", 0);
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest_name, 0);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
    // OpenSSL's KBKDF calls the label "salt" and the context "info".
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)label, label_len);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)context, context_len);
    params[n] = OSSL_PARAM_construct_end();
    int ok = EVP_KDF_derive(kctx, out, out_len, params) > 0;
    EVP_KDF_CTX_free(kctx); // wipes the key copy the context holds
    return ok;
}

#endif
