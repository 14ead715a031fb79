/* Files through the ring (see file.h). */
/* struct statx and STATX_* are GNU extensions of <sys/stat.h>. */
#define _GNU_SOURCE
#include "kernel/file.h"

#include <fcntl.h>

#include "kernel/assert.h"

/* Path-taking ops submit at once so that the path is only borrowed. */
static int submit_now(kern_ring_t *ring)
{
    int rc = kern_ring_submit(ring);
    return rc < 0 ? rc : 0;
}

int kern_file_open(kern_ring_t *ring, const char *path, int flags, mode_t mode, kern_op_t *op,
                   kern_op_cb cb)
{
    struct io_uring_sqe *sqe = kern_ring_sqe_(ring, op, KERN_OP_PLAIN_, cb);
    io_uring_prep_openat(sqe, AT_FDCWD, path, flags | O_CLOEXEC, mode);
    return submit_now(ring);
}

int kern_file_read(kern_ring_t *ring, int fd, void *p, size_t len, int64_t off, kern_op_t *op,
                   kern_op_cb cb)
{
    snow_assert(len <= UINT32_MAX);
    struct io_uring_sqe *sqe = kern_ring_sqe_(ring, op, KERN_OP_PLAIN_, cb);
    io_uring_prep_read(sqe, fd, p, (unsigned)len, (uint64_t)off);
    kern_ring_use_fd_(ring, sqe, fd);
    return 0;
}

int kern_file_write(kern_ring_t *ring, int fd, const void *p, size_t len, int64_t off,
                    kern_op_t *op, kern_op_cb cb)
{
    snow_assert(len <= UINT32_MAX);
    struct io_uring_sqe *sqe = kern_ring_sqe_(ring, op, KERN_OP_PLAIN_, cb);
    io_uring_prep_write(sqe, fd, p, (unsigned)len, (uint64_t)off);
    kern_ring_use_fd_(ring, sqe, fd);
    return 0;
}

int kern_file_fsync(kern_ring_t *ring, int fd, kern_op_t *op, kern_op_cb cb)
{
    struct io_uring_sqe *sqe = kern_ring_sqe_(ring, op, KERN_OP_PLAIN_, cb);
    io_uring_prep_fsync(sqe, fd, 0);
    kern_ring_use_fd_(ring, sqe, fd);
    return 0;
}

int kern_file_close(kern_ring_t *ring, int fd, kern_op_t *op, kern_op_cb cb)
{
    kern_ring_unregister_fd(ring, fd); /* -ENOENT when it was not registered */
    io_uring_prep_close(kern_ring_sqe_(ring, op, KERN_OP_PLAIN_, cb), fd);
    return 0;
}

int kern_file_statx(kern_ring_t *ring, const char *path, struct statx *out, kern_op_t *op,
                    kern_op_cb cb)
{
    struct io_uring_sqe *sqe = kern_ring_sqe_(ring, op, KERN_OP_PLAIN_, cb);
    io_uring_prep_statx(sqe, AT_FDCWD, path, 0, STATX_BASIC_STATS, out);
    return submit_now(ring);
}

int kern_file_unlink(kern_ring_t *ring, const char *path, kern_op_t *op, kern_op_cb cb)
{
    io_uring_prep_unlink(kern_ring_sqe_(ring, op, KERN_OP_PLAIN_, cb), path, 0);
    return submit_now(ring);
}
