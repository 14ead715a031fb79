/* Tests for ws/date.c: the cached Date header (RFC 9110 5.6.7, DESIGN 6). */
#include <criterion/criterion.h>
#include <string.h>

#include "ws/date.h"

Test(ws_date, formats_the_rfc_example)
{
    char out[WS_DATE_LEN + 1];
    ws_date_format(784111777, out); /* RFC 9110's example instant */
    cr_assert_str_eq(out, "Sun, 06 Nov 1994 08:49:37 GMT");
    cr_assert_eq(strlen(out), WS_DATE_LEN);
}

Test(ws_date, formats_epoch_and_leap_day)
{
    char out[WS_DATE_LEN + 1];
    ws_date_format(0, out);
    cr_assert_str_eq(out, "Thu, 01 Jan 1970 00:00:00 GMT");
    ws_date_format(951782400, out); /* 2000-02-29 00:00:00 UTC */
    cr_assert_str_eq(out, "Tue, 29 Feb 2000 00:00:00 GMT");
}

Test(ws_date, cache_reformats_only_when_the_second_changes)
{
    ws_date_cache_t cache;
    ws_date_cache_init(&cache);
    const char *a = ws_date_cache_get(&cache, 784111777);
    cr_assert_str_eq(a, "Sun, 06 Nov 1994 08:49:37 GMT");
    cache.text[0] = 'X'; /* a reformat would overwrite this */
    cr_assert_eq(ws_date_cache_get(&cache, 784111777)[0], 'X');
    cr_assert_str_eq(ws_date_cache_get(&cache, 784111778), "Sun, 06 Nov 1994 08:49:38 GMT");
}
