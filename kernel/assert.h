/* Programmer-error checks for the runtime (STYLE 4.1).
 *
 * snow_assert(e) aborts with the expression, file, line and function when e is
 * false. It is on in debug, test and sanitizer builds (SNOW_USE_ASSERT) and
 * compiles to nothing otherwise (e is not evaluated), so e must have no side
 * effects. kernel/ is the bottom folder, so every other folder may include
 * this header. */
#ifndef SNOW_KERNEL_ASSERT_H
#define SNOW_KERNEL_ASSERT_H

/* Prints "assertion failed: EXPR (file:line, func)" with write(2) only (no
 * allocation) and aborts. Not to be called directly: use snow_assert. */
_Noreturn void kern_assert_fail_(const char *expr, const char *file, int line, const char *func);

#ifndef snow_assert
#if defined(SNOW_USE_ASSERT)
#define snow_assert(e) ((e) ? (void)0 : kern_assert_fail_(#e, __FILE__, __LINE__, __func__))
#else
/* sizeof: e is not evaluated, but variables used only in asserts still
 * count as used, so release builds (-Werror) do not trip on them. */
#define snow_assert(e) ((void)sizeof(e))
#endif
#endif

#endif
