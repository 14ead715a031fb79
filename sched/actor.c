/* actor.c: Snow processes over lang/std contexts (see actor.h). */
#include "sched/actor.h"

#include <errno.h>
#include <setjmp.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "kernel/alloc.h"
#include "kernel/assert.h"
#include "lang/std/copy.h"
#include "lang/std/ctx.h"
#include "lang/std/heap.h"
#include "sched/config.h"
#include "sched/job.h"
#include "sched/link.h"
#include "sched/msg_flat.h"
#include "sched/service.h"
#include "sched/sup.h"
#include "sched/worker.h"

_Static_assert(sizeof(snow_budget_t) == sizeof(sched_budget_t), "one budget layout");
_Static_assert(offsetof(snow_budget_t, reductions) == offsetof(sched_budget_t, reductions),
               "one budget layout");
_Static_assert(offsetof(snow_budget_t, stack_limit) == offsetof(sched_budget_t, stack_limit),
               "one budget layout");

/* Read-only while workers run. */
static snow_rt_t *actor_rt;

/* What an actor holds for its whole life. cx is first, so p->data is both
 * the actor and its context (sched_actor_ctx). It lives in the block spawn
 * allocated for the start record (actor_mem_t), not in the entry frame: a
 * waiting process's frames are copied when it shares a stack (share.h),
 * and this is half of them. */
typedef struct actor_t {
    snow_ctx_t cx;
    sched_actor_terminate_fn terminate; /* or NULL */
    void *terminate_arg;
    /* A panic in terminate lands here (ignored). A pointer to on_exit_'s
     * frame rather than the buffer itself, so that a waiting actor's
     * frames stay small (shared stacks copy them, share.h). */
    jmp_buf *terminate_env;
} actor_t;
_Static_assert(offsetof(actor_t, cx) == 0, "the context comes first");

typedef struct actor_start_t {
    sched_actor_fn fn;
    void *arg;
    bool is_main; /* a panic ends the program (D25), not just the process */
} actor_start_t;

/* One allocation per actor: the start record until actor_entry has read
 * it, then the actor itself (freed by on_exit_). */
typedef union actor_mem_t {
    actor_start_t start;
    actor_t actor;
} actor_mem_t;

void sched_actor_set_rt(snow_rt_t *rt)
{
    actor_rt = rt;
    if (rt)
        rt->pid_text = sched_proc_pid_text; /* the scheduler owns pids (D35) */
}

snow_ctx_t *sched_actor_ctx(const sched_proc_t *p) { return p->data; }

static void terminate_panicked(snow_ctx_t *cx, const char *msg)
{
    (void)msg; /* the report line is written; the panic is ignored (8.4) */
    longjmp(*((actor_t *)cx)->terminate_env, 1);
}

/* The process ends (returned, panicked, or discarded at the end of the
 * run): its terminate clause runs unless it was killed outright or is
 * being discarded (language.md 8.4, D27), then its heap goes with it. */
static void on_exit_(sched_proc_t *p)
{
    actor_t *a = p->data;
    if (a->terminate && p->exit_kind != SCHED_EXIT_KILLED &&
        p->exit_kind != SCHED_PROC_DISCARDED_) {
        sched_actor_terminate_fn fn = a->terminate;
        a->terminate = NULL;
        a->cx.on_panic = terminate_panicked;
        p->budget.stack_limit = (uintptr_t)p->ctx.stack_lo + SCHED_STACK_HEADROOM;
        jmp_buf env;
        a->terminate_env = &env;
        if (setjmp(env) == 0)
            fn(&a->cx, a->terminate_arg);
    }
    p->data = NULL;
    std_ctx_destroy(&a->cx);
    kern_free((actor_mem_t *)(void *)a);
}

void sched_actor_set_terminate(snow_ctx_t *cx, sched_actor_terminate_fn fn, void *arg)
{
    actor_t *a = (actor_t *)cx;
    a->terminate = fn;
    a->terminate_arg = arg;
}

/* The process's context panicked (the report line is already written):
 * end only this process; the worker goes on (D24). */
static void on_panic(snow_ctx_t *cx, const char *msg)
{
    (void)cx;
    /* Error(msg) for links, monitors, jobs and supervisors (D24, D63); the
     * text is copied before the heap goes. */
    sched_proc_exit_reason(sched_reason_error(msg, strlen(msg)));
}

/* snow_proc_check's slow path for an actor: yield when the slice is spent,
 * panic "stack overflow" below the limit (D30). */
