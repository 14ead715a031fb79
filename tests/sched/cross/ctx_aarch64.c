/* ctx_aarch64.c: sched/context.{c,S} on aarch64, cross-compiled with
 * aarch64-linux-gnu-gcc and run under qemu-aarch64 (issue 7: "an assembly
 * context switch (x86-64 and aarch64)"). A plain program, not Criterion
 * (no aarch64 Criterion on the build machine): it prints one line per
 * check and exits 1 on the first failure.
 *
 * Register preservation is checked with the raw switch called from inline
 * assembly, so the compiler cannot hide a lost register by reloading it. */
#include <fenv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sched/context.h"

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                                 \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

/* context.c's asserts call this when SNOW_USE_ASSERT is set. */
_Noreturn void kern_assert_fail_(const char *expr, const char *file, int line, const char *func);
_Noreturn void kern_assert_fail_(const char *expr, const char *file, int line, const char *func)
{
    printf("assertion failed: %s (%s:%d, %s)\n", expr, file, line, func);
    exit(1);
}

enum { STACK_SIZE = 64 * 1024 };

static sched_context_t main_ctx, co_ctx;
static int steps;

static void ping(void *arg)
{
    int rounds = *(int *)arg;
    for (int i = 0; i < rounds; i++) {
        CHECK(steps == 2 * i + 1, "steps %d", steps);
        steps++;
        sched_context_switch(&co_ctx, &main_ctx);
    }
    sched_context_exit(&co_ctx, &main_ctx);
}

static void ping_pong(void)
{
    int rounds = 10000;
    void *stack = aligned_alloc(16, STACK_SIZE);
    sched_context_init_thread(&main_ctx);
    sched_context_make(&co_ctx, stack, STACK_SIZE, ping, &rounds);
    for (int i = 0; i < rounds; i++) {
        CHECK(steps == 2 * i, "steps %d", steps);
        steps++;
        sched_context_switch(&main_ctx, &co_ctx);
    }
    CHECK(steps == 2 * rounds, "steps %d", steps);
    sched_context_switch(&main_ctx, &co_ctx); /* lets ping exit */
    free(stack);
    printf("ok ping_pong_alternates_exactly\n");
}

static void pass_arg(void *arg)
{
    *(uintptr_t *)arg += 0x5a5a;
    CHECK((uintptr_t)__builtin_frame_address(0) % 16 == 0, "misaligned frame");
    sched_context_exit(&co_ctx, &main_ctx);
}

static void first_entry(void)
{
    uintptr_t v = 1;
    void *stack = aligned_alloc(16, STACK_SIZE);
    sched_context_init_thread(&main_ctx);
    sched_context_make(&co_ctx, stack, STACK_SIZE, pass_arg, &v);
    sched_context_switch(&main_ctx, &co_ctx);
    CHECK(v == 0x5a5b, "v = %lx", (unsigned long)v);
    free(stack);
    printf("ok first_entry_gets_its_argument_on_an_aligned_stack\n");
}

/* Loads in[0..9] into x19-x28 and in[10..17] (as bit patterns) into
 * d8-d15, switches with the raw switch, and stores what those registers
 * hold on resume into out[0..17]. */
static void switch_with_regs(sched_context_t *from, sched_context_t *to, const uint64_t *in,
                             uint64_t *out)
{
    register void **x0 __asm__("x0") = &from->sp;
    register void *x1 __asm__("x1") = to->sp;
    register const uint64_t *x2 __asm__("x2") = in;
    register uint64_t *x3 __asm__("x3") = out;
    __asm__ volatile("stp x2, x3, [sp, #-16]!\n\t"
                     "ldp x19, x20, [x2, #0]\n\t"
                     "ldp x21, x22, [x2, #16]\n\t"
                     "ldp x23, x24, [x2, #32]\n\t"
                     "ldp x25, x26, [x2, #48]\n\t"
                     "ldp x27, x28, [x2, #64]\n\t"
                     "ldp d8, d9, [x2, #80]\n\t"
                     "ldp d10, d11, [x2, #96]\n\t"
                     "ldp d12, d13, [x2, #112]\n\t"
                     "ldp d14, d15, [x2, #128]\n\t"
                     "bl sched_context_switch_\n\t"
                     "ldp x2, x3, [sp], #16\n\t"
                     "stp x19, x20, [x3, #0]\n\t"
                     "stp x21, x22, [x3, #16]\n\t"
                     "stp x23, x24, [x3, #32]\n\t"
                     "stp x25, x26, [x3, #48]\n\t"
                     "stp x27, x28, [x3, #64]\n\t"
                     "stp d8, d9, [x3, #80]\n\t"
                     "stp d10, d11, [x3, #96]\n\t"
                     "stp d12, d13, [x3, #112]\n\t"
                     "stp d14, d15, [x3, #128]\n\t"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                     :
                     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14",
                       "x15", "x16", "x17", "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26",
                       "x27", "x28", "x30", "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8",
                       "d9", "d10", "d11", "d12", "d13", "d14", "d15", "d16", "d17", "d18", "d19",
                       "d20", "d21", "d22", "d23", "d24", "d25", "d26", "d27", "d28", "d29", "d30",
                       "d31", "memory", "cc");
}

