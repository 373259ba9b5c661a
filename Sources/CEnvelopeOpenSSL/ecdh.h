// ECDH helpers for EnvelopeCrypto's ECDH.swift: reading a DER SubjectPublicKeyInfo, importing a raw
// private scalar, and deriving a shared secret. Every operation is libcrypto's; these helpers only
// forward to it (Swift cannot call OSSL_PARAM builders or variadic functions directly).
#ifndef ENVELOPEKIT_OPENSSL_ECDH_H
#define ENVELOPEKIT_OPENSSL_ECDH_H

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

/// Parses a DER SubjectPublicKeyInfo without interpreting the key. On success returns the parsed
/// structure (free it with X509_PUBKEY_free; `*point` points into it) and sets the algorithm NID,
/// the named-curve NID (NID_undef when the parameters are not a named-curve OID, e.g. explicit
/// curve parameters), and the subjectPublicKey bytes. Returns NULL when `der` is not a
/// SubjectPublicKeyInfo or has bytes after it.
static inline X509_PUBKEY *envelope_spki_parse(const unsigned char *der, size_t der_len, int *algorithm_nid,
                                               int *curve_nid, const unsigned char **point, int *point_len) {
    if (der_len > 0x7fffffff) return NULL;
    const unsigned char *cursor = der;
    X509_PUBKEY *spki = d2i_X509_PUBKEY(NULL, &cursor, (long)der_len);
    if (spki == NULL) return NULL;
    ASN1_OBJECT *algorithm = NULL;
    X509_ALGOR *algor = NULL;
    if (cursor != der + der_len || X509_PUBKEY_get0_param(&algorithm, point, point_len, &algor, spki) != 1) {
        X509_PUBKEY_free(spki);
        return NULL;
    }
    *algorithm_nid = OBJ_obj2nid(algorithm);
    int parameter_type = V_ASN1_UNDEF;
    const void *parameter = NULL;
    X509_ALGOR_get0(NULL, &parameter_type, &parameter, algor);
    *curve_nid = parameter_type == V_ASN1_OBJECT ? OBJ_obj2nid((const ASN1_OBJECT *)parameter) : NID_undef;
    return spki;
}

/// The short name of a NID ("prime256v1", "secp384r1", …), or NULL.
static inline const char *envelope_nid_short_name(int nid) { return OBJ_nid2sn(nid); }

/// Builds an EC key pair on `group_name` ("P-256", …) from a big-endian private scalar: computes the
/// public point d·G and imports both, then runs OpenSSL's key-pair check (1 <= d < n, public point
/// matches). NULL on failure.
static inline EVP_PKEY *envelope_ec_keypair_from_scalar(const char *group_name, int curve_nid,
                                                        const unsigned char *scalar, size_t scalar_len) {
    EVP_PKEY *pkey = NULL;
    EC_GROUP *group = EC_GROUP_new_by_curve_name(curve_nid);
    BIGNUM *d = BN_secure_new();
    EC_POINT *q = NULL;
    OSSL_PARAM_BLD *builder = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    unsigned char encoded[1 + 2 * 66];
    size_t encoded_len = 0;
    if (group == NULL || d == NULL || BN_bin2bn(scalar, (int)scalar_len, d) == NULL || BN_is_zero(d)) goto done;
    if (BN_cmp(d, EC_GROUP_get0_order(group)) >= 0) goto done;
    q = EC_POINT_new(group);
    if (q == NULL || EC_POINT_mul(group, q, d, NULL, NULL, NULL) != 1) goto done;
    encoded_len = EC_POINT_point2oct(group, q, POINT_CONVERSION_UNCOMPRESSED, encoded, sizeof encoded, NULL);
    if (encoded_len == 0) goto done;
    builder = OSSL_PARAM_BLD_new();
    if (builder == NULL || OSSL_PARAM_BLD_push_utf8_string(builder, OSSL_PKEY_PARAM_GROUP_NAME, group_name, 0) != 1 ||
        OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_PRIV_KEY, d) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(builder, OSSL_PKEY_PARAM_PUB_KEY, encoded, encoded_len) != 1)
        goto done;
    params = OSSL_PARAM_BLD_to_param(builder);
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) <= 0) {
        pkey = NULL;
        goto done;
    }
    EVP_PKEY_CTX_free(ctx);
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (ctx == NULL || EVP_PKEY_check(ctx) != 1) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
done:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params); // its copy of d sits in its "secure" block, which OSSL_PARAM_free clears
    OSSL_PARAM_BLD_free(builder);
    EC_POINT_free(q);
    BN_clear_free(d);
    EC_GROUP_free(group);
    return pkey;
}

/// The NID of an EC key's named curve; NID_undef when the key is not EC or has no named curve.
static inline int envelope_ec_curve_nid(const EVP_PKEY *pkey) {
    char name[80];
    size_t written = 0;
    if (!EVP_PKEY_is_a(pkey, "EC") ||
        EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &written) != 1)
        return NID_undef;
    int nid = OBJ_sn2nid(name);
    return nid != NID_undef ? nid : EC_curve_nist2nid(name);
}

/// The DER SubjectPublicKeyInfo of a key's public part into `out` (NULL to ask for the length).
/// Returns the length, 0 on failure.
static inline size_t envelope_spki_encode(const EVP_PKEY *pkey, unsigned char *out, size_t out_len) {
    int length = i2d_PUBKEY(pkey, NULL);
    if (length <= 0) return 0;
    if (out == NULL) return (size_t)length;
    if ((size_t)length > out_len) return 0;
    unsigned char *cursor = out;
    return i2d_PUBKEY(pkey, &cursor) == length ? (size_t)length : 0;
}

/// The uncompressed SEC1 encoding of an EC key's public point, read without changing the key
/// (EVP_PKEY_get_octet_string_param "encoded-pub-key" uses the key's conversion format, which this
/// library never changes for ECDH keys). Returns the length, 0 on failure.
static inline size_t envelope_ec_encoded_point(const EVP_PKEY *pkey, unsigned char *out, size_t out_len) {
    size_t written = 0;
    if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out, out_len, &written) != 1)
        return 0;
    return written;
}

/// Runs OpenSSL's full public-key check on `pkey` (on the curve, not infinity, right order). 1 when valid.
static inline int envelope_ec_public_check(EVP_PKEY *pkey) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (ctx == NULL) return 0;
    int ok = EVP_PKEY_public_check(ctx) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

/// ECDH: writes the shared secret (the x-coordinate, field-size bytes) of `private_key` and `peer` into
/// `out`. The peer is validated again by EVP_PKEY_derive_set_peer_ex. Returns the length, 0 on failure.
static inline size_t envelope_ecdh_derive(EVP_PKEY *private_key, EVP_PKEY *peer, unsigned char *out, size_t out_len) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, private_key, NULL);
    size_t length = out_len;
    if (ctx == NULL) return 0;
    if (EVP_PKEY_derive_init(ctx) <= 0 || EVP_PKEY_derive_set_peer_ex(ctx, peer, 1) <= 0 ||
        EVP_PKEY_derive(ctx, out, &length) <= 0)
        length = 0;
    EVP_PKEY_CTX_free(ctx);
    return length;
}

#endif
