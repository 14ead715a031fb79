/* map.c: persistent insertion-ordered Map and Set (stdlib 8, 9, D43, D47).
 *
 * Two persistent structures share the work:
 *  - a hash trie (CHAMP layout: 32-way nodes with a data bitmap and a child
 *    bitmap) maps each key to its entry number;
 *  - a persistent vector (16-way trie, path copying) holds the entries
 *    (key, value) by entry number, i.e. in insertion order, with a live bit
 *    per slot.
 * put of a new key appends an entry; put of an existing key rewrites its
 * slot (the order is kept); delete clears the slot and removes the key from
 * the trie. When dead slots outnumber live ones the map is rebuilt, so
 * iteration stays O(n) in the live size. Every node is a record whose
 * ptrmask tells the collector which words are pointers. */
#include "lang/std/map.h"

#include <string.h>

#include "lang/std/ctx.h"
#include "lang/std/value.h"

/* Map record words. Entries [0, count & ~15) are in the vector M_VEC (whole
 * leaves only); entries [count & ~15, count) are in the tail leaf M_TAIL
 * (NULL when count is a multiple of 16). */
enum { M_KEYT, M_VALT, M_TRIE, M_VEC, M_SHIFT, M_COUNT, M_SIZE, M_TAIL, M_WORDS };
#define M_MASK ((1u << M_TRIE) | (1u << M_VEC) | (1u << M_TAIL))

#define VEC_BITS 4
#define VEC_WIDTH 16
#define TRIE_BITS 5
#define TRIE_MAX_SHIFT 60
#define NODE_COLLISION 1

typedef snow_record_t rec_t;

static rec_t *R(snow_word_t w) { return SNOW_WORD_TO_PTR(rec_t, w); }

static const rec_t *MR(const snow_map_t *m) { return (const rec_t *)(const void *)m; }

const snow_type_t *std_map_key_type(const snow_map_t *m)
{
    return SNOW_WORD_TO_PTR(const snow_type_t, MR(m)->w[M_KEYT]);
}

const snow_type_t *std_map_value_type(const snow_map_t *m)
{
    return SNOW_WORD_TO_PTR(const snow_type_t, MR(m)->w[M_VALT]);
}

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

/* Population count of a 32-bit map. __builtin_popcount is a libgcc call
 * (__popcountdi2, ~35 instructions) unless the whole build assumes
 * -mpopcnt, which the runtime must not (it runs on any x86-64); this is a
 * dozen ALU instructions. */
static inline uint32_t pop32(uint32_t x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0F0F0F0Fu;
    return (x * 0x01010101u) >> 24;
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

/* The leaf holding entry idx of m. */
static const rec_t *entry_leaf(const rec_t *m, int64_t idx)
{
    if (idx >= (int64_t)(m->w[M_COUNT] & ~(snow_word_t)(VEC_WIDTH - 1)))
        return R(m->w[M_TAIL]);
    return vec_leaf(R(m->w[M_VEC]), (int)m->w[M_SHIFT], idx);
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
    rec_t *root = vec_assoc(vc, R(m->w[M_VEC]), (int)m->w[M_SHIFT], idx, k, v, live);
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
    int shift = (int)m->w[M_SHIFT];
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
    out->w[M_SHIFT] = (snow_word_t)shift;
    out->w[M_TAIL] = 0;
}

/* }====== */

/* {====== Hash trie: key -> entry number
 * Node: w[0] = datamap | nodemap << 32; then (key, index) pairs; then
 * children. Collision node (tag 1, at depth > 60 bits): (key, index) pairs. */

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
    bool kptr;
    bool kint; /* Int keys: hash and compare the word itself */
} trie_ctx_t;

/* The trie's hash is private to this file, so Int keys may skip the
 * descriptor (snow_hash) and mix the word directly. */
static uint64_t key_hash(trie_ctx_t *tc, snow_word_t k)
{
    if (tc->kint)
        return mix((uint64_t)k);
    return mix((uint64_t)snow_hash(tc->cx, tc->kt, k));
}

