/* snow_proc.c: the process functions of snow.h ("Processes") that emitted
 * code calls — spawn, send, receive, links, terminate, Process, Timer, Job,
 * services and supervisors (language.md 8, stdlib 18-23; issue 7).
 *
 * Everything here is a thin layer over sched/actor.h: it turns the ABI's
 * closures and words into actor.h's calls. Two shapes need glue of their
 * own:
 * - a spawn carries a closure (the compiler captures the arguments in it),
 *   copied into the new process like a job's closure;
 * - a service is driven by one dispatch closure (made by the compiler per
 *   service) instead of a static descriptor of C functions, and a
 *   supervisor's children are a Snow list of (name, start, restart,
 *   shutdown) tuples, so the emitted C needs no static data beyond what
 *   the IR already has.
 * Both closures and lists are copied into the service's or supervisor's
 * own heap and kept alive from its stack. */
#include "sched/snow_proc.h"

#include <errno.h>
#include <string.h>

#include "kernel/alloc.h"
#include "kernel/assert.h"
#include "lang/std/ctx.h"
#include "sched/actor.h"
#include "sched/link.h"
#include "sched/registry.h"
#include "sched/service.h"
#include "sched/sup.h"
#include "sched/timer.h"

int snow_rt_main_procs(int argc, char **argv, snow_main_cb main_fn)
{
    return sched_actor_main(argc, argv, main_fn);
}

/* Calls closure f with no arguments (the snow_fn0_t convention). */
static snow_word_t call0(snow_ctx_t *cx, snow_record_t *f)
{
    return ((snow_fn0_t)(uintptr_t)f->w[0])(cx, f);
}

/* ==== spawn, self, send, receive, link, terminate ==== */

static void spawned(snow_ctx_t *cx, void *arg)
{
    snow_record_t *f = (snow_record_t *)(uintptr_t)sched_actor_msg_take(cx, arg);
    (void)call0(cx, f);
}

/* Closures of at most this many words that capture no heap value travel
 * as plain bytes and run from the new process's stack. */
#define FLAT_SPAWN_WORDS 32

/* A closure that holds no heap pointer (an actor spawned with Int, Float,
 * Bool or Pid arguments, or none) needs no heap: it is copied onto the new
 * process's stack, so a process that only waits never maps a heap block
 * (issue 7: memory per waiting process). Its code loads the captures into
 * locals at entry and never reads the record again after a collection can
 * run, and the record holds no pointers, so the stack copy is safe. */
static void spawned_flat(snow_ctx_t *cx, void *arg)
{
    snow_record_t *src = arg;
    uint32_t words = src->h.count;
    /* Sized to the closure (at most FLAT_SPAWN_WORDS): the frame stays in
     * the process's stack while it waits, and shared stacks copy it. */
    snow_word_t buf[2 + words];
    memcpy(buf, src, sizeof(snow_record_t) + words * sizeof(snow_word_t));
    kern_free(src);
    (void)call0(cx, (snow_record_t *)(void *)buf);
}

static int64_t spawn_closure(snow_ctx_t *cx, snow_record_t *f, bool shared)
{
    sched_pid_t pid = SCHED_PID_NULL;
    if (f->ptrmask == 0 && f->h.count <= FLAT_SPAWN_WORDS) {
        size_t bytes = sizeof(snow_record_t) + f->h.count * sizeof(snow_word_t);
        snow_record_t *flat = kern_alloc(bytes);
        memcpy(flat, f, bytes);
        int rc = shared ? sched_actor_spawn_shared(spawned_flat, flat, &pid)
                        : sched_actor_spawn(spawned_flat, flat, &pid);
        if (rc < 0) {
            kern_free(flat);
            snow_panic(cx, "spawn: out of memory");
        }
        return (int64_t)pid;
    }
    sched_msg_t *m = sched_actor_msg_new(cx, SNOW_WORD_PTR(f), true);
    int rc = shared ? sched_actor_spawn_shared(spawned, m, &pid) : sched_actor_spawn(spawned, m, &pid);
    if (rc < 0) {
        m->drop(m);
        snow_panic(cx, "spawn: out of memory");
    }
    return (int64_t)pid;
}

