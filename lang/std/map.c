/* map.c: persistent insertion-ordered Map and Set (stdlib 8, 9, D43, D47).
 *
 * Two persistent structures share the work:
 *  - a hash trie (32-slot inner nodes over bucket leaves of up to 48
 *    entries) maps each key to its value and entry number;
 *  - a persistent vector (16-way trie, path copying, in-place tail) holds
 *    the entries (key, value) by entry number, i.e. in insertion order,
 *    with a live bit per slot (iteration reads only the vector).
 * put of a new key appends an entry; put of an existing key rewrites its
 * value in both (the order is kept); delete clears the slot and removes
 * the key from the trie. When dead slots outnumber live ones the map is
 * rebuilt, so iteration stays O(n) in the live size. The newest version
 * of a map inserts into its own trie nodes in place, which older versions
 * cannot observe (see "Map records and lineages"). Every node is a record
 * whose ptrmask tells the collector which words are pointers. */
#include "lang/std/map.h"

#include <string.h>

#include "lang/std/ctx.h"
#include "lang/std/value.h"

/* Map record words. Entries [0, count & ~15) are in the vector M_VEC (whole
 * leaves only); entries [count & ~15, count) are in the tail leaf M_TAIL
 * (NULL when count is a multiple of 16). */
enum { M_CELL, M_TRIE, M_VEC, M_TAIL, M_COUNT, M_SIZE, M_WORDS }; /* 64 bytes: one line */
#define M_MASK ((1u << M_CELL) | (1u << M_TRIE) | (1u << M_VEC) | (1u << M_TAIL))

#define VEC_BITS 4
#define VEC_WIDTH 16
#define TRIE_BITS 5
#define TRIE_MAX_SHIFT 60

typedef snow_record_t rec_t;

static rec_t *R(snow_word_t w) { return SNOW_WORD_TO_PTR(rec_t, w); }

static const rec_t *MR(const snow_map_t *m) { return (const rec_t *)(const void *)m; }

static rec_t *node_new(snow_ctx_t *cx, uint16_t tag, uint32_t count, uint64_t mask)
{
    rec_t *r = snow_record_new(cx, tag, count, mask);
    r->h.kind = SNOW_OBJ_NODE;
    return r;
}

/* A node whose words the caller writes in full before its next allocation
 * (the collector traces every word of a node, so none may stay garbage
 * across one). Skips the zero-fill. */
static rec_t *node_dirty(snow_ctx_t *cx, uint16_t tag, uint32_t count, uint64_t mask)
{
    rec_t *r = std_obj_alloc_dirty(cx, SNOW_OBJ_NODE, sizeof(rec_t) + (size_t)count * 8);
    r->h.tag = tag;
    r->h.count = count;
    r->ptrmask = mask;
    return r;
}

static rec_t *node_copy(snow_ctx_t *cx, const rec_t *n)
{
    rec_t *c = node_dirty(cx, n->h.tag, n->h.count, n->ptrmask);
    memcpy(c->w, n->w, (size_t)n->h.count * sizeof(snow_word_t));
    return c;
}

/* {====== Persistent vector of (key, value) entries
 * Leaf: w[0] = live bits, w[1 + 2i] = key i, w[2 + 2i] = value i.
 * Inner node: w[0..16) = children. */

/* Key words are w[1 + 2i], value words w[2 + 2i], i < 16. */
static uint64_t leaf_mask(bool kptr, bool vptr)
{
    return (kptr ? 0xAAAAAAAAull : 0) | (vptr ? 0x155555554ull : 0);
}

typedef struct vec_ctx_t {
    snow_ctx_t *cx;
    uint64_t leafmask;
} vec_ctx_t;

/* Copy of node (a leaf or an inner node on the path to entry i, never
 * NULL) with entry i set to (k, v) and its live bit to live. */
static rec_t *vec_assoc(vec_ctx_t *vc, const rec_t *node, int shift, int64_t i, snow_word_t k,
                        snow_word_t v, bool live)
{
    if (shift == 0) {
        rec_t *leaf = node_copy(vc->cx, node);
        int s = (int)(i & (VEC_WIDTH - 1));
        leaf->w[1 + 2 * s] = k;
        leaf->w[2 + 2 * s] = v;
        if (live)
            leaf->w[0] |= (uint64_t)1 << s;
        else
            leaf->w[0] &= ~((uint64_t)1 << s);
        return leaf;
    }
    int c = (int)((i >> shift) & (VEC_WIDTH - 1));
    rec_t *nc = vec_assoc(vc, R(node->w[c]), shift - VEC_BITS, i, k, v, live);
    rec_t *n = node_copy(vc->cx, node);
    n->w[c] = SNOW_WORD_PTR(nc);
    return n;
}

/* Copy of node (NULL: empty) with the full leaf stored for entries
 * [i, i + 16). */
static rec_t *vec_push_leaf(snow_ctx_t *cx, const rec_t *node, int shift, int64_t i, rec_t *leaf)
{
    if (shift == 0)
        return leaf;
    int c = (int)((i >> shift) & (VEC_WIDTH - 1));
    rec_t *nc = vec_push_leaf(cx, node ? R(node->w[c]) : NULL, shift - VEC_BITS, i, leaf);
    rec_t *n = node ? node_copy(cx, node) : node_new(cx, 0, VEC_WIDTH, 0xFFFF);
    n->w[c] = SNOW_WORD_PTR(nc);
    return n;
}

