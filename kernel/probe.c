/* Kernel feature probe (see probe.h).
 *
 * Each feature is tried for real on a scratch ring, because opcode probes do
 * not cover setup flags or per-opcode flags such as multishot. A probe must
 * never leave a descriptor open: every path closes what it opened. */
#include "kernel/probe.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <liburing.h>

#include "kernel/alloc.h"

/* ORDER FEATURES */
static const char *const feature_names[KERN_FEAT_COUNT_] = {
    "SINGLE_ISSUER",  "DEFER_TASKRUN", "COOP_TASKRUN", "REG_RING_FD", "MULTISHOT_ACCEPT",
    "MULTISHOT_RECV", "BUF_RING",      "MSG_RING",     "SEND_ZC",     "REG_FILES",
    "DIRECT_SEND",    "BUF_WINDOW",
};

const char *kern_probe_feature_name(uint32_t feature)
{
    for (int i = 0; i < KERN_FEAT_COUNT_; i++)
        if (feature == (1u << i))
            return feature_names[i];
    return "?";
}

static bool env_on(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' && strcmp(v, "0") != 0;
}

uint32_t kern_probe_env_mask(void)
{
    if (env_on("SNOW_URING_BASELINE"))
        return KERN_FEAT_ALL;
    uint32_t mask = 0;
    char name[64];
    for (int i = 0; i < KERN_FEAT_COUNT_; i++) {
        snprintf(name, sizeof name, "SNOW_URING_NO_%s", feature_names[i]);
        if (env_on(name))
            mask |= 1u << i;
    }
    if (env_on("SNOW_URING_NO_MULTISHOT"))
        mask |= KERN_FEAT_MULTISHOT_ACCEPT | KERN_FEAT_MULTISHOT_RECV;
    return mask;
}

uint32_t kern_probe_closure(uint32_t f)
{
    if (!(f & KERN_FEAT_SINGLE_ISSUER))
        f &= ~KERN_FEAT_DEFER_TASKRUN;
    if (!(f & KERN_FEAT_BUF_RING))
        f &= ~KERN_FEAT_MULTISHOT_RECV;
    return f;
}

/* Returns true when a ring can be created with these setup flags. */
static bool setup_flags_ok(unsigned flags)
{
    struct io_uring ring;
    struct io_uring_params p = {.flags = flags};
    if (io_uring_queue_init_params(4, &ring, &p) < 0)
        return false;
    io_uring_queue_exit(&ring);
    return true;
}

/* Submits what is queued and waits for n CQEs; returns the res of the CQE
 * whose user_data is want, or -EIO if it did not come. */
static int collect(struct io_uring *ring, unsigned n, uint64_t want)
{
    int res = -EIO;
    io_uring_submit(ring);
    for (unsigned i = 0; i < n; i++) {
        struct io_uring_cqe *cqe;
        struct __kernel_timespec ts = {.tv_sec = 1};
        if (io_uring_wait_cqe_timeout(ring, &cqe, &ts) < 0)
            break;
        if (cqe->user_data == want)
            res = cqe->res;
        io_uring_cqe_seen(ring, cqe);
    }
    return res;
}

/* Multishot accept: an old kernel fails the SQE at once with -EINVAL; a new
 * one keeps it pending until we cancel it (-ECANCELED). */
static bool multishot_accept_ok(struct io_uring *ring)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bool ok = false;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(fd, 1) == 0) {
        struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
        io_uring_prep_multishot_accept(sqe, fd, NULL, NULL, 0);
        sqe->user_data = 1;
        io_uring_submit(ring);
        sqe = io_uring_get_sqe(ring);
        io_uring_prep_cancel64(sqe, 1, 0);
        sqe->user_data = 2;
        ok = collect(ring, 2, 1) == -ECANCELED;
    }
    close(fd);
    return ok;
}

/* Multishot recv: with data waiting and no such buffer group, a new kernel
 * answers -ENOBUFS; an old one rejects the flag with -EINVAL. */
static bool multishot_recv_ok(struct io_uring *ring)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return false;
    bool ok = false;
    if (write(sv[1], "x", 1) == 1) {
        struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
        io_uring_prep_recv_multishot(sqe, sv[0], NULL, 0, 0);
        sqe->flags |= IOSQE_BUFFER_SELECT;
        sqe->buf_group = 0x7ffe;
        sqe->user_data = 3;
        ok = collect(ring, 1, 3) == -ENOBUFS;
    }
    close(sv[0]);
    close(sv[1]);
    return ok;
}

