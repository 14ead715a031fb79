/* link.c: signals, links, monitors and system messages (see link.h). */
#include "sched/link.h"

#include <errno.h>
#include <string.h>

#include "kernel/alloc.h"
#include "kernel/assert.h"
#include "sched/registry.h"
#include "sched/timer.h"
#include "sched/worker.h"

enum {
    SIG_LINK = 1,
    SIG_UNLINK,
    SIG_LINK_EXIT,
    SIG_EXIT,
    SIG_KILL,
    SIG_MONITOR,
    SIG_DEMONITOR,
    SIG_DOWN,
};

/* One signal; allocated by the sender, freed by the target. */
typedef struct sched_signal_t {
    sched_mpsc_node_t node; /* first */
    uint32_t kind;          /* SIG_* */
    sched_pid_t from;
    uint64_t ref;           /* MONITOR, DEMONITOR, DOWN */
    sched_reason_t *reason; /* LINK_EXIT, EXIT, DOWN: one reference, owned */
} sched_signal_t;

/* Diagnostic counter (signals + system messages alive), not state. */
static atomic_int_fast64_t live;

int64_t sched_link_live_count(void) { return atomic_load_explicit(&live, memory_order_relaxed); }

static sched_pid_t self_pid(void)
{
    sched_proc_t *p = sched_proc_current();
    return p ? sched_proc_pid(p) : SCHED_PID_NULL;
}

static sched_proc_t *current(void)
{
    sched_proc_t *p = sched_proc_current();
    snow_assert(p != NULL);
    return p;
}

/* ==== Entry sets ==== */

sched_ent_t *sched_ents_find_(sched_ents_t *s, uint64_t key)
{
    for (uint32_t i = 0; i < s->count; i++)
        if (s->v[i].key == key)
            return &s->v[i];
    return NULL;
}

void sched_ents_add_(sched_ents_t *s, uint64_t key, sched_pid_t pid, uint32_t flags)
{
    if (s->count == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4;
        s->v = kern_realloc(s->v, s->cap * sizeof *s->v);
    }
    s->v[s->count++] = (sched_ent_t){.key = key, .pid = pid, .flags = flags};
}

bool sched_ents_remove_(sched_ents_t *s, uint64_t key)
{
    sched_ent_t *e = sched_ents_find_(s, key);
    if (!e)
        return false;
    *e = s->v[--s->count]; /* order does not matter */
    return true;
}

sched_proc_ext_t *sched_link_ext_(sched_proc_t *p)
{
    if (!p->ext)
        p->ext = kern_calloc(1, sizeof *p->ext);
    return p->ext;
}

static void ext_free(sched_proc_t *p)
{
    sched_proc_ext_t *x = p->ext;
    if (!x)
        return;
    kern_free(x->links.v);
    kern_free(x->watchers.v);
    kern_free(x->monitors.v);
    kern_free(x->jobs.v);
    kern_free(x);
    p->ext = NULL;
}

/* ==== System messages ==== */

static void sysmsg_drop(sched_msg_t *msg) { sched_sysmsg_free((sched_sysmsg_t *)msg); }

sched_sysmsg_t *sched_sysmsg_of(sched_msg_t *msg)
{
    return msg->drop == sysmsg_drop ? (sched_sysmsg_t *)msg : NULL;
}

void sched_sysmsg_free(sched_sysmsg_t *m)
{
    sched_reason_unref(m->reason);
    kern_free(m);
    atomic_fetch_sub_explicit(&live, 1, memory_order_relaxed);
}

void sched_sysmsg_deposit_(sched_proc_t *p, uint32_t kind, sched_pid_t pid, uint64_t ref,
                           sched_reason_t *reason, bool linked)
{
    sched_sysmsg_t *m = kern_alloc(sizeof *m);
    atomic_fetch_add_explicit(&live, 1, memory_order_relaxed);
    m->hdr.drop = sysmsg_drop;
    m->kind = kind;
    m->linked = linked;
    m->pid = pid;
    m->ref = ref;
    m->reason = reason;
    /* Our own mailbox: the MPSC push keeps arrival order with messages
     * other processes push concurrently. */
    sched_mailbox_push(&p->mailbox, &m->hdr);
}

/* ==== Sending signals ==== */

static sched_signal_t *signal_new(uint32_t kind, sched_pid_t from, uint64_t ref,
                                  sched_reason_t *reason)
{
    sched_signal_t *s = kern_alloc(sizeof *s);
    atomic_fetch_add_explicit(&live, 1, memory_order_relaxed);
    s->kind = kind;
    s->from = from;
    s->ref = ref;
    s->reason = reason;
    return s;
}

static void signal_free(sched_signal_t *s)
{
    if (s->reason)
        sched_reason_unref(s->reason);
    kern_free(s);
    atomic_fetch_sub_explicit(&live, 1, memory_order_relaxed);
}

