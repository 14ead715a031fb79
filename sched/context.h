/* context.h: stackful coroutine contexts and the assembly switch between
 * them (DESIGN 5, issue 7).
 *
 * A context is one saved stack pointer. Everything else a suspended
 * coroutine needs (callee-saved registers, the floating-point control
 * words, the return address) is pushed on its own stack by
 * sched_context_switch_ (context.S, x86-64 and aarch64; no ucontext, whose
 * sigprocmask syscall per switch is what we are avoiding). What is saved is
 * exactly the psABI's callee-saved set:
 *   x86-64:  rbx rbp r12-r15, MXCSR control bits, x87 control word;
 *   aarch64: x19-x28, x29 (fp), x30 (lr), d8-d15, FPCR.
 * Caller-saved registers need no saving: the switch is an ordinary call as
 * far as the compiler is concerned.
 *
 * Invariant: a context is either running on exactly one thread or
 * suspended with a valid saved sp; switching to a running context is a
 * programmer error. Contexts never move between threads while running, but
 * a suspended one may be resumed by another thread.
 *
 * Under AddressSanitizer the switch tells ASan about the stack change
 * (__sanitizer_start/finish_switch_fiber), which is why contexts carry their
 * stack bounds. */
#ifndef SNOW_SCHED_CONTEXT_H
#define SNOW_SCHED_CONTEXT_H

#include <stddef.h>

/* Entry of a new context. Must never return: a finished coroutine switches
 * away for the last time with sched_context_exit. */
typedef void (*sched_context_entry_cb)(void *arg);

typedef struct sched_context_t {
    void *sp;          /* saved stack pointer while suspended */
    void *stack_lo;    /* lowest address of the stack (NULL: a thread stack) */
    size_t stack_size; /* bytes, for the ASan annotations */
    void *_asan_fake;  /* ASan fake-stack handle while suspended */
} sched_context_t;

/* Prepares ctx (caller-owned) to start running entry(arg) on the stack
 * [stack_lo, stack_lo + stack_size) the first time it is switched to. The
 * stack is borrowed until the coroutine has switched away for the last time.
 * stack_lo + stack_size must be 16-byte aligned; stack_size >= 4096. */
void sched_context_make(sched_context_t *ctx, void *stack_lo, size_t stack_size,
                        sched_context_entry_cb entry, void *arg);

/* Prepares ctx to describe the calling thread's own stack, so that it can be
 * switched away from and back to (the worker loop's context). */
void sched_context_init_thread(sched_context_t *ctx);

/* Saves the running context into from and resumes to. Returns when some
 * context switches back to from. Both are borrowed. Calling thread. */
void sched_context_switch(sched_context_t *from, sched_context_t *to);

/* Like sched_context_switch, but from will never be resumed (its coroutine
 * finished), so its stack may be reused as soon as to runs. */
_Noreturn void sched_context_exit(sched_context_t *from, sched_context_t *to);

/* Declares that the suspended context ctx will never be resumed, so its
 * stack may be reused (a process discarded at the end of a run). Only
 * matters under ASan, where it clears the poison of ctx's live frames. */
void sched_context_abandon(sched_context_t *ctx);

/* The raw switch in context.S: pushes the callee-saved state on the current
 * stack, stores sp in *from_sp, loads sp from to_sp and pops. Not to be
 * called directly (it skips the ASan annotations). */
void sched_context_switch_(void **from_sp, void *to_sp);

#endif
