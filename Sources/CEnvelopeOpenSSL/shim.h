// The parts of OpenSSL 3 libcrypto that EnvelopeCrypto uses, plus a few static inline helpers
// for what Swift cannot call directly (variadic functions and OSSL_PARAM arrays).
// No cryptography is implemented here: every helper only forwards to libcrypto.
#ifndef ENVELOPEKIT_OPENSSL_SHIM_H
#define ENVELOPEKIT_OPENSSL_SHIM_H

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/opensslv.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

/// Generates an EC key pair on the named curve ("P-256", "P-384"). NULL on failure.
static inline EVP_PKEY *envelope_ec_generate(const char *group_name) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *pkey = NULL;
    if (ctx == NULL) return NULL;
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group_name, 0);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_CTX_set_params(ctx, params) <= 0 ||
        EVP_PKEY_generate(ctx, &pkey) <= 0) {
        pkey = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    return pkey;
}

/// Builds an EC public key from an encoded point (compressed or uncompressed SEC1). NULL on failure.
static inline EVP_PKEY *envelope_ec_public_from_point(const char *group_name, const unsigned char *point,
                                                      size_t point_len) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *pkey = NULL;
    if (ctx == NULL) return NULL;
    OSSL_PARAM params[3];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group_name, 0);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)point, point_len);
    params[2] = OSSL_PARAM_construct_end();
    if (EVP_PKEY_fromdata_init(ctx) <= 0 || EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
        pkey = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    return pkey;
}

/// Writes the SEC1 compressed encoding of an EC public key. Returns the length, 0 on failure.
/// (OpenSSL 3.0 applies the conversion format to "pub", not to "encoded-pub-key".)
/// The SEC1 compressed public point of an EC key. The conversion format is set on a private copy,
/// never on `pkey` itself, which other threads may be using (signing, encoding) at the same time.
static inline size_t envelope_ec_compressed_point(const EVP_PKEY *pkey, unsigned char *out, size_t out_len) {
    size_t written = 0;
    EVP_PKEY *copy = EVP_PKEY_dup((EVP_PKEY *)pkey);
    if (copy == NULL)
        return 0;
    if (EVP_PKEY_set_utf8_string_param(copy, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed") <= 0
        || EVP_PKEY_get_octet_string_param(copy, OSSL_PKEY_PARAM_PUB_KEY, out, out_len, &written) <= 0)
        written = 0;
    EVP_PKEY_free(copy);
    return written;
}

/// A new HKDF context (from a fetched EVP_KDF) with its digest set. NULL on failure.
static inline EVP_KDF_CTX *envelope_hkdf_context(EVP_KDF *kdf, const char *digest_name) {
    EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(kdf);
    if (kctx == NULL) return NULL;
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest_name, 0);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_KDF_CTX_set_params(kctx, params) <= 0) {
        EVP_KDF_CTX_free(kctx);
        return NULL;
    }
    return kctx;
}

/// Replaces the key copy an HKDF context holds by one zero byte (OpenSSL clears and frees the old
/// copy), so a context kept for reuse holds no secret. Returns 1 on success.
static inline int envelope_hkdf_forget_key(EVP_KDF_CTX *kctx) {
    static const unsigned char zero = 0;
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)&zero, 1);
    params[1] = OSSL_PARAM_construct_end();
    return EVP_KDF_CTX_set_params(kctx, params) > 0;
}

/// HKDF on a context made by envelope_hkdf_context (the digest is already set), in `mode`: EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND (key = input key, salt, info),
/// EVP_KDF_HKDF_MODE_EXTRACT_ONLY (key = input key, salt; out = the pseudorandom key) or
/// EVP_KDF_HKDF_MODE_EXPAND_ONLY (key = the pseudorandom key, info). Every parameter the mode
/// reads is passed, so a reused context keeps nothing of an earlier call (a non-empty salt: OpenSSL
/// 3.0 ignores an empty one). A NULL `key` keeps the mode and key of the context's previous call
/// (the caller knows they are the same): OpenSSL then copies no key (one allocation and the
/// parameter lookups fewer). Returns 1 on success.
static inline int envelope_hkdf_run(EVP_KDF_CTX *kctx, int mode, const unsigned char *key, size_t key_len,
                                    const unsigned char *salt, size_t salt_len, const unsigned char *info,
                                    size_t info_len, unsigned char *out, size_t out_len) {
    OSSL_PARAM params[5];
    int n = 0;
    if (key != NULL) {
        params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
        params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
    }
    if (mode != EVP_KDF_HKDF_MODE_EXPAND_ONLY)
        params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    if (mode != EVP_KDF_HKDF_MODE_EXTRACT_ONLY)
        params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    params[n] = OSSL_PARAM_construct_end();
    return EVP_KDF_derive(kctx, out, out_len, params) > 0;
}

