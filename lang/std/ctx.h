/* ctx.h: the per-process context behind the opaque snow_ctx_t, and the
 * program-wide runtime state it points to.
 *
 * One snow_ctx_t per Snow process: its heap, the hook that ends the process
 * on a panic, and a pointer to the program-wide snow_rt_t (stdout's pending
 * partial line, the stdin buffer, argv). The scheduler (sched/) embeds a
 * context in every process and sets on_panic; until then the main program
 * is the only process. snow_rt_t is shared by every process of the program:
 * its stdout state is guarded by io_lock, stdin by in_lock, the block pool by its own
 * lock, and the rest is read-only after start-up. */
#ifndef SNOW_LANG_STD_CTX_H
#define SNOW_LANG_STD_CTX_H

#include <stdbool.h>
#include <locale.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "lang/std/heap.h"
#include "lang/std/pool.h"
#include "lang/std/snow.h"

/* Writes the Display text of a pid (D35: `<0.N>`, `<A.N.C>`) into buf
 * (NUL-terminated, at most cap bytes). Set by the scheduler, which owns the
 * pid encoding; the default prints `<0.V>` with V the raw value. */
typedef void (*std_pid_text_cb)(uint64_t pid, char *buf, size_t cap);

struct snow_rt_t {
    pthread_mutex_t io_lock; /* guards out* (processes on any worker) */
    pthread_mutex_t in_lock; /* guards in*; held while blocked reading stdin */
    char *out;               /* pending stdout bytes (a partial line), runtime memory */
    size_t out_len;
    size_t out_cap;
    char *in; /* buffered stdin bytes not yet consumed */
    size_t in_len;
    size_t in_pos;
    size_t in_cap;
    bool in_eof;
    int argc;
    char **argv;
    locale_t ctype;           /* C.UTF-8 for case mapping; read-only after init */
    std_pool_t pool;          /* heap blocks of every process (any thread) */
    std_pid_text_cb pid_text; /* read-only after start-up */
};

/* Called with the formatted message after the report line is written; must
 * not return (it switches away from the dying process). */
typedef void (*std_panic_cb)(snow_ctx_t *cx, const char *msg);

/* Called by snow_proc_check_slow_ when a scheduler runs the process (it
 * yields, or handles overflow); NULL in the main program without one. */
typedef void (*std_check_cb)(snow_ctx_t *cx);

struct snow_ctx_t {
    snow_budget_t *budget; /* first: ABI (snow_ctx_head_t) */
    snow_budget_t own_budget;
    std_check_cb on_check;
    std_heap_t heap;
    snow_rt_t *rt;
    bool owns_rt;
    std_panic_cb on_panic; /* NULL: main program, abort with SIGABRT (D25) */
    void *sched;           /* owned by sched/ */
    snow_word_t received;  /* snow_proc_receive's value until snow_proc_received reads it; the
                              context is on the process's stack, so the scan keeps it alive */
};

/* Initialises cx for a process whose stack ends at stack_hi, sharing rt
 * (borrowed; must outlive cx; its pool supplies the heap blocks). The budget points at cx's own,
 * with no slice limit and no stack limit. */
void std_ctx_init(snow_ctx_t *cx, snow_rt_t *rt, const void *stack_hi);

/* Sets cx's own stack limit to the calling thread's stack bottom plus
 * STD_STACK_HEADROOM, so overflow panics `stack overflow` (D30). */
void std_ctx_limit_thread_stack(snow_ctx_t *cx);

#define STD_STACK_HEADROOM ((size_t)64 * 1024)

/* Releases cx's heap; every value of the process becomes invalid. */
void std_ctx_destroy(snow_ctx_t *cx);

/* Initialises / releases program-wide state. */
void std_rt_init(snow_rt_t *rt, int argc, char **argv);
void std_rt_destroy(snow_rt_t *rt);

/* Allocates a heap object of size bytes with the given kind (zero-filled
 * apart from the header). */
void *std_obj_alloc(snow_ctx_t *cx, uint8_t kind, size_t size);

/* Like std_obj_alloc but only the 8-byte header is initialised (kind set,
 * the rest 0): see std_heap_alloc_dirty. */
void *std_obj_alloc_dirty(snow_ctx_t *cx, uint8_t kind, size_t size);

/* Reports the overflow found by std_stack_check. Not to be called directly. */
_Noreturn void std_stack_overflow_(snow_ctx_t *cx);

/* Recursive runtime code (text, equality, hashing, JSON of nested values)
 * calls this per level: a value nested deeper than the stack allows panics
 * `stack overflow` instead of crashing (D30). */
static inline void std_stack_check(snow_ctx_t *cx)
{
    if (__builtin_expect((uintptr_t)__builtin_frame_address(0) < cx->budget->stack_limit, 0))
        std_stack_overflow_(cx);
}

/* Option/Result values. ptr says whether the payload word is a heap pointer.
 * std_none returns the static None. */
snow_record_t *std_some(snow_ctx_t *cx, snow_word_t v, bool ptr);
snow_record_t *std_none(void);
snow_record_t *std_ok(snow_ctx_t *cx, snow_word_t v, bool ptr);
snow_record_t *std_err(snow_ctx_t *cx, snow_string_t *msg);

#endif