static void on_check(snow_ctx_t *cx)
{
    sched_proc_t *p = cx->sched;
    if ((uintptr_t)__builtin_frame_address(0) < p->budget.stack_limit) {
        p->budget.stack_limit = 0; /* the panic path runs in the headroom */
        snow_panic(cx, "stack overflow");
    }
    sched_proc_check_slow_(&p->budget);
}

static _Noreturn void actor_entry(void *arg)
{
    actor_mem_t *mem = arg;
    actor_start_t start = mem->start;
    sched_proc_t *p = sched_proc_current();
    actor_t *a = &mem->actor; /* from here on the block is the actor */
    snow_ctx_t *cx = &a->cx;
    std_ctx_init(cx, actor_rt, (char *)p->ctx.stack_lo + p->ctx.stack_size);
    /* The value between receive and received is a root (snow_proc.c); it
     * is no longer on the stack the collector scans. */
    std_heap_root_add(&cx->heap, &cx->received, &cx->received + 1);
    a->terminate = NULL;
    a->terminate_arg = NULL;
    cx->budget = (snow_budget_t *)(void *)&p->budget;
    cx->on_check = on_check;
    cx->on_panic = start.is_main ? NULL : on_panic;
    cx->sched = p;
    p->data = a;
    p->on_exit = on_exit_;
    sched_link_poll_(); /* a kill sent before the first run */
    start.fn(cx, start.arg);
    sched_proc_exit();
}

static int spawn(sched_actor_fn fn, void *arg, bool is_main, sched_pid_t *pid, bool shared)
{
    if (!actor_rt)
        return -EPERM;
    actor_mem_t *mem = kern_alloc(sizeof *mem);
    mem->start = (actor_start_t){.fn = fn, .arg = arg, .is_main = is_main};
    int rc = shared ? sched_proc_spawn_shared(actor_entry, mem, pid)
                    : sched_proc_spawn(actor_entry, mem, pid);
    if (rc < 0)
        kern_free(mem);
    return rc;
}

int sched_actor_spawn(sched_actor_fn fn, void *arg, sched_pid_t *pid)
{
    return spawn(fn, arg, false, pid, false);
}

int sched_actor_spawn_shared(sched_actor_fn fn, void *arg, sched_pid_t *pid)
{
    return spawn(fn, arg, false, pid, true);
}

/* ==== Messages ==== */

/* A message between actors. Three shapes, by what the value is:
 * - IMM: an immediate word (Int, Float, Bool, Pid, Unit): nothing else;
 * - FLAT: a small tree of strings and records (`Add(5)`, `Item("x")`),
 *   encoded after the message and rebuilt by the receiver in its own heap
 *   (msg_flat.h);
 * - FRAG: any other graph, copied once into a fragment heap that never
 *   collects (gc_off) and moves into the receiver's heap whole
 *   (std_heap_adopt).
 * FLAT spares a small message a whole heap block while it waits in a
 * mailbox (a block costs at least one 4 KiB page). */
enum { MSG_IMM, MSG_FLAT, MSG_FRAG };

typedef struct actor_msg_t {
    sched_msg_t hdr; /* first */
    snow_word_t value;
    uint8_t shape;      /* MSG_* */
    std_heap_t *frag;   /* FRAG */
    _Alignas(16) unsigned char flat[]; /* FLAT: the encoded value */
} actor_msg_t;

/* Frees a message nobody took (its receiver exited). */
static void actor_msg_drop(sched_msg_t *msg)
{
    actor_msg_t *m = (actor_msg_t *)msg;
    if (m->shape == MSG_FRAG) {
        std_heap_destroy(m->frag);
        kern_free(m->frag);
    }
    kern_free(m);
}

sched_msg_t *sched_actor_msg_new(snow_ctx_t *cx, snow_word_t value, bool is_ptr)
{
    sched_flat_plan_t plan;
    size_t flat = is_ptr && value ? sched_flat_plan(value, &plan) : 0;
    actor_msg_t *m = kern_alloc(sizeof *m + flat);
    m->hdr.drop = actor_msg_drop;
    m->value = value;
    m->frag = NULL;
    if (!is_ptr || !value) {
        m->shape = MSG_IMM;
    } else if (flat) {
        m->shape = MSG_FLAT;
        sched_flat_write(&plan, m->flat);
    } else {
        /* No stack roots: a fragment is never collected. */
        m->shape = MSG_FRAG;
        m->frag = kern_alloc(sizeof *m->frag);
        std_heap_init(m->frag, NULL);
        m->frag->pool = &cx->rt->pool;
        m->frag->gc_off = 1;
        m->value = std_copy_value(m->frag, &cx->heap, value, true);
    }
    return &m->hdr;
}

