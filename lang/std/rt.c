/* rt.c: program entry, contexts, panics and object allocation.
 *
 * snow_rt_main is what the emitted C main calls. Panics format their message
 * into a stack buffer, flush stdout, write one report line with write(2) and
 * then either hand the process to the scheduler's hook or abort the program
 * with SIGABRT and core dumps disabled (D25). */
#include "lang/std/ctx.h"

#include <signal.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lang/std/alloc.h"

#define PANIC_MSG_MAX 1024

void std_rt_init(snow_rt_t *rt, int argc, char **argv)
{
    memset(rt, 0, sizeof *rt);
    pthread_mutex_init(&rt->io_lock, NULL);
    pthread_mutex_init(&rt->in_lock, NULL);
    rt->argc = argc;
    rt->argv = argv;
    rt->ctype = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    if (!rt->ctype)
        rt->ctype = newlocale(LC_CTYPE_MASK, "C", (locale_t)0);
    std_pool_init(&rt->pool);
}

void std_rt_destroy(snow_rt_t *rt)
{
    std_rt_free(rt->out);
    std_rt_free(rt->in);
    if (rt->ctype)
        freelocale(rt->ctype);
    std_pool_destroy(&rt->pool);
    pthread_mutex_destroy(&rt->io_lock);
    pthread_mutex_destroy(&rt->in_lock);
    memset(rt, 0, sizeof *rt);
}

_Static_assert(offsetof(snow_ctx_t, budget) == 0, "ABI: snow_ctx_head_t");

void std_ctx_init(snow_ctx_t *cx, snow_rt_t *rt, const void *stack_hi)
{
    memset(cx, 0, sizeof *cx);
    cx->budget = &cx->own_budget;
    cx->own_budget.reductions = INT64_MAX;
    std_heap_init(&cx->heap, stack_hi);
    cx->heap.pool = &rt->pool;
    cx->rt = rt;
}

void std_ctx_limit_thread_stack(snow_ctx_t *cx)
{
    const void *lo, *hi;
    std_heap_thread_stack(&lo, &hi);
    cx->own_budget.stack_limit = (uintptr_t)lo + STD_STACK_HEADROOM;
}

_Noreturn void std_stack_overflow_(snow_ctx_t *cx)
{
    cx->budget->stack_limit = 0; /* the report itself needs stack */
    snow_panic(cx, "stack overflow");
}

void snow_proc_check_slow_(snow_ctx_t *cx)
{
    if (cx->on_check) {
        cx->on_check(cx);
        return;
    }
    if ((uintptr_t)__builtin_frame_address(0) < cx->budget->stack_limit)
        std_stack_overflow_(cx);
    cx->budget->reductions = INT64_MAX; /* no scheduler: nothing to yield to */
}

void std_ctx_destroy(snow_ctx_t *cx) { std_heap_destroy(&cx->heap); }

snow_ctx_t *snow_ctx_new(void)
{
    snow_ctx_t *cx = std_rt_alloc(sizeof *cx);
    snow_rt_t *rt = std_rt_alloc(sizeof *rt);
    std_rt_init(rt, 0, NULL);
    std_ctx_init(cx, rt, std_heap_thread_stack_hi());
    std_ctx_limit_thread_stack(cx);
    cx->owns_rt = true;
    return cx;
}

void snow_ctx_free(snow_ctx_t *cx)
{
    if (!cx)
        return;
    snow_io_flush(cx);
    std_ctx_destroy(cx);
    if (cx->owns_rt) {
        std_rt_destroy(cx->rt);
        std_rt_free(cx->rt);
    }
    std_rt_free(cx);
}

/* SNOW_GC_THRESHOLD_KB (testing knob, read once at start-up): collect after
 * every that many KiB allocated, to shake out missing roots. */
static void apply_gc_env(snow_ctx_t *cx)
{
    const char *v = getenv("SNOW_GC_THRESHOLD_KB");
    if (!v || !*v)
        return;
    uint64_t kib = strtoull(v, NULL, 10);
    if (kib == 0)
        kib = 1;
    cx->heap.threshold = cx->heap.threshold_min = kib * 1024;
}

int snow_rt_main(int argc, char **argv, snow_main_cb main_fn)
{
    snow_rt_t rt;
    snow_ctx_t cx;
    std_rt_init(&rt, argc, argv);
    rt.pool.huge = true; /* one heap: see std_pool_t.huge */
    std_ctx_init(&cx, &rt, std_heap_thread_stack_hi());
    std_ctx_limit_thread_stack(&cx);
    apply_gc_env(&cx);
    main_fn(&cx);
    snow_io_flush(&cx);
    std_ctx_destroy(&cx);
    std_rt_destroy(&rt);
    return 0;
}

/* {====== Panics */

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0)
            return; /* nothing sensible left to do while panicking */
        p += w;
        n -= (size_t)w;
    }
}

