/* Tests of lang/std/misc.c and sys.c: Queue, Range, Tuple, Math, Int,
 * Float (stdlib 10-13), IO, File, Env (stdlib 5, 14, 15; D29, D48-D53). */
#include "tests/lang/std/helpers.h"

#include <fcntl.h>
#include <math.h>
#include <stdlib.h>

TestSuite(std_misc, .init = std_setup, .fini = std_teardown, .timeout = 30);

Test(std_misc, queue_is_fifo_and_persistent)
{
    snow_queue_t *q = snow_queue_new(cx);
    cr_assert(snow_queue_is_empty(cx, q));
    snow_queue_t *q3 = snow_queue_push(cx, snow_queue_push(cx, snow_queue_push(cx, q, 1), 2), 3);
    cr_assert_eq(snow_queue_size(cx, q3), 3);
    cr_assert_eq(snow_queue_peek(cx, q3), 1);
    snow_record_t *pair = snow_queue_pop(cx, q3);
    cr_assert_eq(pair->h.count, 2);
    cr_assert_eq(pair->w[0], 1);
    snow_queue_t *rest = SNOW_WORD_TO_PTR(snow_queue_t, pair->w[1]);
    cr_assert_eq(snow_queue_size(cx, rest), 2);
    cr_assert_eq(snow_queue_peek(cx, rest), 2);
    cr_assert_eq(snow_queue_size(cx, q3), 3);
    cr_assert_eq(snow_queue_size(cx, q), 0);
}

Test(std_misc, long_lived_queue_stays_small)
{
    snow_queue_t *q = snow_queue_new(cx);
    for (int64_t i = 0; i < 10; i++)
        q = snow_queue_push(cx, q, i);
    for (int64_t i = 10; i < 2000000; i++) {
        q = snow_queue_push(cx, q, i);
        snow_record_t *p = snow_queue_pop(cx, q);
        cr_assert_eq((int64_t)p->w[0], i - 10);
        q = SNOW_WORD_TO_PTR(snow_queue_t, p->w[1]);
    }
    snow_gc_collect(cx);
    snow_gc_stats_t st;
    snow_gc_stats(cx, &st);
    cr_assert_lt(st.bytes_live, (uint64_t)1 << 20);
}

static void pop_empty(void) { snow_queue_pop(cx, snow_queue_new(cx)); }

static void peek_empty(void) { snow_queue_peek(cx, snow_queue_new(cx)); }

static void tuple_oob(void)
{
    snow_record_t *t = snow_record_new(cx, 0, 2, 0);
    snow_tuple_nth(cx, t, 2);
}

Test(std_misc, empty_queue_and_tuple_panics)
{
    ASSERT_PANICS(pop_empty, "Snow panic: snow_queue_pop: empty queue\n");
    ASSERT_PANICS(peek_empty, "Snow panic: snow_queue_peek: empty queue\n");
    ASSERT_PANICS(tuple_oob, "Snow panic: snow_tuple_nth: index 2 out of bounds (len 2)\n");
}

static snow_word_t square(snow_ctx_t *c, snow_record_t *self, snow_word_t a)
{
    (void)c, (void)self;
    return a * a;
}

static snow_word_t odd(snow_ctx_t *c, snow_record_t *self, snow_word_t a)
{
    (void)c, (void)self;
    return a & 1;
}

Test(std_misc, ranges)
{
    snow_record_t *r = snow_range_new(cx, 2, 6);
    cr_assert_eq(snow_range_length(cx, r), 4);
    ASSERT_SHOW(&snow_type_list_int, W(snow_range_to_list(cx, r)), "[2, 3, 4, 5]");
    ASSERT_SHOW(&snow_type_list_int, W(snow_range_map(cx, r, snow_closure_new(cx, square, 0, 0))),
                "[4, 9, 16, 25]");
    ASSERT_SHOW(&snow_type_list_int, W(snow_range_filter(cx, r, snow_closure_new(cx, odd, 0, 0))),
                "[3, 5]");
    cr_assert_eq(snow_range_length(cx, snow_range_new(cx, 5, 1)), 0);
    ASSERT_SHOW(&snow_type_list_int, W(snow_range_to_list(cx, snow_range_new(cx, 5, 1))), "[]");
    cr_assert_eq(snow_range_length(cx, snow_range_new(cx, INT64_MIN, INT64_MAX)), INT64_MAX);
}