static const rec_t *vec_leaf(const rec_t *root, int shift, int64_t i)
{
    const rec_t *n = root;
    for (int s = shift; s > 0; s -= VEC_BITS)
        n = R(n->w[(i >> s) & (VEC_WIDTH - 1)]);
    return n;
}

/* }====== */

/* {====== Tail leaf
 * The newest entries sit in a tail leaf whose h.tag counts the slots written
 * so far. A map whose own tail length (count & 15) equals that tag is the
 * newest version using the leaf, so it appends in place: the slot it fills
 * is past the count of every older map sharing the leaf, which never read
 * it (the trick List.append uses). Any other change copies the tail. */

/* A fresh tail holding the first n entries (and live bits) of t (NULL: none). */
static rec_t *tail_copy(vec_ctx_t *vc, const rec_t *t, int n)
{
    rec_t *c = node_new(vc->cx, 0, 1 + 2 * VEC_WIDTH, vc->leafmask);
    if (t && n > 0) {
        memcpy(c->w + 1, t->w + 1, (size_t)n * 16);
        c->w[0] = t->w[0] & (((uint64_t)1 << n) - 1);
    }
    c->h.tag = (uint16_t)n;
    return c;
}

/* Shift of the vector's root when it holds nvec entries (whole leaves):
 * the root is a leaf up to 16 entries and gains a level whenever a pushed
 * leaf starts at 16 << shift (entry_append). */
static int vec_shift(uint64_t count)
{
    uint64_t nvec = count & ~(uint64_t)(VEC_WIDTH - 1);
    int s = 0;
    while (nvec > ((uint64_t)VEC_WIDTH << s))
        s += VEC_BITS;
    return s;
}

/* The leaf holding entry idx of m. */
static const rec_t *entry_leaf(const rec_t *m, int64_t idx)
{
    if (idx >= (int64_t)(m->w[M_COUNT] & ~(snow_word_t)(VEC_WIDTH - 1)))
        return R(m->w[M_TAIL]);
    return vec_leaf(R(m->w[M_VEC]), vec_shift(m->w[M_COUNT]), idx);
}

/* Sets entry idx (existing) of out, a fresh clone of m, to (k, v, live). */
static void entry_set(vec_ctx_t *vc, rec_t *out, const rec_t *m, int64_t idx, snow_word_t k,
                      snow_word_t v, bool live)
{
    int64_t count = (int64_t)m->w[M_COUNT];
    if (idx >= (count & ~(int64_t)(VEC_WIDTH - 1))) {
        rec_t *t = tail_copy(vc, R(m->w[M_TAIL]), (int)(count & (VEC_WIDTH - 1)));
        int s = (int)(idx & (VEC_WIDTH - 1));
        t->w[1 + 2 * s] = k;
        t->w[2 + 2 * s] = v;
        if (live)
            t->w[0] |= (uint64_t)1 << s;
        else
            t->w[0] &= ~((uint64_t)1 << s);
        out->w[M_TAIL] = SNOW_WORD_PTR(t);
        return;
    }
    rec_t *root = vec_assoc(vc, R(m->w[M_VEC]), vec_shift(m->w[M_COUNT]), idx, k, v, live);
    out->w[M_VEC] = SNOW_WORD_PTR(root);
}

/* Appends entry number count = m's count to out (a fresh clone of m). */
static void entry_append(vec_ctx_t *vc, rec_t *out, const rec_t *m, snow_word_t k, snow_word_t v)
{
    int64_t count = (int64_t)m->w[M_COUNT];
    int s = (int)(count & (VEC_WIDTH - 1));
    rec_t *t = R(m->w[M_TAIL]);
    if (!t || t->h.tag != s)
        t = tail_copy(vc, t, s);
    t->w[1 + 2 * s] = k;
    t->w[2 + 2 * s] = v;
    t->w[0] |= (uint64_t)1 << s;
    t->h.tag = (uint16_t)(s + 1);
    out->w[M_COUNT] = (snow_word_t)(count + 1);
    if (s + 1 < VEC_WIDTH) {
        out->w[M_TAIL] = SNOW_WORD_PTR(t);
        return;
    }
    /* The tail is full: it becomes a leaf of the vector (never written
     * again: its tag 16 matches no tail length). */
    int64_t at = count + 1 - VEC_WIDTH;
    rec_t *root = R(m->w[M_VEC]);
    int shift = vec_shift(m->w[M_COUNT]);
    if (!root) {
        root = t;
    } else {
        if (at == ((int64_t)VEC_WIDTH << shift)) {
            rec_t *up = node_new(vc->cx, 0, VEC_WIDTH, 0xFFFF);
            up->w[0] = SNOW_WORD_PTR(root);
            root = up;
            shift += VEC_BITS;
        }
        root = vec_push_leaf(vc->cx, root, shift, at, t);
    }
    out->w[M_VEC] = SNOW_WORD_PTR(root);
    out->w[M_TAIL] = 0;
}

/* }====== */

/* {====== Hash trie: key -> (value, entry number)
 * Two kinds of node, both records of kind SNOW_OBJ_NODE whose w[1] is the
 * id of the lineage that made them (see "Map records and lineages"):
 *  - inner (tag NODE_INNER): w[2 + i] is the subtrie for the 5 hash bits i
 *    at this level, or 0; 32 slots, so a walk needs no bitmap;
 *  - leaf (tag NODE_LEAF): w[0] entries, in arrays of `cap` slots each
 *    (h.count = 2 + cap * words per entry): hashes (not for Int keys,
 *    whose hash is a bijection of the key), then the keys and values that
 *    are not pointers, the entry numbers, then the pointer keys and values.
 *    Pointer words are thus exactly the tail from the first pointer array
 *    on, and a ptrmask with bit 63 stays exact past 63 words. Slots past
 *    w[0] are 0.
 * A leaf holds up to LEAF_MAX entries whose hashes agree above its level
 * and is scanned linearly (one or two cache misses for the whole bucket,
 * where a 32-way node per level costs one miss per level); one entry more
 * splits it into an inner node of leaves, except past 60 bits of hash,
 * where only equal hashes remain and a leaf grows without bound. Entries
 * of a leaf are in no particular order. */

