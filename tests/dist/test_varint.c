/* Tests for dist/varint.c: the term codec's integers (DESIGN 7). */
#include <criterion/criterion.h>
#include <stdint.h>

#include "dist/varint.h"

Test(dist_varint, encodes_known_values)
{
    uint8_t buf[DIST_VARINT_LEN_MAX];
    cr_assert_eq(dist_varint_put(buf, 0), 1);
    cr_assert_eq(buf[0], 0);
    cr_assert_eq(dist_varint_put(buf, 300), 2);
    cr_assert_eq(buf[0], 0xac);
    cr_assert_eq(buf[1], 0x02);
    cr_assert_eq(dist_varint_put(buf, UINT64_MAX), 10);
    cr_assert_eq(buf[9], 0x01);
}

Test(dist_varint, round_trips_edges)
{
    const uint64_t values[] = {0, 1, 127, 128, 16383, 16384, UINT32_MAX, (uint64_t)INT64_MAX,
                               UINT64_MAX};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        uint8_t buf[DIST_VARINT_LEN_MAX];
        size_t n = dist_varint_put(buf, values[i]);
        uint64_t back = 0;
        cr_assert_eq(dist_varint_get(buf, n, &back), (int)n);
        cr_assert_eq(back, values[i]);
        /* Every proper prefix is partial, never a wrong value. */
        for (size_t k = 0; k < n; k++)
            cr_assert_eq(dist_varint_get(buf, k, &back), DIST_VARINT_PARTIAL);
    }
}

Test(dist_varint, rejects_overlong_input)
{
    uint8_t eleven[11];
    for (int i = 0; i < 11; i++)
        eleven[i] = 0x80;
    uint64_t v;
    cr_assert_eq(dist_varint_get(eleven, sizeof eleven, &v), DIST_VARINT_INVALID);
    uint8_t too_big[10] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
    cr_assert_eq(dist_varint_get(too_big, sizeof too_big, &v), DIST_VARINT_INVALID);
}

Test(dist_varint, zigzag_maps_small_negatives_to_small_codes)
{
    cr_assert_eq(dist_zigzag(0), 0);
    cr_assert_eq(dist_zigzag(-1), 1);
    cr_assert_eq(dist_zigzag(1), 2);
    cr_assert_eq(dist_zigzag(INT64_MIN), UINT64_MAX);
    const int64_t values[] = {0, -1, 1, -64, 64, INT64_MIN, INT64_MAX};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        cr_assert_eq(dist_unzigzag(dist_zigzag(values[i])), values[i]);
}
