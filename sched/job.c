/* job.c: jobs over processes and links (see job.h). */
#include "sched/job.h"

#include <errno.h>

#include "kernel/alloc.h"
#include "kernel/assert.h"
#include "sched/link.h"

/* A finished job's result, sent to its caller before the job exits. */
typedef struct job_result_t {
    sched_msg_t hdr; /* first */
    sched_pid_t job;
    sched_msg_t *value; /* owned */
} job_result_t;

typedef struct job_start_t {
    sched_job_fn fn;
    void *arg;
    sched_pid_t caller;
} job_start_t;

static void result_drop(sched_msg_t *msg)
{
    job_result_t *r = (job_result_t *)msg;
    if (r->value->drop)
        r->value->drop(r->value);
    kern_free(r);
}

void sched_job_reply_(sched_pid_t caller, sched_msg_t *value)
{
    job_result_t *r = kern_alloc(sizeof *r);
    r->hdr.drop = result_drop;
    r->job = sched_proc_pid(sched_proc_current());
    r->value = value;
    if (sched_proc_send(caller, &r->hdr) < 0)
        result_drop(&r->hdr); /* the caller is gone: nobody awaits */
}

static void job_entry(void *arg)
{
    job_start_t start = *(job_start_t *)arg;
    kern_free(arg);
    sched_link_poll_(); /* the caller may have died before we ran */
    sched_msg_t *value = start.fn(start.arg);
    snow_assert(value != NULL);
    sched_job_reply_(start.caller, value);
}

void sched_job_adopt_(sched_pid_t job)
{
    sched_proc_t *caller = sched_proc_current();
    sched_proc_t *j = sched_proc_local_(job);
    snow_assert(caller != NULL && j != NULL);
    /* Both sides at once: the job has not run, so no signal can race. */
    sched_link_add_local_(caller, job, SCHED_LINK_JOB_CALLER_);
    sched_link_add_local_(j, sched_proc_pid(caller), 0);
    sched_ents_add_(&sched_link_ext_(caller)->jobs, job, job, 0);
}

int sched_job_async(sched_job_fn fn, void *arg, sched_pid_t *job)
{
    snow_assert(sched_proc_current() != NULL);
    job_start_t *start = kern_alloc(sizeof *start);
    start->fn = fn;
    start->arg = arg;
    start->caller = sched_proc_pid(sched_proc_current());
    int rc = sched_proc_spawn(job_entry, start, job);
    if (rc < 0) {
        kern_free(start);
        return rc;
    }
    sched_job_adopt_(*job);
    return 0;
}

static bool is_outcome(sched_msg_t *msg, void *data)
{
    sched_pid_t job = *(sched_pid_t *)data;
    if (msg->drop == result_drop)
        return ((job_result_t *)msg)->job == job;
    sched_sysmsg_t *s = sched_sysmsg_of(msg);
    return s && s->kind == SCHED_SYS_JOB_ && s->pid == job;
}

int sched_job_await(sched_pid_t job, int64_t timeout_ms, sched_msg_t **value,
                    sched_reason_t **reason)
{
    sched_proc_t *p = sched_proc_current();
    snow_assert(p != NULL);
    if (!p->ext || !sched_ents_find_(&p->ext->jobs, job))
        return -ESRCH; /* not ours, or awaited already (D71) */
    sched_msg_t *m = sched_proc_receive_match(timeout_ms, is_outcome, &job);
    if (!m)
        return -ETIMEDOUT; /* D72: the job runs on */
    sched_ents_remove_(&p->ext->jobs, job);
    if (m->drop == result_drop) {
        job_result_t *r = (job_result_t *)m;
        *value = r->value;
        kern_free(r);
        return 0;
    }
    sched_sysmsg_t *s = sched_sysmsg_of(m);
    *reason = sched_reason_ref(s->reason);
    sched_sysmsg_free(s);
    return 1;
}
