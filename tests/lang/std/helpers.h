/* helpers.h: shared fixtures for the lang/std unit tests.
 *
 * Each test gets a fresh context (one heap) through the setup/teardown
 * fixture; S() makes a heap string; run_child() runs a function in a forked
 * child with stderr captured, to check panic reports and exit signals. */
#ifndef SNOW_TESTS_LANG_STD_HELPERS_H
#define SNOW_TESTS_LANG_STD_HELPERS_H

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lang/std/snow.h"

static snow_ctx_t *cx;

static inline void std_setup(void) { cx = snow_ctx_new(); }

static inline void std_teardown(void) { snow_ctx_free(cx); }

static inline snow_string_t *S(const char *s) { return snow_string_new(cx, s, strlen(s)); }

#define W(p) SNOW_WORD_PTR(p)
#define ASSERT_TEXT(str, expect) cr_assert_str_eq((str)->bytes, (expect))
#define ASSERT_SHOW(t, v, expect) ASSERT_TEXT(snow_to_string(cx, (t), (v)), (expect))

/* Runs fn in a child with stdout and stderr captured. Returns the raw wait
 * status; the child's stderr goes to err (NUL-terminated) and stdout to out
 * (either may be NULL). */
static inline int run_child(void (*fn)(void), char *out, size_t out_cap, char *err, size_t err_cap)
{
    int po[2], pe[2];
    if (pipe(po) || pipe(pe))
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(po[1], 1);
        dup2(pe[1], 2);
        close(po[0]);
        close(pe[0]);
        fn();
        snow_io_flush(cx);
        _exit(0);
    }
    close(po[1]);
    close(pe[1]);
    size_t no = 0, ne = 0;
    ssize_t n;
    char sink[256];
    while ((n = read(po[0], out && no + 1 < out_cap ? out + no : sink,
                     out && no + 1 < out_cap ? out_cap - no - 1 : sizeof sink)) > 0)
        if (out && no + 1 < out_cap)
            no += (size_t)n;
    while ((n = read(pe[0], err && ne + 1 < err_cap ? err + ne : sink,
                     err && ne + 1 < err_cap ? err_cap - ne - 1 : sizeof sink)) > 0)
        if (err && ne + 1 < err_cap)
            ne += (size_t)n;
    if (out)
        out[no] = 0;
    if (err)
        err[ne] = 0;
    close(po[0]);
    close(pe[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

/* Asserts that fn panics with the report line `line` and SIGABRT. */
#define ASSERT_PANICS(fn, line)                                                                    \
    do {                                                                                           \
        char err_[2048];                                                                           \
        int st_ = run_child((fn), NULL, 0, err_, sizeof err_);                                     \
        cr_assert(WIFSIGNALED(st_) && WTERMSIG(st_) == SIGABRT, "status %d", st_);                 \
        cr_assert_str_eq(err_, (line));                                                            \
    } while (0)

#endif
