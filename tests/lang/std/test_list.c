/* Tests of lang/std/list.c: the List module (stdlib 7, D45, D46) and its
 * panics (D25). Closures are real closure records with word-ABI code. */
#include "tests/lang/std/helpers.h"

TestSuite(std_list, .init = std_setup, .fini = std_teardown);

static snow_list_t *ints(size_t n, const int64_t *v)
{
    return snow_list_from_array(cx, &snow_type_int, n, (const snow_word_t *)v);
}

#define INTS(...) ints(sizeof((int64_t[]){__VA_ARGS__}) / 8, (int64_t[]){__VA_ARGS__})
#define SHOW(xs) snow_to_string(cx, &snow_type_list_int, W(xs))->bytes

static int calls;

static snow_word_t double_it(snow_ctx_t *c, snow_record_t *self, snow_word_t a)
{
    (void)c, (void)self;
    calls++;
    return a * 2;
}

static snow_word_t is_even(snow_ctx_t *c, snow_record_t *self, snow_word_t a)
{
    (void)c, (void)self;
    calls++;
    return (a & 1) == 0;
}

static snow_word_t minus(snow_ctx_t *c, snow_record_t *self, snow_word_t acc, snow_word_t x)
{
    (void)c, (void)self;
    return acc - x;
}

/* Closure capturing an Int: adds w[1]. */
static snow_word_t add_captured(snow_ctx_t *c, snow_record_t *self, snow_word_t a)
{
    (void)c;
    return a + self->w[1];
}

static snow_word_t by_value(snow_ctx_t *c, snow_record_t *self, snow_word_t a, snow_word_t b)
{
    (void)c, (void)self;
    return (snow_word_t)((int64_t)a - (int64_t)b);
}

/* Compares pairs encoded as value*10 + tag by value only (stability). */
static snow_word_t by_tens(snow_ctx_t *c, snow_record_t *self, snow_word_t a, snow_word_t b)
{
    (void)c, (void)self;
    return (snow_word_t)((int64_t)a / 10 - (int64_t)b / 10);
}

static snow_word_t chaotic(snow_ctx_t *c, snow_record_t *self, snow_word_t a, snow_word_t b)
{
    (void)c, (void)self;
    return (snow_word_t)(((a * 7 + b * 13) % 3) - 1);
}

static snow_record_t *fn(const void *code) { return snow_closure_new(cx, code, 0, 0); }

Test(std_list, basic_access)
{
    snow_list_t *xs = INTS(4, 9, 16);
    cr_assert_eq(snow_list_length(cx, xs), 3);
    cr_assert_eq(snow_list_head(cx, xs), 4);
    cr_assert_eq(snow_list_last(cx, xs), 16);
    cr_assert_eq(snow_list_get(cx, xs, 1), 9);
    cr_assert_eq(snow_list_nth(cx, xs, 2), 16);
    cr_assert_str_eq(SHOW(snow_list_tail(cx, xs)), "[9, 16]");
    cr_assert_str_eq(SHOW(snow_list_reverse(cx, xs)), "[16, 9, 4]");
    cr_assert_str_eq(SHOW(xs), "[4, 9, 16]");
}

Test(std_list, append_is_persistent)
{
    snow_list_t *a = INTS(1, 2);
    snow_list_t *b = snow_list_append(cx, a, 3);
    snow_list_t *c = snow_list_append(cx, a, 4); /* a's next slot is taken: copy */
    snow_list_t *d = snow_list_append(cx, b, 5);
    cr_assert_str_eq(SHOW(a), "[1, 2]");
    cr_assert_str_eq(SHOW(b), "[1, 2, 3]");
    cr_assert_str_eq(SHOW(c), "[1, 2, 4]");
    cr_assert_str_eq(SHOW(d), "[1, 2, 3, 5]");
    snow_list_t *t = snow_list_take(cx, d, 2);
    snow_list_t *e = snow_list_append(cx, t, 9);
    cr_assert_str_eq(SHOW(e), "[1, 2, 9]");
    cr_assert_str_eq(SHOW(d), "[1, 2, 3, 5]");
}

