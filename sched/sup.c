/* sup.c: the supervisor engine (see sup.h). */
#include "sched/sup.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kernel/alloc.h"
#include "kernel/assert.h"
#include "kernel/timer.h"
#include "sched/link.h"
#include "sched/service.h"

/* Restart times kept per supervisor; max_restarts above this behaves as
 * this (a supervisor allowing 4,096 restarts in a window is unlimited in
 * practice). Kept on the supervisor's stack so a kill leaks nothing. */
#define TIMES_MAX 4096u
#define SUP_OP_WHICH 1u

typedef struct sup_t {
    const sched_sup_spec_t *spec;
    sched_pid_t *pids; /* per child: running pid or NULL */
    bool *removed;     /* per child: a temporary child that ended */
    uint64_t *times;   /* restart times, oldest first */
    uint32_t times_count, times_cap;
    int64_t restarts;
} sup_t;

/* ==== Stopping children (stdlib 23.5) ==== */

static bool is_down_for(sched_msg_t *msg, void *data)
{
    sched_sysmsg_t *s = sched_sysmsg_of(msg);
    return s && s->kind == SCHED_SYS_DOWN && s->ref == *(uint64_t *)data;
}

static void await_down(uint64_t ref, int64_t timeout_ms, bool *timed_out)
{
    sched_msg_t *m = sched_proc_receive_match(timeout_ms, is_down_for, &ref);
    *timed_out = m == NULL;
    if (m)
        sched_sysmsg_free(sched_sysmsg_of(m));
}

static void stop_child(sup_t *s, uint32_t i)
{
    sched_pid_t pid = s->pids[i];
    if (pid == SCHED_PID_NULL)
        return;
    s->pids[i] = SCHED_PID_NULL;
    const sched_sup_child_t *c = &s->spec->children[i];
    if (c->restart == SCHED_SUP_TEMPORARY)
        s->removed[i] = true; /* never restarted, whoever stops it (23.3) */
    uint64_t ref = sched_monitor(pid);
    sched_unlink(pid); /* its end must not look like a failure */
    bool brutal = c->shutdown_ms == SCHED_SUP_BRUTAL_KILL;
    sched_exit_signal(pid, sched_reason_plain(brutal ? SCHED_EXIT_KILLED : SCHED_EXIT_SHUTDOWN));
    bool timed_out;
    await_down(ref, brutal ? -1 : (int64_t)c->shutdown_ms, &timed_out);
    if (timed_out) {
        sched_exit_signal(pid, sched_reason_plain(SCHED_EXIT_KILLED));
        await_down(ref, -1, &timed_out);
    }
}

/* Stops children [from, count) in reverse order, except skip. */
static void stop_from(sup_t *s, uint32_t from, uint32_t skip)
{
    for (uint32_t i = s->spec->child_count; i-- > from;)
        if (i != skip)
            stop_child(s, i);
}

static _Noreturn void give_up(sup_t *s, sched_reason_t *reason)
{
    stop_from(s, 0, UINT32_MAX);
    sched_proc_exit_reason(reason);
}

static _Noreturn void give_up_text(sup_t *s, const char *text)
{
    give_up(s, sched_reason_error(text, strlen(text)));
}

/* ==== Starting children (stdlib 23.2) ==== */

static void start_child(sup_t *s, uint32_t i)
{
    const sched_sup_child_t *c = &s->spec->children[i];
    sched_pid_t pid = c->start(c->arg);
    if (pid == SCHED_PID_NULL) {
        char text[160];
        snprintf(text, sizeof text, "child %s failed to start", c->name ? c->name : "?");
        give_up_text(s, text);
    }
    s->pids[i] = pid;
    /* A child that is already gone shows up as Exit(pid, Noproc), which
     * the loop treats as its failure (we trap exits). */
    sched_link(pid);
}

/* Starts children [from, count) that are not removed, in order. */
static void start_from(sup_t *s, uint32_t from)
{
    for (uint32_t i = from; i < s->spec->child_count; i++)
        if (!s->removed[i])
            start_child(s, i);
}

/* ==== Reacting to exits (stdlib 23.3, 23.4) ==== */

/* Returns true if one more restart fits in the window (and records it). */
static bool intensity_allows(sup_t *s)
{
    uint64_t now = kern_timer_now_ns();
    uint64_t window = (uint64_t)s->spec->max_seconds * 1000000000u;
    uint32_t keep = 0;
    for (uint32_t i = 0; i < s->times_count; i++)
        if (now - s->times[i] <= window)
            s->times[keep++] = s->times[i];
    s->times_count = keep;
    if (s->times_count >= s->times_cap)
        return false;
    s->times[s->times_count++] = now;
    return true;
}

static bool wants_restart(uint8_t restart, bool normal)
{
    if (restart == SCHED_SUP_PERMANENT)
        return true;
    if (restart == SCHED_SUP_TRANSIENT)
        return !normal;
    return false;
}

/* Child i ended (normal: Normal or Shutdown). Nothing may be held that a
 * give_up would leak: it does not return. */
