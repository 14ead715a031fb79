/* Tests for sched/context.{c,S}: the assembly coroutine switch (DESIGN 5,
 * issue 7). Register preservation is checked with the raw switch called
 * from inline assembly, so the compiler cannot hide a lost register by
 * reloading it from memory. */
#include <criterion/criterion.h>
#include <fenv.h>
#include <stdint.h>
#include <stdlib.h>

#include "sched/context.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#endif

enum { STACK_SIZE = 64 * 1024 };

static sched_context_t main_ctx, co_ctx;
static int steps;

static void *stack_new(void)
{
    void *p = aligned_alloc(16, STACK_SIZE);
    cr_assert_not_null(p);
    return p;
}

static void ping(void *arg)
{
    int rounds = *(int *)arg;
    for (int i = 0; i < rounds; i++) {
        cr_assert_eq(steps, 2 * i + 1);
        steps++;
        sched_context_switch(&co_ctx, &main_ctx);
    }
    sched_context_exit(&co_ctx, &main_ctx);
}

Test(sched_context, ping_pong_alternates_exactly)
{
    int rounds = 10000;
    void *stack = stack_new();
    sched_context_init_thread(&main_ctx);
    sched_context_make(&co_ctx, stack, STACK_SIZE, ping, &rounds);
    for (int i = 0; i < rounds; i++) {
        cr_assert_eq(steps, 2 * i);
        steps++;
        sched_context_switch(&main_ctx, &co_ctx);
    }
    cr_assert_eq(steps, 2 * rounds);
    sched_context_switch(&main_ctx, &co_ctx); /* lets ping exit */
    cr_assert_eq(steps, 2 * rounds);
    free(stack);
}

static void pass_arg(void *arg)
{
    *(uintptr_t *)arg += 0x5a5a;
    /* Frame-pointer walks stop here and the stack is 16-byte aligned, as
     * the psABI promises every function. */
    cr_assert_eq((uintptr_t)__builtin_frame_address(0) % 16, 0);
    sched_context_exit(&co_ctx, &main_ctx);
}

Test(sched_context, first_entry_gets_its_argument_on_an_aligned_stack)
{
    uintptr_t v = 1;
    void *stack = stack_new();
    sched_context_init_thread(&main_ctx);
    sched_context_make(&co_ctx, stack, STACK_SIZE, pass_arg, &v);
    sched_context_switch(&main_ctx, &co_ctx);
    cr_assert_eq(v, 0x5a5b);
    free(stack);
}

#if defined(__x86_64__)
/* Loads in[0..5] into rbx, rbp, r12, r13, r14, r15, switches from from to to
 * with the raw switch, and stores those registers as found on resume into
 * out[0..5]. */
