/* Tests of lang/std/map.c: Map and Set (stdlib 8, 9; D43, D44, D47). */
#include "tests/lang/std/helpers.h"

#include <stdlib.h>

TestSuite(std_map, .init = std_setup, .fini = std_teardown, .timeout = 60);

static const snow_type_t *const p_si[] = {&snow_type_string, &snow_type_int};
static const snow_type_t t_map_si = {.kind = SNOW_KIND_MAP, .count = 2, .params = p_si};
static const snow_type_t t_pair_si = {.kind = SNOW_KIND_TUPLE, .count = 2, .params = p_si};
static const snow_type_t *const p_pair[] = {&t_pair_si};
static const snow_type_t t_list_pair = {.kind = SNOW_KIND_LIST, .count = 1, .params = p_pair};
static const snow_type_t *const p_ss[] = {&snow_type_string, &snow_type_string};
static const snow_type_t t_map_ss = {.kind = SNOW_KIND_MAP, .count = 2, .params = p_ss};

#define SHOWM(m) snow_to_string(cx, &t_map_si, W(m))->bytes

static snow_map_t *put(snow_map_t *m, const char *k, int64_t v)
{
    return snow_map_put(cx, m, W(S(k)), (snow_word_t)v);
}

Test(std_map, insertion_order_replace_delete_readd)
{
    snow_map_t *m = snow_map_new(cx, &snow_type_string, &snow_type_int);
    m = put(put(put(m, "a", 1), "b", 2), "c", 3);
    cr_assert_str_eq(SHOWM(m), "%{a => 1, b => 2, c => 3}");
    snow_map_t *r = put(m, "a", 10);
    cr_assert_str_eq(SHOWM(r), "%{a => 10, b => 2, c => 3}");
    snow_map_t *d = snow_map_delete(cx, r, W(S("a")));
    cr_assert_str_eq(SHOWM(d), "%{b => 2, c => 3}");
    cr_assert_str_eq(SHOWM(put(d, "a", 5)), "%{b => 2, c => 3, a => 5}");
    cr_assert_str_eq(SHOWM(snow_map_delete(cx, d, W(S("zz")))), "%{b => 2, c => 3}");
    cr_assert_str_eq(SHOWM(m), "%{a => 1, b => 2, c => 3}");
    cr_assert_eq(snow_map_size(cx, d), 2);
}

Test(std_map, get_has_key_and_missing_defaults)
{
    snow_map_t *m = put(snow_map_new(cx, &snow_type_string, &snow_type_int), "pear", 4);
    cr_assert_eq(snow_map_get(cx, m, W(S("pear"))), 4);
    cr_assert(snow_map_has_key(cx, m, W(S("pear"))));
    cr_assert_not(snow_map_has_key(cx, m, W(S("fig"))));
    cr_assert_eq(snow_map_get(cx, m, W(S("fig"))), 0); /* D44 */
}

static void get_missing_string(void)
{
    snow_map_t *m = snow_map_new(cx, &snow_type_string, &snow_type_string);
    snow_map_get(cx, m, W(S("x")));
}

Test(std_map, get_missing_non_scalar_panics)
{
    ASSERT_PANICS(get_missing_string, "Snow panic: Map.get: key not found\n");
}

Test(std_map, from_list_keys_values_to_list_merge)
{
    snow_record_t *p[3];
    const char *ks[] = {"pear", "fig", "pear"};
    int64_t vs[] = {4, 0, 9};
    snow_word_t items[3];
    for (int i = 0; i < 3; i++) {
        p[i] = snow_record_new(cx, 0, 2, 1);
        p[i]->w[0] = W(S(ks[i]));
        p[i]->w[1] = (snow_word_t)vs[i];
        items[i] = W(p[i]);
    }
    snow_list_t *pairs = snow_list_from_array(cx, &t_pair_si, 3, items);
    snow_map_t *m = snow_map_from_list(cx, pairs);
    cr_assert_str_eq(SHOWM(m), "%{pear => 9, fig => 0}");
    ASSERT_SHOW(&snow_type_list_string, W(snow_map_keys(cx, m)), "[pear, fig]");
    ASSERT_SHOW(&snow_type_list_int, W(snow_map_values(cx, m)), "[9, 0]");
    ASSERT_SHOW(&t_list_pair, W(snow_map_to_list(cx, m, &t_pair_si)), "[(pear, 9), (fig, 0)]");
    snow_map_t *b =
        put(put(snow_map_new(cx, &snow_type_string, &snow_type_int), "kiwi", 1), "pear", 2);
    cr_assert_str_eq(SHOWM(snow_map_merge(cx, m, b)), "%{pear => 2, fig => 0, kiwi => 1}");
}

