/* Kernel feature probe: which optional io_uring features this kernel offers.
 *
 * Snow targets Linux 5.19+. Everything past that baseline is optional, found
 * once per process by trying it on a scratch ring, and can be switched off by
 * an environment variable so that every fallback path is testable on a kernel
 * that has the feature:
 *
 *   SNOW_URING_NO_SINGLE_ISSUER   SNOW_URING_NO_DEFER_TASKRUN
 *   SNOW_URING_NO_COOP_TASKRUN    SNOW_URING_NO_REG_RING_FD
 *   SNOW_URING_NO_MULTISHOT_ACCEPT SNOW_URING_NO_MULTISHOT_RECV
 *   SNOW_URING_NO_BUF_RING        SNOW_URING_NO_MSG_RING
 *   SNOW_URING_NO_SEND_ZC         SNOW_URING_NO_REG_FILES
 *   SNOW_URING_NO_DIRECT_SEND     (a policy, not a kernel feature; sock.h)
 *   SNOW_URING_NO_BUF_WINDOW      (a policy: buffer-ring window, buf.h)
 *   SNOW_URING_NO_MULTISHOT (both multishots)
 *   SNOW_URING_BASELINE           (all of the above)
 *
 * Each variable counts when set to anything but "" or "0". SNOW_DEBUG=kernel
 * (a comma-separated list may hold other words) prints the probe result to
 * stderr the first time kern_probe_get runs. Dependencies are applied after
 * masking: DEFER_TASKRUN needs SINGLE_ISSUER, MULTISHOT_RECV needs BUF_RING. */
#ifndef SNOW_KERNEL_PROBE_H
#define SNOW_KERNEL_PROBE_H

#include <stdint.h>
#include <stdio.h>

/* ORDER FEATURES: bit order matches the name table in probe.c. */
enum {
    KERN_FEAT_SINGLE_ISSUER = 1u << 0,    /* IORING_SETUP_SINGLE_ISSUER (6.0) */
    KERN_FEAT_DEFER_TASKRUN = 1u << 1,    /* IORING_SETUP_DEFER_TASKRUN (6.1) */
    KERN_FEAT_COOP_TASKRUN = 1u << 2,     /* IORING_SETUP_COOP_TASKRUN (5.19) */
    KERN_FEAT_REG_RING_FD = 1u << 3,      /* io_uring_register_ring_fd (5.18) */
    KERN_FEAT_MULTISHOT_ACCEPT = 1u << 4, /* IORING_ACCEPT_MULTISHOT (5.19) */
    KERN_FEAT_MULTISHOT_RECV = 1u << 5,   /* IORING_RECV_MULTISHOT (6.0) */
    KERN_FEAT_BUF_RING = 1u << 6,         /* ring-mapped provided buffers (5.19) */
    KERN_FEAT_MSG_RING = 1u << 7,         /* IORING_OP_MSG_RING (5.18) */
    KERN_FEAT_SEND_ZC = 1u << 8,          /* IORING_OP_SEND_ZC (6.0) */
    KERN_FEAT_REG_FILES = 1u << 9,        /* sparse registered file table (5.19) */
    KERN_FEAT_DIRECT_SEND = 1u << 10,     /* kern_sock_send may call send(2) at once */
    KERN_FEAT_BUF_WINDOW = 1u << 11,      /* buffer rings lend a window, hot buffers first */
    KERN_FEAT_COUNT_ = 12,
    KERN_FEAT_ALL = (1u << 12) - 1,
};

typedef struct kern_probe_t {
    uint32_t found;    /* features the running kernel offers */
    uint32_t masked;   /* features switched off by SNOW_URING_NO_* */
    uint32_t features; /* found & ~masked, dependencies applied: what rings use */
    char release[65];  /* uname -r */
} kern_probe_t;

/* Probes the kernel on scratch rings and reads the environment into out
 * (borrowed). Returns 0, or -errno when io_uring itself is unusable: -ENOSYS
 * (no io_uring), -EPERM (io_uring_disabled sysctl: try
 * 'sysctl -w kernel.io_uring_disabled=0'), -ENOMEM (RLIMIT_MEMLOCK). */
int kern_probe_run(kern_probe_t *out);

/* Returns the process-wide probe, running kern_probe_run once (thread-safe).
 * Aborts with the cause and the fix if io_uring is unusable. Any thread. */
const kern_probe_t *kern_probe_get(void);

/* Returns the features env-masked by SNOW_URING_* variables right now. */
uint32_t kern_probe_env_mask(void);

/* Applies feature dependencies to a set (see file comment). */
uint32_t kern_probe_closure(uint32_t features);

/* Returns the short name of one feature bit ("DEFER_TASKRUN"), or "?". */
const char *kern_probe_feature_name(uint32_t feature);

/* Prints one line per feature: found / masked / in use. */
void kern_probe_print(const kern_probe_t *p, FILE *out);

#endif