/// An HMAC context (from a fetched EVP_MAC) with its digest set and no key: a template to
/// EVP_MAC_CTX_dup. NULL on failure.
static inline EVP_MAC_CTX *envelope_hmac_template(EVP_MAC *mac, const char *digest_name) {
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    if (ctx == NULL) return NULL;
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest_name, 0);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_MAC_CTX_set_params(ctx, params) <= 0) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/// Sets the IV of a GCM context that already has its cipher and key. Returns 1 on success.
static inline int envelope_gcm_set_iv(EVP_CIPHER_CTX *ctx, const unsigned char *iv, int enc) {
    return EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, enc);
}

/// Re-keys an AES-GCM context with an all-zero key (it keeps its cipher and direction), so a
/// context kept for reuse holds no key schedule, hash key or IV-derived state of the last user:
/// setting a key re-initialises OpenSSL's whole GCM state (CRYPTO_gcm128_init clears the counter
/// blocks, the encrypted first counter block and the GHASH accumulator along with the hash key).
/// What stays is the last IV and tag, which the message carries in clear. No IV is set: the next
/// user sets its own before any data (measured on OpenSSL 3.0.19: a zero IV and the key-length
/// query cost 1,200 of the 2,650 instructions). An AES key is at most 32 bytes. Returns 1 on success.
static inline int envelope_gcm_forget_key(EVP_CIPHER_CTX *ctx) {
    static const unsigned char zeros[32] = { 0 };
    return EVP_CipherInit_ex(ctx, NULL, NULL, zeros, NULL, -1);
}

static inline int envelope_gcm_get_tag(EVP_CIPHER_CTX *ctx, unsigned char *tag, int tag_len) {
    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, tag_len, tag);
}

static inline int envelope_gcm_set_tag(EVP_CIPHER_CTX *ctx, const unsigned char *tag, int tag_len) {
    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, tag_len, (void *)tag);
}

/// Generates an RSA key pair of `bits` bits (public exponent 65537). NULL on failure.
static inline EVP_PKEY *envelope_rsa_generate(unsigned int bits) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *pkey = NULL;
    if (ctx == NULL) return NULL;
    if (EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) <= 0 ||
        EVP_PKEY_generate(ctx, &pkey) <= 0) {
        pkey = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    return pkey;
}

/// Switches the RSA PKCS#1 v1.5 implicit rejection of a decrypt context on or off (the provider
/// parameter "implicit-rejection", which OpenSSL has from 3.2). Returns 1 when the provider has the
/// parameter and took the value, 0 when it has no such parameter (OpenSSL 3.0, 3.1), -1 on failure.
static inline int envelope_rsa_set_implicit_rejection(EVP_PKEY_CTX *ctx, int on) {
    const OSSL_PARAM *settable = EVP_PKEY_CTX_settable_params(ctx);
    if (settable == NULL || OSSL_PARAM_locate_const(settable, "implicit-rejection") == NULL)
        return 0;
    unsigned int value = on ? 1 : 0;
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_uint("implicit-rejection", &value);
    params[1] = OSSL_PARAM_construct_end();
    return EVP_PKEY_CTX_set_params(ctx, params) > 0 ? 1 : -1;
}

/// Copies the contents of a memory BIO into a freshly allocated buffer the caller frees with
/// OPENSSL_free; returns its length.
static inline long envelope_bio_contents(BIO *bio, char **out) {
    char *data = NULL;
    long len = BIO_get_mem_data(bio, &data);
    *out = data;
    return len;
}

#endif