static bool key_eq(trie_ctx_t *tc, snow_word_t a, snow_word_t b)
{
    if (tc->kint)
        return a == b;
    return snow_eq(tc->cx, tc->kt, a, b);
}

static uint64_t trie_mask(trie_ctx_t *tc, uint32_t ndata, uint32_t nchild)
{
    uint64_t m = 0;
    for (uint32_t d = 0; d < ndata && tc->kptr; d++)
        m |= (uint64_t)1 << (1 + 2 * d < 63 ? 1 + 2 * d : 63);
    for (uint32_t c = 0; c < nchild; c++) {
        uint32_t at = 1 + 2 * ndata + c;
        m |= (uint64_t)1 << (at < 63 ? at : 63);
    }
    return m;
}

static rec_t *trie_node(trie_ctx_t *tc, uint32_t datamap, uint32_t nodemap)
{
    uint32_t nd = pop32(datamap), nn = pop32(nodemap);
    rec_t *n = node_dirty(tc->cx, 0, 1 + 2 * nd + nn, trie_mask(tc, nd, nn));
    n->w[0] = (uint64_t)datamap | ((uint64_t)nodemap << 32);
    return n;
}

static int64_t trie_find(trie_ctx_t *tc, const rec_t *n, snow_word_t k, uint64_t h, int shift)
{
    while (n) {
        if (n->h.tag == NODE_COLLISION) {
            for (uint32_t i = 0; i + 1 < n->h.count; i += 2)
                if (key_eq(tc, n->w[i], k))
                    return (int64_t)n->w[i + 1];
            return -1;
        }
        uint32_t dm = (uint32_t)n->w[0], nm = (uint32_t)(n->w[0] >> 32);
        uint32_t bit = 1u << ((h >> shift) & 31);
        if (dm & bit) {
            uint32_t d = pop32(dm & (bit - 1));
            return key_eq(tc, n->w[1 + 2 * d], k) ? (int64_t)n->w[2 + 2 * d] : -1;
        }
        if (!(nm & bit))
            return -1;
        uint32_t nd = pop32(dm);
        n = R(n->w[1 + 2 * nd + pop32(nm & (bit - 1))]);
        shift += TRIE_BITS;
    }
    return -1;
}

static rec_t *pair_node(trie_ctx_t *tc, snow_word_t k1, snow_word_t i1, uint64_t h1, snow_word_t k2,
                        snow_word_t i2, uint64_t h2, int shift)
{
    if (shift > TRIE_MAX_SHIFT) {
        rec_t *c = node_new(tc->cx, NODE_COLLISION, 4, tc->kptr ? 0x5 : 0);
        c->w[0] = k1, c->w[1] = i1, c->w[2] = k2, c->w[3] = i2;
        return c;
    }
    uint32_t b1 = 1u << ((h1 >> shift) & 31), b2 = 1u << ((h2 >> shift) & 31);
    if (b1 == b2) {
        rec_t *child = pair_node(tc, k1, i1, h1, k2, i2, h2, shift + TRIE_BITS);
        rec_t *n = trie_node(tc, 0, b1);
        n->w[1] = SNOW_WORD_PTR(child);
        return n;
    }
    rec_t *n = trie_node(tc, b1 | b2, 0);
    int first = b1 < b2 ? 0 : 1;
    n->w[1 + 2 * first] = k1, n->w[2 + 2 * first] = i1;
    n->w[1 + 2 * (1 - first)] = k2, n->w[2 + 2 * (1 - first)] = i2;
    return n;
}

/* One walk for put: returns a copy of n with k added as entry idx, or NULL
 * with *found set to k's entry number when k is already in n (nothing is
 * allocated then). Children are built before their parent's copy, so every
 * node is filled right after its allocation (node_dirty). */