int64_t snow_proc_spawn(snow_ctx_t *cx, snow_record_t *f) { return spawn_closure(cx, f, false); }

int64_t snow_proc_spawn_shared(snow_ctx_t *cx, snow_record_t *f)
{
    return spawn_closure(cx, f, true);
}

int64_t snow_proc_self(snow_ctx_t *cx)
{
    (void)cx;
    return (int64_t)sched_proc_pid(sched_proc_current());
}

void snow_proc_send(snow_ctx_t *cx, int64_t pid, snow_word_t msg, bool is_ptr)
{
    (void)sched_actor_send(cx, (sched_pid_t)pid, msg, is_ptr); /* dead target: nothing (8.2) */
}

int64_t snow_proc_receive(snow_ctx_t *cx, int64_t timeout_ms, bool system)
{
    if (!system)
        return sched_actor_receive(cx, timeout_ms, &cx->received) ? 1 : 0;
    sched_sysmsg_t *sys = NULL;
    int kind = sched_actor_receive_any(cx, timeout_ms, &cx->received, &sys);
    if (kind == 2) {
        cx->received = sched_actor_sysmsg_value(cx, sys);
        sched_sysmsg_free(sys);
    }
    return kind;
}

snow_word_t snow_proc_received(snow_ctx_t *cx)
{
    snow_word_t v = cx->received;
    cx->received = 0;
    return v;
}

void snow_proc_link(snow_ctx_t *cx, int64_t pid)
{
    (void)cx;
    (void)sched_link((sched_pid_t)pid); /* -ESRCH: handled by the link rules (D64) */
}

static void run_terminate(snow_ctx_t *cx, void *arg) { (void)call0(cx, arg); }

void snow_proc_on_terminate(snow_ctx_t *cx, snow_record_t *f)
{
    sched_actor_set_terminate(cx, run_terminate, f);
}

/* ==== Process, Timer ==== */

int64_t snow_process_monitor(snow_ctx_t *cx, int64_t pid)
{
    (void)cx;
    return (int64_t)sched_monitor((sched_pid_t)pid);
}

int64_t snow_process_demonitor(snow_ctx_t *cx, int64_t ref)
{
    (void)cx;
    return ref <= 0 ? 1 : sched_demonitor((uint64_t)ref);
}

void snow_process_trap_exit(snow_ctx_t *cx, bool on)
{
    (void)cx;
    (void)sched_trap_exit(on);
}

int64_t snow_process_register(snow_ctx_t *cx, snow_string_t *name, int64_t pid)
{
    (void)cx;
    return sched_register(name->bytes, name->len, (sched_pid_t)pid);
}

int64_t snow_process_whereis(snow_ctx_t *cx, snow_string_t *name)
{
    (void)cx;
    return (int64_t)sched_whereis(name->bytes, name->len);
}

void snow_timer_sleep(snow_ctx_t *cx, int64_t ms)
{
    (void)cx;
    sched_timer_sleep(ms);
}

void snow_timer_send_after(snow_ctx_t *cx, int64_t pid, int64_t ms, snow_word_t msg, bool is_ptr)
{
    /* -ESRCH: the target is gone and the message was dropped (stdlib 20). */
    (void)sched_timer_send_after((sched_pid_t)pid, ms, sched_actor_msg_new(cx, msg, is_ptr));
}

/* ==== Jobs ==== */

int64_t snow_job_async(snow_ctx_t *cx, snow_record_t *f, bool result_is_ptr)
{
    sched_pid_t job = SCHED_PID_NULL;
    if (sched_actor_job_async(cx, f, result_is_ptr, &job) < 0)
        snow_panic(cx, "Job.async: out of memory");
    return (int64_t)job;
}

static snow_record_t *err_text(snow_ctx_t *cx, const char *text)
{
    return snow_result_err(cx, snow_string_new(cx, text, strlen(text)));
}