#define NODE_INNER 1
#define NODE_LEAF 3
#define INNER_WORDS (2 + 32)
#define LEAF_MAX 48
#define LEAF_CAPS 3, 6, 12, 24, 48 /* leaf capacities up to LEAF_MAX */
#define PREFETCH_LINES 10 /* an inner node's slots; a 48-entry leaf's keys */

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

typedef struct trie_ctx_t {
    snow_ctx_t *cx;
    const snow_type_t *kt;
    bool kptr, vptr;
    bool kint;     /* Int keys: hash and compare the word itself */
    uint32_t ew;   /* words per leaf entry: 3, or 4 with a stored hash */
    uint64_t edit; /* lineage whose nodes may change in place */
} trie_ctx_t;

/* The trie's hash is private to this file, so Int keys may skip the
 * descriptor (snow_hash) and mix the word directly. */
static inline uint64_t key_hash(const trie_ctx_t *tc, snow_word_t k)
{
    if (tc->kint)
        return mix((uint64_t)k);
    return mix((uint64_t)snow_hash(tc->cx, tc->kt, k));
}

static inline bool key_eq(const trie_ctx_t *tc, snow_word_t a, snow_word_t b)
{
    if (tc->kint)
        return a == b;
    return snow_eq(tc->cx, tc->kt, a, b);
}

/* A leaf's arrays (hash is NULL for Int keys). */
typedef struct leaf_t {
    snow_word_t *hash, *key, *val, *idx;
    uint32_t n, cap;
    uint32_t st; /* key i is key[i * st], value i val[i * st] */
} leaf_t;

static inline leaf_t leaf_of(const trie_ctx_t *tc, const rec_t *r)
{
    uint32_t cap = (r->h.count - 2) / tc->ew;
    snow_word_t *p = (snow_word_t *)r->w + 2;
    leaf_t l = {NULL, NULL, NULL, NULL, (uint32_t)r->w[0], cap, 1};
    if (!tc->kint)
        l.hash = p, p += cap;
    if (tc->kptr == tc->vptr) { /* (key, value) pairs: a found key's value is next to it */
        l.st = 2;
        if (tc->kptr)
            l.idx = p, p += cap;
        l.key = p, l.val = p + 1, p += 2 * cap;
        if (!tc->kptr)
            l.idx = p;
        return l;
    }
    if (!tc->kptr)
        l.key = p, p += cap;
    if (!tc->vptr)
        l.val = p, p += cap;
    l.idx = p, p += cap;
    if (tc->kptr)
        l.key = p, p += cap;
    if (tc->vptr)
        l.val = p;
    return l;
}

/* Hash of entry i of l. */
static inline uint64_t leaf_hash(const trie_ctx_t *tc, const leaf_t *l, uint32_t i)
{
    return tc->kint ? mix(l->key[i * l->st]) : l->hash[i];
}

/* Slot of k in l (hash h), or -1. */
static inline int leaf_find(const trie_ctx_t *tc, const leaf_t *l, snow_word_t k, uint64_t h)
{
    if (tc->kint) {
        for (uint32_t i = 0; i < l->n; i++)
            if (l->key[i * l->st] == k)
                return (int)i;
        return -1;
    }
    for (uint32_t i = 0; i < l->n; i++)
        if (l->hash[i] == h && key_eq(tc, l->key[i * l->st], k))
            return (int)i;
    return -1;
}

/* Leaf capacities: about 1.5x steps, so a leaf growing in place is
 * reallocated a handful of times on its way to LEAF_MAX. */
static uint32_t leaf_cap_for(uint32_t n)
{
    static const uint8_t caps[] = {LEAF_CAPS};
    for (size_t i = 0; i < sizeof caps; i++)
        if (caps[i] >= n)
            return caps[i];
    return n + n / 2;
}

/* A leaf of tc's lineage with room for cap entries: zeroed, or when dirty
 * with its words left for the caller to write before its next
 * allocation. */
static rec_t *leaf_alloc(const trie_ctx_t *tc, uint32_t cap, bool dirty)
{
    uint32_t words = 2 + cap * tc->ew;
    uint32_t plain = tc->ew - tc->kptr - tc->vptr; /* arrays before the pointer ones */
    uint32_t from = 2 + cap * plain;
    uint64_t mask = 0;
    for (uint32_t i = from; i < words && i < 63; i++)
        mask |= (uint64_t)1 << i;
    if (words > 63 && from < words)
        mask |= (uint64_t)1 << 63;
    rec_t *r = dirty ? node_dirty(tc->cx, NODE_LEAF, words, mask)
                     : node_new(tc->cx, NODE_LEAF, words, mask);
    r->w[0] = 0;
    r->w[1] = tc->edit;
    return r;
}

/* n words from s to d, then zeros up to cap words. */
static void words_copy(snow_word_t *d, const snow_word_t *s, uint32_t n, uint32_t cap)
{
    memcpy(d, s, (size_t)n * 8);
    memset(d + n, 0, (size_t)(cap - n) * 8);
}