Test(std_map, float_keys_compare_by_bits)
{
    snow_map_t *m = snow_map_new(cx, &snow_type_float, &snow_type_int);
    m = snow_map_put(cx, m, snow_word_from_float(0.0), 1);
    m = snow_map_put(cx, m, snow_word_from_float(-0.0), 2);
    m = snow_map_put(cx, m, snow_word_from_float(__builtin_nan("")), 3);
    cr_assert_eq(snow_map_size(cx, m), 3);
    cr_assert_eq(snow_map_get(cx, m, snow_word_from_float(__builtin_nan(""))), 3);
}

Test(std_map, equality_and_hash)
{
    snow_map_t *a = put(put(snow_map_new(cx, &snow_type_string, &snow_type_int), "x", 1), "y", 2);
    snow_map_t *b = put(put(snow_map_new(cx, &snow_type_string, &snow_type_int), "y", 2), "x", 1);
    cr_assert(snow_eq(cx, &t_map_si, W(a), W(b)));
    cr_assert_not(snow_eq(cx, &t_map_si, W(a), W(put(b, "x", 3))));
    cr_assert_eq(snow_hash(cx, &t_map_si, W(a)), snow_hash(cx, &t_map_si, W(put(a, "x", 1))));
}

/* Random operations checked against a plain array model. */
Test(std_map, matches_model_under_random_puts_and_deletes)
{
    enum { KEYS = 3000, OPS = 60000 };
    static int64_t model_val[KEYS];
    static int64_t model_order[KEYS]; /* insertion stamp, -1 = absent */
    for (int i = 0; i < KEYS; i++)
        model_order[i] = -1;
    int64_t stamp = 0;
    snow_map_t *m = snow_map_new(cx, &snow_type_int, &snow_type_int);
    srand(42);
    for (int op = 0; op < OPS; op++) {
        int k = rand() % KEYS;
        if (rand() % 3 == 0) {
            m = snow_map_delete(cx, m, (snow_word_t)k);
            model_order[k] = -1;
        } else {
            int64_t v = rand();
            m = snow_map_put(cx, m, (snow_word_t)k, (snow_word_t)v);
            if (model_order[k] < 0)
                model_order[k] = stamp++;
            model_val[k] = v;
        }
    }
    int64_t live = 0;
    for (int i = 0; i < KEYS; i++) {
        live += model_order[i] >= 0;
        cr_assert_eq(snow_map_has_key(cx, m, (snow_word_t)i), model_order[i] >= 0);
        if (model_order[i] >= 0)
            cr_assert_eq((int64_t)snow_map_get(cx, m, (snow_word_t)i), model_val[i]);
    }
    cr_assert_eq(snow_map_size(cx, m), live);
    snow_word_t k, v;
    int64_t pos = 0, prev = -1, seen = 0;
    while ((pos = snow_map_next(cx, m, pos, &k, &v)) >= 0) {
        cr_assert_gt(model_order[k], prev, "order");
        prev = model_order[k];
        seen++;
    }
    cr_assert_eq(seen, live);
}

Test(std_map, sets_keep_insertion_order)
{
    snow_word_t xs[] = {5, 1, 5, 3};
    snow_map_t *s = snow_set_from_list(cx, snow_list_from_array(cx, &snow_type_int, 4, xs));
    ASSERT_SHOW(&snow_type_set, W(s), "#{5, 1, 3}");
    cr_assert(snow_set_contains(cx, s, 1));
    cr_assert_not(snow_set_contains(cx, s, 2));
    cr_assert_eq(snow_set_size(cx, s), 3);
    snow_word_t ys[] = {3, 4, 5};
    snow_map_t *t = snow_set_from_list(cx, snow_list_from_array(cx, &snow_type_int, 3, ys));
    ASSERT_SHOW(&snow_type_set, W(snow_set_union(cx, s, t)), "#{5, 1, 3, 4}");
    ASSERT_SHOW(&snow_type_set, W(snow_set_intersection(cx, s, t)), "#{5, 3}");
    ASSERT_SHOW(&snow_type_set, W(snow_set_difference(cx, s, t)), "#{1}");
    ASSERT_SHOW(&snow_type_set, W(snow_set_remove(cx, s, 1)), "#{5, 3}");
    ASSERT_SHOW(&snow_type_list_int, W(snow_set_to_list(cx, s)), "[5, 1, 3]");
    ASSERT_SHOW(&snow_type_set, W(snow_set_add(cx, snow_set_remove(cx, s, 5), 5)), "#{1, 3, 5}");
}

