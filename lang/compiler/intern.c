/* intern.c: the identifier interner (intern.h).
 *
 * An open-addressing hash table (linear probing, power-of-two capacity, load
 * factor <= 1/2) of pointers to NUL-terminated copies kept in a private
 * arena. A symbol's pointer never changes, so sym_t equality is pointer
 * equality.
 */
#include "lang/compiler/intern.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/compiler/arena.h"

typedef struct {
    const char *text;
    uint32_t len;
    uint32_t hash;
} intern_slot_t;

struct interner_t {
    arena_t *arena; /* owns the copies */
    intern_slot_t *slots;
    size_t capacity; /* power of two */
    size_t count;
};

/* FNV-1a: short identifiers, no need for anything stronger. */
static uint32_t hash_bytes(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

interner_t *interner_new(void)
{
    interner_t *in = calloc(1, sizeof(*in));
    if (!in) {
        perror("snowc: out of memory");
        abort();
    }
    in->arena = arena_new();
    in->capacity = 1024;
    in->slots = calloc(in->capacity, sizeof(*in->slots));
    if (!in->slots) {
        perror("snowc: out of memory");
        abort();
    }
    return in;
}

void interner_free(interner_t *in)
{
    if (!in)
        return;
    arena_free(in->arena);
    free(in->slots);
    free(in);
}

static void grow(interner_t *in)
{
    size_t cap = in->capacity * 2;
    intern_slot_t *slots = calloc(cap, sizeof(*slots));
    if (!slots) {
        perror("snowc: out of memory");
        abort();
    }
    for (size_t i = 0; i < in->capacity; i++) {
        intern_slot_t s = in->slots[i];
        if (!s.text)
            continue;
        size_t j = s.hash & (cap - 1);
        while (slots[j].text)
            j = (j + 1) & (cap - 1);
        slots[j] = s;
    }
    free(in->slots);
    in->slots = slots;
    in->capacity = cap;
}

sym_t intern(interner_t *in, const char *text, size_t len)
{
    uint32_t h = hash_bytes(text, len);
    size_t mask = in->capacity - 1;
    size_t i = h & mask;
    while (in->slots[i].text) {
        intern_slot_t *s = &in->slots[i];
        if (s->hash == h && s->len == len && memcmp(s->text, text, len) == 0)
            return s->text;
        i = (i + 1) & mask;
    }
    const char *copy = arena_strndup(in->arena, text, len);
    in->slots[i] = (intern_slot_t){.text = copy, .len = (uint32_t)len, .hash = h};
    if (++in->count * 2 > in->capacity)
        grow(in);
    return copy;
}

sym_t intern_cstr(interner_t *in, const char *text)
{
    return intern(in, text, strlen(text));
}