static _Noreturn void panic_finish(snow_ctx_t *cx, const char *where, const char *msg)
{
    char line[PANIC_MSG_MAX + 512];
    snow_io_flush(cx);
    int n = snprintf(line, sizeof line, "Snow panic%s: %s\n", where, msg);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof line)
        n = (int)sizeof line - 1;
    write_all(2, line, (size_t)n);
    if (cx->on_panic)
        cx->on_panic(cx, msg);
    struct rlimit nocore = {0, 0};
    setrlimit(RLIMIT_CORE, &nocore);
    signal(SIGABRT, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGABRT);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(SIGABRT);
    _exit(134);
}

_Noreturn void snow_panic(snow_ctx_t *cx, const char *fmt, ...)
{
    char msg[PANIC_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    panic_finish(cx, "", msg);
}

_Noreturn void snow_panic_at(snow_ctx_t *cx, const char *file, int line, const char *fmt, ...)
{
    char msg[PANIC_MSG_MAX];
    char where[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(where, sizeof where, " at %s:%d", file, line);
    panic_finish(cx, where, msg);
}

/* }====== */

/* {====== Objects */

/* A process over its heap limit gets one full collection, then a panic
 * (a Snow failure, STYLE 4): in an actor this ends only that actor. */
static void check_limit(snow_ctx_t *cx, size_t size)
{
    std_heap_t *h = &cx->heap;
    if (h->bytes_live + h->bytes_since_gc + size <= h->limit_bytes)
        return;
    if (!h->collecting && !h->gc_off)
        std_heap_collect(h);
    if (h->bytes_live + size > h->limit_bytes)
        snow_panic(cx, "heap limit exceeded");
}

void *std_obj_alloc_dirty(snow_ctx_t *cx, uint8_t kind, size_t size)
{
    if (cx->heap.limit_bytes)
        check_limit(cx, size);
    snow_obj_t *o = std_heap_alloc_dirty(&cx->heap, size);
    *o = (snow_obj_t){.kind = kind};
    return o;
}

void *std_obj_alloc(snow_ctx_t *cx, uint8_t kind, size_t size)
{
    if (cx->heap.limit_bytes)
        check_limit(cx, size);
    snow_obj_t *o = std_heap_alloc(&cx->heap, size);
    o->kind = kind;
    return o;
}

snow_record_t *snow_record_new(snow_ctx_t *cx, uint16_t tag, uint32_t count, uint64_t ptrmask)
{
    snow_record_t *r =
        std_obj_alloc(cx, SNOW_OBJ_RECORD, sizeof(snow_record_t) + (size_t)count * 8);
    r->h.tag = tag;
    r->h.count = count;
    r->ptrmask = ptrmask;
    return r;
}

snow_record_t *snow_closure_new(snow_ctx_t *cx, const void *code, uint32_t ncaptures,
                                uint64_t ptrmask)
{
    snow_record_t *r = snow_record_new(cx, 0, ncaptures + 1, ptrmask & ~(uint64_t)1);
    r->h.kind = SNOW_OBJ_CLOSURE;
    r->w[0] = (snow_word_t)(uintptr_t)code;
    return r;
}

snow_record_t *std_some(snow_ctx_t *cx, snow_word_t v, bool ptr)
{
    snow_record_t *r = snow_record_new(cx, SNOW_TAG_SOME, 1, ptr ? 1 : 0);
    r->w[0] = v;
    return r;
}

snow_record_t *std_none(void) { return SNOW_NONE; }

snow_record_t *std_ok(snow_ctx_t *cx, snow_word_t v, bool ptr)
{
    snow_record_t *r = snow_record_new(cx, SNOW_TAG_OK, 1, ptr ? 1 : 0);
    r->w[0] = v;
    return r;
}

snow_record_t *std_err(snow_ctx_t *cx, snow_string_t *msg)
{
    snow_record_t *r = snow_record_new(cx, SNOW_TAG_ERR, 1, 1);
    r->w[0] = SNOW_WORD_PTR(msg);
    return r;
}

snow_record_t *snow_option_some(snow_ctx_t *cx, snow_word_t v, bool ptr)
{
    return std_some(cx, v, ptr);
}

snow_record_t *snow_result_ok(snow_ctx_t *cx, snow_word_t v, bool ptr)
{
    return std_ok(cx, v, ptr);
}

snow_record_t *snow_result_err(snow_ctx_t *cx, snow_string_t *msg) { return std_err(cx, msg); }

void snow_gc_collect(snow_ctx_t *cx) { std_heap_collect(&cx->heap); }

void snow_gc_stats(snow_ctx_t *cx, snow_gc_stats_t *out)
{
    out->collections = cx->heap.collections;
    out->bytes_live = cx->heap.bytes_live;
    out->bytes_allocated = cx->heap.bytes_allocated;
    out->bytes_mapped = cx->heap.bytes_mapped;
    out->pause_ns_total = cx->heap.pause_ns_total;
    out->pause_ns_max = cx->heap.pause_ns_max;
}

/* }====== */