static void switch_with_regs(sched_context_t *from, sched_context_t *to, const uint64_t *in,
                             uint64_t *out)
{
    void **from_sp = &from->sp, **to_sp = &to->sp;
#if defined(__SANITIZE_ADDRESS__)
    void *fake = NULL;
    __sanitizer_start_switch_fiber(&fake, to->stack_lo, to->stack_size);
#endif
    __asm__ volatile("mov %%rsp, %%rax\n\t"
                     "sub $128, %%rsp\n\t" /* step over the red zone */
                     "and $-16, %%rsp\n\t"
                     "push %%rax\n\t" /* caller's rsp */
                     "push %%rcx\n\t" /* out */
                     "push %%rbp\n\t"
                     "push %%rbp\n\t" /* keeps rsp 16-byte aligned */
                     "mov 0(%%rdx), %%rbx\n\t"
                     "mov 8(%%rdx), %%rbp\n\t"
                     "mov 16(%%rdx), %%r12\n\t"
                     "mov 24(%%rdx), %%r13\n\t"
                     "mov 32(%%rdx), %%r14\n\t"
                     "mov 40(%%rdx), %%r15\n\t"
                     "mov (%%rsi), %%rsi\n\t"
                     "call sched_context_switch_\n\t"
                     "mov 16(%%rsp), %%rax\n\t"
                     "mov %%rbx, 0(%%rax)\n\t"
                     "mov %%rbp, 8(%%rax)\n\t"
                     "mov %%r12, 16(%%rax)\n\t"
                     "mov %%r13, 24(%%rax)\n\t"
                     "mov %%r14, 32(%%rax)\n\t"
                     "mov %%r15, 40(%%rax)\n\t"
                     "pop %%rbp\n\t"
                     "pop %%rbp\n\t"
                     "add $8, %%rsp\n\t"
                     "pop %%rsp\n\t"
                     : "+D"(from_sp), "+S"(to_sp), "+d"(in), "+c"(out)
                     :
                     : "rax", "rbx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "xmm0",
                       "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
                       "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "memory", "cc");
#if defined(__SANITIZE_ADDRESS__)
    __sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
}

static const uint64_t regs_main[6] = {0x1111111111111111, 0x2222222222222222, 0x3333333333333333,
                                      0x4444444444444444, 0x5555555555555555, 0x6666666666666666};
static const uint64_t regs_co[6] = {0xa1a1a1a1a1a1a1a1, 0xb2b2b2b2b2b2b2b2, 0xc3c3c3c3c3c3c3c3,
                                    0xd4d4d4d4d4d4d4d4, 0xe5e5e5e5e5e5e5e5, 0xf6f6f6f6f6f6f6f6};

static void clobber_regs(void *arg)
{
    int *resumed = arg;
    for (;;) {
        uint64_t out[6] = {0};
        switch_with_regs(&co_ctx, &main_ctx, regs_co, out);
        for (int i = 0; i < 6; i++)
            cr_assert_eq(out[i], regs_co[i], "coroutine register %d", i);
        (*resumed)++;
    }
}

Test(sched_context, callee_saved_registers_survive_a_switch)
{
    int resumed = 0;
    void *stack = stack_new();
    sched_context_init_thread(&main_ctx);
    sched_context_make(&co_ctx, stack, STACK_SIZE, clobber_regs, &resumed);
    for (int round = 0; round < 3; round++) {
        uint64_t out[6] = {0};
        switch_with_regs(&main_ctx, &co_ctx, regs_main, out);
        for (int i = 0; i < 6; i++)
            cr_assert_eq(out[i], regs_main[i], "main register %d, round %d", i, round);
    }
    cr_assert_eq(resumed, 2);
    free(stack);
}
#endif

static volatile double fp_seed = 1.0;

static void fp_worker(void *arg)
{
    double *result = arg;
    /* Each context has its own rounding mode: this one starts with the
     * default (to nearest) whatever main has set. */
    cr_assert_eq(fegetround(), FE_TONEAREST);
    double x = fp_seed / 3.0;
    sched_context_switch(&co_ctx, &main_ctx);
    cr_assert_eq(fegetround(), FE_TONEAREST);
    *result = x * 3.0;
    sched_context_exit(&co_ctx, &main_ctx);
}

Test(sched_context, floating_point_values_and_rounding_mode_are_per_context)
{
    double result = 0;
    void *stack = stack_new();
    sched_context_init_thread(&main_ctx);
    sched_context_make(&co_ctx, stack, STACK_SIZE, fp_worker, &result);
    cr_assert_eq(fesetround(FE_UPWARD), 0);
    double up = fp_seed / 3.0; /* rounded up */
    sched_context_switch(&main_ctx, &co_ctx);
    cr_assert_eq(fegetround(), FE_UPWARD);
    double up2 = fp_seed / 3.0;
    sched_context_switch(&main_ctx, &co_ctx);
    cr_assert_eq(fegetround(), FE_UPWARD);
    fesetround(FE_TONEAREST);
    cr_assert_eq(up, up2);
    cr_assert_gt(up, 1.0 / 3.0);
    cr_assert_eq(result, 1.0); /* (1/3 to nearest) * 3 == 1 exactly */
    free(stack);
}