enum { NREGS = 18 };
static uint64_t regs_main[NREGS], regs_co[NREGS];

static void clobber_regs(void *arg)
{
    int *resumed = arg;
    for (;;) {
        uint64_t out[NREGS] = {0};
        switch_with_regs(&co_ctx, &main_ctx, regs_co, out);
        for (int i = 0; i < NREGS; i++)
            CHECK(out[i] == regs_co[i], "coroutine register %d", i);
        (*resumed)++;
    }
}

static void callee_saved(void)
{
    for (int i = 0; i < NREGS; i++) {
        regs_main[i] = 0x1111111111111111ull * (uint64_t)(i % 15 + 1) + (uint64_t)i;
        regs_co[i] = 0xa0a0a0a0a0a0a0a0ull ^ (0x0101010101010101ull * (uint64_t)(i + 1));
    }
    int resumed = 0;
    void *stack = aligned_alloc(16, STACK_SIZE);
    sched_context_init_thread(&main_ctx);
    sched_context_make(&co_ctx, stack, STACK_SIZE, clobber_regs, &resumed);
    for (int round = 0; round < 3; round++) {
        uint64_t out[NREGS] = {0};
        switch_with_regs(&main_ctx, &co_ctx, regs_main, out);
        for (int i = 0; i < NREGS; i++)
            CHECK(out[i] == regs_main[i], "main register %d, round %d", i, round);
    }
    CHECK(resumed == 2, "resumed %d", resumed);
    free(stack);
    printf("ok callee_saved_registers_survive_a_switch (x19-x28, d8-d15)\n");
}

static volatile double fp_seed = 1.0;

static void fp_worker(void *arg)
{
    double *result = arg;
    CHECK(fegetround() == FE_TONEAREST, "coroutine starts with %d", fegetround());
    double x = fp_seed / 3.0;
    sched_context_switch(&co_ctx, &main_ctx);
    CHECK(fegetround() == FE_TONEAREST, "coroutine resumed with %d", fegetround());
    *result = x * 3.0;
    sched_context_exit(&co_ctx, &main_ctx);
}

static void rounding_mode(void)
{
    double result = 0;
    void *stack = aligned_alloc(16, STACK_SIZE);
    sched_context_init_thread(&main_ctx);
    sched_context_make(&co_ctx, stack, STACK_SIZE, fp_worker, &result);
    CHECK(fesetround(FE_UPWARD) == 0, "fesetround");
    double up = fp_seed / 3.0;
    sched_context_switch(&main_ctx, &co_ctx);
    CHECK(fegetround() == FE_UPWARD, "main resumed with %d", fegetround());
    double up2 = fp_seed / 3.0;
    sched_context_switch(&main_ctx, &co_ctx);
    CHECK(fegetround() == FE_UPWARD, "main resumed with %d", fegetround());
    fesetround(FE_TONEAREST);
    CHECK(up == up2 && up > 1.0 / 3.0, "rounded up");
    CHECK(result == 1.0, "result %g", result);
    free(stack);
    printf("ok floating_point_values_and_rounding_mode_are_per_context (FPCR)\n");
}

int main(void)
{
    ping_pong();
    first_entry();
    callee_saved();
    rounding_mode();
    return 0;
}