/* A leaf of tc's lineage with room for cap entries holding n's entries
 * except slot skip (-1: none). */
static rec_t *leaf_copy(const trie_ctx_t *tc, const rec_t *n, uint32_t cap, int skip)
{
    rec_t *c = leaf_alloc(tc, cap, skip < 0);
    leaf_t s = leaf_of(tc, n), d = leaf_of(tc, c);
    if (skip < 0) { /* growth or path copy: whole arrays */
        if (s.hash)
            words_copy(d.hash, s.hash, s.n, cap);
        if (s.st == 2) {
            words_copy(d.key, s.key, 2 * s.n, 2 * cap);
        } else {
            words_copy(d.key, s.key, s.n, cap);
            words_copy(d.val, s.val, s.n, cap);
        }
        words_copy(d.idx, s.idx, s.n, cap);
        c->w[0] = s.n;
        return c;
    }
    uint32_t j = 0;
    for (uint32_t i = 0; i < s.n; i++) {
        if ((int)i == skip)
            continue;
        if (s.hash)
            d.hash[j] = s.hash[i];
        d.key[j * d.st] = s.key[i * s.st], d.val[j * d.st] = s.val[i * s.st];
        d.idx[j] = s.idx[i];
        j++;
    }
    c->w[0] = j;
    return c;
}

static rec_t *inner_new(const trie_ctx_t *tc)
{
    rec_t *r = node_new(tc->cx, NODE_INNER, INNER_WORDS, 0x3FFFFFFFCull);
    r->w[1] = tc->edit;
    return r;
}

static rec_t *inner_copy(const trie_ctx_t *tc, const rec_t *n)
{
    rec_t *c = node_dirty(tc->cx, NODE_INNER, INNER_WORDS, 0x3FFFFFFFCull);
    memcpy(c->w, n->w, INNER_WORDS * 8);
    c->w[1] = tc->edit;
    return c;
}

/* Starts the misses on a node's slots (inner) or key array (leaf) with
 * the one on its header. */
static inline void node_prefetch(const rec_t *n)
{
    for (int line = 1; line < PREFETCH_LINES; line++)
        __builtin_prefetch((const char *)n + 64 * line);
}

/* A found entry: its number and its value. */
typedef struct trie_hit_t {
    int64_t idx; /* -1: no entry with the key */
    snow_word_t val;
} trie_hit_t;

/* The entry stored for k (it may be invisible to the asking map: see
 * map_find_h); its number only when need_idx (else 0: one cache miss
 * less). */
static trie_hit_t trie_find(const trie_ctx_t *tc, const rec_t *n, snow_word_t k, uint64_t h,
                            bool need_idx)
{
    for (int shift = 0; n && n->h.tag == NODE_INNER; shift += TRIE_BITS) {
        n = R(n->w[2 + ((h >> shift) & 31)]);
        node_prefetch(n);
    }
    if (!n)
        return (trie_hit_t){-1, 0};
    leaf_t l = leaf_of(tc, n);
    int i = leaf_find(tc, &l, k, h);
    if (i < 0)
        return (trie_hit_t){-1, 0};
    return (trie_hit_t){need_idx ? (int64_t)l.idx[i] : 0, l.val[i * l.st]};
}

/* An insertion or value change walking down the trie. */
typedef struct trie_put_t {
    snow_word_t k, v, idx;
    uint64_t h;
    bool replace; /* k has an entry visible to the map: change its value */
    bool stop;    /* when k has an entry: change nothing, the result is NULL */
} trie_put_t;

static rec_t *trie_put(const trie_ctx_t *tc, rec_t *n, const trie_put_t *p, int shift);

/* Splits the full leaf n at shift into an inner node of leaves, then adds
 * p. */
static rec_t *leaf_split(const trie_ctx_t *tc, const rec_t *n, const trie_put_t *p, int shift)
{
    rec_t *in = inner_new(tc);
    leaf_t l = leaf_of(tc, n);
    for (uint32_t i = 0; i < l.n; i++) {
        trie_put_t e = {l.key[i * l.st], l.val[i * l.st], l.idx[i], leaf_hash(tc, &l, i), false,
                        false};
        uint32_t s = 2 + ((e.h >> shift) & 31);
        in->w[s] = SNOW_WORD_PTR(trie_put(tc, R(in->w[s]), &e, shift + TRIE_BITS));
    }
    return trie_put(tc, in, p, shift);
}

static rec_t *leaf_put(const trie_ctx_t *tc, rec_t *n, const trie_put_t *p, int shift)
{
    leaf_t l = leaf_of(tc, n);
    bool own = n->w[1] == tc->edit;
    int at = leaf_find(tc, &l, p->k, p->h);
    if (at >= 0 && p->stop)
        return NULL;
    if (at < 0 && l.n >= LEAF_MAX && shift <= TRIE_MAX_SHIFT)
        return leaf_split(tc, n, p, shift);
    rec_t *out = n;
    if (!own || (at < 0 && l.n == l.cap)) {
        out = leaf_copy(tc, n, leaf_cap_for(l.n + (at < 0)), -1);
        l = leaf_of(tc, out);
    }
    if (at < 0) {
        at = (int)l.n;
        out->w[0] = l.n + 1;
        if (l.hash)
            l.hash[at] = p->h;
    }
    l.val[at * l.st] = p->v;
    if (!p->replace) /* new, or over an entry the map does not see */
        l.key[at * l.st] = p->k, l.idx[at] = p->idx;
    return out;
}

