/* registry.c: names for pids (see registry.h). */
#include "sched/registry.h"

#include <pthread.h>
#include <string.h>

#include "kernel/alloc.h"
#include "kernel/assert.h"
#include "sched/worker.h"

#define BUCKETS 256 /* a fixed table: programs register a handful of names */

typedef struct reg_ent_t {
    struct reg_ent_t *next;
    sched_pid_t pid;
    size_t len;
    char name[];
} reg_ent_t;

struct sched_registry_t {
    pthread_mutex_t mu;
    uint32_t count;
    reg_ent_t *buckets[BUCKETS];
};

sched_registry_t *sched_registry_new_(void)
{
    sched_registry_t *reg = kern_calloc(1, sizeof *reg);
    pthread_mutex_init(&reg->mu, NULL);
    return reg;
}

void sched_registry_free_(sched_registry_t *reg)
{
    for (uint32_t i = 0; i < BUCKETS; i++) {
        for (reg_ent_t *e = reg->buckets[i], *next; e; e = next) {
            next = e->next;
            kern_free(e);
        }
    }
    pthread_mutex_destroy(&reg->mu);
    kern_free(reg);
}

static uint32_t hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h % BUCKETS;
}

static sched_registry_t *registry(void)
{
    sched_runtime_t *rt = sched_worker_runtime();
    return rt ? rt->registry : NULL;
}

/* Returns the link that points at name's entry (or at NULL). Under mu. */
static reg_ent_t **find(sched_registry_t *reg, const char *name, size_t len)
{
    reg_ent_t **at = &reg->buckets[hash(name, len)];
    for (; *at; at = &(*at)->next)
        if ((*at)->len == len && memcmp((*at)->name, name, len) == 0)
            break;
    return at;
}

int sched_register(const char *name, size_t len, sched_pid_t pid)
{
    sched_registry_t *reg = registry();
    if (!reg || len == 0 || pid == SCHED_PID_NULL)
        return 1;
    sched_proc_t *p = sched_proc_lookup_(pid);
    if (!p)
        return 1;
    pthread_mutex_lock(&reg->mu);
    reg_ent_t **at = find(reg, name, len);
    if (*at) {
        pthread_mutex_unlock(&reg->mu);
        return 1;
    }
    reg_ent_t *e = kern_alloc(sizeof *e + len);
    e->next = NULL;
    e->pid = pid;
    e->len = len;
    memcpy(e->name, name, len);
    *at = e;
    reg->count++;
    pthread_mutex_unlock(&reg->mu);
    /* seq_cst flag then state: the Dekker pair with the exit path's EXITED
     * store then flag load (see the file comment). */
    atomic_store_explicit(&p->registered, 1, memory_order_seq_cst);
    if (!sched_proc_alive_(p, pid)) {
        sched_unregister(name, len);
        return 1;
    }
    return 0;
}

sched_pid_t sched_whereis(const char *name, size_t len)
{
    sched_registry_t *reg = registry();
    if (!reg || len == 0)
        return SCHED_PID_NULL;
    pthread_mutex_lock(&reg->mu);
    reg_ent_t *e = *find(reg, name, len);
    sched_pid_t pid = e ? e->pid : SCHED_PID_NULL;
    pthread_mutex_unlock(&reg->mu);
    return pid;
}

int sched_unregister(const char *name, size_t len)
{
    sched_registry_t *reg = registry();
    if (!reg || len == 0)
        return 1;
    pthread_mutex_lock(&reg->mu);
    reg_ent_t **at = find(reg, name, len);
    reg_ent_t *e = *at;
    if (e) {
        *at = e->next;
        reg->count--;
    }
    pthread_mutex_unlock(&reg->mu);
    kern_free(e);
    return e ? 0 : 1;
}

uint32_t sched_registry_count(void)
{
    sched_registry_t *reg = registry();
    if (!reg)
        return 0;
    pthread_mutex_lock(&reg->mu);
    uint32_t n = reg->count;
    pthread_mutex_unlock(&reg->mu);
    return n;
}

void sched_registry_forget_(sched_runtime_t *rt, sched_pid_t pid)
{
    sched_registry_t *reg = rt->registry;
    pthread_mutex_lock(&reg->mu);
    for (uint32_t i = 0; i < BUCKETS && reg->count; i++) {
        reg_ent_t **at = &reg->buckets[i];
        while (*at) {
            reg_ent_t *e = *at;
            if (e->pid == pid) {
                *at = e->next;
                reg->count--;
                kern_free(e);
            } else {
                at = &e->next;
            }
        }
    }
    pthread_mutex_unlock(&reg->mu);
}
