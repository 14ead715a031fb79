/* copy.c: header-driven deep copy between heaps (see copy.h). */
#include "lang/std/copy.h"

#include <string.h>

#include "lang/std/alloc.h"

typedef struct fwd_t {
    uintptr_t *from; /* open addressing; 0 = empty */
    uintptr_t *to;
    size_t cap;
    size_t used;
} fwd_t;

typedef struct copier_t {
    std_heap_t *dst;
    std_heap_t *src;
    fwd_t fwd;
    void **work; /* new objects whose pointer words still name src objects */
    size_t work_len;
    size_t work_cap;
} copier_t;

static size_t fwd_slot(uintptr_t key, size_t cap)
{
    return (size_t)((key >> 4) * 0x9e3779b97f4a7c15ull >> 17) & (cap - 1);
}

static void fwd_put(fwd_t *f, uintptr_t from, uintptr_t to);

static void fwd_grow(fwd_t *f)
{
    fwd_t old = *f;
    f->cap = old.cap ? old.cap * 2 : 256;
    f->from = std_rt_calloc(f->cap, sizeof *f->from);
    f->to = std_rt_calloc(f->cap, sizeof *f->to);
    f->used = 0;
    for (size_t i = 0; i < old.cap; i++)
        if (old.from[i])
            fwd_put(f, old.from[i], old.to[i]);
    std_rt_free(old.from);
    std_rt_free(old.to);
}

static void fwd_put(fwd_t *f, uintptr_t from, uintptr_t to)
{
    if ((f->used + 1) * 2 > f->cap)
        fwd_grow(f);
    size_t i = fwd_slot(from, f->cap);
    while (f->from[i])
        i = (i + 1) & (f->cap - 1);
    f->from[i] = from;
    f->to[i] = to;
    f->used++;
}

static uintptr_t fwd_get(const fwd_t *f, uintptr_t from)
{
    if (!f->cap)
        return 0;
    for (size_t i = fwd_slot(from, f->cap); f->from[i]; i = (i + 1) & (f->cap - 1))
        if (f->from[i] == from)
            return f->to[i];
    return 0;
}

static void work_push(copier_t *c, void *obj)
{
    if (c->work_len == c->work_cap) {
        c->work_cap = c->work_cap ? 2 * c->work_cap : 256;
        c->work = std_rt_realloc(c->work, c->work_cap * sizeof *c->work);
    }
    c->work[c->work_len++] = obj;
}

/* Size in bytes of the object at o (not a list: lists are copied apart). */
static size_t obj_size(const snow_obj_t *o)
{
    switch (o->kind) {
    case SNOW_OBJ_STRING:
        return sizeof(snow_string_t) + ((const snow_string_t *)o)->len + 1;
    case SNOW_OBJ_ARRAY:
        return sizeof(snow_array_t) + (size_t)((const snow_array_t *)o)->cap * sizeof(snow_word_t);
    default:
        return sizeof(snow_record_t) + (size_t)o->count * sizeof(snow_word_t);
    }
}

static uintptr_t copy_obj(copier_t *c, uintptr_t p);

/* A list copies only the elements its view shows, into fresh storage. */
static snow_list_t *copy_list(copier_t *c, const snow_list_t *l)
{
    snow_list_t *nl = std_heap_alloc(c->dst, sizeof *nl);
    memcpy(nl, l, sizeof *nl);
    nl->h.gc = 0;
    if (l->len > 0) {
        size_t bytes = sizeof(snow_array_t) + (size_t)l->len * sizeof(snow_word_t);
        snow_array_t *a = std_heap_alloc(c->dst, bytes);
        a->h = l->_arr->h;
        a->h.gc = 0;
        a->cap = a->used = l->len;
        memcpy(a->w, snow_list_items(l), (size_t)l->len * sizeof(snow_word_t));
        nl->_arr = a;
        nl->_off = 0;
        if (a->h.tag & 1)
            work_push(c, a);
    }
    return nl;
}

/* Returns the new object for start (an object of src not copied yet). */
static void *copy_new(copier_t *c, void *start)
{
    const snow_obj_t *o = start;
    if (o->kind == SNOW_OBJ_LIST)
        return copy_list(c, start);
    size_t size = obj_size(o);
    if (o->kind == SNOW_OBJ_STRING && size > STD_HEAP_SMALL_MAX) {
        void *shared = std_heap_share(c->dst, c->src, start);
        if (shared)
            return shared; /* in its own mapping: shared, not copied (copy.h) */
    }
    void *n = std_heap_alloc(c->dst, size);
    memcpy(n, start, size);
    ((snow_obj_t *)n)->gc = 0;
    if (o->kind != SNOW_OBJ_STRING)
        work_push(c, n);
    return n;
}

static uintptr_t copy_obj(copier_t *c, uintptr_t p)
{
    void *start = std_heap_find(c->src, (const void *)p);
    if (!start)
        return p; /* static or foreign: shared */
    uintptr_t done = fwd_get(&c->fwd, (uintptr_t)start);
    uintptr_t delta = p - (uintptr_t)start;
    if (done)
        return done + delta;
    void *n = copy_new(c, start);
    fwd_put(&c->fwd, (uintptr_t)start, (uintptr_t)n);
    return (uintptr_t)n + delta;
}

/* Rewrites the pointer words of a new object to their copies. */
static void fix_words(copier_t *c, void *obj)
{
    snow_obj_t *o = obj;
    if (o->kind == SNOW_OBJ_ARRAY) {
        snow_array_t *a = obj;
        for (int64_t i = 0; i < a->used; i++)
            if (a->w[i])
                a->w[i] = copy_obj(c, a->w[i]);
        return;
    }
    snow_record_t *r = obj;
    for (uint32_t i = 0; i < o->count; i++) {
        bool ptr = i < 63 ? (r->ptrmask >> i) & 1 : (r->ptrmask >> 63) & 1;
        if (ptr && r->w[i])
            r->w[i] = copy_obj(c, r->w[i]);
    }
}

snow_word_t std_copy_value(std_heap_t *dst, std_heap_t *src, snow_word_t w, bool is_ptr)
{
    if (!is_ptr || !w)
        return w;
    copier_t c = {.dst = dst, .src = src};
    dst->gc_off++;
    uintptr_t root = copy_obj(&c, (uintptr_t)w);
    while (c.work_len)
        fix_words(&c, c.work[--c.work_len]);
    dst->gc_off--;
    std_rt_free(c.fwd.from);
    std_rt_free(c.fwd.to);
    std_rt_free(c.work);
    return (snow_word_t)root;
}