static void on_child_exit(sup_t *s, uint32_t i, bool normal)
{
    const sched_sup_spec_t *spec = s->spec;
    s->pids[i] = SCHED_PID_NULL;
    if (!wants_restart(spec->children[i].restart, normal)) {
        if (spec->children[i].restart == SCHED_SUP_TEMPORARY)
            s->removed[i] = true;
        return;
    }
    if (!intensity_allows(s)) {
        char text[128];
        snprintf(text, sizeof text, "restart limit exceeded: %u restarts in %u seconds",
                 spec->max_restarts, spec->max_seconds);
        give_up_text(s, text);
    }
    s->restarts++;
    switch (spec->strategy) {
    case SCHED_SUP_ONE_FOR_ALL:
        stop_from(s, 0, i);
        start_from(s, 0);
        break;
    case SCHED_SUP_REST_FOR_ONE:
        stop_from(s, i + 1, UINT32_MAX);
        start_from(s, i);
        break;
    default: /* ONE_FOR_ONE, SIMPLE_ONE_FOR_ONE (D83) */
        start_child(s, i);
        break;
    }
}

static int64_t child_index(const sup_t *s, sched_pid_t pid)
{
    for (uint32_t i = 0; i < s->spec->child_count; i++)
        if (s->pids[i] == pid)
            return i;
    return -1;
}

/* Handles Exit(pid, reason) (takes m). */
static void on_exit_msg(sup_t *s, sched_sysmsg_t *m)
{
    sched_pid_t pid = m->pid;
    bool direct = !m->linked && m->reason->kind != SCHED_EXIT_NORMAL;
    bool normal = sched_reason_is_normal(m->reason);
    sched_reason_t *r = sched_reason_ref(m->reason);
    sched_sysmsg_free(m);
    int64_t i = child_index(s, pid);
    if (i < 0 && direct) {
        /* Not a child: a direct exit signal from outside (a parent's
         * Shutdown) ends the supervisor and its children. */
        give_up(s, r);
    }
    sched_reason_unref(r);
    /* Anything else from a non-child is a former child's late news and is
     * ignored (stdlib 23.3). */
    if (i >= 0)
        on_child_exit(s, (uint32_t)i, normal);
}

/* ==== Queries ==== */

typedef struct sup_info_t {
    sched_msg_t hdr; /* first */
    int64_t restarts;
    uint32_t count;
    sched_pid_t pids[];
} sup_info_t;

static void info_drop(sched_msg_t *m) { kern_free(m); }

static void answer(sup_t *s, sched_msg_t *req)
{
    uint32_t n = s->spec->child_count;
    sup_info_t *info = kern_alloc(sizeof *info + n * sizeof(sched_pid_t));
    info->hdr.drop = info_drop;
    info->restarts = s->restarts;
    info->count = n;
    memcpy(info->pids, s->pids, n * sizeof(sched_pid_t));
    sched_service_reply_(req, &info->hdr);
}

int64_t sched_sup_which_children(sched_pid_t sup, sched_pid_t *pids, uint32_t cap)
{
    sched_msg_t *reply;
    int rc = sched_service_call(sup, SUP_OP_WHICH, NULL, -1, &reply);
    if (rc < 0)
        return rc;
    sup_info_t *info = (sup_info_t *)reply;
    for (uint32_t i = 0; i < cap && i < info->count; i++)
        pids[i] = info->pids[i];
    int64_t restarts = info->restarts;
    info_drop(reply);
    return restarts;
}

/* ==== The process ==== */

_Noreturn void sched_sup_run(const sched_sup_spec_t *spec)
{
    snow_assert(spec->child_count <= SCHED_SUP_CHILDREN_MAX);
    uint32_t n = spec->child_count ? spec->child_count : 1;
    uint32_t cap = spec->max_restarts < TIMES_MAX ? spec->max_restarts : TIMES_MAX;
    sched_pid_t pids[n];
    bool removed[n];
    uint64_t times[cap ? cap : 1];
    memset(pids, 0, sizeof pids);
    memset(removed, 0, sizeof removed);
    sup_t s = {.spec = spec, .pids = pids, .removed = removed, .times = times, .times_cap = cap};
    sched_link_poll_(); /* killed or shut down before it ran */
    sched_trap_exit(true);
    start_from(&s, 0);
    for (;;) {
        sched_msg_t *m = sched_proc_receive(-1);
        sched_sysmsg_t *sys = sched_sysmsg_of(m);
        uint32_t op;
        if (sys && sys->kind == SCHED_SYS_EXIT) {
            on_exit_msg(&s, sys);
        } else if (sched_service_is_call_(m, &op) && op == SUP_OP_WHICH) {
            answer(&s, m);
        } else if (m->drop) {
            m->drop(m); /* nothing else is meant for a supervisor */
        }
    }
}

static void sup_entry(void *arg) { sched_sup_run(arg); }

int sched_sup_start(const sched_sup_spec_t *spec, sched_pid_t *pid)
{
    return sched_proc_spawn(sup_entry, (void *)spec, pid);
}