Test(std_map, string_keyed_map_of_strings_displays_unquoted)
{
    snow_map_t *m = snow_map_new(cx, &snow_type_string, &snow_type_string);
    m = snow_map_put(cx, m, W(S("city")), W(S("Oslo")));
    ASSERT_SHOW(&t_map_ss, W(m), "%{city => Oslo}");
}

/* Keys of m in iteration order must be ks[0..n) with values vs[0..n). */
static void assert_entries(const snow_map_t *m, const int64_t *ks, const int64_t *vs, int64_t n)
{
    snow_word_t k, v;
    int64_t pos = 0, i = 0;
    while ((pos = snow_map_next(cx, m, pos, &k, &v)) >= 0) {
        cr_assert_lt(i, n, "more entries than expected");
        cr_assert_eq((int64_t)k, ks[i], "key %lld", (long long)i);
        cr_assert_eq((int64_t)v, vs[i], "value %lld", (long long)i);
        cr_assert_eq((int64_t)snow_map_get(cx, m, k), vs[i]);
        i++;
    }
    cr_assert_eq(i, n);
    cr_assert_eq(snow_map_size(cx, m), n);
}

/* The tail leaf is extended in place by the newest version only: every older
 * version keeps its entries, and a put on an older version (mid-tail, at a
 * full tail, on a pushed leaf) starts its own copy (D47, language 3.3). */
Test(std_map, tail_appends_leave_older_versions_unchanged)
{
    enum { N = 300 };
    static snow_map_t *ver[N + 1];
    static int64_t ks[N + 1], vs[N + 1];
    ver[0] = snow_map_new(cx, &snow_type_int, &snow_type_int);
    for (int64_t i = 0; i < N; i++) {
        ks[i] = i * 31, vs[i] = i;
        ver[i + 1] = snow_map_put(cx, ver[i], (snow_word_t)ks[i], (snow_word_t)vs[i]);
    }
    int64_t at[] = {0, 1, 5, 15, 16, 17, 31, 32, 100, 255, 256, 257, 299};
    for (size_t j = 0; j < sizeof at / sizeof at[0]; j++) {
        int64_t a = at[j];
        snow_map_t *b = snow_map_put(cx, ver[a], 7777, 1);
        b = snow_map_put(cx, b, 8888, 2);
        cr_assert_eq(snow_map_size(cx, b), a + 2);
        cr_assert_eq((int64_t)snow_map_get(cx, b, 7777), 1);
        cr_assert_not(snow_map_has_key(cx, ver[a], 7777));
        /* Replace and delete inside the tail of an older version. */
        if (a > 0) {
            snow_map_t *r = snow_map_put(cx, ver[a], (snow_word_t)ks[a - 1], 99);
            cr_assert_eq((int64_t)snow_map_get(cx, r, (snow_word_t)ks[a - 1]), 99);
            snow_map_t *d = snow_map_delete(cx, ver[a], (snow_word_t)ks[a - 1]);
            cr_assert_not(snow_map_has_key(cx, d, (snow_word_t)ks[a - 1]));
            d = snow_map_put(cx, d, 4242, 3);
            cr_assert_eq(snow_map_size(cx, d), a);
        }
    }
    for (int64_t i = 0; i <= N; i++)
        assert_entries(ver[i], ks, vs, i);
}

/* Deletes interleaved with puts: iteration order is exactly first-insertion
 * order of the live keys, a re-added key goes last, a replaced one stays. */