int sched_actor_send(snow_ctx_t *cx, sched_pid_t to, snow_word_t value, bool is_ptr)
{
    sched_msg_t *m = sched_actor_msg_new(cx, value, is_ptr);
    int rc = sched_proc_send(to, m);
    if (rc < 0)
        actor_msg_drop(m);
    return rc;
}

static void adopt(snow_ctx_t *cx, actor_msg_t *m, snow_word_t *value);

static bool is_user_msg(sched_msg_t *msg, void *data)
{
    (void)data;
    return msg->drop == actor_msg_drop;
}

static bool is_user_or_system(sched_msg_t *msg, void *data)
{
    (void)data;
    sched_sysmsg_t *s;
    return msg->drop == actor_msg_drop ||
           ((s = sched_sysmsg_of(msg)) && (s->kind == SCHED_SYS_DOWN || s->kind == SCHED_SYS_EXIT));
}

snow_word_t sched_actor_msg_take(snow_ctx_t *cx, sched_msg_t *msg)
{
    snow_assert(msg->drop == actor_msg_drop);
    snow_word_t value;
    adopt(cx, (actor_msg_t *)msg, &value);
    return value;
}

static void adopt(snow_ctx_t *cx, actor_msg_t *m, snow_word_t *value)
{
    *value = m->value;
    if (m->shape == MSG_FLAT) {
        *value = sched_flat_read(cx, m->flat);
    } else if (m->shape == MSG_FRAG) {
        std_heap_adopt(&cx->heap, m->frag);
        std_heap_destroy(m->frag); /* now empty: frees its bookkeeping */
        kern_free(m->frag);
    }
    kern_free(m);
}

bool sched_actor_receive(snow_ctx_t *cx, int64_t timeout_ms, snow_word_t *value)
{
    /* User messages only (D63): system notifications and internal replies
     * stay queued for a receive that asks for them. */
    sched_msg_t *m = sched_proc_receive_match(timeout_ms, is_user_msg, NULL);
    if (!m)
        return false;
    adopt(cx, (actor_msg_t *)m, value);
    return true;
}

int sched_actor_receive_any(snow_ctx_t *cx, int64_t timeout_ms, snow_word_t *value,
                            sched_sysmsg_t **sys)
{
    sched_msg_t *m = sched_proc_receive_match(timeout_ms, is_user_or_system, NULL);
    if (!m)
        return 0;
    *sys = sched_sysmsg_of(m);
    if (*sys)
        return 2;
    adopt(cx, (actor_msg_t *)m, value);
    return 1;
}

/* ==== System messages as Snow values (D63) ==== */

snow_word_t sched_actor_reason_value(snow_ctx_t *cx, const sched_reason_t *r)
{
    /* ORDER REASON: variant index = SCHED_EXIT_* = h.tag. */
    snow_record_t *v;
    switch (r->kind) {
    case SCHED_EXIT_ERROR: {
        snow_string_t *text = snow_string_new(cx, r->text, r->len);
        v = snow_record_new(cx, SCHED_EXIT_ERROR, 1, 1);
        v->w[0] = (snow_word_t)(uintptr_t)text;
        break;
    }
    case SCHED_EXIT_LINKED: {
        snow_word_t inner = sched_actor_reason_value(cx, r->inner);
        v = snow_record_new(cx, SCHED_EXIT_LINKED, 2, 2);
        v->w[0] = r->pid;
        v->w[1] = inner;
        break;
    }
    default:
        v = snow_record_new(cx, (uint16_t)r->kind, 0, 0);
        break;
    }
    return (snow_word_t)(uintptr_t)v;
}

snow_word_t sched_actor_sysmsg_value(snow_ctx_t *cx, const sched_sysmsg_t *m)
{
    snow_word_t reason = sched_actor_reason_value(cx, m->reason);
    snow_record_t *v;
    if (m->kind == SCHED_SYS_DOWN) {
        v = snow_record_new(cx, SCHED_ACTOR_SYS_DOWN, 3, 4);
        v->w[0] = m->ref;
        v->w[1] = m->pid;
        v->w[2] = reason;
    } else {
        snow_assert(m->kind == SCHED_SYS_EXIT);
        v = snow_record_new(cx, SCHED_ACTOR_SYS_EXIT, 2, 2);
        v->w[0] = m->pid;
        v->w[1] = reason;
    }
    return (snow_word_t)(uintptr_t)v;
}

