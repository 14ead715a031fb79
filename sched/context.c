/* context.c: building new contexts and the C side of the switch (the
 * AddressSanitizer annotations). The register work is in context.S. */
#define _GNU_SOURCE 1 /* pthread_getattr_np */
#include "sched/context.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "kernel/assert.h"

#if defined(__SANITIZE_ADDRESS__)
#define CONTEXT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CONTEXT_ASAN 1
#endif
#endif

#ifdef CONTEXT_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

/* In context.S. */
void sched_context_start_(void);

/* Runs first on every new stack (called by sched_context_start_). */
static _Noreturn void context_start(sched_context_entry_cb entry, void *arg)
{
#ifdef CONTEXT_ASAN
    __sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
    entry(arg);
    kern_assert_fail_("coroutine entry returned", __FILE__, __LINE__, __func__);
}

void sched_context_make(sched_context_t *ctx, void *stack_lo, size_t stack_size,
                        sched_context_entry_cb entry, void *arg)
{
    uintptr_t top = (uintptr_t)stack_lo + stack_size;
    snow_assert(top % 16 == 0);
    snow_assert(stack_size >= 4096);
    memset(ctx, 0, sizeof *ctx);
    ctx->stack_lo = stack_lo;
    ctx->stack_size = stack_size;
    /* A fake frame exactly as sched_context_switch_ leaves it (ORDER CONTEXT
     * FRAME in context.S); after the pops, sp == top, 16-byte aligned. */
#if defined(__x86_64__)
    uint64_t *f = (uint64_t *)(top - 64);
    f[0] = 0x1F80u | ((uint64_t)0x037Fu << 32); /* default MXCSR and x87 CW */
    f[1] = 0;                                   /* r15 */
    f[2] = (uint64_t)(uintptr_t)arg;            /* r14: second argument */
    f[3] = (uint64_t)(uintptr_t)entry;          /* r13: first argument */
    f[4] = (uint64_t)(uintptr_t)context_start;  /* r12: function to call */
    f[5] = 0;                                   /* rbx */
    f[6] = 0;                                   /* rbp: ends frame walks */
    f[7] = (uint64_t)(uintptr_t)sched_context_start_;
#elif defined(__aarch64__)
    uint64_t *f = (uint64_t *)(top - 176);
    memset(f, 0, 176);
    f[0] = (uint64_t)(uintptr_t)context_start;         /* x19: function to call */
    f[1] = (uint64_t)(uintptr_t)entry;                 /* x20: first argument */
    f[2] = (uint64_t)(uintptr_t)arg;                   /* x21: second argument */
    f[10] = 0;                                         /* x29: ends frame walks */
    f[11] = (uint64_t)(uintptr_t)sched_context_start_; /* x30 */
    f[20] = 0;                                         /* FPCR: IEEE defaults */
#else
#error "sched/context.c: only x86-64 and aarch64 are supported"
#endif
    ctx->sp = f;
}

void sched_context_init_thread(sched_context_t *ctx)
{
    memset(ctx, 0, sizeof *ctx);
#ifdef CONTEXT_ASAN
    /* ASan needs the bounds of the stack it is switching back to. */
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        pthread_attr_getstack(&attr, &ctx->stack_lo, &ctx->stack_size);
        pthread_attr_destroy(&attr);
    }
#endif
}

void sched_context_switch(sched_context_t *from, sched_context_t *to)
{
#ifdef CONTEXT_ASAN
    __sanitizer_start_switch_fiber(&from->_asan_fake, to->stack_lo, to->stack_size);
#endif
    sched_context_switch_(&from->sp, to->sp);
#ifdef CONTEXT_ASAN
    __sanitizer_finish_switch_fiber(from->_asan_fake, NULL, NULL);
#endif
}

#ifdef CONTEXT_ASAN
/* A coroutine left mid-call never runs the epilogues of its live frames, so
 * their redzones stay poisoned in ASan's shadow and would trip the next
 * coroutine on the same (pooled) stack. Those frames lie between sp and the
 * top; everything below sp was unpoisoned as its functions returned.
 * Clearing only that part keeps ASan's shadow of a million stacks small. */
static void unpoison_above(const sched_context_t *ctx, uintptr_t sp)
{
    uintptr_t lo = (uintptr_t)ctx->stack_lo, hi = lo + ctx->stack_size;
    if (!ctx->stack_lo)
        return;
    sp = sp > lo + 4096 ? sp - 4096 : lo; /* margin for the current frame */
    if (sp < hi)
        __asan_unpoison_memory_region((void *)sp, hi - sp);
}
#endif

void sched_context_abandon(sched_context_t *ctx)
{
#ifdef CONTEXT_ASAN
    unpoison_above(ctx, (uintptr_t)ctx->sp);
#else
    (void)ctx;
#endif
}

_Noreturn void sched_context_exit(sched_context_t *from, sched_context_t *to)
{
#ifdef CONTEXT_ASAN
    unpoison_above(from, (uintptr_t)__builtin_frame_address(0));
    /* NULL: this stack is done, so ASan may drop its fake frames. */
    __sanitizer_start_switch_fiber(NULL, to->stack_lo, to->stack_size);
#endif
    sched_context_switch_(&from->sp, to->sp);
    kern_assert_fail_("exited context resumed", __FILE__, __LINE__, __func__);
}