static rec_t *trie_put(trie_ctx_t *tc, const rec_t *n, snow_word_t k, uint64_t h, int shift,
                       snow_word_t idx, int64_t *found)
{
    if (!n) {
        rec_t *leaf = trie_node(tc, 1u << ((h >> shift) & 31), 0);
        leaf->w[1] = k, leaf->w[2] = idx;
        return leaf;
    }
    if (n->h.tag == NODE_COLLISION) {
        for (uint32_t i = 0; i + 1 < n->h.count; i += 2)
            if (key_eq(tc, n->w[i], k)) {
                *found = (int64_t)n->w[i + 1];
                return NULL;
            }
        rec_t *c =
            node_new(tc->cx, NODE_COLLISION, n->h.count + 2, tc->kptr ? 0x5555555555555555ull : 0);
        memcpy(c->w, n->w, (size_t)n->h.count * 8);
        c->w[n->h.count] = k, c->w[n->h.count + 1] = idx;
        return c;
    }
    uint32_t dm = (uint32_t)n->w[0], nm = (uint32_t)(n->w[0] >> 32);
    uint32_t bit = 1u << ((h >> shift) & 31);
    uint32_t nd = pop32(dm), nn = pop32(nm);
    uint32_t d = pop32(dm & (bit - 1));
    uint32_t c = pop32(nm & (bit - 1));
    if (nm & bit) {
        rec_t *child = trie_put(tc, R(n->w[1 + 2 * nd + c]), k, h, shift + TRIE_BITS, idx, found);
        if (!child)
            return NULL;
        rec_t *out = node_copy(tc->cx, n);
        out->w[1 + 2 * nd + c] = SNOW_WORD_PTR(child);
        return out;
    }
    if (dm & bit) { /* move the existing entry and k into a new child */
        snow_word_t ok = n->w[1 + 2 * d], oi = n->w[2 + 2 * d];
        if (key_eq(tc, ok, k)) {
            *found = (int64_t)oi;
            return NULL;
        }
        rec_t *child = pair_node(tc, ok, oi, key_hash(tc, ok), k, idx, h, shift + TRIE_BITS);
        rec_t *out = trie_node(tc, dm & ~bit, nm | bit);
        memcpy(out->w + 1, n->w + 1, (size_t)d * 16);
        memcpy(out->w + 1 + 2 * d, n->w + 3 + 2 * d, (size_t)(nd - d - 1) * 16);
        uint32_t base = 1 + 2 * (nd - 1);
        memcpy(out->w + base, n->w + 1 + 2 * nd, (size_t)c * 8);
        out->w[base + c] = SNOW_WORD_PTR(child);
        memcpy(out->w + base + c + 1, n->w + 1 + 2 * nd + c, (size_t)(nn - c) * 8);
        return out;
    }
    rec_t *out = trie_node(tc, dm | bit, nm);
    memcpy(out->w + 1, n->w + 1, (size_t)d * 16);
    out->w[1 + 2 * d] = k, out->w[2 + 2 * d] = idx;
    memcpy(out->w + 3 + 2 * d, n->w + 1 + 2 * d, (size_t)(nd - d) * 16 + (size_t)nn * 8);
    return out;
}

/* Returns n without k (present in n), or NULL when nothing is left. */
static rec_t *trie_remove(trie_ctx_t *tc, const rec_t *n, snow_word_t k, uint64_t h, int shift)
{
    if (n->h.tag == NODE_COLLISION) {
        if (n->h.count == 2)
            return NULL;
        rec_t *c = node_new(tc->cx, NODE_COLLISION, n->h.count - 2, n->ptrmask);
        uint32_t j = 0;
        for (uint32_t i = 0; i < n->h.count; i += 2)
            if (!key_eq(tc, n->w[i], k))
                c->w[j] = n->w[i], c->w[j + 1] = n->w[i + 1], j += 2;
        return c;
    }
    uint32_t dm = (uint32_t)n->w[0], nm = (uint32_t)(n->w[0] >> 32);
    uint32_t bit = 1u << ((h >> shift) & 31);
    uint32_t nd = pop32(dm), nn = pop32(nm);
    uint32_t d = pop32(dm & (bit - 1));
    uint32_t c = pop32(nm & (bit - 1));
    if (dm & bit) {
        if (nd == 1 && nn == 0)
            return NULL;
        rec_t *out = trie_node(tc, dm & ~bit, nm);
        memcpy(out->w + 1, n->w + 1, (size_t)d * 16);
        memcpy(out->w + 1 + 2 * d, n->w + 3 + 2 * d, (size_t)(nd - d - 1) * 16 + (size_t)nn * 8);
        return out;
    }
    rec_t *child = trie_remove(tc, R(n->w[1 + 2 * nd + c]), k, h, shift + TRIE_BITS);
    if (child) {
        rec_t *out = node_copy(tc->cx, n);
        out->w[1 + 2 * nd + c] = SNOW_WORD_PTR(child);
        return out;
    }
    if (nd == 0 && nn == 1)
        return NULL;
    rec_t *out = trie_node(tc, dm, nm & ~bit);
    memcpy(out->w + 1, n->w + 1, (size_t)nd * 16 + (size_t)c * 8);
    memcpy(out->w + 1 + 2 * nd + c, n->w + 2 + 2 * nd + c, (size_t)(nn - c - 1) * 8);
    return out;
}