/* Returns n with p applied: nodes of tc's lineage change in place, others
 * are copied into it (path copying), so the result may be n itself. NULL
 * when p->stop and k has an entry (nothing changed then). */
static rec_t *trie_put(const trie_ctx_t *tc, rec_t *n, const trie_put_t *p, int shift)
{
    if (!n) {
        rec_t *leaf = leaf_alloc(tc, 3, false);
        return leaf_put(tc, leaf, p, shift);
    }
    if (n->h.tag != NODE_INNER)
        return leaf_put(tc, n, p, shift);
    uint32_t s = 2 + ((p->h >> shift) & 31);
    rec_t *child = R(n->w[s]);
    if (child)
        node_prefetch(child);
    rec_t *nc = trie_put(tc, child, p, shift + TRIE_BITS);
    if (nc == child || !nc)
        return nc ? n : NULL;
    if (n->w[1] != tc->edit)
        n = inner_copy(tc, n);
    n->w[s] = SNOW_WORD_PTR(nc);
    return n;
}

/* Returns n without k's entry (present in n), or NULL when nothing is left;
 * copies every node on the path (tc's lineage is fresh). */
static rec_t *trie_remove(const trie_ctx_t *tc, rec_t *n, snow_word_t k, uint64_t h, int shift)
{
    if (n->h.tag != NODE_INNER) {
        leaf_t l = leaf_of(tc, n);
        if (l.n == 1)
            return NULL;
        return leaf_copy(tc, n, leaf_cap_for(l.n - 1), leaf_find(tc, &l, k, h));
    }
    uint32_t s = 2 + ((h >> shift) & 31);
    rec_t *child = trie_remove(tc, R(n->w[s]), k, h, shift + TRIE_BITS);
    rec_t *c = inner_copy(tc, n);
    c->w[s] = SNOW_WORD_PTR(child);
    for (uint32_t i = 2; i < INNER_WORDS; i++)
        if (c->w[i])
            return c;
    return NULL;
}

/* }====== */

/* {====== Map records and lineages
 * Every map version belongs to a lineage, a cell shared by the versions it
 * made: C_SEQ is the count of its newest version (versions of a lineage
 * have distinct counts: only inserts stay in a lineage; ~0: frozen),
 * C_EDIT the id its trie nodes carry (node w[1]), C_DIRTY whether its tries
 * may hold entries a version does not contain below its count.
 *
 * Only the newest version of a lineage (its M_COUNT equals C_SEQ) inserts in
 * place: the node it changes belongs to the lineage, and the entry it adds
 * has number count, which every older version of the lineage ignores
 * (map_find: an entry counts only when its number is below the map's
 * count). Older versions keep their words; they see nodes grow, never an
 * entry they had change. Every other change starts a lineage of its own and
 * copies the nodes on its path (path copying):
 *  - a value change or a delete by the newest version: the old lineage is
 *    frozen first (its newest version could otherwise add an entry under
 *    the same number the new lineage uses next); the new lineage is as
 *    clean as the old one;
 *  - any change of an older version: the old lineage goes on, so shared
 *    nodes may later hold its entries under numbers the new lineage also
 *    uses; the new lineage is dirty and map_find also checks the entry's
 *    slot in the map's own order vector (same key, live). */

enum { C_KEYT, C_VALT, C_SEQ, C_EDIT, C_DIRTY, C_FLAGS, C_WORDS };
enum { CF_KPTR = 1, CF_VPTR = 2, CF_KINT = 4 }; /* C_FLAGS: from the descriptors */
#define NODE_CELL 2

static rec_t *C(const rec_t *m) { return R(m->w[M_CELL]); }

static uint64_t edit_next(void)
{
    static uint64_t last; /* ids are unique in the program: maps move between heaps */
    return __atomic_add_fetch(&last, 1, __ATOMIC_RELAXED);
}

static rec_t *cell_new(snow_ctx_t *cx, snow_word_t kt, snow_word_t vt, bool dirty, uint64_t seq)
{
    rec_t *c = node_new(cx, NODE_CELL, C_WORDS, 0);
    c->w[C_KEYT] = kt, c->w[C_VALT] = vt;
    c->w[C_SEQ] = seq;
    c->w[C_EDIT] = edit_next();
    c->w[C_DIRTY] = dirty;
    const snow_type_t *k = SNOW_WORD_TO_PTR(const snow_type_t, kt);
    const snow_type_t *v = SNOW_WORD_TO_PTR(const snow_type_t, vt);
    c->w[C_FLAGS] = (snow_type_is_ptr(k) ? CF_KPTR : 0) | (snow_type_is_ptr(v) ? CF_VPTR : 0) |
                    (k->kind == SNOW_KIND_INT ? CF_KINT : 0);
    return c;
}

const snow_type_t *std_map_key_type(const snow_map_t *m)
{
    return SNOW_WORD_TO_PTR(const snow_type_t, C(MR(m))->w[C_KEYT]);
}

const snow_type_t *std_map_value_type(const snow_map_t *m)
{
    return SNOW_WORD_TO_PTR(const snow_type_t, C(MR(m))->w[C_VALT]);
}

static trie_ctx_t trie_ctx(snow_ctx_t *cx, const rec_t *m)
{
    const rec_t *c = C(m);
    uint64_t f = c->w[C_FLAGS];
    bool kint = f & CF_KINT;
    return (trie_ctx_t){cx, SNOW_WORD_TO_PTR(const snow_type_t, c->w[C_KEYT]), f & CF_KPTR,
                        f & CF_VPTR, kint, kint ? 3u : 4u, 0};
}