Test(std_misc, tuples)
{
    snow_record_t *t = snow_record_new(cx, 0, 3, 0);
    t->w[0] = 7, t->w[1] = 8, t->w[2] = 9;
    cr_assert_eq(snow_tuple_first(cx, t), 7);
    cr_assert_eq(snow_tuple_second(cx, t), 8);
    cr_assert_eq(snow_tuple_nth(cx, t, 2), 9);
    cr_assert_eq(snow_tuple_size(cx, t), 3);
}

Test(std_misc, math_int_float)
{
    cr_assert_eq(snow_math_abs(cx, INT64_MIN), INT64_MIN);
    cr_assert_eq(snow_math_abs(cx, -4), 4);
    cr_assert(!signbit(snow_math_abs_float(cx, -0.0)));
    cr_assert_eq(snow_math_min(cx, 3, -2), -2);
    cr_assert_eq(snow_math_max_float(cx, NAN, 2.0), 2.0);
    cr_assert_eq(snow_math_pow(cx, NAN, 0.0), 1.0);
    cr_assert_eq(snow_math_pow(cx, 2.0, 10.0), 1024.0);
    cr_assert(isinf(snow_math_pow(cx, 0.0, -1.0)));
    cr_assert(signbit(snow_math_sqrt(cx, -0.0)));
    cr_assert_eq(snow_math_round(cx, 2.5), 3);
    cr_assert_eq(snow_math_round(cx, -2.5), -3);
    cr_assert_eq(snow_math_round(cx, 0.49999999999999994), 0);
    cr_assert_eq(snow_math_floor(cx, -1.5), -2);
    cr_assert_eq(snow_math_ceil(cx, -1.5), -1);
    cr_assert_eq(snow_float_to_int(cx, -3.99), -3);
    cr_assert_eq(snow_float_to_int(cx, NAN), 0);
    cr_assert_eq(snow_float_to_int(cx, INFINITY), INT64_MAX);
    cr_assert_eq(snow_float_to_int(cx, 1e300), INT64_MAX);
    cr_assert_eq(snow_float_to_int(cx, -INFINITY), INT64_MIN);
    cr_assert_eq(snow_math_floor(cx, -1e300), INT64_MIN);
    cr_assert_eq(snow_int_to_float(cx, 9007199254740993LL), 9007199254740992.0);
}

Test(std_misc, int_division_rules_of_d26)
{
    cr_assert_eq(snow_int_div(cx, -7, 2, "m.snow", 1), -3);
    cr_assert_eq(snow_int_rem(cx, -7, 2, "m.snow", 1), -1);
    cr_assert_eq(snow_int_div(cx, INT64_MIN, -1, "m.snow", 1), INT64_MIN);
    cr_assert_eq(snow_int_rem(cx, INT64_MIN, -1, "m.snow", 1), 0);
}

static void div_zero(void) { snow_int_div(cx, 1, 0, "main.snow", 3); }

Test(std_misc, division_by_zero_panics_with_location)
{
    ASSERT_PANICS(div_zero, "Snow panic at main.snow:3: division by zero\n");
}

static void printing(void)
{
    snow_print(cx, S("a"));
    snow_println(cx, S("b"));
    snow_print(cx, S("c\nd"));
    snow_io_eprintln(cx, S("err"));
    snow_print(cx, S("tail"));
}

Test(std_misc, print_println_and_flush_at_exit)
{
    char out[64], err[64];
    int st = run_child(printing, out, sizeof out, err, sizeof err);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    cr_assert_str_eq(out, "ab\nc\ndtail");
    cr_assert_str_eq(err, "err\n");
}

static void read_lines(void)
{
    int p[2];
    if (pipe(p))
        abort();
    const char input[] = "one\r\ntwo\n\nlast";
    if (write(p[1], input, sizeof input - 1) < 0)
        abort();
    close(p[1]);
    dup2(p[0], 0);
    for (int i = 0; i < 6; i++) {
        snow_record_t *r = snow_io_read_line(cx);
        snow_string_t *s = SNOW_WORD_TO_PTR(snow_string_t, r->w[0]);
        snow_print(cx, snow_int_to_string(cx, r->h.tag));
        snow_print(cx, S(":"));
        snow_println(cx, s);
    }
}

Test(std_misc, read_line_strips_newlines_and_returns_empty_at_eof)
{
    char out[128], err[4096];
    int st = run_child(read_lines, out, sizeof out, err, sizeof err);
    cr_assert(WIFEXITED(st), "status %d: %s", st, err);
    cr_assert_str_eq(out, "0:one\n0:two\n0:\n0:last\n0:\n0:\n");
}

