/* sys.h: operating-system boundary of lang/std: stdout/stderr/stdin, files
 * and the environment (stdlib 2.2, 5, 14, 15; D29, D55).
 *
 * Blocking libc calls for now; the scheduler will move file and stdin work
 * to its blocking pool. Every byte that enters a Snow string here is checked
 * for valid UTF-8. */
#ifndef SNOW_LANG_STD_SYS_H
#define SNOW_LANG_STD_SYS_H

#include "lang/std/snow.h"

/* Returns the stdlib 14.1 error text `<strerror(err)> (os error <err>)`. */
snow_string_t *std_os_error(snow_ctx_t *cx, int err);

#endif