Test(std_map, insertion_order_exact_with_interleaved_deletes)
{
    enum { N = 2000 };
    static int64_t ks[N], vs[N];
    int64_t n = 0;
    snow_map_t *m = snow_map_new(cx, &snow_type_int, &snow_type_int);
    for (int64_t i = 0; i < N; i++) {
        m = snow_map_put(cx, m, (snow_word_t)i, (snow_word_t)(i * 2));
        ks[n] = i, vs[n] = i * 2, n++;
        if (i % 3 == 2) { /* delete the key inserted two steps ago */
            m = snow_map_delete(cx, m, (snow_word_t)(i - 2));
            for (int64_t j = 0; j < n; j++)
                if (ks[j] == i - 2) {
                    memmove(ks + j, ks + j + 1, (size_t)(n - j - 1) * sizeof *ks);
                    memmove(vs + j, vs + j + 1, (size_t)(n - j - 1) * sizeof *vs);
                    n--;
                    break;
                }
        }
        if (i % 7 == 6) { /* replace an older live key's value: order kept */
            int64_t j = n / 2;
            vs[j] += 1000000;
            m = snow_map_put(cx, m, (snow_word_t)ks[j], (snow_word_t)vs[j]);
        }
    }
    assert_entries(m, ks, vs, n);
    m = snow_map_put(cx, m, (snow_word_t)0, 5); /* 0 was deleted: re-added last */
    ks[n] = 0, vs[n] = 5, n++;
    assert_entries(m, ks, vs, n);
}

/* {====== Versions: puts and deletes on any older version
 * The newest version of a lineage inserts in place and older versions
 * ignore entries numbered at or past their count; a change of an older
 * version starts a dirty lineage (map.c). Every version made here is kept
 * (in a Snow list, so the collector sees them) and checked against its own
 * model at the end: contents, values and insertion order (language 6.1,
 * D47). */

enum { VK = 96, VVERS = 2500 };

typedef struct vmodel_t {
    int64_t val[VK];
    int8_t order_len;
    uint8_t order[VK]; /* keys in insertion order */
} vmodel_t;

static const snow_type_t *const p_ii[] = {&snow_type_int, &snow_type_int};
static const snow_type_t t_map_ii = {.kind = SNOW_KIND_MAP, .count = 2, .params = p_ii};
static const snow_type_t *const p_list_map_ii[] = {&t_map_ii};
static const snow_type_t t_list_map_ii = {
    .kind = SNOW_KIND_LIST, .count = 1, .params = p_list_map_ii};
static const snow_type_t *const p_list_map_ss[] = {&t_map_ss};
static const snow_type_t t_list_map_ss = {
    .kind = SNOW_KIND_LIST, .count = 1, .params = p_list_map_ss};

static vmodel_t vmodels[VVERS];

static int vmodel_find(const vmodel_t *md, int key)
{
    for (int i = 0; i < md->order_len; i++)
        if (md->order[i] == key)
            return i;
    return -1;
}

/* Key number i as a map key: spread Ints (deep tries) or strings. */
static snow_word_t vkey(bool str, int i)
{
    if (!str)
        return (snow_word_t)((uint64_t)i * 0x9e3779b97f4a7c15ull);
    char b[16];
    snprintf(b, sizeof b, "k%d", i);
    return W(S(b));
}

static snow_word_t vval(bool str, int64_t v)
{
    if (!str)
        return (snow_word_t)v;
    char b[24];
    snprintf(b, sizeof b, "%lld", (long long)v);
    return W(S(b));
}

static int64_t vval_back(bool str, snow_word_t w)
{
    return str ? strtoll(((snow_string_t *)(uintptr_t)w)->bytes, NULL, 10) : (int64_t)w;
}

