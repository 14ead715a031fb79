/* varint.c: LEB128 encoding and a decoder that never reads past len. */
#include "dist/varint.h"

size_t dist_varint_put(uint8_t out[DIST_VARINT_LEN_MAX], uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

int dist_varint_get(const uint8_t *in, size_t len, uint64_t *v)
{
    uint64_t result = 0;
    for (size_t i = 0; i < DIST_VARINT_LEN_MAX; i++) {
        if (i == len)
            return DIST_VARINT_PARTIAL;
        uint8_t b = in[i];
        /* The tenth byte may carry only the top bit of a 64-bit value. */
        if (i == DIST_VARINT_LEN_MAX - 1 && b > 1)
            return DIST_VARINT_INVALID;
        result |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *v = result;
            return (int)i + 1;
        }
    }
    return DIST_VARINT_INVALID;
}