Test(std_list, append_loop_is_amortised_linear)
{
    snow_list_t *xs = snow_list_new(cx, &snow_type_int);
    for (int64_t i = 0; i < 1000000; i++)
        xs = snow_list_append(cx, xs, (snow_word_t)i);
    cr_assert_eq(xs->len, 1000000);
    cr_assert_eq(snow_list_get(cx, xs, 999999), 999999);
    snow_gc_stats_t st;
    snow_gc_stats(cx, &st);
    /* Doubling copies: well under 100 MB allocated for 8 MB of elements. */
    cr_assert_lt(st.bytes_allocated, (uint64_t)100 << 20);
}

Test(std_list, concat_take_drop)
{
    snow_list_t *xs = INTS(1, 2, 3);
    cr_assert_str_eq(SHOW(snow_list_concat(cx, xs, INTS(4, 5))), "[1, 2, 3, 4, 5]");
    cr_assert_str_eq(SHOW(snow_list_concat(cx, snow_list_new(cx, &snow_type_int), xs)),
                     "[1, 2, 3]");
    cr_assert_str_eq(SHOW(snow_list_take(cx, xs, -1)), "[]");
    cr_assert_str_eq(SHOW(snow_list_take(cx, xs, 2)), "[1, 2]");
    cr_assert_str_eq(SHOW(snow_list_take(cx, xs, 10)), "[1, 2, 3]");
    cr_assert_str_eq(SHOW(snow_list_drop(cx, xs, -1)), "[1, 2, 3]");
    cr_assert_str_eq(SHOW(snow_list_drop(cx, xs, 2)), "[3]");
    cr_assert_str_eq(SHOW(snow_list_drop(cx, xs, 9)), "[]");
}

Test(std_list, higher_order_functions_call_once_per_element)
{
    snow_list_t *xs = INTS(1, 2, 3, 4);
    calls = 0;
    cr_assert_str_eq(SHOW(snow_list_map(cx, xs, fn(double_it), &snow_type_int)), "[2, 4, 6, 8]");
    cr_assert_eq(calls, 4);
    calls = 0;
    cr_assert_str_eq(SHOW(snow_list_filter(cx, xs, fn(is_even))), "[2, 4]");
    cr_assert_eq(calls, 4);
    cr_assert_eq((int64_t)snow_list_reduce(cx, INTS(4, 9, 16), 100, fn(minus)), 71);
    calls = 0;
    snow_record_t *found = snow_list_find(cx, xs, fn(is_even));
    cr_assert_eq(found->h.tag, SNOW_TAG_SOME);
    cr_assert_eq(found->w[0], 2);
    cr_assert_eq(calls, 2);
    cr_assert_eq(snow_list_find(cx, INTS(1, 3), fn(is_even))->h.tag, SNOW_TAG_NONE);
    calls = 0;
    cr_assert(snow_list_any(cx, xs, fn(is_even)));
    cr_assert_eq(calls, 2);
    cr_assert_not(snow_list_all(cx, xs, fn(is_even)));
    cr_assert(snow_list_all(cx, snow_list_new(cx, &snow_type_int), fn(is_even)));
    cr_assert_not(snow_list_any(cx, snow_list_new(cx, &snow_type_int), fn(is_even)));
    snow_record_t *add5 = snow_closure_new(cx, add_captured, 1, 0);
    add5->w[1] = 5;
    cr_assert_str_eq(SHOW(snow_list_map(cx, xs, add5, &snow_type_int)), "[6, 7, 8, 9]");
}

Test(std_list, sort_is_stable_and_never_loses_elements)
{
    cr_assert_str_eq(SHOW(snow_list_sort(cx, INTS(41, 7, 19), fn(by_value))), "[7, 19, 41]");
    cr_assert_str_eq(SHOW(snow_list_sort(cx, INTS(31, 12, 30, 11, 32, 10), fn(by_tens))),
                     "[12, 11, 10, 31, 30, 32]");
    snow_list_t *xs = snow_list_new(cx, &snow_type_int);
    for (int64_t i = 0; i < 1000; i++)
        xs = snow_list_append(cx, xs, (snow_word_t)((i * 7919) % 1000));
    snow_list_t *sorted = snow_list_sort(cx, xs, fn(chaotic));
    cr_assert_eq(sorted->len, 1000);
    int seen[1000] = {0};
    for (int64_t i = 0; i < 1000; i++)
        seen[snow_list_items(sorted)[i]]++;
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(seen[i], 1);
}

