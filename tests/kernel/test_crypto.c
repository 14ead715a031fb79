/* Tests for kernel/crypto (issue 6): known-answer vectors from FIPS 180-2
 * (SHA-1, SHA-256), RFC 4231 (HMAC-SHA256) and RFC 7914 section 11
 * (PBKDF2-HMAC-SHA256), plus behaviour of the compare and the RNG. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/crypto.h"
#include "test_tls_util.h"

/* The RNG opens /dev/urandom per seeding: check that nothing stays open. */
TestSuite(kernel_crypto, .init = tls_test_leak_begin, .fini = tls_test_leak_end, .timeout = 60);

static void to_hex(const uint8_t *bytes, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++)
        sprintf(out + 2 * i, "%02x", bytes[i]);
    out[2 * len] = '\0';
}

#define ASSERT_HEX(bytes, len, expect)                                                             \
    do {                                                                                           \
        char hex_[2 * (len) + 1];                                                                  \
        to_hex((bytes), (len), hex_);                                                              \
        cr_assert_str_eq(hex_, (expect));                                                          \
    } while (0)

static const char *const FIPS_448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

Test(kernel_crypto, sha1_matches_fips_180_vectors)
{
    uint8_t d[KERN_SHA1_LEN];
    kern_sha1("", 0, d);
    ASSERT_HEX(d, KERN_SHA1_LEN, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    kern_sha1("abc", 3, d);
    ASSERT_HEX(d, KERN_SHA1_LEN, "a9993e364706816aba3e25717850c26c9cd0d89d");
    kern_sha1(FIPS_448, strlen(FIPS_448), d);
    ASSERT_HEX(d, KERN_SHA1_LEN, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

Test(kernel_crypto, sha256_matches_fips_180_vectors)
{
    uint8_t d[KERN_SHA256_LEN];
    kern_sha256("", 0, d);
    ASSERT_HEX(d, KERN_SHA256_LEN,
               "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    kern_sha256("abc", 3, d);
    ASSERT_HEX(d, KERN_SHA256_LEN,
               "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    kern_sha256(FIPS_448, strlen(FIPS_448), d);
    ASSERT_HEX(d, KERN_SHA256_LEN,
               "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(kernel_crypto, sha256_incremental_equals_one_shot_for_million_a)
{
    /* FIPS 180-2 appendix B.3: one million 'a', fed in uneven pieces. */
    static char block[1000];
    memset(block, 'a', sizeof block);
    kern_sha256_t h;
    kern_sha256_init(&h);
    size_t fed = 0, step = 1;
    while (fed < 1000000) {
        size_t n = step < 1000000 - fed ? step : 1000000 - fed;
        n = n < sizeof block ? n : sizeof block;
        kern_sha256_update(&h, block, n);
        fed += n;
        step = step * 7 % 997 + 1;
    }
    uint8_t d[KERN_SHA256_LEN];
    kern_sha256_final(&h, d);
    ASSERT_HEX(d, KERN_SHA256_LEN,
               "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

Test(kernel_crypto, hmac_sha256_matches_rfc4231_cases)
{
    uint8_t mac[KERN_SHA256_LEN];
    uint8_t key20[20];
    memset(key20, 0x0b, sizeof key20);
    kern_hmac_sha256(key20, sizeof key20, "Hi There", 8, mac); /* test case 1 */
    ASSERT_HEX(mac, KERN_SHA256_LEN,
               "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");

    const char *data2 = "what do ya want for nothing?"; /* test case 2 */
    kern_hmac_sha256("Jefe", 4, data2, strlen(data2), mac);
    ASSERT_HEX(mac, KERN_SHA256_LEN,
               "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

    uint8_t key131[131]; /* test cases 6 and 7: key longer than the block */
    memset(key131, 0xaa, sizeof key131);
    const char *data6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    kern_hmac_sha256(key131, sizeof key131, data6, strlen(data6), mac);
    ASSERT_HEX(mac, KERN_SHA256_LEN,
               "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    const char *data7 = "This is a test using a larger than block-size key and a larger than "
                        "block-size data. The key needs to be hashed before being used by the "
                        "HMAC algorithm.";
    kern_hmac_sha256(key131, sizeof key131, data7, strlen(data7), mac);
    ASSERT_HEX(mac, KERN_SHA256_LEN,
               "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

Test(kernel_crypto, pbkdf2_sha256_matches_rfc7914_vectors)
{
    uint8_t dk[64];
    cr_assert_eq(kern_pbkdf2_sha256("passwd", 6, "salt", 4, 1, dk, sizeof dk), 0);
    ASSERT_HEX(dk, sizeof dk,
               "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
               "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
    cr_assert_eq(kern_pbkdf2_sha256("Password", 8, "NaCl", 4, 80000, dk, sizeof dk), 0);
    ASSERT_HEX(dk, sizeof dk,
               "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
               "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d");
}

Test(kernel_crypto, pbkdf2_rejects_zero_iterations_and_empty_output)
{
    uint8_t dk[32];
    cr_assert_eq(kern_pbkdf2_sha256("p", 1, "s", 1, 0, dk, sizeof dk), -EINVAL);
    cr_assert_eq(kern_pbkdf2_sha256("p", 1, "s", 1, 1, dk, 0), -EINVAL);
}

Test(kernel_crypto, ct_equal_compares_every_byte)
{
    uint8_t a[64], b[64];
    memset(a, 0x5a, sizeof a);
    memcpy(b, a, sizeof b);
    cr_assert(kern_ct_equal(a, b, sizeof a));
    cr_assert(kern_ct_equal(a, b, 0));
    for (size_t i = 0; i < sizeof a; i++) {
        b[i] ^= 0x01;
        cr_assert_not(kern_ct_equal(a, b, sizeof a), "difference at byte %zu missed", i);
        b[i] ^= 0x01;
    }
}

Test(kernel_crypto, random_bytes_fill_large_buffers_differently)
{
    /* 200 000 bytes crosses several DRBG requests (64 KiB each). */
    size_t len = 200000;
    uint8_t *a = malloc(len), *b = malloc(len);
    cr_assert_not_null(a);
    cr_assert_not_null(b);
    memset(a, 0, len);
    memset(b, 0, len);
    cr_assert_eq(kern_random_bytes(a, len), 0);
    cr_assert_eq(kern_random_bytes(b, len), 0);
    cr_assert_not(kern_ct_equal(a, b, len));
    /* Every byte value must show up in 200 000 uniform bytes, including in
     * the tail written by the last request (P(miss) is negligible). */
    size_t counts[256] = {0};
    for (size_t i = 0; i < len; i++)
        counts[a[i]]++;
    for (int v = 0; v < 256; v++)
        cr_assert_gt(counts[v], 500, "byte value %d seen %zu times", v, counts[v]);
    size_t tail_zero = 0;
    for (size_t i = len - 1000; i < len; i++)
        tail_zero += a[i] == 0;
    cr_assert_lt(tail_zero, 30);
    free(a);
    free(b);
}
