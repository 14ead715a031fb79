/* share.c: shared stacks (see share.h). */
#include "sched/share.h"

#include <string.h>

#include "kernel/alloc.h"
#include "kernel/assert.h"
#include "sched/proc.h"

/* A member's saved frames: the bytes of [sp, top) of its host stack. */
typedef struct image_t {
    uint32_t cap; /* bytes that fit in data */
    uint32_t _pad[3];
    unsigned char data[];
} image_t;

void sched_share_init(sched_share_t *s, bool enabled)
{
    memset(s, 0, sizeof *s);
#if defined(__SANITIZE_ADDRESS__)
    enabled = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    enabled = false;
#endif
#endif
    s->enabled = enabled;
}

uint32_t sched_share_bind(sched_share_t *s, sched_stack_pool_t *pool)
{
    if (!s->enabled)
        return SCHED_SHARE_NONE;
    uint32_t h;
    if (s->free_count > 0) {
        h = s->free[--s->free_count];
    } else if (s->count < SCHED_SHARE_HOSTS_MAX) {
        int64_t slot = sched_stack_take(pool);
        if (slot < 0)
            return SCHED_SHARE_NONE;
        h = s->count++;
        s->hosts[h] = (sched_share_host_t){.slot = (uint32_t)slot};
    } else {
        h = s->next;
        s->next = (s->next + 1) % s->count;
    }
    s->hosts[h].members++;
    return h;
}

void *sched_share_stack_lo(const sched_share_t *s, const sched_stack_pool_t *pool, uint32_t host)
{
    return sched_stack_lo(pool, s->hosts[host].slot);
}

static char *stack_top(const sched_share_t *s, const sched_stack_pool_t *pool, uint32_t host)
{
    return (char *)sched_share_stack_lo(s, pool, host) + SCHED_STACK_SLOT_SIZE;
}

static void save(sched_share_t *s, char *top, sched_proc_t *q)
{
    size_t len = (size_t)(top - (char *)q->ctx.sp);
    snow_assert(len <= SCHED_STACK_SLOT_SIZE);
    image_t *im = q->image;
    if (!im || im->cap < len) {
        /* Whole 256-byte steps, header included: a process whose depth
         * wobbles does not reallocate at every save, and the size is one
         * of the allocator's classes (a 960-byte image takes 1,024 bytes,
         * not the 1,280-byte class above 1,040). */
        size_t bytes = (sizeof *im + len + 255) & ~(size_t)255;
        kern_free(im);
        im = kern_alloc(bytes);
        im->cap = (uint32_t)(bytes - sizeof *im);
        q->image = im;
    }
    memcpy(im->data, q->ctx.sp, len);
    q->image_len = (uint32_t)len;
    s->stats.saves++;
    s->stats.save_bytes += len;
}

void sched_share_enter(sched_share_t *s, const sched_stack_pool_t *pool, sched_proc_t *p)
{
    sched_share_host_t *h = &s->hosts[p->host];
    if (h->resident == p)
        return;
    char *top = stack_top(s, pool, p->host);
    if (h->resident)
        save(s, top, h->resident);
    h->resident = p;
    if (!p->ctx.sp) {
        sched_proc_make_ctx_(p, top - SCHED_STACK_SLOT_SIZE);
        return;
    }
    image_t *im = p->image;
    snow_assert(im && (char *)p->ctx.sp == top - p->image_len);
    memcpy(p->ctx.sp, im->data, p->image_len);
    s->stats.restores++;
}

void sched_share_unbind(sched_share_t *s, uint32_t host)
{
    sched_share_host_t *h = &s->hosts[host];
    snow_assert(h->members > 0);
    /* A host enters the free list only here, at its last member, and
     * leaves it when bind pops it; bind's round robin runs only while the
     * list is empty, so no host is listed twice. */
    if (--h->members == 0)
        s->free[s->free_count++] = host;
}

void sched_share_leave(sched_share_t *s, sched_proc_t *p)
{
    if (s->hosts[p->host].resident == p)
        s->hosts[p->host].resident = NULL;
    kern_free(p->image);
    p->image = NULL;
    p->image_len = 0;
    sched_share_unbind(s, p->host);
    p->host = SCHED_SHARE_NONE;
}
