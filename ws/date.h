/* date.h: the HTTP Date header value (RFC 9110 section 5.6.7, IMF-fixdate),
 * cached per worker and refreshed at most once per second (DESIGN 6), so a
 * response costs a memcpy instead of a gmtime+strftime.
 */
#ifndef SNOW_WS_DATE_H
#define SNOW_WS_DATE_H

#include <stddef.h>
#include <time.h>

/* "Sun, 06 Nov 1994 08:49:37 GMT" is 29 bytes. */
enum { WS_DATE_LEN = 29 };

/* Writes the IMF-fixdate of t (UTC) and a NUL into out. */
void ws_date_format(time_t t, char out[WS_DATE_LEN + 1]);

/* One per worker; not shared between threads. */
typedef struct {
    time_t _second;              /* the second that text describes */
    char text[WS_DATE_LEN + 1];  /* valid after ws_date_cache_get */
} ws_date_cache_t;

void ws_date_cache_init(ws_date_cache_t *cache);

/* Returns the cached text for now (seconds since the epoch), reformatting
 * only when the second changed. The pointer stays valid until the next call. */
const char *ws_date_cache_get(ws_date_cache_t *cache, time_t now);

#endif