snow_record_t *snow_job_await(snow_ctx_t *cx, int64_t job, int64_t timeout_ms, bool result_is_ptr)
{
    snow_word_t v = 0;
    int rc = sched_actor_job_await(cx, (sched_pid_t)job, timeout_ms, &v);
    switch (rc) {
    case 0:
        return snow_result_ok(cx, v, result_is_ptr);
    case 1:
        return snow_result_err(cx, (snow_string_t *)(uintptr_t)v);
    case -ETIMEDOUT:
        return err_text(cx, "timeout");
    default:
        return err_text(cx, "noproc");
    }
}

snow_list_t *snow_job_map(snow_ctx_t *cx, snow_list_t *xs, snow_record_t *f, bool elem_is_ptr,
                          bool result_is_ptr, const snow_type_t *result_type)
{
    return sched_actor_job_map(cx, xs, f, elem_is_ptr, result_is_ptr, result_type);
}

/* ==== Services ==== */

/* A Snow service's state, on the service process's stack (so the scan
 * keeps the dispatch closure and the state alive). */
typedef struct svc_t {
    snow_record_t *dispatch; /* Fun(op, state, args) -> word */
    snow_word_t state;
    bool state_is_ptr;
} svc_t;

static snow_word_t dispatch(snow_ctx_t *cx, svc_t *s, uint32_t op, sched_msg_t *req)
{
    snow_word_t args = req ? sched_actor_msg_take(cx, req) : 0;
    typedef snow_word_t (*fn3_t)(snow_ctx_t *, snow_record_t *, snow_word_t, snow_word_t,
                                 snow_word_t);
    return ((fn3_t)(uintptr_t)s->dispatch->w[0])(cx, s->dispatch, op, s->state, args);
}

static sched_msg_t *svc_call(void **state, uint32_t op, sched_msg_t *req)
{
    svc_t *s = *state;
    snow_ctx_t *cx = sched_actor_ctx(sched_proc_current());
    /* A call handler gives the (new_state, reply) tuple (D75); its pointer
     * mask says whether the reply is a heap value. */
    snow_record_t *pair = (snow_record_t *)(uintptr_t)dispatch(cx, s, op, req);
    s->state = pair->w[0];
    return sched_actor_msg_new(cx, pair->w[1], (pair->ptrmask >> 1) & 1);
}

static void svc_cast(void **state, uint32_t op, sched_msg_t *req)
{
    svc_t *s = *state;
    s->state = dispatch(sched_actor_ctx(sched_proc_current()), s, op, req);
}

static const sched_service_t svc_glue = {.call = svc_call, .cast = svc_cast, .stop = NULL};

typedef struct svc_start_t {
    sched_msg_t *dispatch;
    sched_msg_t *state;
    bool state_is_ptr;
} svc_start_t;

static void service_main(snow_ctx_t *cx, void *arg)
{
    svc_start_t start = *(svc_start_t *)arg;
    kern_free(arg);
    svc_t s = {
        .dispatch = (snow_record_t *)(uintptr_t)sched_actor_msg_take(cx, start.dispatch),
        .state_is_ptr = start.state_is_ptr,
    };
    s.state = sched_actor_msg_take(cx, start.state);
    void *state = &s;
    sched_service_loop(&svc_glue, &state);
}

int64_t snow_service_start(snow_ctx_t *cx, snow_record_t *fn, snow_word_t state, bool state_is_ptr)
{
    svc_start_t *start = kern_alloc(sizeof *start);
    start->dispatch = sched_actor_msg_new(cx, SNOW_WORD_PTR(fn), true);
    start->state = sched_actor_msg_new(cx, state, state_is_ptr);
    start->state_is_ptr = state_is_ptr;
    sched_pid_t pid = SCHED_PID_NULL;
    if (sched_actor_spawn(service_main, start, &pid) < 0) {
        start->dispatch->drop(start->dispatch);
        start->state->drop(start->state);
        kern_free(start);
        snow_panic(cx, "service start: out of memory");
    }
    return (int64_t)pid;
}

snow_word_t snow_service_call(snow_ctx_t *cx, int64_t pid, int64_t op, snow_word_t args,
                              bool args_is_ptr)
{
    snow_word_t reply = 0;
    if (sched_actor_service_call(cx, (sched_pid_t)pid, (uint32_t)op, args, args_is_ptr, &reply) <
        0)
        snow_panic(cx, "service call: process is not alive"); /* D77 */
    return reply;
}

