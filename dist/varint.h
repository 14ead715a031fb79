/* varint.h: LEB128 variable-length integers for the node term codec
 * (DESIGN 7). Small values (PIDs, lengths, tags) take one or two bytes on
 * the wire; signed values are zigzag-mapped first so -1 is one byte too.
 */
#ifndef SNOW_DIST_VARINT_H
#define SNOW_DIST_VARINT_H

#include <stddef.h>
#include <stdint.h>

enum {
    DIST_VARINT_LEN_MAX = 10, /* 64 bits / 7 bits per byte, rounded up */
    DIST_VARINT_PARTIAL = -2, /* the input ends inside the number */
    DIST_VARINT_INVALID = -1, /* more than 10 bytes or bits beyond 64 */
};

/* Writes v to out; returns the byte count (1..10). */
size_t dist_varint_put(uint8_t out[DIST_VARINT_LEN_MAX], uint64_t v);

/* Reads one number from in[0..len). Returns the bytes consumed (> 0) and
 * sets *v, or DIST_VARINT_PARTIAL / DIST_VARINT_INVALID. */
int dist_varint_get(const uint8_t *in, size_t len, uint64_t *v);

static inline uint64_t dist_zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t dist_unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

#endif