static vec_ctx_t vec_ctx(snow_ctx_t *cx, const rec_t *m)
{
    uint64_t f = C(m)->w[C_FLAGS];
    return (vec_ctx_t){cx, leaf_mask(f & CF_KPTR, f & CF_VPTR)};
}

static rec_t *map_clone(snow_ctx_t *cx, const rec_t *m)
{
    rec_t *c = std_obj_alloc_dirty(cx, SNOW_OBJ_MAP, sizeof(rec_t) + M_WORDS * 8);
    c->h.count = M_WORDS;
    c->ptrmask = M_MASK;
    memcpy(c->w, m->w, sizeof(snow_word_t) * M_WORDS);
    return c;
}

snow_map_t *snow_map_new(snow_ctx_t *cx, const snow_type_t *key, const snow_type_t *val)
{
    rec_t *m = snow_record_new(cx, 0, M_WORDS, M_MASK);
    m->h.kind = SNOW_OBJ_MAP;
    m->w[M_CELL] = SNOW_WORD_PTR(cell_new(cx, SNOW_WORD_PTR(key), SNOW_WORD_PTR(val), false, 0));
    return (snow_map_t *)m;
}

/* k's entry as m sees it (idx -1: m does not contain k). Its number is
 * loaded only when need_idx (else idx is 0 when found): the newest version
 * of a clean lineage sees every entry, so it needs no number to check. */
static trie_hit_t map_find_h(const trie_ctx_t *tc, const rec_t *m, snow_word_t k, uint64_t h,
                             bool need_idx)
{
    const rec_t *cell = C(m);
    bool all = cell->w[C_SEQ] == m->w[M_COUNT] && !cell->w[C_DIRTY];
    trie_hit_t hit = trie_find(tc, R(m->w[M_TRIE]), k, h, need_idx || !all);
    if (all || hit.idx < 0)
        return hit;
    if (hit.idx >= (int64_t)m->w[M_COUNT])
        return (trie_hit_t){-1, 0};
    if (cell->w[C_DIRTY]) {
        const rec_t *leaf = entry_leaf(m, hit.idx);
        int s = (int)(hit.idx & (VEC_WIDTH - 1));
        if (!(leaf->w[0] & ((uint64_t)1 << s)) || !key_eq(tc, leaf->w[1 + 2 * s], k))
            return (trie_hit_t){-1, 0};
    }
    return hit;
}

static trie_hit_t map_find(snow_ctx_t *cx, const rec_t *m, snow_word_t k, bool need_idx)
{
    if (m->w[M_SIZE] == 0)
        return (trie_hit_t){-1, 0};
    trie_ctx_t tc = trie_ctx(cx, m);
    return map_find_h(&tc, m, k, key_hash(&tc, k), need_idx);
}

/* Starts a lineage for a change of m (see above); returns its cell and
 * points tc at it. */
static rec_t *lineage_fork(snow_ctx_t *cx, trie_ctx_t *tc, const rec_t *m, bool newest)
{
    rec_t *old = C(m);
    /* Its C_SEQ is set by the caller once the new version's count is known. */
    rec_t *c = cell_new(cx, old->w[C_KEYT], old->w[C_VALT], old->w[C_DIRTY] || !newest, 0);
    if (newest)
        old->w[C_SEQ] = ~(snow_word_t)0; /* frozen */
    tc->edit = c->w[C_EDIT];
    return c;
}

/* put k -> v; when k is present: keep_old returns m itself, else its value
 * changes (the key keeps its stored form and its place in the order). */
/* The version after m (the newest of its lineage) whose trie got the new
 * entry (k, v) in place. */
static rec_t *map_appended(snow_ctx_t *cx, const rec_t *m, rec_t *trie, snow_word_t k,
                           snow_word_t v)
{
    vec_ctx_t vc = vec_ctx(cx, m);
    rec_t *out = map_clone(cx, m);
    out->w[M_TRIE] = SNOW_WORD_PTR(trie);
    entry_append(&vc, out, m, k, v);
    out->w[M_SIZE] = m->w[M_SIZE] + 1;
    C(m)->w[C_SEQ] = out->w[M_COUNT];
    return out;
}

/* put k -> v; when k is present: keep_old returns m itself, else its value
 * changes (the key keeps its stored form and its place in the order). */