void snow_service_cast(snow_ctx_t *cx, int64_t pid, int64_t op, snow_word_t args, bool args_is_ptr)
{
    sched_actor_service_cast(cx, (sched_pid_t)pid, (uint32_t)op, args, args_is_ptr);
}

/* ==== Supervisors ==== */

/* Children tuple words. ORDER CHILD: snow.h's snow_sup_start. */
enum { CHILD_NAME, CHILD_START, CHILD_RESTART, CHILD_SHUTDOWN };

typedef struct sup_start_t {
    sched_msg_t *children; /* the List, copied */
    sched_sup_spec_t proto; /* strategy and intensity */
    size_t name_len;
    char name[]; /* NUL-terminated */
} sup_start_t;

static sched_pid_t start_child(void *arg)
{
    snow_ctx_t *cx = sched_actor_ctx(sched_proc_current());
    return (sched_pid_t)call0(cx, arg);
}

/* The supervisor process: adopts the children list, builds the spec in
 * its own heap (a string-kind block the collector does not scan; the list
 * on this frame keeps the closures alive) and runs the engine. */
static void sup_main(snow_ctx_t *cx, void *arg)
{
    sup_start_t *start = arg;
    snow_list_t *volatile kids =
        (snow_list_t *)(uintptr_t)sched_actor_msg_take(cx, start->children);
    uint32_t n = (uint32_t)kids->len;
    size_t names = start->name_len + 1;
    for (uint32_t i = 0; i < n; i++) {
        snow_record_t *t = (snow_record_t *)(uintptr_t)snow_list_items(kids)[i];
        names += ((snow_string_t *)(uintptr_t)t->w[CHILD_NAME])->len + 1;
    }
    size_t bytes = sizeof(sched_sup_spec_t) + n * sizeof(sched_sup_child_t) + names;
    snow_string_t *volatile blob = std_obj_alloc(cx, SNOW_OBJ_STRING, sizeof(snow_string_t) + bytes);
    blob->len = bytes;
    sched_sup_spec_t *spec = (sched_sup_spec_t *)(void *)blob->bytes;
    sched_sup_child_t *children = (sched_sup_child_t *)(spec + 1);
    char *text = (char *)(children + n);
    memcpy(text, start->name, start->name_len + 1);
    *spec = start->proto;
    spec->name = text;
    spec->child_count = n;
    spec->children = children;
    text += start->name_len + 1;
    for (uint32_t i = 0; i < n; i++) {
        snow_record_t *t = (snow_record_t *)(uintptr_t)snow_list_items(kids)[i];
        snow_string_t *nm = (snow_string_t *)(uintptr_t)t->w[CHILD_NAME];
        memcpy(text, nm->bytes, nm->len + 1);
        children[i] = (sched_sup_child_t){
            .name = text,
            .start = start_child,
            .arg = (void *)(uintptr_t)t->w[CHILD_START],
            .restart = (uint8_t)t->w[CHILD_RESTART],
            .shutdown_ms = (uint32_t)t->w[CHILD_SHUTDOWN],
        };
        text += nm->len + 1;
    }
    kern_free(start);
    sched_sup_run(spec); /* never returns: kids and blob stay on this frame */
}

int64_t snow_sup_start(snow_ctx_t *cx, snow_string_t *name, int64_t strategy,
                       int64_t max_restarts, int64_t max_seconds, snow_list_t *children)
{
    sup_start_t *start = kern_alloc(sizeof *start + name->len + 1);
    start->proto = (sched_sup_spec_t){
        .strategy = (uint8_t)strategy,
        .max_restarts = (uint32_t)max_restarts,
        .max_seconds = (uint32_t)max_seconds,
    };
    start->name_len = name->len;
    memcpy(start->name, name->bytes, name->len + 1);
    start->children = sched_actor_msg_new(cx, SNOW_WORD_PTR(children), true);
    sched_pid_t pid = SCHED_PID_NULL;
    if (sched_actor_spawn(sup_main, start, &pid) < 0) {
        start->children->drop(start->children);
        kern_free(start);
        snow_panic(cx, "supervisor start: out of memory");
    }
    return (int64_t)pid;
}