Test(std_misc, files)
{
    char dir[] = "/tmp/snowstdXXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/f.txt", dir);
    snow_string_t *p = S(path);
    cr_assert_not(snow_file_exists(cx, p));
    snow_record_t *r = snow_file_read(cx, p);
    cr_assert_eq(r->h.tag, SNOW_TAG_ERR);
    ASSERT_TEXT(SNOW_WORD_TO_PTR(snow_string_t, r->w[0]), "No such file or directory (os error 2)");
    cr_assert_eq(snow_file_write(cx, p, S("h\xC3\xA9"))->h.tag, SNOW_TAG_OK);
    cr_assert_eq(snow_file_append(cx, p, S("llo"))->h.tag, SNOW_TAG_OK);
    r = snow_file_read(cx, p);
    cr_assert_eq(r->h.tag, SNOW_TAG_OK);
    ASSERT_TEXT(SNOW_WORD_TO_PTR(snow_string_t, r->w[0]), "h\xC3\xA9llo");
    cr_assert(snow_file_exists(cx, p));
    r = snow_file_read(cx, S(dir));
    ASSERT_TEXT(SNOW_WORD_TO_PTR(snow_string_t, r->w[0]), "Is a directory (os error 21)");
    r = snow_file_delete(cx, S(dir));
    ASSERT_TEXT(SNOW_WORD_TO_PTR(snow_string_t, r->w[0]), "Is a directory (os error 21)");
    int fd = open(path, O_WRONLY | O_TRUNC);
    cr_assert(write(fd, "\xFF", 1) == 1);
    close(fd);
    r = snow_file_read(cx, p);
    ASSERT_TEXT(SNOW_WORD_TO_PTR(snow_string_t, r->w[0]), "stream did not contain valid UTF-8");
    cr_assert_eq(snow_file_delete(cx, p)->h.tag, SNOW_TAG_OK);
    r = snow_file_delete(cx, p);
    ASSERT_TEXT(SNOW_WORD_TO_PTR(snow_string_t, r->w[0]), "No such file or directory (os error 2)");
    snprintf(path, sizeof path, "%s/missing/f", dir);
    r = snow_file_write(cx, S(path), S("x"));
    ASSERT_TEXT(SNOW_WORD_TO_PTR(snow_string_t, r->w[0]), "No such file or directory (os error 2)");
    rmdir(dir);
}

Test(std_misc, env_get)
{
    setenv("SNOW_STD_TEST", "v1", 1);
    setenv("SNOW_STD_EMPTY", "", 1);
    snow_record_t *r = snow_env_get(cx, S("SNOW_STD_TEST"));
    cr_assert_eq(r->h.tag, SNOW_TAG_SOME);
    ASSERT_TEXT(SNOW_WORD_TO_PTR(snow_string_t, r->w[0]), "v1");
    ASSERT_TEXT(SNOW_WORD_TO_PTR(snow_string_t, snow_env_get(cx, S("SNOW_STD_EMPTY"))->w[0]), "");
    cr_assert_eq(snow_env_get(cx, S("SNOW_STD_NOPE"))->h.tag, SNOW_TAG_NONE);
    cr_assert_eq(snow_env_get(cx, S(""))->h.tag, SNOW_TAG_NONE);
    cr_assert_eq(snow_env_get(cx, S("A=B"))->h.tag, SNOW_TAG_NONE);
}

__attribute__((noinline)) static int64_t deep(snow_ctx_t *c, int64_t n)
{
    SNOW_FN_ENTER(c);
    volatile char frame[512];
    frame[0] = (char)n;
    if (n < 0) /* never: the stack limit ends the recursion */
        return 0;
    return deep(c, n + 1) + frame[0];
}

static void overflow(void) { deep(cx, 0); }

/* D30: overflow is reported, not a segfault; the budget refills without a
 * scheduler. */
Test(std_misc, stack_overflow_panics) { ASSERT_PANICS(overflow, "Snow panic: stack overflow\n"); }

Test(std_misc, checks_without_scheduler_never_stop_the_program)
{
    snow_budget_t *b = ((snow_ctx_head_t *)(void *)cx)->budget;
    b->reductions = 3;
    for (int i = 0; i < 10; i++)
        SNOW_LOOP_TICK(cx);
    cr_assert_gt(b->reductions, 1000);
}
