/* Files through the ring: open, read, write, fsync, close, statx, unlink.
 *
 * All are ops (op.h): 0 means cb runs exactly once. Paths are borrowed only
 * for the call: the SQE is submitted at once, because the kernel copies the
 * path when it issues the request. Buffers are borrowed until cb runs.
 * Errors are the syscall's: -ENOENT, -EACCES, -EISDIR, -EEXIST, -ENOSPC,
 * -EBADF, ... */
#ifndef SNOW_KERNEL_FILE_H
#define SNOW_KERNEL_FILE_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h> /* struct statx needs _GNU_SOURCE to be complete */

#include "kernel/ring.h"

/* Opens path relative to the working directory; O_CLOEXEC is always added.
 * op->res is the descriptor (owned by the callback) or -errno. */
int kern_file_open(kern_ring_t *ring, const char *path, int flags, mode_t mode, kern_op_t *op,
                   kern_op_cb cb);

/* Reads at most len bytes at offset off (-1: the file position) into p.
 * op->res is bytes read (0 at end of file; may be short) or -errno. */
int kern_file_read(kern_ring_t *ring, int fd, void *p, size_t len, int64_t off, kern_op_t *op,
                   kern_op_cb cb);

/* Writes len bytes at p to offset off (-1: the file position). op->res is
 * bytes written (may be short) or -errno. */
int kern_file_write(kern_ring_t *ring, int fd, const void *p, size_t len, int64_t off,
                    kern_op_t *op, kern_op_cb cb);

/* Flushes fd's data and metadata to storage. */
int kern_file_fsync(kern_ring_t *ring, int fd, kern_op_t *op, kern_op_cb cb);

/* Closes fd (taken). */
int kern_file_close(kern_ring_t *ring, int fd, kern_op_t *op, kern_op_cb cb);

/* Fills *out (borrowed until cb) with path's metadata (STATX_BASIC_STATS). */
int kern_file_statx(kern_ring_t *ring, const char *path, struct statx *out, kern_op_t *op,
                    kern_op_cb cb);

/* Removes the file path. */
int kern_file_unlink(kern_ring_t *ring, const char *path, kern_op_t *op, kern_op_cb cb);

#endif
