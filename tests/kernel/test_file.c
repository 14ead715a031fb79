/* Tests for kernel/file.c (issue 6): files through the ring. */
#define _GNU_SOURCE /* struct statx */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kernel/file.h"
#include "tests/kernel/test_kernel.h"

TestSuite(kernel_file, .init = ring_setup, .fini = ring_teardown, .timeout = 10);

static int calls, last_res;
static void on_done(kern_ring_t *r, kern_op_t *op)
{
    (void)r;
    (void)op;
    calls++;
    last_res = op->res;
}

/* Starts one op with the expression, waits for it, returns its result. */
#define DO(expr)                                                                                   \
    ({                                                                                             \
        int before_ = calls;                                                                       \
        cr_assert_eq((expr), 0, #expr);                                                            \
        RUN_UNTIL(&ring, calls == before_ + 1);                                                    \
        last_res;                                                                                  \
    })

Test(kernel_file, write_read_stat_unlink_round_trip)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/snow-kern-file-%d", (int)getpid());
    kern_op_t op = {0};
    int fd = DO(kern_file_open(&ring, path, O_CREAT | O_TRUNC | O_RDWR, 0600, &op, on_done));
    cr_assert_geq(fd, 0, "open: %s", strerror(-fd));
    static const char text[] = "snow writes through the ring\n";
    cr_assert_eq(DO(kern_file_write(&ring, fd, text, sizeof text - 1, 0, &op, on_done)),
                 (int)sizeof text - 1);
    cr_assert_eq(DO(kern_file_write(&ring, fd, "tail", 4, sizeof text - 1, &op, on_done)), 4);
    cr_assert_eq(DO(kern_file_fsync(&ring, fd, &op, on_done)), 0);
    char got[64] = {0};
    /* A short read: ask for 10 bytes at offset 5. */
    cr_assert_eq(DO(kern_file_read(&ring, fd, got, 10, 5, &op, on_done)), 10);
    cr_assert_eq(memcmp(got, text + 5, 10), 0);
    /* Reading past the end returns 0. */
    cr_assert_eq(DO(kern_file_read(&ring, fd, got, 10, 1000, &op, on_done)), 0);
    struct statx st;
    cr_assert_eq(DO(kern_file_statx(&ring, path, &st, &op, on_done)), 0);
    cr_assert_eq(st.stx_size, sizeof text - 1 + 4);
    cr_assert_eq(DO(kern_file_close(&ring, fd, &op, on_done)), 0);
    cr_assert_eq(DO(kern_file_unlink(&ring, path, &op, on_done)), 0);
    cr_assert_eq(access(path, F_OK), -1);
}

Test(kernel_file, errors_come_back_as_negative_errno)
{
    kern_op_t op = {0};
    cr_assert_eq(DO(kern_file_open(&ring, "/nonexistent/snow", O_RDONLY, 0, &op, on_done)),
                 -ENOENT);
    struct statx st;
    cr_assert_eq(DO(kern_file_statx(&ring, "/nonexistent/snow", &st, &op, on_done)), -ENOENT);
    cr_assert_eq(DO(kern_file_unlink(&ring, "/nonexistent/snow", &op, on_done)), -ENOENT);
    char b;
    cr_assert_eq(DO(kern_file_read(&ring, 9999, &b, 1, 0, &op, on_done)), -EBADF);
}

Test(kernel_file, path_is_only_borrowed_for_the_call)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/snow-kern-borrow-%d", (int)getpid());
    kern_op_t op = {0};
    cr_assert_eq(kern_file_open(&ring, path, O_CREAT | O_WRONLY, 0600, &op, on_done), 0);
    memset(path, 'z', sizeof path - 1); /* the caller reuses its memory at once */
    RUN_UNTIL(&ring, calls == 1);
    cr_assert_geq(last_res, 0);
    close(last_res);
    snprintf(path, sizeof path, "/tmp/snow-kern-borrow-%d", (int)getpid());
    cr_assert_eq(unlink(path), 0);
}