/* ==== Jobs (job.h) ==== */

typedef struct job_start_t {
    sched_msg_t *closure; /* the closure's copy, adopted by the job */
    sched_msg_t *arg;     /* Job.map: the element's copy, or NULL */
    bool result_is_ptr;
    sched_pid_t caller;
} job_start_t;

static void job_actor(snow_ctx_t *cx, void *arg)
{
    job_start_t start = *(job_start_t *)arg;
    kern_free(arg);
    snow_record_t *f = (snow_record_t *)sched_actor_msg_take(cx, start.closure);
    snow_word_t result;
    if (start.arg)
        result = snow_closure_call1(cx, f, sched_actor_msg_take(cx, start.arg));
    else
        result = ((snow_fn0_t)(uintptr_t)f->w[0])(cx, f);
    sched_job_reply_(start.caller, sched_actor_msg_new(cx, result, start.result_is_ptr));
}

static int job_start(snow_ctx_t *cx, snow_record_t *closure, sched_msg_t *arg, bool result_is_ptr,
                     sched_pid_t *job)
{
    job_start_t *start = kern_alloc(sizeof *start);
    start->closure = sched_actor_msg_new(cx, (snow_word_t)(uintptr_t)closure, true);
    start->arg = arg;
    start->result_is_ptr = result_is_ptr;
    start->caller = sched_proc_pid(sched_proc_current());
    int rc = spawn(job_actor, start, false, job, false);
    if (rc < 0) {
        actor_msg_drop(start->closure);
        if (arg)
            actor_msg_drop(arg);
        kern_free(start);
        return rc;
    }
    sched_job_adopt_(*job);
    return 0;
}

int sched_actor_job_async(snow_ctx_t *cx, snow_record_t *closure, bool result_is_ptr,
                          sched_pid_t *job)
{
    return job_start(cx, closure, NULL, result_is_ptr, job);
}

snow_list_t *sched_actor_job_map(snow_ctx_t *cx, const snow_list_t *xs, snow_record_t *f,
                                 bool elem_is_ptr, bool result_is_ptr,
                                 const snow_type_t *result_type)
{
    /* Pids in a Snow list: nothing to free if this process dies midway. */
    snow_list_t *jobs = snow_list_new(cx, &snow_type_pid);
    int64_t n = xs->len;
    for (int64_t i = 0; i < n; i++) {
        snow_word_t x = snow_list_items(xs)[i];
        sched_pid_t pid = SCHED_PID_NULL;
        if (job_start(cx, f, sched_actor_msg_new(cx, x, elem_is_ptr), result_is_ptr, &pid) < 0)
            pid = SCHED_PID_NULL; /* awaits as noproc */
        jobs = snow_list_append(cx, jobs, pid);
    }
    snow_list_t *out = snow_list_new(cx, result_type);
    for (int64_t i = 0; i < n; i++) {
        snow_word_t v;
        int rc = sched_actor_job_await(cx, snow_list_items(jobs)[i], -1, &v);
        snow_record_t *r;
        if (rc == 0)
            r = snow_result_ok(cx, v, result_is_ptr);
        else if (rc == 1)
            r = snow_result_err(cx, (snow_string_t *)(uintptr_t)v);
        else
            r = snow_result_err(cx, snow_string_new(cx, "noproc", 6));
        out = snow_list_append(cx, out, (snow_word_t)(uintptr_t)r);
    }
    return out;
}

int sched_actor_job_await(snow_ctx_t *cx, sched_pid_t job, int64_t timeout_ms, snow_word_t *value)
{
    sched_msg_t *v;
    sched_reason_t *r;
    int rc = sched_job_await(job, timeout_ms, &v, &r);
    if (rc == 0) {
        *value = sched_actor_msg_take(cx, v);
    } else if (rc == 1) {
        const char *text = sched_reason_job_text(r);
        *value = (snow_word_t)(uintptr_t)snow_string_new(cx, text, strlen(text));
        sched_reason_unref(r);
    }
    return rc;
}

/* ==== Services (service.h) ==== */

/* The state of a Snow service: on the service actor's stack, so the
 * conservative stack scan keeps value alive. */
typedef struct svc_box_t {
    const sched_actor_service_t *desc;
    snow_word_t value;
} svc_box_t;