/* Sends a signal; takes reason either way. Returns 0 or -ESRCH. */
static int signal_send(sched_pid_t to, uint32_t kind, sched_pid_t from, uint64_t ref,
                       sched_reason_t *reason)
{
    if (to == SCHED_PID_NULL) {
        if (reason)
            sched_reason_unref(reason);
        return -ESRCH;
    }
    sched_signal_t *s = signal_new(kind, from, ref, reason);
    int rc = sched_proc_signal_(to, &s->node);
    if (rc < 0)
        signal_free(s);
    return rc;
}

/* ==== The API ==== */

int sched_link(sched_pid_t pid)
{
    sched_proc_t *p = current();
    sched_pid_t me = sched_proc_pid(p);
    if (pid == me)
        return 0;
    sched_proc_ext_t *x = sched_link_ext_(p);
    if (sched_ents_find_(&x->links, pid))
        return 0; /* idempotent */
    if (signal_send(pid, SIG_LINK, me, 0, NULL) < 0) {
        if (p->trap_exit) /* D64 */
            sched_sysmsg_deposit_(p, SCHED_SYS_EXIT, pid, 0, sched_reason_plain(SCHED_EXIT_NOPROC),
                                  true);
        return -ESRCH;
    }
    sched_ents_add_(&x->links, pid, pid, 0);
    return 0;
}

void sched_link_add_local_(sched_proc_t *p, sched_pid_t other, uint32_t flags)
{
    sched_ents_add_(&sched_link_ext_(p)->links, other, other, flags);
}

void sched_unlink(sched_pid_t pid)
{
    sched_proc_t *p = current();
    if (!p->ext || !sched_ents_remove_(&p->ext->links, pid))
        return;
    signal_send(pid, SIG_UNLINK, sched_proc_pid(p), 0, NULL);
}

bool sched_trap_exit(bool on)
{
    sched_proc_t *p = current();
    bool old = p->trap_exit;
    p->trap_exit = on;
    return old;
}

int sched_exit_signal(sched_pid_t pid, sched_reason_t *reason)
{
    uint32_t kind = reason->kind == SCHED_EXIT_KILLED ? SIG_KILL : SIG_EXIT;
    return signal_send(pid, kind, self_pid(), 0, reason);
}

uint64_t sched_monitor(sched_pid_t pid)
{
    sched_proc_t *p = current();
    sched_runtime_t *rt = p->worker->rt;
    /* Relaxed: only uniqueness matters. */
    uint64_t ref = atomic_fetch_add_explicit(&rt->next_ref, 1, memory_order_relaxed);
    sched_pid_t me = sched_proc_pid(p);
    if (pid == me || signal_send(pid, SIG_MONITOR, me, ref, NULL) < 0) {
        /* Monitoring oneself would never fire; Erlang allows it, but Snow
         * has no use for it, so it reports Noproc like a dead target. */
        sched_sysmsg_deposit_(p, SCHED_SYS_DOWN, pid, ref, sched_reason_plain(SCHED_EXIT_NOPROC),
                              false);
        return ref;
    }
    sched_ents_add_(&sched_link_ext_(p)->monitors, ref, pid, 0);
    return ref;
}

/* Removes a queued Down for ref from p's mailbox (D68). */
static void remove_queued_down(sched_proc_t *p, uint64_t ref)
{
    sched_msg_t *prev = NULL;
    for (sched_msg_t *m = sched_mailbox_first(&p->mailbox); m;
         prev = m, m = sched_mailbox_next(&p->mailbox, m)) {
        sched_sysmsg_t *s = sched_sysmsg_of(m);
        if (s && s->kind == SCHED_SYS_DOWN && s->ref == ref) {
            sched_mailbox_remove(&p->mailbox, prev, m);
            sched_sysmsg_free(s);
            return;
        }
    }
}

int sched_demonitor(uint64_t ref)
{
    sched_proc_t *p = current();
    sched_ent_t *e = p->ext ? sched_ents_find_(&p->ext->monitors, ref) : NULL;
    if (!e) {
        remove_queued_down(p, ref); /* an immediate Noproc Down, or a fired one */
        return 1;
    }
    sched_pid_t target = e->pid;
    sched_ents_remove_(&p->ext->monitors, ref);
    signal_send(target, SIG_DEMONITOR, sched_proc_pid(p), ref, NULL);
    /* A DOWN still on its way finds no entry and is dropped (handle_down). */
    return 0;
}

/* ==== Handling signals ==== */

/* Ends p because of a signal: not trapping, or untrappable. Takes r. */
static _Noreturn void die(sched_reason_t *r) { sched_proc_exit_reason(r); }

static void handle_link_exit(sched_proc_t *p, sched_signal_t *s)
{
    sched_ent_t *e = p->ext ? sched_ents_find_(&p->ext->links, s->from) : NULL;
    if (!e)
        return; /* unlinked meanwhile */
    uint32_t flags = e->flags;
    sched_ents_remove_(&p->ext->links, s->from);
    sched_reason_t *r = s->reason;
    if (flags & SCHED_LINK_JOB_CALLER_) {
        /* A job's normal end already sent its result; any other end is the
         * job's outcome (D71). Never kills the caller. */
        if (r->kind != SCHED_EXIT_NORMAL)
            sched_sysmsg_deposit_(p, SCHED_SYS_JOB_, s->from, 0, sched_reason_ref(r), true);
        return;
    }
    if (p->trap_exit) {
        sched_sysmsg_deposit_(p, SCHED_SYS_EXIT, s->from, 0, sched_reason_ref(r), true);
        return;
    }
    if (sched_reason_is_normal(r))
        return; /* D65 */
    sched_pid_t from = s->from;
    s->reason = NULL;
    signal_free(s);
    die(sched_reason_linked(from, r));
}

