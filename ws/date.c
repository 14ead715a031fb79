/* date.c: IMF-fixdate formatting without locale or strftime, since the
 * names must be the English ones whatever the process locale is. */
#include "ws/date.h"

#include <string.h>

static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static void put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

void ws_date_format(time_t t, char out[WS_DATE_LEN + 1])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    memcpy(out, days[tm.tm_wday], 3);
    out[3] = ',';
    out[4] = ' ';
    put2(out + 5, tm.tm_mday);
    out[7] = ' ';
    memcpy(out + 8, months[tm.tm_mon], 3);
    out[11] = ' ';
    int year = tm.tm_year + 1900;
    put2(out + 12, year / 100);
    put2(out + 14, year % 100);
    out[16] = ' ';
    put2(out + 17, tm.tm_hour);
    out[19] = ':';
    put2(out + 20, tm.tm_min);
    out[22] = ':';
    put2(out + 23, tm.tm_sec);
    memcpy(out + 25, " GMT", 5); /* includes the NUL */
}

void ws_date_cache_init(ws_date_cache_t *cache)
{
    cache->_second = (time_t)-1;
    cache->text[0] = '\0';
}

const char *ws_date_cache_get(ws_date_cache_t *cache, time_t now)
{
    if (now != cache->_second) {
        ws_date_format(now, cache->text);
        cache->_second = now;
    }
    return cache->text;
}