Test(std_list, contains_uses_value_equality)
{
    snow_word_t a[] = {W(S("ab")), W(S("cd"))};
    snow_list_t *xs = snow_list_from_array(cx, &snow_type_string, 2, a);
    cr_assert(snow_list_contains(cx, xs, W(S("ab"))));
    cr_assert_not(snow_list_contains(cx, xs, W(S("a"))));
    cr_assert(snow_list_contains(cx, INTS(1, 2), 2));
}

static const snow_type_t *const p_is[] = {&snow_type_int, &snow_type_string};
static const snow_type_t t_pair = {.kind = SNOW_KIND_TUPLE, .count = 2, .params = p_is};
static const snow_type_t *const p_pair[] = {&t_pair};
static const snow_type_t t_list_pair = {.kind = SNOW_KIND_LIST, .count = 1, .params = p_pair};
static const snow_type_t *const p_li[] = {&snow_type_list_int};
static const snow_type_t t_list_list = {.kind = SNOW_KIND_LIST, .count = 1, .params = p_li};

static snow_word_t twice(snow_ctx_t *c, snow_record_t *self, snow_word_t a)
{
    (void)self;
    snow_word_t two[] = {a, a};
    return W(snow_list_from_array(c, &snow_type_int, 2, two));
}

Test(std_list, zip_enumerate_flatten)
{
    snow_word_t s[] = {W(S("a")), W(S("b"))};
    snow_list_t *strs = snow_list_from_array(cx, &snow_type_string, 2, s);
    ASSERT_SHOW(&t_list_pair, W(snow_list_zip(cx, INTS(1, 2, 3), strs, &t_pair)),
                "[(1, a), (2, b)]");
    ASSERT_SHOW(&t_list_pair, W(snow_list_enumerate(cx, strs, &t_pair)), "[(0, a), (1, b)]");
    snow_word_t inner[] = {W(INTS(1, 2)), W(snow_list_new(cx, &snow_type_int)), W(INTS(3))};
    snow_list_t *xss = snow_list_from_array(cx, &snow_type_list_int, 3, inner);
    ASSERT_SHOW(&t_list_list, W(xss), "[[1, 2], [], [3]]");
    cr_assert_str_eq(SHOW(snow_list_flatten(cx, xss)), "[1, 2, 3]");
    cr_assert_str_eq(SHOW(snow_list_flat_map(cx, INTS(1, 2), fn(twice), &snow_type_int)),
                     "[1, 1, 2, 2]");
}

static void head_empty(void) { snow_list_head(cx, snow_list_new(cx, &snow_type_int)); }

static void tail_empty(void) { snow_list_tail(cx, snow_list_new(cx, &snow_type_int)); }

static void last_empty(void) { snow_list_last(cx, snow_list_new(cx, &snow_type_int)); }

static void get_out_of_range(void) { snow_list_get(cx, INTS(1, 2, 3), 5); }

static void nth_negative(void) { snow_list_nth(cx, INTS(1, 2, 3), -1); }

Test(std_list, panics_use_v5_messages)
{
    ASSERT_PANICS(head_empty, "Snow panic: snow_list_head: empty list\n");
    ASSERT_PANICS(tail_empty, "Snow panic: snow_list_tail: empty list\n");
    ASSERT_PANICS(last_empty, "Snow panic: snow_list_last: empty list\n");
    ASSERT_PANICS(get_out_of_range, "Snow panic: snow_list_get: index 5 out of bounds (len 3)\n");
    ASSERT_PANICS(nth_negative, "Snow panic: snow_list_get: index -1 out of bounds (len 3)\n");
}

static snow_word_t panic_in_map(snow_ctx_t *c, snow_record_t *self, snow_word_t a)
{
    (void)self, (void)a;
    snow_panic_at(c, "main.snow", 12, "division by zero");
}

static void print_then_panic(void)
{
    snow_print(cx, S("partial"));
    snow_list_map(cx, INTS(1), fn(panic_in_map), &snow_type_int);
}

/* D25/D29: stdout is flushed before the report; SIGABRT ends the program. */
Test(std_list, panic_flushes_stdout_and_reports_location)
{
    char out[256], err[256];
    int st = run_child(print_then_panic, out, sizeof out, err, sizeof err);
    cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
    cr_assert_str_eq(out, "partial");
    cr_assert_str_eq(err, "Snow panic at main.snow:12: division by zero\n");
}

/* The same contract through Criterion's own signal check (STYLE 9). */
Test(std_list, head_of_empty_list_aborts, .signal = SIGABRT)
{
    snow_list_head(cx, snow_list_new(cx, &snow_type_int));
}