static rec_t *map_put_rec(snow_ctx_t *cx, const rec_t *m, snow_word_t k, snow_word_t v,
                          bool keep_old)
{
    trie_ctx_t tc = trie_ctx(cx, m);
    uint64_t h = key_hash(&tc, k);
    rec_t *cell = C(m);
    bool newest = cell->w[C_SEQ] == m->w[M_COUNT];
    if (newest && !cell->w[C_DIRTY]) {
        /* The fast path, one walk: every entry is visible to m, so the walk
         * inserts in place or stops at k's entry. */
        tc.edit = cell->w[C_EDIT];
        trie_put_t p = {k, v, m->w[M_COUNT], h, false, true};
        rec_t *trie = trie_put(&tc, R(m->w[M_TRIE]), &p, 0);
        if (trie)
            return map_appended(cx, m, trie, k, v);
    }
    trie_hit_t hit = m->w[M_SIZE] ? map_find_h(&tc, m, k, h, false) : (trie_hit_t){-1, 0};
    if (hit.idx >= 0 && (keep_old || hit.val == v))
        return (rec_t *)m;
    if (hit.idx >= 0) /* a value change: it needs the entry's number */
        hit = map_find_h(&tc, m, k, h, true);
    if (hit.idx < 0 && newest) { /* a dirty lineage's newest version */
        tc.edit = cell->w[C_EDIT];
        trie_put_t p = {k, v, m->w[M_COUNT], h, false, false};
        return map_appended(cx, m, trie_put(&tc, R(m->w[M_TRIE]), &p, 0), k, v);
    }
    vec_ctx_t vc = vec_ctx(cx, m);
    rec_t *nc = lineage_fork(cx, &tc, m, newest && hit.idx >= 0);
    trie_put_t p = {k, v, hit.idx >= 0 ? (snow_word_t)hit.idx : m->w[M_COUNT], h, hit.idx >= 0,
                    false};
    rec_t *trie = trie_put(&tc, R(m->w[M_TRIE]), &p, 0);
    rec_t *out = map_clone(cx, m);
    out->w[M_TRIE] = SNOW_WORD_PTR(trie);
    out->w[M_CELL] = SNOW_WORD_PTR(nc);
    if (hit.idx < 0) {
        entry_append(&vc, out, m, k, v);
        out->w[M_SIZE] = m->w[M_SIZE] + 1;
    } else {
        snow_word_t stored = entry_leaf(m, hit.idx)->w[1 + 2 * (hit.idx & (VEC_WIDTH - 1))];
        entry_set(&vc, out, m, hit.idx, stored, v, true);
    }
    nc->w[C_SEQ] = out->w[M_COUNT];
    return out;
}

snow_map_t *snow_map_put(snow_ctx_t *cx, const snow_map_t *m, snow_word_t k, snow_word_t v)
{
    return (snow_map_t *)map_put_rec(cx, MR(m), k, v, false);
}

bool std_map_lookup(snow_ctx_t *cx, const snow_map_t *m, snow_word_t k, snow_word_t *v)
{
    trie_hit_t hit = map_find(cx, MR(m), k, false);
    if (hit.idx < 0)
        return false;
    *v = hit.val;
    return true;
}

snow_word_t snow_map_get(snow_ctx_t *cx, const snow_map_t *m, snow_word_t k)
{
    snow_word_t v;
    if (std_map_lookup(cx, m, k, &v))
        return v;
    uint32_t vk = std_map_value_type(m)->kind;
    if (vk == SNOW_KIND_INT || vk == SNOW_KIND_FLOAT || vk == SNOW_KIND_BOOL ||
        vk == SNOW_KIND_UNIT)
        return 0; /* 0, 0.0 (all-zero bits), false, () (D44) */
    snow_panic(cx, "Map.get: key not found");
}

bool snow_map_has_key(snow_ctx_t *cx, const snow_map_t *m, snow_word_t k)
{
    return map_find(cx, MR(m), k, false).idx >= 0;
}

int64_t std_map_next(const snow_map_t *m, int64_t pos, snow_word_t *k, snow_word_t *v)
{
    const rec_t *r = MR(m);
    int64_t count = (int64_t)r->w[M_COUNT];
    while (pos < count) {
        const rec_t *leaf = entry_leaf(r, pos);
        int s = (int)(pos & (VEC_WIDTH - 1));
        if (leaf->w[0] & ((uint64_t)1 << s)) {
            *k = leaf->w[1 + 2 * s];
            *v = leaf->w[2 + 2 * s];
            return pos + 1;
        }
        pos++;
    }
    return -1;
}

int64_t snow_map_next(snow_ctx_t *cx, const snow_map_t *m, int64_t pos, snow_word_t *k,
                      snow_word_t *v)
{
    (void)cx;
    return std_map_next(m, pos, k, v);
}

/* Rebuilds m with only its live entries, in order. */
static const rec_t *map_compact(snow_ctx_t *cx, const rec_t *m)
{
    const rec_t *out = MR(snow_map_new(cx, std_map_key_type((const snow_map_t *)m),
                                       std_map_value_type((const snow_map_t *)m)));
    snow_word_t k, v;
    int64_t pos = 0;
    while ((pos = std_map_next((const snow_map_t *)m, pos, &k, &v)) >= 0)
        out = map_put_rec(cx, out, k, v, true);
    return out;
}

snow_map_t *snow_map_delete(snow_ctx_t *cx, const snow_map_t *mp, snow_word_t k)
{
    const rec_t *m = MR(mp);
    trie_hit_t hit = map_find(cx, m, k, true);
    if (hit.idx < 0)
        return (snow_map_t *)mp;
    trie_ctx_t tc = trie_ctx(cx, m);
    vec_ctx_t vc = vec_ctx(cx, m);
    rec_t *nc = lineage_fork(cx, &tc, m, C(m)->w[C_SEQ] == m->w[M_COUNT]);
    rec_t *trie = trie_remove(&tc, R(m->w[M_TRIE]), k, key_hash(&tc, k), 0);
    rec_t *out = map_clone(cx, m);
    out->w[M_TRIE] = SNOW_WORD_PTR(trie);
    out->w[M_CELL] = SNOW_WORD_PTR(nc);
    entry_set(&vc, out, m, hit.idx, 0, 0, false);
    nc->w[C_SEQ] = out->w[M_COUNT];
    out->w[M_SIZE] = m->w[M_SIZE] - 1;
    int64_t dead = (int64_t)out->w[M_COUNT] - (int64_t)out->w[M_SIZE];
    if (dead > 32 && dead > (int64_t)out->w[M_SIZE])
        out = (rec_t *)map_compact(cx, out);
    return (snow_map_t *)out;
}