static sched_msg_t *svc_call(void **state, uint32_t op, sched_msg_t *req)
{
    svc_box_t *box = *state;
    snow_ctx_t *cx = sched_actor_ctx(sched_proc_current());
    snow_word_t args = req ? sched_actor_msg_take(cx, req) : 0;
    bool is_ptr = false;
    snow_word_t reply = box->desc->call(cx, op, &box->value, args, &is_ptr);
    return sched_actor_msg_new(cx, reply, is_ptr);
}

static void svc_cast(void **state, uint32_t op, sched_msg_t *req)
{
    svc_box_t *box = *state;
    snow_ctx_t *cx = sched_actor_ctx(sched_proc_current());
    snow_word_t args = req ? sched_actor_msg_take(cx, req) : 0;
    box->desc->cast(cx, op, &box->value, args);
}

static const sched_service_t svc_glue = {.call = svc_call, .cast = svc_cast, .stop = NULL};

typedef struct svc_start_t {
    const sched_actor_service_t *desc;
    sched_msg_t *state;
} svc_start_t;

static void service_actor(snow_ctx_t *cx, void *arg)
{
    svc_start_t start = *(svc_start_t *)arg;
    kern_free(arg);
    svc_box_t box = {.desc = start.desc, .value = sched_actor_msg_take(cx, start.state)};
    void *state = &box;
    sched_service_loop(&svc_glue, &state);
}

int sched_actor_service_start(snow_ctx_t *cx, const sched_actor_service_t *desc, snow_word_t state,
                              bool state_is_ptr, sched_pid_t *pid)
{
    svc_start_t *start = kern_alloc(sizeof *start);
    start->desc = desc;
    start->state = sched_actor_msg_new(cx, state, state_is_ptr);
    int rc = spawn(service_actor, start, false, pid, false);
    if (rc < 0) {
        actor_msg_drop(start->state);
        kern_free(start);
    }
    return rc;
}

int sched_actor_service_call(snow_ctx_t *cx, sched_pid_t svc, uint32_t op, snow_word_t args,
                             bool args_is_ptr, snow_word_t *reply)
{
    sched_msg_t *r;
    int rc = sched_service_call(svc, op, sched_actor_msg_new(cx, args, args_is_ptr), -1, &r);
    if (rc == 0)
        *reply = sched_actor_msg_take(cx, r);
    return rc;
}

void sched_actor_service_cast(snow_ctx_t *cx, sched_pid_t svc, uint32_t op, snow_word_t args,
                              bool args_is_ptr)
{
    sched_service_cast(svc, op, sched_actor_msg_new(cx, args, args_is_ptr));
}

/* ==== Supervisors (sup.h) ==== */

static void sup_actor(snow_ctx_t *cx, void *arg)
{
    (void)cx;
    sched_sup_run(arg);
}

int sched_actor_sup_start(const sched_sup_spec_t *spec, sched_pid_t *pid)
{
    return spawn(sup_actor, (void *)spec, false, pid, false);
}

/* ==== The program's main ==== */

typedef struct main_box_t {
    snow_main_cb fn;
} main_box_t;

static void main_actor(snow_ctx_t *cx, void *arg) { ((main_box_t *)arg)->fn(cx); }

/* The first process (a plain one): starts main as a Snow process. */
static void start_main(void *arg)
{
    int rc = spawn(main_actor, arg, true, NULL, false);
    snow_assert(rc == 0); /* the pool is empty: only mmap can fail */
    (void)rc;
}

static void say(const char *msg)
{
    ssize_t rc = write(2, msg, strlen(msg));
    (void)rc;
}

int sched_actor_main(int argc, char **argv, snow_main_cb main_fn)
{
    sched_config_t cfg;
    if (sched_config_from_env(&cfg) < 0) {
        say("snow: SNOW_CORES must be a whole number from 1 to 1024, or auto\n");
        return 2;
    }
    snow_rt_t rt;
    std_rt_init(&rt, argc, argv);
    sched_actor_set_rt(&rt);
    main_box_t box = {main_fn};
    int rc = sched_worker_run(&cfg, start_main, &box);
    sched_actor_set_rt(NULL);
    snow_ctx_t flusher = {.rt = &rt}; /* snow_io_flush only needs rt */
    snow_io_flush(&flusher);
    std_rt_destroy(&rt);
    if (rc < 0) {
        say("snow: cannot start the scheduler's workers (io_uring setup failed: raise "
            "RLIMIT_MEMLOCK, or sysctl kernel.io_uring_disabled=0)\n");
        return 2;
    }
    return 0;
}
