/* msg_flat.c: small message values as plain bytes (see msg_flat.h). */
#include "sched/msg_flat.h"

#include <stdint.h>
#include <string.h>

#include "lang/std/ctx.h"

/* The encoding starts with the object count; objects follow. */
typedef struct flat_head_t {
    uint64_t count;
} flat_head_t;

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

/* Records whose pointer words are all described by ptrmask bits 0..62. */
static bool flat_record(const snow_obj_t *o)
{
    return o->kind == SNOW_OBJ_RECORD && o->count <= 62;
}

static size_t obj_bytes(const snow_obj_t *o)
{
    if (o->kind == SNOW_OBJ_STRING)
        return align8(sizeof(snow_string_t) + ((const snow_string_t *)o)->len + 1);
    return sizeof(snow_record_t) + (size_t)o->count * sizeof(snow_word_t);
}

/* Collects the objects of v breadth-first into objs; returns their count,
 * or 0 when v does not fit the limits. */
static uint32_t collect(snow_word_t v, const snow_obj_t **objs, size_t *bytes)
{
    uint32_t n = 0;
    objs[n++] = (const snow_obj_t *)(uintptr_t)v;
    *bytes = sizeof(flat_head_t);
    for (uint32_t i = 0; i < n; i++) {
        const snow_obj_t *o = objs[i];
        if (o->kind != SNOW_OBJ_STRING && !flat_record(o))
            return 0;
        *bytes += obj_bytes(o);
        if (*bytes > SCHED_FLAT_BYTES_MAX)
            return 0;
        if (o->kind == SNOW_OBJ_STRING)
            continue;
        const snow_record_t *r = (const snow_record_t *)o;
        for (uint32_t k = 0; k < o->count; k++) {
            if (!((r->ptrmask >> k) & 1) || !r->w[k])
                continue;
            if (n == SCHED_FLAT_OBJS_MAX)
                return 0;
            objs[n++] = (const snow_obj_t *)(uintptr_t)r->w[k];
        }
    }
    return n;
}

size_t sched_flat_plan(snow_word_t v, sched_flat_plan_t *plan)
{
    plan->count = collect(v, plan->objs, &plan->bytes);
    return plan->count ? plan->bytes : 0;
}

void sched_flat_write(const sched_flat_plan_t *plan, void *buf)
{
    uint32_t n = plan->count;
    const snow_obj_t *const *objs = plan->objs;
    ((flat_head_t *)buf)->count = n;
    unsigned char *out = (unsigned char *)buf + sizeof(flat_head_t);
    uint64_t child = 1; /* the index collect gave the next pointer word */
    for (uint32_t i = 0; i < n; i++) {
        size_t size = obj_bytes(objs[i]);
        if (objs[i]->kind == SNOW_OBJ_STRING) {
            const snow_string_t *s = (const snow_string_t *)objs[i];
            memcpy(out, s, sizeof *s + s->len);
            out[sizeof *s + s->len] = 0;
        } else {
            snow_record_t *r = (snow_record_t *)(void *)out;
            memcpy(r, objs[i], size);
            for (uint32_t k = 0; k < r->h.count; k++)
                if (((r->ptrmask >> k) & 1) && r->w[k])
                    r->w[k] = child++;
        }
        out += size;
    }
}

snow_word_t sched_flat_read(snow_ctx_t *cx, const void *buf)
{
    uint32_t n = (uint32_t)((const flat_head_t *)buf)->count;
    const unsigned char *at[SCHED_FLAT_OBJS_MAX];
    const unsigned char *in = (const unsigned char *)buf + sizeof(flat_head_t);
    for (uint32_t i = 0; i < n; i++) {
        at[i] = in;
        in += obj_bytes((const snow_obj_t *)(const void *)in);
    }
    /* Children first (they have higher indexes); nothing collects until
     * the root holds them all. */
    snow_word_t made[SCHED_FLAT_OBJS_MAX];
    cx->heap.gc_off++;
    for (uint32_t i = n; i-- > 0;) {
        const snow_obj_t *o = (const snow_obj_t *)(const void *)at[i];
        if (o->kind == SNOW_OBJ_STRING) {
            const snow_string_t *s = (const snow_string_t *)o;
            made[i] = SNOW_WORD_PTR(snow_string_new(cx, s->bytes, s->len));
            continue;
        }
        const snow_record_t *src = (const snow_record_t *)o;
        snow_record_t *r = snow_record_new(cx, o->tag, o->count, src->ptrmask);
        for (uint32_t k = 0; k < o->count; k++)
            r->w[k] = ((src->ptrmask >> k) & 1) && src->w[k] ? made[src->w[k]] : src->w[k];
        made[i] = SNOW_WORD_PTR(r);
    }
    cx->heap.gc_off--;
    return made[0];
}
