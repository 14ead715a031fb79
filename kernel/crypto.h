/* kernel/crypto: hashing, MACs, key derivation and randomness from wolfCrypt.
 *
 * These are the only cryptographic primitives the runtime uses outside TLS
 * itself: SHA-1 (WebSocket accept keys), SHA-256 and HMAC-SHA256 (node
 * cookies, SCRAM), PBKDF2-HMAC-SHA256 (SCRAM's Hi), a constant-time compare
 * for secrets, and a CSPRNG. Every function is reentrant and keeps no state
 * between calls, so any thread may call any of them. Hash and MAC functions
 * cannot fail on valid arguments; a wolfCrypt failure there is a broken build
 * and aborts with the reason. */
#ifndef SNOW_KERNEL_CRYPTO_H
#define SNOW_KERNEL_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/sha256.h>

#define KERN_SHA1_LEN 20
#define KERN_SHA256_LEN 32

/* Writes SHA-1(data[0..len)) to out. Borrows data. Any thread. */
void kern_sha1(const void *data, size_t len, uint8_t out[KERN_SHA1_LEN]);

/* Writes SHA-256(data[0..len)) to out. Borrows data. Any thread. */
void kern_sha256(const void *data, size_t len, uint8_t out[KERN_SHA256_LEN]);

/* Incremental SHA-256 for data that arrives in pieces (a stream checksum).
 * The caller owns the storage; init, any number of updates, then final,
 * which releases the state (no destroy needed). Fields are private. */
typedef struct kern_sha256_t {
    wc_Sha256 _state;
} kern_sha256_t;

void kern_sha256_init(kern_sha256_t *h);
/* Hashes data[0..len) into h. Borrows data. */
void kern_sha256_update(kern_sha256_t *h, const void *data, size_t len);
/* Writes the digest to out and releases h; h must be initialised again
 * before reuse. */
void kern_sha256_final(kern_sha256_t *h, uint8_t out[KERN_SHA256_LEN]);

/* Writes HMAC-SHA256(key, data) to out (RFC 2104). Borrows key and data;
 * key may be empty. Any thread. */
void kern_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                      uint8_t out[KERN_SHA256_LEN]);

/* Derives out_len bytes into out with PBKDF2-HMAC-SHA256 (RFC 8018 5.2;
 * SCRAM's Hi() is this with out_len 32). Borrows pass and salt.
 * Returns 0, or -EINVAL when iterations is 0, out_len is 0 or a length
 * exceeds INT_MAX (wolfCrypt takes int lengths). Any thread. */
int kern_pbkdf2_sha256(const void *pass, size_t pass_len, const void *salt, size_t salt_len,
                       uint32_t iterations, void *out, size_t out_len);

/* True when a[0..len) equals b[0..len). Runs in time that depends only on
 * len, never on where the inputs differ, so it is safe for MACs, cookies and
 * password proofs. Borrows a and b. */
bool kern_ct_equal(const void *a, const void *b, size_t len);

/* Fills buf[0..len) from wolfCrypt's Hash-DRBG, seeded from the OS for this
 * call (an instance per call: no shared state, any thread, but costs one
 * seeding, so ask for what you need at once rather than byte by byte).
 * Returns 0, or -EIO when the OS entropy source failed (buf is then zeroed). */
int kern_random_bytes(void *buf, size_t len);

#endif /* SNOW_KERNEL_CRYPTO_H */