/* }====== */

/* {====== Map records */

static trie_ctx_t trie_ctx(snow_ctx_t *cx, const rec_t *m)
{
    const snow_type_t *kt = SNOW_WORD_TO_PTR(const snow_type_t, m->w[M_KEYT]);
    return (trie_ctx_t){cx, kt, snow_type_is_ptr(kt), kt->kind == SNOW_KIND_INT};
}

static vec_ctx_t vec_ctx(snow_ctx_t *cx, const rec_t *m)
{
    const snow_type_t *kt = SNOW_WORD_TO_PTR(const snow_type_t, m->w[M_KEYT]);
    const snow_type_t *vt = SNOW_WORD_TO_PTR(const snow_type_t, m->w[M_VALT]);
    return (vec_ctx_t){cx, leaf_mask(snow_type_is_ptr(kt), snow_type_is_ptr(vt))};
}

static rec_t *map_record(snow_ctx_t *cx, const snow_type_t *kt, const snow_type_t *vt)
{
    rec_t *m = snow_record_new(cx, 0, M_WORDS, M_MASK);
    m->h.kind = SNOW_OBJ_MAP;
    m->w[M_KEYT] = SNOW_WORD_PTR(kt);
    m->w[M_VALT] = SNOW_WORD_PTR(vt);
    return m;
}

static rec_t *map_clone(snow_ctx_t *cx, const rec_t *m)
{
    rec_t *c = snow_record_new(cx, 0, M_WORDS, M_MASK);
    c->h.kind = SNOW_OBJ_MAP;
    memcpy(c->w, m->w, sizeof(snow_word_t) * M_WORDS);
    return c;
}

snow_map_t *snow_map_new(snow_ctx_t *cx, const snow_type_t *key, const snow_type_t *val)
{
    return (snow_map_t *)map_record(cx, key, val);
}

static int64_t map_find(snow_ctx_t *cx, const rec_t *m, snow_word_t k)
{
    if (m->w[M_SIZE] == 0)
        return -1;
    trie_ctx_t tc = trie_ctx(cx, m);
    return trie_find(&tc, R(m->w[M_TRIE]), k, key_hash(&tc, k), 0);
}

/* Appends a new entry for k; returns m itself when k is already present. */
static rec_t *map_push(snow_ctx_t *cx, const rec_t *m, snow_word_t k, snow_word_t v)
{
    trie_ctx_t tc = trie_ctx(cx, m);
    int64_t found = -1;
    rec_t *trie = trie_put(&tc, R(m->w[M_TRIE]), k, key_hash(&tc, k), 0,
                           (snow_word_t)m->w[M_COUNT], &found);
    if (!trie)
        return (rec_t *)m; /* already present */
    vec_ctx_t vc = vec_ctx(cx, m);
    rec_t *out = map_clone(cx, m);
    out->w[M_TRIE] = SNOW_WORD_PTR(trie);
    entry_append(&vc, out, m, k, v);
    out->w[M_SIZE] = m->w[M_SIZE] + 1;
    return out;
}

