/* service.c: the generic server loop and its calls (see service.h). */
#include "sched/service.h"

#include <errno.h>

#include "kernel/alloc.h"
#include "kernel/assert.h"
#include "sched/link.h"

typedef struct svc_req_t {
    sched_msg_t hdr; /* first */
    uint32_t op;
    bool is_call;
    sched_pid_t from; /* call: the caller */
    uint64_t ref;     /* call: the caller's monitor reference */
    sched_msg_t *body;
} svc_req_t;

typedef struct svc_reply_t {
    sched_msg_t hdr; /* first */
    uint64_t ref;
    sched_msg_t *body;
} svc_reply_t;

static void drop_body(sched_msg_t *body)
{
    if (body && body->drop)
        body->drop(body);
}

static void req_drop(sched_msg_t *msg)
{
    svc_req_t *r = (svc_req_t *)msg;
    drop_body(r->body);
    kern_free(r);
}

static void reply_drop(sched_msg_t *msg)
{
    svc_reply_t *r = (svc_reply_t *)msg;
    drop_body(r->body);
    kern_free(r);
}

static svc_req_t *req_new(uint32_t op, bool is_call, sched_msg_t *body)
{
    svc_req_t *r = kern_alloc(sizeof *r);
    r->hdr.drop = req_drop;
    r->op = op;
    r->is_call = is_call;
    r->from = SCHED_PID_NULL;
    r->ref = 0;
    r->body = body;
    return r;
}

bool sched_service_is_call_(sched_msg_t *msg, uint32_t *op)
{
    if (msg->drop != req_drop || !((svc_req_t *)msg)->is_call)
        return false;
    *op = ((svc_req_t *)msg)->op;
    return true;
}

static void send_reply(sched_pid_t to, uint64_t ref, sched_msg_t *reply)
{
    svc_reply_t *r = kern_alloc(sizeof *r);
    r->hdr.drop = reply_drop;
    r->ref = ref;
    r->body = reply;
    if (sched_proc_send(to, &r->hdr) < 0)
        reply_drop(&r->hdr); /* the caller is gone */
}

void sched_service_reply_(sched_msg_t *msg, sched_msg_t *reply)
{
    svc_req_t *req = (svc_req_t *)msg;
    send_reply(req->from, req->ref, reply);
    req_drop(msg);
}

/* ==== The server ==== */

typedef struct svc_start_t {
    const sched_service_t *svc;
    void *state;
} svc_start_t;

/* Releases the state if the process ends while state is current. */
static void on_exit_stop(sched_proc_t *p)
{
    svc_start_t *s = p->data;
    p->data = NULL;
    if (s->svc->stop)
        s->svc->stop(s->state);
    kern_free(s);
}

_Noreturn void sched_service_loop(const sched_service_t *svc, void **state)
{
    for (;;) {
        sched_msg_t *m = sched_proc_receive(-1);
        if (m->drop != req_drop) {
            drop_body(m); /* not a request: ignored */
            continue;
        }
        /* Copy the request out and free it before the handler runs: a
         * handler that crashes must not leave it behind. */
        svc_req_t req = *(svc_req_t *)m;
        ((svc_req_t *)m)->body = NULL;
        req_drop(m);
        if (!req.is_call) {
            svc->cast(state, req.op, req.body);
            continue;
        }
        sched_msg_t *reply = svc->call(state, req.op, req.body);
        snow_assert(reply != NULL);
        send_reply(req.from, req.ref, reply);
    }
}

static void service_entry(void *arg)
{
    svc_start_t *start = arg;
    sched_proc_t *p = sched_proc_current();
    /* The start record lives in the process's data so a plain C service
     * can stop its state however it ends (a crash too: C state has no
     * process heap to go with). */
    p->data = start;
    p->on_exit = on_exit_stop;
    sched_link_poll_();
    sched_service_loop(start->svc, &start->state);
}

int sched_service_start(const sched_service_t *svc, void *state, sched_pid_t *pid)
{
    svc_start_t *start = kern_alloc(sizeof *start);
    start->svc = svc;
    start->state = state;
    int rc = sched_proc_spawn(service_entry, start, pid);
    if (rc < 0)
        kern_free(start);
    return rc;
}

/* ==== Calls and casts ==== */

typedef struct call_wait_t {
    uint64_t ref;
} call_wait_t;

static bool is_answer(sched_msg_t *msg, void *data)
{
    uint64_t ref = ((call_wait_t *)data)->ref;
    if (msg->drop == reply_drop)
        return ((svc_reply_t *)msg)->ref == ref;
    sched_sysmsg_t *s = sched_sysmsg_of(msg);
    return s && s->kind == SCHED_SYS_DOWN && s->ref == ref;
}

static bool is_stale_reply(sched_msg_t *msg, void *data)
{
    (void)data;
    return msg->drop == reply_drop;
}

int sched_service_call(sched_pid_t svc, uint32_t op, sched_msg_t *req, int64_t timeout_ms,
                       sched_msg_t **reply)
{
    sched_proc_t *p = sched_proc_current();
    snow_assert(p != NULL);
    call_wait_t wait = {.ref = sched_monitor(svc)};
    svc_req_t *r = req_new(op, true, req);
    r->from = sched_proc_pid(p);
    r->ref = wait.ref;
    if (sched_proc_send(svc, &r->hdr) < 0) {
        req_drop(&r->hdr);
        sched_demonitor(wait.ref); /* removes the queued Noproc Down */
        return -ESRCH;
    }
    sched_msg_t *m = sched_proc_receive_match(timeout_ms, is_answer, &wait);
    if (!m) {
        sched_demonitor(wait.ref);
        return -ETIMEDOUT;
    }
    sched_sysmsg_t *down = sched_sysmsg_of(m);
    if (down) {
        sched_sysmsg_free(down);
        return -ESRCH; /* D77 */
    }
    sched_demonitor(wait.ref);
    svc_reply_t *rep = (svc_reply_t *)m;
    *reply = rep->body;
    kern_free(rep);
    /* Replies to calls that timed out earlier have no taker: drop them now
     * rather than let them sit in the mailbox. */
    sched_msg_t *stale;
    while ((stale = sched_proc_receive_match(0, is_stale_reply, NULL)))
        reply_drop(stale);
    return 0;
}

void sched_service_cast(sched_pid_t svc, uint32_t op, sched_msg_t *req)
{
    svc_req_t *r = req_new(op, false, req);
    if (sched_proc_send(svc, &r->hdr) < 0)
        req_drop(&r->hdr); /* stdlib 22.4: silently dropped */
}
