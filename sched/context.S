/* context.S: the coroutine switch for x86-64 and aarch64 (see context.h).
 *
 *   void sched_context_switch_(void **from_sp, void *to_sp);
 *
 * Pushes the callee-saved registers and the floating-point control words on
 * the current stack, stores sp in *from_sp, loads to_sp and pops the same
 * frame from there. The frame layout is shared with sched_context_make
 * (context.c), which builds a fake frame whose return address is
 * sched_context_start_; change both together (grep "ORDER CONTEXT FRAME").
 *
 * sched_context_start_ is where a new context first runs: it calls
 * fn(arg0, arg1) with values that make() put in callee-saved slots, at a
 * 16-byte-aligned sp. fn never returns; a trap follows in case it does. */

#if defined(__x86_64__)

/* ORDER CONTEXT FRAME (x86-64), from the saved sp upwards:
 *   +0 MXCSR (4 bytes) +4 x87 control word (2 bytes, 2 padding)
 *   +8 r15 +16 r14 +24 r13 +32 r12 +40 rbx +48 rbp +56 return address */
    .text
    .p2align 4
    .globl sched_context_switch_
    .hidden sched_context_switch_
    .type sched_context_switch_, @function
sched_context_switch_:
    .cfi_startproc
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .cfi_endproc
    .size sched_context_switch_, . - sched_context_switch_

/* First entry: r12 = fn, r13 = arg0, r14 = arg1, rbp = 0 (ends frame-pointer
 * walks here), rsp 16-byte aligned. */
    .p2align 4
    .globl sched_context_start_
    .hidden sched_context_start_
    .type sched_context_start_, @function
sched_context_start_:
    .cfi_startproc
    .cfi_undefined rip
    movq %r13, %rdi
    movq %r14, %rsi
    callq *%r12
    ud2
    .cfi_endproc
    .size sched_context_start_, . - sched_context_start_

#elif defined(__aarch64__)

/* ORDER CONTEXT FRAME (aarch64), 176 bytes from the saved sp upwards:
 *   +0 x19 x20 +16 x21 x22 +32 x23 x24 +48 x25 x26 +64 x27 x28
 *   +80 x29 x30 +96 d8 d9 +112 d10 d11 +128 d12 d13 +144 d14 d15
 *   +160 FPCR, 8 bytes padding */
    .text
    .p2align 4
    .globl sched_context_switch_
    .hidden sched_context_switch_
    .type sched_context_switch_, %function
sched_context_switch_:
    .cfi_startproc
    sub sp, sp, #176
    stp x19, x20, [sp, #0]
    stp x21, x22, [sp, #16]
    stp x23, x24, [sp, #32]
    stp x25, x26, [sp, #48]
    stp x27, x28, [sp, #64]
    stp x29, x30, [sp, #80]
    stp d8, d9, [sp, #96]
    stp d10, d11, [sp, #112]
    stp d12, d13, [sp, #128]
    stp d14, d15, [sp, #144]
    mrs x9, fpcr
    str x9, [sp, #160]
    mov x9, sp
    str x9, [x0]
    mov sp, x1
    ldp x19, x20, [sp, #0]
    ldp x21, x22, [sp, #16]
    ldp x23, x24, [sp, #32]
    ldp x25, x26, [sp, #48]
    ldp x27, x28, [sp, #64]
    ldp x29, x30, [sp, #80]
    ldp d8, d9, [sp, #96]
    ldp d10, d11, [sp, #112]
    ldp d12, d13, [sp, #128]
    ldp d14, d15, [sp, #144]
    ldr x9, [sp, #160]
    msr fpcr, x9
    add sp, sp, #176
    ret
    .cfi_endproc
    .size sched_context_switch_, . - sched_context_switch_

/* First entry: x19 = fn, x20 = arg0, x21 = arg1, x29 = 0, lr = this. */
    .p2align 4
    .globl sched_context_start_
    .hidden sched_context_start_
    .type sched_context_start_, %function
sched_context_start_:
    .cfi_startproc
    .cfi_undefined x30
    mov x0, x20
    mov x1, x21
    blr x19
    brk #0
    .cfi_endproc
    .size sched_context_start_, . - sched_context_start_

#else
#error "sched/context.S: only x86-64 and aarch64 are supported"
#endif

    .section .note.GNU-stack, "", %progbits