static void handle_exit(sched_proc_t *p, sched_signal_t *s)
{
    if (s->kind == SIG_EXIT && p->trap_exit) {
        sched_sysmsg_deposit_(p, SCHED_SYS_EXIT, s->from, 0, sched_reason_ref(s->reason), false);
        return;
    }
    if (s->kind == SIG_EXIT && s->reason->kind == SCHED_EXIT_NORMAL)
        return; /* a direct Normal exit signal ends nobody */
    sched_reason_t *r = s->reason;
    s->reason = NULL;
    signal_free(s);
    die(r);
}

static void handle_down(sched_proc_t *p, sched_signal_t *s)
{
    if (!p->ext || !sched_ents_remove_(&p->ext->monitors, s->ref))
        return; /* demonitored: never delivered (D68) */
    sched_sysmsg_deposit_(p, SCHED_SYS_DOWN, s->from, s->ref, sched_reason_ref(s->reason), false);
}

/* Handles one signal; frees it unless it ends p (then die() did). */
static void handle_one(sched_proc_t *p, sched_signal_t *s)
{
    switch (s->kind) {
    case SIG_LINK:
        if (!sched_ents_find_(&sched_link_ext_(p)->links, s->from))
            sched_ents_add_(&p->ext->links, s->from, s->from, 0);
        break;
    case SIG_UNLINK:
        if (p->ext)
            sched_ents_remove_(&p->ext->links, s->from);
        break;
    case SIG_LINK_EXIT:
        handle_link_exit(p, s);
        break;
    case SIG_EXIT:
    case SIG_KILL:
        handle_exit(p, s);
        break;
    case SIG_MONITOR:
        sched_ents_add_(&sched_link_ext_(p)->watchers, s->ref, s->from, 0);
        break;
    case SIG_DEMONITOR:
        if (p->ext)
            sched_ents_remove_(&p->ext->watchers, s->ref);
        break;
    case SIG_DOWN:
        handle_down(p, s);
        break;
    default:
        snow_assert(!"unknown signal");
    }
    signal_free(s);
}

void sched_link_handle_(sched_proc_t *p)
{
    sched_mpsc_node_t *n;
    while ((n = sched_mpsc_pop(&p->sig)))
        handle_one(p, (sched_signal_t *)n);
}

void sched_link_poll_(void)
{
    sched_proc_t *p = current();
    if (!sched_mpsc_empty(&p->sig))
        sched_link_handle_(p);
}

/* ==== Exit ==== */

/* At exit: fold the queued signals into the sets (LINK and MONITOR that
 * raced with the end get their answer below) and drop the rest. */
static void absorb_queued(sched_proc_t *p)
{
    sched_mpsc_node_t *n;
    while ((n = sched_mpsc_pop(&p->sig))) {
        sched_signal_t *s = (sched_signal_t *)n;
        switch (s->kind) {
        case SIG_LINK:
        case SIG_UNLINK:
        case SIG_MONITOR:
        case SIG_DEMONITOR:
            handle_one(p, s); /* never ends p; frees s */
            break;
        default:
            signal_free(s);
            break;
        }
    }
}

void sched_link_exit_(sched_proc_t *p, sched_reason_t *reason)
{
    sched_pid_t me = sched_proc_pid(p);
    /* Names go first: whoever is told of the end finds the name free. */
    if (atomic_load_explicit(&p->registered, memory_order_seq_cst))
        sched_registry_forget_(p->worker->rt, me);
    absorb_queued(p);
    sched_proc_ext_t *x = p->ext;
    if (x) {
        sched_timer_cancel_all_(p);
        for (uint32_t i = 0; i < x->links.count; i++)
            signal_send(x->links.v[i].pid, SIG_LINK_EXIT, me, 0, sched_reason_ref(reason));
        for (uint32_t i = 0; i < x->watchers.count; i++)
            signal_send(x->watchers.v[i].pid, SIG_DOWN, me, x->watchers.v[i].key,
                        sched_reason_ref(reason));
        for (uint32_t i = 0; i < x->monitors.count; i++)
            signal_send(x->monitors.v[i].pid, SIG_DEMONITOR, me, x->monitors.v[i].key, NULL);
        ext_free(p);
    }
    sched_reason_unref(reason);
}

void sched_link_discard_(sched_proc_t *p)
{
    sched_mpsc_node_t *n;
    while ((n = sched_mpsc_pop(&p->sig)))
        signal_free((sched_signal_t *)n);
    /* A pending send_after counts as awake, so none is left at the end. */
    snow_assert(!p->ext || !p->ext->timers);
    ext_free(p);
}
