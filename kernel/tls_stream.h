/* kernel/tls_stream: a TLS engine connection (tls.h) driven over a connected
 * socket through the ring (sock.h). This is what HTTPS, WSS, Postgres TLS and
 * node links sit on.
 *
 * The stream receives ciphertext with ring recvs into its own buffer and
 * lends it to the engine (kern_tls_feed_borrow: no copy on our side), and
 * sends the engine's outbound buffer itself (kern_tls_take_out: no copy
 * either). At most one recv and one send are in flight per stream.
 *
 * Operations follow op.h's rule: if a start call returns 0 its callback runs
 * exactly once, from kern_ring_run on the ring's thread; if it returns -errno
 * the callback never runs. One read and one "write side" operation
 * (handshake, write or shutdown) may be pending at the same time; a
 * handshake may not overlap a read. A failed operation reports its -errno
 * only after the stream's own ring ops have finished, so from inside any
 * callback with res < 0 the stream is idle and may be destroyed.
 *
 * Errors: everything kern_tls_* returns (tls.h), socket errors from the ring
 * (-ECONNRESET, -EPIPE, ...), -ETIMEDOUT (handshake or shutdown deadline) and
 * -ECANCELED (kern_tls_stream_cancel). Ring's thread only. */
#ifndef SNOW_KERNEL_TLS_STREAM_H
#define SNOW_KERNEL_TLS_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/buf.h"
#include "kernel/op.h"
#include "kernel/ring.h"
#include "kernel/timer.h"
#include "kernel/tls.h"

/* Bytes per ring recv: two full TLS records, so bulk transfers take one
 * ring round trip per ~32 KiB. */
#define KERN_TLS_STREAM_RECV_SIZE (32u * 1024u)

/* Shared-buffer mode: received buffers a stream may hold before feeding. */
#define KERN_TLS_STREAM_HELD_MAX 64u

typedef struct kern_tls_stream_t kern_tls_stream_t;

/* Runs when an operation finishes; res as documented per operation. */
typedef void (*kern_tls_stream_cb)(kern_tls_stream_t *s, int res);

/* One pending operation (private). */
typedef struct kern_tls_stream_slot_t {
    uint8_t kind; /* 0 idle, else SLOT_* in tls_stream.c */
    bool done;    /* result known, waiting for flush or idle ring ops */
    int result;
    void *buf;
    size_t len;
    size_t done_len;
    kern_tls_stream_cb cb;
} kern_tls_stream_slot_t;

struct kern_tls_stream_t {
    kern_ring_t *ring;     /* kept */
    int fd;                /* borrowed: the caller closes it once the stream is idle */
    kern_tls_conn_t *conn; /* kept: the caller frees it after kern_tls_stream_destroy */
    void *data;            /* the caller's */

    kern_op_t _recv_op;
    kern_op_t _send_op;
    kern_op_t _rd_op; /* delivers the read slot's result */
    kern_op_t _wr_op; /* delivers the write-side slot's result */
    kern_timer_t _timer;
    uint8_t *_rbuf;           /* own-buffer mode: KERN_TLS_STREAM_RECV_SIZE, lent to the engine */
    kern_buf_group_t *_group; /* shared-buffer mode: receive group (kept), else NULL */
    kern_buf_t *_held[KERN_TLS_STREAM_HELD_MAX]; /* received, not yet fed (FIFO) */
    uint32_t _held_head;
    uint32_t _held_count;
    kern_buf_t *_lent;   /* group buffer lent to the engine during pump */
    kern_timer_t _retry; /* restarts a recv after -ENOBUFS */
    bool _recv_paused;   /* we cancelled the recv: engine queue full */
    bool _eof_fed;
    kern_buf_t *_sending; /* taken from the engine, in flight */
    size_t _sent;         /* bytes of _sending already sent */
    kern_tls_stream_slot_t _rd;
    kern_tls_stream_slot_t _wr;
    int _fail;     /* transport failure (sticky), or 0 */
    bool _eof;     /* the socket reported end of stream */
    bool _pumping; /* pump is on the stack: starters do not recurse */
};

/* Sets up s (caller-owned storage that must not move while in use) for the
 * connected socket fd and the engine connection conn, both kept. */
void kern_tls_stream_init(kern_tls_stream_t *s, kern_ring_t *ring, int fd, kern_tls_conn_t *conn);

/* Like kern_tls_stream_init, but receives into buffers of group (kept; on
 * ring) shared by many streams instead of a 32 KiB buffer of its own, so an
 * idle connection holds no receive memory. With multishot recv the kernel
 * keeps filling group buffers; the stream holds at most
 * KERN_TLS_STREAM_HELD_MAX of them and cancels its recv while the engine's
 * inbound queue is full. When the group runs dry (-ENOBUFS) the stream
 * retries after 2 ms. */
void kern_tls_stream_init_shared(kern_tls_stream_t *s, kern_ring_t *ring, int fd,
                                 kern_tls_conn_t *conn, kern_buf_group_t *group);

/* Releases what the stream holds. The stream must be idle (no pending
 * operation, kern_tls_stream_busy false; asserted). Closes nothing and does
 * not free conn. */
void kern_tls_stream_destroy(kern_tls_stream_t *s);

/* True while a ring op of the stream is in flight or an operation pends. In
 * shared-buffer mode the recv may stay armed between operations: call
 * kern_tls_stream_cancel first when tearing down. */
bool kern_tls_stream_busy(const kern_tls_stream_t *s);

/* Runs the handshake; timeout_ns > 0 bounds it (-ETIMEDOUT), < 0 means no
 * limit. cb gets 0 once the handshake completed and its last flight was
 * sent, else -errno. Returns 0 or -EBUSY (a handshake, write, shutdown or
 * read is already pending). */
int kern_tls_stream_handshake(kern_tls_stream_t *s, int64_t timeout_ns, kern_tls_stream_cb cb);

/* Reads up to len bytes into buf (borrowed until cb). cb gets the count
 * (> 0), 0 at the peer's close_notify, or -errno (-ECONNRESET when the
 * socket ended without close_notify). Runs the handshake first if needed.
 * Returns 0 or -EBUSY. */
int kern_tls_stream_read(kern_tls_stream_t *s, void *buf, size_t len, kern_tls_stream_cb cb);

/* Writes all len (> 0) bytes of buf (borrowed until cb); cb gets len once
 * every byte was encrypted and handed to the kernel, or -errno. Returns 0 or
 * -EBUSY. */
int kern_tls_stream_write(kern_tls_stream_t *s, const void *buf, size_t len, kern_tls_stream_cb cb);

/* Sends close_notify and waits for the peer's (timeout_ns as for the
 * handshake). cb gets 0 on a clean two-way close, or -errno. Returns 0 or
 * -EBUSY. */
int kern_tls_stream_shutdown(kern_tls_stream_t *s, int64_t timeout_ns, kern_tls_stream_cb cb);

/* Stops every pending operation: their callbacks run with -ECANCELED once
 * the stream's ring ops have finished. The stream is failed afterwards
 * (close the socket). With no operation pending it only disarms a
 * shared-mode recv that stays armed between operations (the stream stays
 * usable); run the ring until kern_tls_stream_busy is false before
 * kern_tls_stream_destroy. */
void kern_tls_stream_cancel(kern_tls_stream_t *s);

#endif /* SNOW_KERNEL_TLS_STREAM_H */
