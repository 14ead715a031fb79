/* kernel/crypto: thin, checked wrappers over wolfCrypt (see crypto.h).
 *
 * wolfCrypt takes word32/int lengths; these wrappers take size_t and feed
 * long inputs in chunks, so callers never truncate silently. No state is
 * kept between calls: each RNG draw seeds its own DRBG instance. */
#include "kernel/crypto.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wolfssl/wolfcrypt/hmac.h>
#include <wolfssl/wolfcrypt/pwdbased.h>
#include <wolfssl/wolfcrypt/random.h>
#include <wolfssl/wolfcrypt/sha.h>

/* wolfCrypt lengths are word32; stay well below the limit per call. */
#define CHUNK_LEN_MAX ((size_t)1 << 30)

/* A hash or MAC call failing on valid arguments means wolfCrypt is broken
 * (or built without the algorithm): there is nothing to recover. */
static void check(int rc, const char *what)
{
    if (rc != 0) {
        fprintf(stderr, "kernel/crypto: %s failed with wolfCrypt error %d\n", what, rc);
        abort();
    }
}

void kern_sha1(const void *data, size_t len, uint8_t out[KERN_SHA1_LEN])
{
    wc_Sha sha;
    const uint8_t *p = data;
    check(wc_InitSha(&sha), "wc_InitSha");
    while (len > 0) {
        size_t n = len < CHUNK_LEN_MAX ? len : CHUNK_LEN_MAX;
        check(wc_ShaUpdate(&sha, p, (word32)n), "wc_ShaUpdate");
        p += n;
        len -= n;
    }
    check(wc_ShaFinal(&sha, out), "wc_ShaFinal");
    wc_ShaFree(&sha);
}

void kern_sha256_init(kern_sha256_t *h) { check(wc_InitSha256(&h->_state), "wc_InitSha256"); }

void kern_sha256_update(kern_sha256_t *h, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len > 0) {
        size_t n = len < CHUNK_LEN_MAX ? len : CHUNK_LEN_MAX;
        check(wc_Sha256Update(&h->_state, p, (word32)n), "wc_Sha256Update");
        p += n;
        len -= n;
    }
}

void kern_sha256_final(kern_sha256_t *h, uint8_t out[KERN_SHA256_LEN])
{
    check(wc_Sha256Final(&h->_state, out), "wc_Sha256Final");
    wc_Sha256Free(&h->_state);
}

void kern_sha256(const void *data, size_t len, uint8_t out[KERN_SHA256_LEN])
{
    kern_sha256_t h;
    kern_sha256_init(&h);
    kern_sha256_update(&h, data, len);
    kern_sha256_final(&h, out);
}

void kern_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                      uint8_t out[KERN_SHA256_LEN])
{
    Hmac hmac;
    uint8_t key_digest[KERN_SHA256_LEN];
    /* RFC 2104: a key longer than the block is replaced by its hash; doing it
     * here keeps the word32 key length in range for any size_t key. */
    if (key_len > WC_SHA256_BLOCK_SIZE) {
        kern_sha256(key, key_len, key_digest);
        key = key_digest;
        key_len = sizeof key_digest;
    }
    check(wc_HmacInit(&hmac, NULL, INVALID_DEVID), "wc_HmacInit");
    check(wc_HmacSetKey(&hmac, WC_SHA256, key, (word32)key_len), "wc_HmacSetKey");
    const uint8_t *p = data;
    while (len > 0) {
        size_t n = len < CHUNK_LEN_MAX ? len : CHUNK_LEN_MAX;
        check(wc_HmacUpdate(&hmac, p, (word32)n), "wc_HmacUpdate");
        p += n;
        len -= n;
    }
    check(wc_HmacFinal(&hmac, out), "wc_HmacFinal");
    wc_HmacFree(&hmac);
}

int kern_pbkdf2_sha256(const void *pass, size_t pass_len, const void *salt, size_t salt_len,
                       uint32_t iterations, void *out, size_t out_len)
{
    if (iterations == 0 || iterations > INT_MAX || out_len == 0 || out_len > INT_MAX ||
        pass_len > INT_MAX || salt_len > INT_MAX)
        return -EINVAL;
    int rc = wc_PBKDF2(out, pass, (int)pass_len, salt, (int)salt_len, (int)iterations, (int)out_len,
                       WC_SHA256);
    check(rc, "wc_PBKDF2");
    return 0;
}

bool kern_ct_equal(const void *a, const void *b, size_t len)
{
    /* volatile keeps the compiler from turning the loop into an early-exit
     * memcmp; the OR-accumulator touches every byte whatever the data. */
    const volatile uint8_t *x = a;
    const volatile uint8_t *y = b;
    uint8_t diff = 0;
    for (size_t i = 0; i < len; i++)
        diff |= (uint8_t)(x[i] ^ y[i]);
    return diff == 0;
}

int kern_random_bytes(void *buf, size_t len)
{
    WC_RNG rng;
    if (wc_InitRng(&rng) != 0) {
        memset(buf, 0, len);
        return -EIO;
    }
    uint8_t *p = buf;
    size_t left = len;
    int rc = 0;
    while (left > 0) {
        /* The DRBG serves at most RNG_MAX_BLOCK_LEN bytes per request. */
        size_t n = left < (size_t)RNG_MAX_BLOCK_LEN ? left : (size_t)RNG_MAX_BLOCK_LEN;
        if (wc_RNG_GenerateBlock(&rng, p, (word32)n) != 0) {
            memset(buf, 0, len);
            rc = -EIO;
            break;
        }
        p += n;
        left -= n;
    }
    wc_FreeRng(&rng);
    return rc;
}