static bool buf_ring_ok(struct io_uring *ring)
{
    size_t size = (size_t)sysconf(_SC_PAGESIZE);
    void *mem = kern_alloc_aligned(size, size);
    struct io_uring_buf_reg reg = {.ring_addr = (uintptr_t)mem, .ring_entries = 1, .bgid = 0x7ffd};
    bool ok = io_uring_register_buf_ring(ring, &reg, 0) == 0;
    if (ok)
        io_uring_unregister_buf_ring(ring, 0x7ffd);
    kern_free(mem);
    return ok;
}

static uint32_t probe_ops(struct io_uring *ring)
{
    uint32_t f = 0;
    struct io_uring_probe *p = io_uring_get_probe_ring(ring);
    if (p != NULL) {
        if (io_uring_opcode_supported(p, IORING_OP_MSG_RING))
            f |= KERN_FEAT_MSG_RING;
        if (io_uring_opcode_supported(p, IORING_OP_SEND_ZC))
            f |= KERN_FEAT_SEND_ZC;
        io_uring_free_probe(p);
    }
    if (io_uring_register_ring_fd(ring) == 1) {
        f |= KERN_FEAT_REG_RING_FD;
        io_uring_unregister_ring_fd(ring);
    }
    if (io_uring_register_files_sparse(ring, 8) == 0) {
        f |= KERN_FEAT_REG_FILES;
        io_uring_unregister_files(ring);
    }
    if (buf_ring_ok(ring))
        f |= KERN_FEAT_BUF_RING;
    if (multishot_accept_ok(ring))
        f |= KERN_FEAT_MULTISHOT_ACCEPT;
    if (multishot_recv_ok(ring))
        f |= KERN_FEAT_MULTISHOT_RECV;
    return f;
}

int kern_probe_run(kern_probe_t *out)
{
    memset(out, 0, sizeof *out);
    struct utsname u;
    if (uname(&u) == 0)
        snprintf(out->release, sizeof out->release, "%s", u.release);
    struct io_uring ring;
    int rc = io_uring_queue_init(8, &ring, 0);
    if (rc < 0)
        return rc;
    uint32_t f = probe_ops(&ring);
    io_uring_queue_exit(&ring);
    if (setup_flags_ok(IORING_SETUP_SINGLE_ISSUER))
        f |= KERN_FEAT_SINGLE_ISSUER;
    if (setup_flags_ok(IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN))
        f |= KERN_FEAT_DEFER_TASKRUN;
    if (setup_flags_ok(IORING_SETUP_COOP_TASKRUN))
        f |= KERN_FEAT_COOP_TASKRUN;
    /* Policies, not kernel features: always there. */
    f |= KERN_FEAT_DIRECT_SEND | KERN_FEAT_BUF_WINDOW;
    out->found = f;
    out->masked = kern_probe_env_mask() & f;
    out->features = kern_probe_closure(f & ~out->masked);
    return 0;
}

void kern_probe_print(const kern_probe_t *p, FILE *out)
{
    fprintf(out, "snow kernel probe: Linux %s\n", p->release);
    for (int i = 0; i < KERN_FEAT_COUNT_; i++) {
        uint32_t bit = 1u << i;
        bool superseded = bit == KERN_FEAT_COOP_TASKRUN && (p->features & KERN_FEAT_DEFER_TASKRUN);
        const char *state = !(p->found & bit)     ? "absent"
                            : superseded          ? "available (DEFER_TASKRUN preferred)"
                            : (p->masked & bit)   ? "masked by env"
                            : (p->features & bit) ? "in use"
                                                  : "off (needs another feature)";
        fprintf(out, "  %-17s %s\n", feature_names[i], state);
    }
}

static kern_probe_t global_probe;
static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static bool debug_kernel(void)
{
    const char *v = getenv("SNOW_DEBUG");
    if (v == NULL)
        return false;
    for (const char *s = v; (s = strstr(s, "kernel")) != NULL; s += 6) {
        bool start = s == v || s[-1] == ',';
        bool end = s[6] == '\0' || s[6] == ',';
        if (start && end)
            return true;
    }
    return strcmp(v, "all") == 0;
}

static void probe_once(void)
{
    int rc = kern_probe_run(&global_probe);
    if (rc < 0) {
        fprintf(stderr,
                "snow: io_uring is unusable (%s).\n"
                "  Snow needs Linux 5.19+ with io_uring enabled: try "
                "'sysctl -w kernel.io_uring_disabled=0', or raise RLIMIT_MEMLOCK.\n",
                strerror(-rc));
        abort();
    }
    if (debug_kernel())
        kern_probe_print(&global_probe, stderr);
}

const kern_probe_t *kern_probe_get(void)
{
    pthread_once(&global_once, probe_once);
    return &global_probe;
}