int64_t snow_map_size(snow_ctx_t *cx, const snow_map_t *m)
{
    (void)cx;
    return (int64_t)MR(m)->w[M_SIZE];
}

/* Collects keys (which = 0), values (1) or pairs (2) in order. */
static snow_list_t *map_collect(snow_ctx_t *cx, const snow_map_t *m, int which,
                                const snow_type_t *elem)
{
    snow_list_t *xs = snow_list_new(cx, elem);
    snow_word_t k, v;
    int64_t pos = 0;
    while ((pos = std_map_next(m, pos, &k, &v)) >= 0) {
        snow_word_t x = which == 0 ? k : v;
        if (which == 2) {
            rec_t *pair = snow_record_new(cx, 0, 2, std_types_ptrmask(elem->params, 2));
            pair->w[0] = k;
            pair->w[1] = v;
            x = SNOW_WORD_PTR(pair);
        }
        xs = snow_list_append(cx, xs, x);
    }
    return xs;
}

snow_list_t *snow_map_keys(snow_ctx_t *cx, const snow_map_t *m)
{
    return map_collect(cx, m, 0, std_map_key_type(m));
}

snow_list_t *snow_map_values(snow_ctx_t *cx, const snow_map_t *m)
{
    return map_collect(cx, m, 1, std_map_value_type(m));
}

snow_list_t *snow_map_to_list(snow_ctx_t *cx, const snow_map_t *m, const snow_type_t *pair)
{
    return map_collect(cx, m, 2, pair);
}

snow_map_t *snow_map_merge(snow_ctx_t *cx, const snow_map_t *a, const snow_map_t *b)
{
    const rec_t *out = MR(a);
    snow_word_t k, v;
    int64_t pos = 0;
    while ((pos = std_map_next(b, pos, &k, &v)) >= 0)
        out = map_put_rec(cx, out, k, v, false);
    return (snow_map_t *)out;
}

snow_map_t *snow_map_from_list(snow_ctx_t *cx, const snow_list_t *pairs)
{
    const snow_type_t *pt = pairs->elem;
    const rec_t *m = MR(snow_map_new(cx, pt->params[0], pt->params[1]));
    for (int64_t i = 0; i < pairs->len; i++) {
        const rec_t *p = R(snow_list_items(pairs)[i]);
        m = map_put_rec(cx, m, p->w[0], p->w[1], false);
    }
    return (snow_map_t *)m;
}

/* }====== */

/* {====== Set: a map from Int to () */

snow_map_t *snow_set_new(snow_ctx_t *cx)
{
    return snow_map_new(cx, &snow_type_int, &snow_type_unit);
}

snow_map_t *snow_set_add(snow_ctx_t *cx, const snow_map_t *s, int64_t x)
{
    return (snow_map_t *)map_put_rec(cx, MR(s), (snow_word_t)x, 0, true);
}

snow_map_t *snow_set_remove(snow_ctx_t *cx, const snow_map_t *s, int64_t x)
{
    return snow_map_delete(cx, s, (snow_word_t)x);
}

bool snow_set_contains(snow_ctx_t *cx, const snow_map_t *s, int64_t x)
{
    return map_find(cx, MR(s), (snow_word_t)x, false).idx >= 0;
}

int64_t snow_set_size(snow_ctx_t *cx, const snow_map_t *s) { return snow_map_size(cx, s); }

snow_map_t *snow_set_union(snow_ctx_t *cx, const snow_map_t *a, const snow_map_t *b)
{
    snow_map_t *out = (snow_map_t *)a;
    snow_word_t k, v;
    int64_t pos = 0;
    while ((pos = std_map_next(b, pos, &k, &v)) >= 0)
        out = snow_set_add(cx, out, (int64_t)k);
    return out;
}

/* Elements of a kept when their membership in b equals keep. */
static snow_map_t *set_filter(snow_ctx_t *cx, const snow_map_t *a, const snow_map_t *b, bool keep)
{
    snow_map_t *out = snow_set_new(cx);
    snow_word_t k, v;
    int64_t pos = 0;
    while ((pos = std_map_next(a, pos, &k, &v)) >= 0)
        if (snow_set_contains(cx, b, (int64_t)k) == keep)
            out = (snow_map_t *)map_put_rec(cx, MR(out), k, 0, true);
    return out;
}

snow_map_t *snow_set_intersection(snow_ctx_t *cx, const snow_map_t *a, const snow_map_t *b)
{
    return set_filter(cx, a, b, true);
}

snow_map_t *snow_set_difference(snow_ctx_t *cx, const snow_map_t *a, const snow_map_t *b)
{
    return set_filter(cx, a, b, false);
}

snow_list_t *snow_set_to_list(snow_ctx_t *cx, const snow_map_t *s)
{
    return map_collect(cx, s, 0, &snow_type_int);
}

snow_map_t *snow_set_from_list(snow_ctx_t *cx, const snow_list_t *xs)
{
    snow_map_t *s = snow_set_new(cx);
    for (int64_t i = 0; i < xs->len; i++)
        s = snow_set_add(cx, s, (int64_t)snow_list_items(xs)[i]);
    return s;
}

int64_t snow_set_next(snow_ctx_t *cx, const snow_map_t *s, int64_t pos, int64_t *x)
{
    (void)cx;
    snow_word_t k, v;
    pos = std_map_next(s, pos, &k, &v);
    if (pos >= 0)
        *x = (int64_t)k;
    return pos;
}

/* }====== */