/* put in one trie walk: it inserts k, or reports the entry k already has. */
static rec_t *map_put_rec(snow_ctx_t *cx, const rec_t *m, snow_word_t k, snow_word_t v)
{
    trie_ctx_t tc = trie_ctx(cx, m);
    vec_ctx_t vc = vec_ctx(cx, m);
    int64_t idx = -1;
    rec_t *trie = trie_put(&tc, R(m->w[M_TRIE]), k, key_hash(&tc, k), 0,
                           (snow_word_t)m->w[M_COUNT], &idx);
    rec_t *out = map_clone(cx, m);
    if (trie) {
        out->w[M_TRIE] = SNOW_WORD_PTR(trie);
        entry_append(&vc, out, m, k, v);
        out->w[M_SIZE] = m->w[M_SIZE] + 1;
        return out;
    }
    /* Present: keep the stored key (and its position), replace the value. */
    snow_word_t stored_key = entry_leaf(m, idx)->w[1 + 2 * (idx & (VEC_WIDTH - 1))];
    entry_set(&vc, out, m, idx, stored_key, v, true);
    return out;
}

snow_map_t *snow_map_put(snow_ctx_t *cx, const snow_map_t *m, snow_word_t k, snow_word_t v)
{
    return (snow_map_t *)map_put_rec(cx, MR(m), k, v);
}

bool std_map_lookup(snow_ctx_t *cx, const snow_map_t *m, snow_word_t k, snow_word_t *v)
{
    int64_t idx = map_find(cx, MR(m), k);
    if (idx < 0)
        return false;
    *v = entry_leaf(MR(m), idx)->w[2 + 2 * (idx & (VEC_WIDTH - 1))];
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
    return map_find(cx, MR(m), k) >= 0;
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
static rec_t *map_compact(snow_ctx_t *cx, const rec_t *m)
{
    rec_t *out = map_record(cx, SNOW_WORD_TO_PTR(const snow_type_t, m->w[M_KEYT]),
                            SNOW_WORD_TO_PTR(const snow_type_t, m->w[M_VALT]));
    snow_word_t k, v;
    int64_t pos = 0;
    while ((pos = std_map_next((const snow_map_t *)m, pos, &k, &v)) >= 0)
        out = map_push(cx, out, k, v);
    return out;
}

snow_map_t *snow_map_delete(snow_ctx_t *cx, const snow_map_t *mp, snow_word_t k)
{
    const rec_t *m = MR(mp);
    int64_t idx = map_find(cx, m, k);
    if (idx < 0)
        return (snow_map_t *)mp;
    trie_ctx_t tc = trie_ctx(cx, m);
    vec_ctx_t vc = vec_ctx(cx, m);
    rec_t *trie = trie_remove(&tc, R(m->w[M_TRIE]), k, key_hash(&tc, k), 0);
    rec_t *out = map_clone(cx, m);
    out->w[M_TRIE] = SNOW_WORD_PTR(trie);
    entry_set(&vc, out, m, idx, 0, 0, false);
    out->w[M_SIZE] = m->w[M_SIZE] - 1;
    int64_t dead = (int64_t)out->w[M_COUNT] - (int64_t)out->w[M_SIZE];
    if (dead > 32 && dead > (int64_t)out->w[M_SIZE])
        out = map_compact(cx, out);
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
        out = map_put_rec(cx, out, k, v);
    return (snow_map_t *)out;
}

snow_map_t *snow_map_from_list(snow_ctx_t *cx, const snow_list_t *pairs)
{
    const snow_type_t *pt = pairs->elem;
    const rec_t *m = map_record(cx, pt->params[0], pt->params[1]);
    for (int64_t i = 0; i < pairs->len; i++) {
        const rec_t *p = R(snow_list_items(pairs)[i]);
        m = map_put_rec(cx, m, p->w[0], p->w[1]);
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
    return (snow_map_t *)map_push(cx, MR(s), (snow_word_t)x, 0);
}

snow_map_t *snow_set_remove(snow_ctx_t *cx, const snow_map_t *s, int64_t x)
{
    return snow_map_delete(cx, s, (snow_word_t)x);
}

bool snow_set_contains(snow_ctx_t *cx, const snow_map_t *s, int64_t x)
{
    return map_find(cx, MR(s), (snow_word_t)x) >= 0;
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
            out = (snow_map_t *)map_push(cx, MR(out), k, 0);
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