static void vcheck(bool str, const snow_map_t *m, const vmodel_t *md, int ver)
{
    cr_assert_eq(snow_map_size(cx, m), md->order_len, "version %d size", ver);
    for (int key = 0; key < VK; key++) {
        int at = vmodel_find(md, key);
        snow_word_t kw = vkey(str, key);
        cr_assert_eq(snow_map_has_key(cx, m, kw), at >= 0, "version %d key %d", ver, key);
        if (at >= 0)
            cr_assert_eq(vval_back(str, snow_map_get(cx, m, kw)), md->val[key], "version %d key %d",
                         ver, key);
    }
    snow_word_t k, v;
    int64_t pos = 0;
    int i = 0;
    while ((pos = snow_map_next(cx, m, pos, &k, &v)) >= 0) {
        cr_assert_lt(i, md->order_len, "version %d: extra entry", ver);
        cr_assert(snow_eq(cx, str ? &snow_type_string : &snow_type_int, k,
                          vkey(str, md->order[i])),
                  "version %d: order at %d", ver, i);
        cr_assert_eq(vval_back(str, v), md->val[md->order[i]], "version %d: value at %d", ver, i);
        i++;
    }
    cr_assert_eq(i, md->order_len, "version %d: entries", ver);
}

static void versions_random(bool str, unsigned seed)
{
    const snow_type_t *kt = str ? &snow_type_string : &snow_type_int;
    snow_list_t *vers = snow_list_new(cx, str ? &t_list_map_ss : &t_list_map_ii);
    vers = snow_list_append(cx, vers, W(snow_map_new(cx, kt, kt)));
    memset(&vmodels[0], 0, sizeof vmodels[0]);
    srand(seed);
    for (int n = 1; n < VVERS; n++) {
        /* Mostly the newest version (in-place inserts), often the one
         * before it (a branch next to the newest), sometimes any. */
        int r = rand() % 6;
        int from = r < 3 || n < 2 ? n - 1 : r < 5 ? n - 2 : rand() % n;
        const snow_map_t *m = (const snow_map_t *)(uintptr_t)snow_list_get(cx, vers, from);
        vmodel_t *md = &vmodels[n];
        *md = vmodels[from];
        int key = rand() % VK, op = rand() % 8;
        int at = vmodel_find(md, key);
        snow_map_t *out;
        if (op == 0) {
            out = snow_map_delete(cx, m, vkey(str, key));
            if (at >= 0) {
                memmove(md->order + at, md->order + at + 1, (size_t)(md->order_len - at - 1));
                md->order_len--;
            }
        } else {
            int64_t v = rand() % 1000;
            out = snow_map_put(cx, m, vkey(str, key), vval(str, v));
            if (at < 0)
                md->order[md->order_len++] = (uint8_t)key;
            md->val[key] = v;
        }
        vers = snow_list_append(cx, vers, W(out));
        if (n % 500 == 0) /* some checks while older versions are still changing */
            vcheck(str, out, md, n);
    }
    for (int n = 0; n < VVERS; n++)
        vcheck(str, (const snow_map_t *)(uintptr_t)snow_list_get(cx, vers, n), &vmodels[n], n);
}

Test(std_map, every_version_keeps_its_entries_int_keys)
{
    versions_random(false, 7);
    versions_random(false, 8);
}

Test(std_map, every_version_keeps_its_entries_string_keys)
{
    versions_random(true, 9);
}

/* }====== */

/* A value change by the newest version, then an insert by that same (now
 * older) version: the branch made by the value change must not see the
 * insert, whose entry number it also uses for its own next key. */
Test(std_map, branch_of_value_change_ignores_later_inserts_of_its_origin)
{
    snow_map_t *h = snow_map_new(cx, &snow_type_int, &snow_type_int);
    for (int64_t i = 0; i < 500; i++)
        h = snow_map_put(cx, h, (snow_word_t)i, (snow_word_t)i);
    for (int64_t j = 1000; j < 1064; j++) {
        snow_map_t *v = snow_map_put(cx, h, 0, 77);         /* value change */
        snow_map_t *h2 = snow_map_put(cx, h, (snow_word_t)j, 1); /* h goes on */
        snow_map_t *w = snow_map_put(cx, v, 5000, 2);         /* v goes on */
        cr_assert_not(snow_map_has_key(cx, w, (snow_word_t)j), "key %lld", (long long)j);
        cr_assert_eq(snow_map_size(cx, w), snow_map_size(cx, h) + 1);
        cr_assert_eq((int64_t)snow_map_get(cx, w, 0), 77);
        cr_assert(snow_map_has_key(cx, h2, (snow_word_t)j));
        cr_assert_not(snow_map_has_key(cx, h2, 5000));
        cr_assert_eq((int64_t)snow_map_get(cx, h2, 0), 0);
        h = h2;
    }
}
