/* snow.h: the ABI between code emitted by snowc and the Snow runtime.
 *
 * This is the only header emitted C includes. It fixes the value layout
 * (words, object headers, records, strings, lists), the per-process context,
 * allocation, panics, program entry, and every runtime function the emitted
 * code calls. Names: snow_<module>_<verb>, always taking snow_ctx_t *cx first;
 * the prelude functions are snow_print, snow_println, snow_to_string, ...
 * Layouts that emitted code reads directly are written out in full and pinned
 * with _Static_assert; everything else is opaque. Keep names stable: renaming
 * an ABI function breaks the emitter. See docs/runtime-values.md.
 *
 * Values (language.md section 6.1, DESIGN 4):
 *   Int   = int64_t (wrapping; emitted code does arithmetic on uint64_t)
 *   Float = double, Bool = bool, Unit = no value (snow_unit_t 0 in a slot)
 *   every other type = pointer to an object that starts with snow_obj_t.
 * Collections store elements as 64-bit words (snow_word_t): Int as is, Float
 * bit-cast, Bool 0/1, Unit 0, pointers cast. Element behaviour (equality,
 * order, hash, text, JSON, "is this word a pointer") comes from a static
 * descriptor (snow_type_t) that snowc emits once per concrete type.
 *
 * Ownership, for every function below unless it says otherwise: arguments
 * are borrowed (they must be reachable from the caller's stack or a live
 * object, which they are in emitted code); results are heap values of cx's
 * process, kept alive by the collector while reachable, never freed by the
 * caller. A result may be an argument itself (concat with an empty string)
 * or a static object (None, Orderings): never compare values by address.
 * Functions may run a collection whenever they allocate.
 *
 * Thread: every function here runs on the thread of the process owning cx and
 * touches only that process's heap. */
#ifndef SNOW_LANG_STD_SNOW_H
#define SNOW_LANG_STD_SNOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SNOW_API __attribute__((visibility("default")))

#ifdef __cplusplus
extern "C" {
#endif

/* {====== Words and primitive values */

typedef uint64_t snow_word_t;
typedef uint8_t snow_unit_t;

static inline snow_word_t snow_word_from_float(double d)
{
    snow_word_t w;
    memcpy(&w, &d, sizeof w);
    return w;
}

static inline double snow_word_to_float(snow_word_t w)
{
    double d;
    memcpy(&d, &w, sizeof d);
    return d;
}

#define SNOW_WORD_PTR(p) ((snow_word_t)(uintptr_t)(p))
#define SNOW_WORD_TO_PTR(t, w) ((t *)(uintptr_t)(w))

/* }====== */

/* {====== Objects
 *
 * Every heap value starts with an 8-byte header. Objects made by emitted code
 * as static const data (string literals, nullary variants, closures of
 * top-level functions) use the same layout with gc = 0; the collector never
 * touches memory outside the process heap. */

typedef enum snow_obj_kind_t {
    SNOW_OBJ_STRING = 1,  /* snow_string_t */
    SNOW_OBJ_RECORD = 2,  /* snow_record_t: tuple, struct, sum value, Range */
    SNOW_OBJ_CLOSURE = 3, /* snow_record_t whose w[0] is the code pointer */
    SNOW_OBJ_LIST = 4,    /* snow_list_t */
    SNOW_OBJ_ARRAY = 5,   /* runtime-internal: list storage */
    SNOW_OBJ_MAP = 6,     /* opaque: Map and Set roots */
    SNOW_OBJ_NODE = 7,    /* opaque: map/queue trie nodes */
    SNOW_OBJ_QUEUE = 8,   /* opaque */
    SNOW_OBJ_JSON = 9,    /* snow_record_t holding a Json node */
} snow_obj_kind_t;

typedef struct snow_obj_t {
    uint8_t kind;   /* snow_obj_kind_t */
    uint8_t gc;     /* owned by the heap; 0 in static objects */
    uint16_t tag;   /* records: variant index (0 for tuples/structs) */
    uint32_t count; /* records: number of words in w[] */
} snow_obj_t;
_Static_assert(sizeof(snow_obj_t) == 8, "object header is one word");

/* Tuples, structs, sum values, closures. Bit i of ptrmask is set when w[i]
 * holds a heap pointer (the collector traces exactly those words; words
 * beyond 63 are traced when bit 63 is set). Sum values: h.tag = variant
 * index (declaration order), w[] = payload. Closures: w[0] = code pointer
 * (snow_fn1_t etc., bit 0 clear), w[1..] = captured words. */
typedef struct snow_record_t {
    snow_obj_t h;
    uint64_t ptrmask;
    snow_word_t w[];
} snow_record_t;
_Static_assert(sizeof(snow_record_t) == 16, "record header is two words");

/* Immutable UTF-8 text, always valid UTF-8, NUL-terminated after len bytes
 * (the NUL is not part of the string). Literals are static const objects:
 * SNOW_STRING_LITERAL below. */
typedef struct snow_string_t {
    snow_obj_t h;
    uint64_t len; /* bytes, not characters */
    char bytes[];
} snow_string_t;
_Static_assert(sizeof(snow_string_t) == 16, "string header is two words");

/* Declares `static snow_string_t *const name` pointing at a static literal.
 * text must be a valid UTF-8 C string literal; embedded NULs (\0) are kept
 * because the length comes from sizeof. Header tag 0 means "not known to be
 * ASCII" (the runtime tags heap strings); count is 0 (reserved for
 * refcounted off-heap strings). */
#define SNOW_STRING_LITERAL(name, text)                                                            \
    static const struct {                                                                          \
        snow_obj_t h;                                                                              \
        uint64_t len;                                                                              \
        char bytes[sizeof(text)];                                                                  \
    } name##_obj_ = {{SNOW_OBJ_STRING, 0, 0, 0}, sizeof(text) - 1, text};                          \
    static snow_string_t *const name = (snow_string_t *)&name##_obj_

/* Lists: a view (length, offset) on a shared storage array. Appending to a
 * list that ends at the array's last used slot writes in place, so building
 * a list by repeated append is amortised O(1) while every older list value
 * stays unchanged. Read elements with snow_list_items. */
typedef struct snow_array_t snow_array_t;
typedef struct snow_type_t snow_type_t;
typedef struct snow_list_t {
    snow_obj_t h;
    const snow_type_t *elem; /* element descriptor (static) */
    int64_t len;
    snow_array_t *_arr; /* storage; NULL when len == 0 */
    int64_t _off;       /* index of the first element in _arr */
} snow_list_t;

struct snow_array_t {
    snow_obj_t h; /* tag 1: words are pointers */
    int64_t cap;
    int64_t used;
    snow_word_t w[];
};

static inline snow_word_t *snow_list_items(const snow_list_t *xs)
{
    return xs->_arr ? xs->_arr->w + xs->_off : NULL;
}

typedef struct snow_map_t snow_map_t;     /* Map<K, V> and Set (opaque) */
typedef struct snow_queue_t snow_queue_t; /* Queue (opaque) */
typedef snow_record_t snow_json_t;        /* Json (opaque contents) */

/* }====== */

/* {====== Type descriptors
 *
 * snowc emits one static const snow_type_t per concrete type that reaches
 * the runtime. Built-in scalar descriptors are exported below. A descriptor
 * is read-only and lives for the whole program. */

typedef enum snow_kind_t {
    SNOW_KIND_UNIT = 0,
    SNOW_KIND_INT,
    SNOW_KIND_FLOAT,
    SNOW_KIND_BOOL,
    SNOW_KIND_STRING,
    SNOW_KIND_LIST,     /* params[0] = element */
    SNOW_KIND_MAP,      /* params[0] = key, params[1] = value */
    SNOW_KIND_SET,      /* element Int */
    SNOW_KIND_QUEUE,    /* element Int */
    SNOW_KIND_RANGE,    /* record {start, end} */
    SNOW_KIND_TUPLE,    /* params[0..count) = components */
    SNOW_KIND_STRUCT,   /* params = field types, field_names */
    SNOW_KIND_SUM,      /* variants[0..count) */
    SNOW_KIND_FUNCTION, /* closure record */
    SNOW_KIND_PID,      /* 64-bit process id, not a pointer */
    SNOW_KIND_JSON,
} snow_kind_t;

typedef struct snow_ctx_t snow_ctx_t;

/* User trait implementations (impl Display/Debug/Eq/Ord/Hash for T). self is
 * the value as a word. Eq returns true when equal; Ord returns <0, 0, >0. */
typedef snow_string_t *(*snow_text_cb)(snow_ctx_t *cx, snow_word_t self);
typedef bool (*snow_eq_cb)(snow_ctx_t *cx, snow_word_t a, snow_word_t b);
typedef int (*snow_cmp_cb)(snow_ctx_t *cx, snow_word_t a, snow_word_t b);
typedef int64_t (*snow_hash_cb)(snow_ctx_t *cx, snow_word_t self);

typedef struct snow_variant_t {
    const char *name;                 /* "Some", "Level" */
    uint32_t count;                   /* payload fields */
    const snow_type_t *const *fields; /* payload types, count entries */
    const char *const *field_names;   /* named fields or NULL */
} snow_variant_t;

/* Flags: which conversions a struct/sum type has when no user impl is set. */
enum {
    SNOW_TF_DISPLAY = 1 << 0,          /* derived Display */
    SNOW_TF_DEBUG = 1 << 1,            /* derived Debug */
    SNOW_TF_DEBUG_AS_DISPLAY = 1 << 2, /* Debug text = Display text (Option, Result, ...) */
    SNOW_TF_JSON = 1 << 3,             /* deriving(Json) */
    SNOW_TF_OPTION = 1 << 4,           /* this sum type is Option<T> (JSON null mapping) */
};

struct snow_type_t {
    uint32_t kind;  /* snow_kind_t */
    uint32_t flags; /* SNOW_TF_* */
    uint32_t count; /* params / fields / variants */
    uint32_t _pad;
    const char *name;                 /* struct and sum type name */
    const snow_type_t *const *params; /* see snow_kind_t */
    const char *const *field_names;   /* struct fields, count entries */
    const snow_variant_t *variants;   /* sum variants, count entries */
    snow_text_cb display;             /* user impl Display or NULL */
    snow_text_cb debug;               /* user impl Debug or NULL */
    snow_eq_cb eq;                    /* user impl Eq or NULL (structural) */
    snow_cmp_cb cmp;                  /* user impl Ord or NULL (structural) */
    snow_hash_cb hash;                /* user impl Hash or NULL (structural) */
};

SNOW_API extern const snow_type_t snow_type_unit;
SNOW_API extern const snow_type_t snow_type_int;
SNOW_API extern const snow_type_t snow_type_float;
SNOW_API extern const snow_type_t snow_type_bool;
SNOW_API extern const snow_type_t snow_type_string;
SNOW_API extern const snow_type_t snow_type_pid;
SNOW_API extern const snow_type_t snow_type_json;
SNOW_API extern const snow_type_t snow_type_set;
SNOW_API extern const snow_type_t snow_type_queue;
SNOW_API extern const snow_type_t snow_type_range;
SNOW_API extern const snow_type_t snow_type_ordering;
SNOW_API extern const snow_type_t snow_type_list_int;               /* List<Int> */
SNOW_API extern const snow_type_t snow_type_list_string;            /* List<String> */
SNOW_API extern const snow_type_t snow_type_map_string_string;      /* Map<String, String> */
SNOW_API extern const snow_type_t snow_type_list_map_string_string; /* List<Map<String, String>> */
SNOW_API extern const snow_type_t snow_type_option_int;             /* Option<Int> */
SNOW_API extern const snow_type_t snow_type_option_float;           /* Option<Float> */
SNOW_API extern const snow_type_t snow_type_option_string;          /* Option<String> */

/* True when values of t are heap pointers (the collector traces them). */
static inline bool snow_type_is_ptr(const snow_type_t *t)
{
    return t->kind != SNOW_KIND_UNIT && t->kind != SNOW_KIND_INT && t->kind != SNOW_KIND_FLOAT &&
           t->kind != SNOW_KIND_BOOL && t->kind != SNOW_KIND_PID;
}

/* Fixed tags of the built-in sum types (stdlib 4.6: Some/Ok = 0). */
enum {
    SNOW_TAG_SOME = 0,
    SNOW_TAG_NONE = 1,
    SNOW_TAG_OK = 0,
    SNOW_TAG_ERR = 1,
    SNOW_TAG_LESS = 0,
    SNOW_TAG_EQUAL = 1,
    SNOW_TAG_GREATER = 2,
};

/* Constructors for runtime code outside lang/std (ws, db, sched) and for
 * emitted code: Some(v) / Ok(v) with v a heap pointer iff ptr; Err(msg);
 * None is the static SNOW_NONE. */
SNOW_API snow_record_t *snow_option_some(snow_ctx_t *cx, snow_word_t v, bool ptr);
SNOW_API snow_record_t *snow_result_ok(snow_ctx_t *cx, snow_word_t v, bool ptr);
SNOW_API snow_record_t *snow_result_err(snow_ctx_t *cx, snow_string_t *msg);

/* Static nullary values: None and the three Orderings. They are declared
 * as snow_record_t (not a word-less type) on purpose: emitted code may read
 * w[0] on a path the tag test rules out, and GCC's -Warray-bounds rejects
 * that for a smaller declared type. (An array of a type with a flexible
 * member is a GNU extension: -Wpedantic warns about snow_ordering_objs.) */
SNOW_API extern const snow_record_t snow_none_obj;
SNOW_API extern const snow_record_t snow_ordering_objs[3];
#define SNOW_NONE ((snow_record_t *)&snow_none_obj)

/* }====== */

/* {====== Context, program entry, allocation */

/* Per-process context: the process heap, its stack bounds and its output.
 * Opaque to emitted code; the scheduler embeds one in every process. */
typedef struct snow_rt_t snow_rt_t;

/* The head of every context, read directly by emitted code: a pointer to
 * the running process's budget (language 8.8, DESIGN 3). The scheduler
 * points it at its process record (sched_budget_t has the same layout);
 * the main program without a scheduler has its own. */
typedef struct snow_budget_t {
    int64_t reductions;    /* left in this slice; <= 0 means "yield now" */
    uintptr_t stack_limit; /* lowest stack address the process may use */
} snow_budget_t;
_Static_assert(offsetof(snow_budget_t, reductions) == 0, "ABI: reductions at +0");
_Static_assert(offsetof(snow_budget_t, stack_limit) == 8, "ABI: stack_limit at +8");
_Static_assert(sizeof(snow_budget_t) == 16, "ABI: budget is two words");

typedef struct snow_ctx_head_t {
    snow_budget_t *budget; /* at offset 0 of every snow_ctx_t */
} snow_ctx_head_t;

/* The slow path of snow_proc_check: yields to the scheduler when the slice
 * is spent, or panics `stack overflow` (D30). Not to be called directly. */
SNOW_API void snow_proc_check_slow_(snow_ctx_t *cx);

/* The check at the top of every emitted function and on loop back-edges:
 * spend one reduction and compare the stack pointer with the limit. */
static inline void snow_proc_check(snow_ctx_t *cx)
{
    snow_budget_t *b = ((snow_ctx_head_t *)(void *)cx)->budget;
    if (__builtin_expect(
            --b->reductions <= 0 || (uintptr_t)__builtin_frame_address(0) < b->stack_limit, 0))
        snow_proc_check_slow_(cx);
}

/* The emitter's hooks (lang/compiler/emit.c). */
#define SNOW_FN_ENTER(cx) snow_proc_check(cx)
#define SNOW_LOOP_TICK(cx) snow_proc_check(cx)

/* The emitted program's main. */
typedef void (*snow_main_cb)(snow_ctx_t *cx);

/* Runs a Snow program: sets up the runtime and a context for the main
 * process, calls main_fn, flushes standard output and returns the exit
 * status (0). A panic in main_fn never returns (stdlib 0.4, D25). The
 * emitted C main is `return snow_rt_main(argc, argv, snow_main_);`. */
SNOW_API int snow_rt_main(int argc, char **argv, snow_main_cb main_fn);

/* Creates a context with its own heap for the calling thread, scanning the
 * calling thread's stack as roots. Returns owned; free with snow_ctx_free.
 * For tests and embedders; programs use snow_rt_main. */
SNOW_API snow_ctx_t *snow_ctx_new(void);
SNOW_API void snow_ctx_free(snow_ctx_t *cx);

/* Allocates a zero-filled record of count words with the given tag and
 * pointer mask (see snow_record_t). Returns memory in cx's heap, valid while
 * reachable. Panics with `heap limit exceeded` when the heap limit is hit. */
SNOW_API snow_record_t *snow_record_new(snow_ctx_t *cx, uint16_t tag, uint32_t count,
                                        uint64_t ptrmask);

/* Allocates a closure: w[0] = code, w[1..ncaptures] zero, to be filled by the
 * caller; ptrmask covers w[] (bit 0 must be clear). */
SNOW_API snow_record_t *snow_closure_new(snow_ctx_t *cx, const void *code, uint32_t ncaptures,
                                         uint64_t ptrmask);

/* Runs a full collection of cx's heap now. */
SNOW_API void snow_gc_collect(snow_ctx_t *cx);

/* Heap statistics for tests and --profile. */
typedef struct snow_gc_stats_t {
    uint64_t collections;
    uint64_t bytes_live;      /* after the last collection */
    uint64_t bytes_allocated; /* total since the heap was created */
    uint64_t bytes_mapped;    /* memory currently obtained from the OS */
    uint64_t pause_ns_total;  /* time spent collecting (for --profile) */
    uint64_t pause_ns_max;    /* longest single collection */
} snow_gc_stats_t;
SNOW_API void snow_gc_stats(snow_ctx_t *cx, snow_gc_stats_t *out);

/* }====== */

/* {====== Closures: calling convention
 *
 * A closure's code takes the context, the closure itself and its arguments
 * as words, and returns a word (Unit returns 0). Named functions passed as
 * values get a wrapper with this signature. */
typedef snow_word_t (*snow_fn0_t)(snow_ctx_t *cx, snow_record_t *self);
typedef snow_word_t (*snow_fn1_t)(snow_ctx_t *cx, snow_record_t *self, snow_word_t a);
typedef snow_word_t (*snow_fn2_t)(snow_ctx_t *cx, snow_record_t *self, snow_word_t a,
                                  snow_word_t b);

static inline snow_word_t snow_closure_call1(snow_ctx_t *cx, snow_record_t *f, snow_word_t a)
{
    return ((snow_fn1_t)(uintptr_t)f->w[0])(cx, f, a);
}

static inline snow_word_t snow_closure_call2(snow_ctx_t *cx, snow_record_t *f, snow_word_t a,
                                             snow_word_t b)
{
    return ((snow_fn2_t)(uintptr_t)f->w[0])(cx, f, a, b);
}

/* }====== */

/* {====== Panics (stdlib 0.4, D24, D25, D26)
 *
 * Write `Snow panic: <message>` (or `Snow panic at <file>:<line>: <message>`)
 * as one line on stderr, after flushing stdout. In the main program the
 * runtime then disables core dumps and raises SIGABRT (status 134); the
 * scheduler replaces this with ending only the current process. fmt is a
 * printf format; the message is cut at 1 KiB. Never allocates on the heap. */
SNOW_API _Noreturn void snow_panic(snow_ctx_t *cx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
SNOW_API _Noreturn void snow_panic_at(snow_ctx_t *cx, const char *file, int line, const char *fmt,
                                      ...) __attribute__((format(printf, 4, 5)));

/* Int division and remainder with the D26 rules: b == 0 panics with
 * `division by zero` at file:line; INT64_MIN / -1 wraps. */
static inline int64_t snow_int_div(snow_ctx_t *cx, int64_t a, int64_t b, const char *file, int line)
{
    if (b == 0)
        snow_panic_at(cx, file, line, "division by zero");
    if (b == -1)
        return (int64_t)(0 - (uint64_t)a);
    return a / b;
}

static inline int64_t snow_int_rem(snow_ctx_t *cx, int64_t a, int64_t b, const char *file, int line)
{
    if (b == 0)
        snow_panic_at(cx, file, line, "division by zero");
    if (b == -1)
        return 0;
    return a % b;
}

/* }====== */

/* {====== Prelude: output, text, comparison (stdlib 3, 4; language 7) */

/* Write s (+ "\n") to stdout. Output is line-buffered: complete lines are
 * written whole, one write per call that completes a line; a partial line
 * waits for its newline, an exit, a panic, a stderr write or a stdin read
 * (D29). Borrows s. */
SNOW_API void snow_println(snow_ctx_t *cx, const snow_string_t *s);
SNOW_API void snow_print(snow_ctx_t *cx, const snow_string_t *s);

/* Writes pending stdout bytes now. */
SNOW_API void snow_io_flush(snow_ctx_t *cx);

/* Display text of v (Display, else Debug; stdlib 4, D33): the text of
 * interpolation "${v}". Returns a new string (or v itself for String). */
SNOW_API snow_string_t *snow_to_string(snow_ctx_t *cx, const snow_type_t *t, snow_word_t v);

/* Debug text of v (inspect, D32): strings quoted without escaping, derived
 * Debug for structs/sums, otherwise the to_string text. */
SNOW_API snow_string_t *snow_inspect(snow_ctx_t *cx, const snow_type_t *t, snow_word_t v);

/* hash(v) per stdlib 4.6 and D38 (FNV-1a, deterministic). */
SNOW_API int64_t snow_hash(snow_ctx_t *cx, const snow_type_t *t, snow_word_t v);

/* Value equality of stdlib 0.3 (Float by bit pattern, strings by content,
 * compound values structurally, user Eq impls where given). */
SNOW_API bool snow_eq(snow_ctx_t *cx, const snow_type_t *t, snow_word_t a, snow_word_t b);

/* The == operator on compound values (language 6.5): as snow_eq, except
 * that Float components compare with IEEE == (NaN != NaN, 0.0 == -0.0). */
SNOW_API bool snow_eq_op(snow_ctx_t *cx, const snow_type_t *t, snow_word_t a, snow_word_t b);

/* Three-way comparison (stdlib 3 compare): <0, 0, >0. Float: `<` then `==`,
 * NaN gives >0; String bytewise (D15); lists/tuples lexicographic; structs by
 * field, sums by variant index then payload. */
SNOW_API int snow_cmp(snow_ctx_t *cx, const snow_type_t *t, snow_word_t a, snow_word_t b);

/* compare(a, b) as an Ordering value (static Less/Equal/Greater object). */
SNOW_API snow_record_t *snow_compare(snow_ctx_t *cx, const snow_type_t *t, snow_word_t a,
                                     snow_word_t b);

/* Text of primitives (stdlib 4.1, 4.2). */
SNOW_API snow_string_t *snow_int_to_string(snow_ctx_t *cx, int64_t n);
SNOW_API snow_string_t *snow_float_to_string(snow_ctx_t *cx, double x);
SNOW_API snow_string_t *snow_bool_to_string(snow_ctx_t *cx, bool b);

/* }====== */

/* {====== String (stdlib 6); lengths and indices count code points */

/* Copies len bytes of UTF-8 (caller guarantees validity) into a new string. */
SNOW_API snow_string_t *snow_string_new(snow_ctx_t *cx, const char *bytes, size_t len);
/* Copies bytes, replacing invalid UTF-8 sequences by U+FFFD (D55). */
SNOW_API snow_string_t *snow_string_from_bytes_lossy(snow_ctx_t *cx, const char *bytes, size_t len);
SNOW_API snow_string_t *snow_string_concat(snow_ctx_t *cx, const snow_string_t *a,
                                           const snow_string_t *b);
/* Concatenates n strings (string interpolation). */
SNOW_API snow_string_t *snow_string_concatn(snow_ctx_t *cx, size_t n, snow_string_t *const parts[]);
SNOW_API bool snow_string_eq(const snow_string_t *a, const snow_string_t *b);
SNOW_API int snow_string_cmp(const snow_string_t *a, const snow_string_t *b);

SNOW_API int64_t snow_string_length(snow_ctx_t *cx, const snow_string_t *s);
SNOW_API snow_string_t *snow_string_slice(snow_ctx_t *cx, const snow_string_t *s, int64_t start,
                                          int64_t end);
SNOW_API bool snow_string_contains(snow_ctx_t *cx, const snow_string_t *s,
                                   const snow_string_t *needle);
SNOW_API bool snow_string_starts_with(snow_ctx_t *cx, const snow_string_t *s,
                                      const snow_string_t *prefix);
SNOW_API bool snow_string_ends_with(snow_ctx_t *cx, const snow_string_t *s,
                                    const snow_string_t *suffix);
SNOW_API snow_string_t *snow_string_trim(snow_ctx_t *cx, const snow_string_t *s);
SNOW_API snow_string_t *snow_string_to_upper(snow_ctx_t *cx, const snow_string_t *s);
SNOW_API snow_string_t *snow_string_to_lower(snow_ctx_t *cx, const snow_string_t *s);
SNOW_API snow_string_t *snow_string_replace(snow_ctx_t *cx, const snow_string_t *s,
                                            const snow_string_t *from, const snow_string_t *to);
/* Returns List<String>. */
SNOW_API snow_list_t *snow_string_split(snow_ctx_t *cx, const snow_string_t *s,
                                        const snow_string_t *sep);
/* parts is a List<String>. */
SNOW_API snow_string_t *snow_string_join(snow_ctx_t *cx, const snow_list_t *parts,
                                         const snow_string_t *sep);
/* Option<Int> / Option<Float>. */
SNOW_API snow_record_t *snow_string_to_int(snow_ctx_t *cx, const snow_string_t *s);
SNOW_API snow_record_t *snow_string_to_float(snow_ctx_t *cx, const snow_string_t *s);

/* }====== */

/* {====== List (stdlib 7)
 *
 * Lists created here take their element descriptor from the caller (elem)
 * or from the source list. Functions taking a closure call it once per
 * element in order on the calling process (snow_fn1_t / snow_fn2_t words).
 * Complexities: length/head/last/get O(1); tail/drop/take O(1) (views);
 * append amortised O(1) when appending to the newest list of a storage
 * array, else O(n); concat O(m) or O(n + m); reverse/map/filter O(n); sort
 * O(n log n) stable merge sort. */

SNOW_API snow_list_t *snow_list_new(snow_ctx_t *cx, const snow_type_t *elem);
/* Copies n words into a new list (list literals). */
SNOW_API snow_list_t *snow_list_from_array(snow_ctx_t *cx, const snow_type_t *elem, size_t n,
                                           const snow_word_t *items);
SNOW_API int64_t snow_list_length(snow_ctx_t *cx, const snow_list_t *xs);
SNOW_API snow_list_t *snow_list_append(snow_ctx_t *cx, snow_list_t *xs, snow_word_t x);
/* Panics `snow_list_head: empty list`. */
SNOW_API snow_word_t snow_list_head(snow_ctx_t *cx, const snow_list_t *xs);
/* Panics `snow_list_tail: empty list`. */
SNOW_API snow_list_t *snow_list_tail(snow_ctx_t *cx, const snow_list_t *xs);
/* Panics `snow_list_get: index <i> out of bounds (len <n>)` (also nth). */
SNOW_API snow_word_t snow_list_get(snow_ctx_t *cx, const snow_list_t *xs, int64_t i);
SNOW_API snow_word_t snow_list_nth(snow_ctx_t *cx, const snow_list_t *xs, int64_t i);
/* Panics `snow_list_last: empty list`. */
SNOW_API snow_word_t snow_list_last(snow_ctx_t *cx, const snow_list_t *xs);
SNOW_API snow_list_t *snow_list_concat(snow_ctx_t *cx, snow_list_t *xs, const snow_list_t *ys);
SNOW_API snow_list_t *snow_list_reverse(snow_ctx_t *cx, const snow_list_t *xs);
/* f: Fun(T) -> U; elem_u describes U. */
SNOW_API snow_list_t *snow_list_map(snow_ctx_t *cx, const snow_list_t *xs, snow_record_t *f,
                                    const snow_type_t *elem_u);
SNOW_API snow_list_t *snow_list_filter(snow_ctx_t *cx, const snow_list_t *xs, snow_record_t *pred);
/* f: Fun(U, T) -> U (accumulator first). */
SNOW_API snow_word_t snow_list_reduce(snow_ctx_t *cx, const snow_list_t *xs, snow_word_t init,
                                      snow_record_t *f);
/* cmp: Fun(T, T) -> Int; stable; never panics (D46). */
SNOW_API snow_list_t *snow_list_sort(snow_ctx_t *cx, const snow_list_t *xs, snow_record_t *cmp);
/* Returns Option<T>. */
SNOW_API snow_record_t *snow_list_find(snow_ctx_t *cx, const snow_list_t *xs, snow_record_t *pred);
SNOW_API bool snow_list_any(snow_ctx_t *cx, const snow_list_t *xs, snow_record_t *pred);
SNOW_API bool snow_list_all(snow_ctx_t *cx, const snow_list_t *xs, snow_record_t *pred);
/* Value equality of the element type (D45). */
SNOW_API bool snow_list_contains(snow_ctx_t *cx, const snow_list_t *xs, snow_word_t x);
/* pair describes the tuple (T, U) of the result elements. */
SNOW_API snow_list_t *snow_list_zip(snow_ctx_t *cx, const snow_list_t *xs, const snow_list_t *ys,
                                    const snow_type_t *pair);
/* f: Fun(T) -> List<U>; elem_u describes U. */
SNOW_API snow_list_t *snow_list_flat_map(snow_ctx_t *cx, const snow_list_t *xs, snow_record_t *f,
                                         const snow_type_t *elem_u);
SNOW_API snow_list_t *snow_list_flatten(snow_ctx_t *cx, const snow_list_t *xss);
/* pair describes (Int, T). */
SNOW_API snow_list_t *snow_list_enumerate(snow_ctx_t *cx, const snow_list_t *xs,
                                          const snow_type_t *pair);
SNOW_API snow_list_t *snow_list_take(snow_ctx_t *cx, const snow_list_t *xs, int64_t n);
SNOW_API snow_list_t *snow_list_drop(snow_ctx_t *cx, const snow_list_t *xs, int64_t n);

/* }====== */

/* {====== Map (stdlib 8) and Set (stdlib 9)
 *
 * Insertion-ordered, persistent. Representation (D47,
 * docs/runtime-values.md 5): a hash trie of 32-slot inner nodes over bucket
 * leaves (up to 48 entries, keys and values) plus a persistent 16-way
 * vector of entries in insertion order. get/has_key O(log32 n); a put of a
 * new key by a map's newest version inserts in place in O(log32 n) (older
 * versions ignore entries numbered past their own size); other puts and
 * deletes path-copy in O(log n); size O(1); keys/values/to_list/iteration
 * O(n log16 n).
 * Keys use value equality of the key descriptor (D43). */

SNOW_API snow_map_t *snow_map_new(snow_ctx_t *cx, const snow_type_t *key, const snow_type_t *val);
SNOW_API snow_map_t *snow_map_put(snow_ctx_t *cx, const snow_map_t *m, snow_word_t k,
                                  snow_word_t v);
/* Missing key (D44): 0 / 0.0 / false / () for Int, Float, Bool, Unit values;
 * otherwise panics `Map.get: key not found`. */
SNOW_API snow_word_t snow_map_get(snow_ctx_t *cx, const snow_map_t *m, snow_word_t k);
SNOW_API bool snow_map_has_key(snow_ctx_t *cx, const snow_map_t *m, snow_word_t k);
SNOW_API snow_map_t *snow_map_delete(snow_ctx_t *cx, const snow_map_t *m, snow_word_t k);
SNOW_API int64_t snow_map_size(snow_ctx_t *cx, const snow_map_t *m);
SNOW_API snow_list_t *snow_map_keys(snow_ctx_t *cx, const snow_map_t *m);
SNOW_API snow_list_t *snow_map_values(snow_ctx_t *cx, const snow_map_t *m);
SNOW_API snow_map_t *snow_map_merge(snow_ctx_t *cx, const snow_map_t *a, const snow_map_t *b);
/* pair describes the tuple (K, V). */
SNOW_API snow_list_t *snow_map_to_list(snow_ctx_t *cx, const snow_map_t *m,
                                       const snow_type_t *pair);
/* pairs is a List<(K, V)>; key/value descriptors come from its element type. */
SNOW_API snow_map_t *snow_map_from_list(snow_ctx_t *cx, const snow_list_t *pairs);
/* Iteration in insertion order: start with pos = 0; each call stores the
 * next entry and returns the position to pass next, or -1 at the end. */
SNOW_API int64_t snow_map_next(snow_ctx_t *cx, const snow_map_t *m, int64_t pos, snow_word_t *k,
                               snow_word_t *v);

SNOW_API snow_map_t *snow_set_new(snow_ctx_t *cx);
SNOW_API snow_map_t *snow_set_add(snow_ctx_t *cx, const snow_map_t *s, int64_t x);
SNOW_API snow_map_t *snow_set_remove(snow_ctx_t *cx, const snow_map_t *s, int64_t x);
SNOW_API bool snow_set_contains(snow_ctx_t *cx, const snow_map_t *s, int64_t x);
SNOW_API int64_t snow_set_size(snow_ctx_t *cx, const snow_map_t *s);
SNOW_API snow_map_t *snow_set_union(snow_ctx_t *cx, const snow_map_t *a, const snow_map_t *b);
SNOW_API snow_map_t *snow_set_intersection(snow_ctx_t *cx, const snow_map_t *a,
                                           const snow_map_t *b);
SNOW_API snow_map_t *snow_set_difference(snow_ctx_t *cx, const snow_map_t *a, const snow_map_t *b);
SNOW_API snow_list_t *snow_set_to_list(snow_ctx_t *cx, const snow_map_t *s);
SNOW_API snow_map_t *snow_set_from_list(snow_ctx_t *cx, const snow_list_t *xs);
/* Iteration as snow_map_next. */
SNOW_API int64_t snow_set_next(snow_ctx_t *cx, const snow_map_t *s, int64_t pos, int64_t *x);

/* }====== */

/* {====== Queue (stdlib 10), Range (11), Tuple (12) */

SNOW_API snow_queue_t *snow_queue_new(snow_ctx_t *cx);
/* Amortised O(1) push (a list extended in place), O(1) pop/peek/size (D47). */
SNOW_API snow_queue_t *snow_queue_push(snow_ctx_t *cx, const snow_queue_t *q, int64_t x);
/* Returns the tuple (front, rest) (D48); panics `snow_queue_pop: empty queue`. */
SNOW_API snow_record_t *snow_queue_pop(snow_ctx_t *cx, const snow_queue_t *q);
/* Panics `snow_queue_peek: empty queue`. */
SNOW_API int64_t snow_queue_peek(snow_ctx_t *cx, const snow_queue_t *q);
SNOW_API int64_t snow_queue_size(snow_ctx_t *cx, const snow_queue_t *q);
SNOW_API bool snow_queue_is_empty(snow_ctx_t *cx, const snow_queue_t *q);

/* A Range is a record {start, end} (w[0], w[1]; ptrmask 0). */
SNOW_API snow_record_t *snow_range_new(snow_ctx_t *cx, int64_t start, int64_t end);
/* max(end - start, 0) without overflow, saturating (D49). */
SNOW_API int64_t snow_range_length(snow_ctx_t *cx, const snow_record_t *r);
SNOW_API snow_list_t *snow_range_to_list(snow_ctx_t *cx, const snow_record_t *r);
/* f: Fun(Int) -> Int. */
SNOW_API snow_list_t *snow_range_map(snow_ctx_t *cx, const snow_record_t *r, snow_record_t *f);
SNOW_API snow_list_t *snow_range_filter(snow_ctx_t *cx, const snow_record_t *r,
                                        snow_record_t *pred);

/* Panics `snow_tuple_nth: index <i> out of bounds (len <n>)`. */
SNOW_API snow_word_t snow_tuple_nth(snow_ctx_t *cx, const snow_record_t *t, int64_t i);
SNOW_API snow_word_t snow_tuple_first(snow_ctx_t *cx, const snow_record_t *t);
SNOW_API snow_word_t snow_tuple_second(snow_ctx_t *cx, const snow_record_t *t);
SNOW_API int64_t snow_tuple_size(snow_ctx_t *cx, const snow_record_t *t);

/* }====== */

/* {====== Math, Int, Float (stdlib 13) */

#define SNOW_MATH_PI 3.141592653589793

SNOW_API int64_t snow_math_abs(snow_ctx_t *cx, int64_t x); /* wraps for Int.min (D51) */
SNOW_API double snow_math_abs_float(snow_ctx_t *cx, double x);
SNOW_API int64_t snow_math_min(snow_ctx_t *cx, int64_t a, int64_t b);
SNOW_API int64_t snow_math_max(snow_ctx_t *cx, int64_t a, int64_t b);
SNOW_API double snow_math_min_float(snow_ctx_t *cx, double a, double b); /* fmin */
SNOW_API double snow_math_max_float(snow_ctx_t *cx, double a, double b); /* fmax */
SNOW_API double snow_math_pow(snow_ctx_t *cx, double base, double exp);
SNOW_API double snow_math_sqrt(snow_ctx_t *cx, double x);
SNOW_API int64_t snow_math_floor(snow_ctx_t *cx, double x);
SNOW_API int64_t snow_math_ceil(snow_ctx_t *cx, double x);
SNOW_API int64_t snow_math_round(snow_ctx_t *cx, double x); /* halves away from zero */
SNOW_API double snow_int_to_float(snow_ctx_t *cx, int64_t n);
SNOW_API int64_t snow_float_to_int(snow_ctx_t *cx, double x); /* truncates, saturates (D53) */

/* }====== */

/* {====== IO (stdlib 5), File (14), Env (15)
 *
 * File and stdin functions use blocking libc calls for now; the scheduler
 * will move them off the worker threads. */

/* Writes s and "\n" to stderr unbuffered (after flushing stdout). */
SNOW_API void snow_io_eprintln(snow_ctx_t *cx, const snow_string_t *s);
/* Result<String, String>: one line without its "\n" / "\r\n"; Ok("") at end
 * of input; Err(`stream did not contain valid UTF-8`) or Err(os error). */
SNOW_API snow_record_t *snow_io_read_line(snow_ctx_t *cx);

/* Result<String, String>; errors `<strerror> (os error <n>)` (14.1). */
SNOW_API snow_record_t *snow_file_read(snow_ctx_t *cx, const snow_string_t *path);
/* Result<(), String>. */
SNOW_API snow_record_t *snow_file_write(snow_ctx_t *cx, const snow_string_t *path,
                                        const snow_string_t *content);
SNOW_API snow_record_t *snow_file_append(snow_ctx_t *cx, const snow_string_t *path,
                                         const snow_string_t *content);
SNOW_API bool snow_file_exists(snow_ctx_t *cx, const snow_string_t *path);
SNOW_API snow_record_t *snow_file_delete(snow_ctx_t *cx, const snow_string_t *path);

/* Option<String>. */
SNOW_API snow_record_t *snow_env_get(snow_ctx_t *cx, const snow_string_t *name);

/* }====== */

/* {====== JSON (stdlib 16, D56-D60) */

/* Result<Json, String>; errors `<description> at line <L> column <C>`. */
SNOW_API snow_record_t *snow_json_parse(snow_ctx_t *cx, const snow_string_t *text);
/* Compact encoding, keys sorted (16.3). */
SNOW_API snow_string_t *snow_json_encode(snow_ctx_t *cx, const snow_json_t *j);
SNOW_API snow_string_t *snow_json_encode_string(snow_ctx_t *cx, const snow_string_t *s);
SNOW_API snow_string_t *snow_json_encode_int(snow_ctx_t *cx, int64_t n);
SNOW_API snow_string_t *snow_json_encode_bool(snow_ctx_t *cx, bool b);
SNOW_API snow_string_t *snow_json_encode_map(snow_ctx_t *cx, const snow_map_t *m);
SNOW_API snow_string_t *snow_json_encode_list(snow_ctx_t *cx, const snow_list_t *xs);
/* x.to_json(): the Json document of v (16.5 mapping). */
SNOW_API snow_json_t *snow_json_from_value(snow_ctx_t *cx, const snow_type_t *t, snow_word_t v);
/* Json.encode(x) for any encodable T (D56). */
SNOW_API snow_string_t *snow_json_encode_value(snow_ctx_t *cx, const snow_type_t *t, snow_word_t v);
/* T.from_json(text): Result<T, String> (16.6). */
SNOW_API snow_record_t *snow_json_decode(snow_ctx_t *cx, const snow_type_t *t,
                                         const snow_string_t *text);

/* }====== */

/* {====== HTTP (ws/, services.md 1)
 *
 * Router, Request and Response are opaque handles: `void *` in emitted code
 * (heap records of the calling process, traced by the collector). The
 * definitions are in ws/snow_http.c; ws/server.h has the server they drive.
 * A Request is valid only while its handler or middleware runs. */
SNOW_API void *snow_http_router(snow_ctx_t *cx);
SNOW_API void *snow_http_route(snow_ctx_t *cx, void *r, snow_string_t *pattern,
                               snow_record_t *handler);
SNOW_API void *snow_http_on_get(snow_ctx_t *cx, void *r, snow_string_t *pattern,
                                snow_record_t *handler);
SNOW_API void *snow_http_on_post(snow_ctx_t *cx, void *r, snow_string_t *pattern,
                                 snow_record_t *handler);
SNOW_API void *snow_http_on_put(snow_ctx_t *cx, void *r, snow_string_t *pattern,
                                snow_record_t *handler);
SNOW_API void *snow_http_on_delete(snow_ctx_t *cx, void *r, snow_string_t *pattern,
                                   snow_record_t *handler);
/* middleware: Fun(Request, Fun(Request) -> Response) -> Response. */
SNOW_API void *snow_http_use(snow_ctx_t *cx, void *r, snow_record_t *middleware);
/* Serves until SIGTERM/SIGINT; on a bind failure prints the services.md 1.8
 * line and returns. */
SNOW_API snow_unit_t snow_http_serve(snow_ctx_t *cx, void *r, int64_t port);
SNOW_API snow_unit_t snow_http_serve_tls(snow_ctx_t *cx, void *r, int64_t port,
                                         snow_string_t *cert_path, snow_string_t *key_path);
SNOW_API void *snow_http_response(snow_ctx_t *cx, int64_t status, snow_string_t *body);
SNOW_API snow_string_t *snow_request_method(snow_ctx_t *cx, void *req);
SNOW_API snow_string_t *snow_request_path(snow_ctx_t *cx, void *req);
SNOW_API snow_string_t *snow_request_body(snow_ctx_t *cx, void *req);
/* Option<String> (D84: header names compare ASCII case-insensitively). */
SNOW_API snow_record_t *snow_request_header(snow_ctx_t *cx, void *req, snow_string_t *name);
SNOW_API snow_record_t *snow_request_query(snow_ctx_t *cx, void *req, snow_string_t *name);
SNOW_API snow_record_t *snow_request_param(snow_ctx_t *cx, void *req, snow_string_t *name);
/* HTTP.get(url) / HTTP.post(url, body): Result<String, String> (services.md
 * 1.11, D91). Blocks only the calling process (or, outside the scheduler,
 * the calling thread). */
SNOW_API snow_record_t *snow_http_get(snow_ctx_t *cx, snow_string_t *url);
SNOW_API snow_record_t *snow_http_post(snow_ctx_t *cx, snow_string_t *url, snow_string_t *body);

/* }====== */

/* {====== SQLite (db/, services.md 4, D111, D119-D124)
 *
 * A SqliteConn is an opaque handle (`void *` in emitted code): a heap record
 * of the calling process that refers to the shared connection, so it can be
 * sent to other processes. Results are Result records: Ok(SqliteConn),
 * Ok(Int), Ok(List<Map<String, String>>), Ok(()), or Err(String). */
SNOW_API snow_record_t *snow_sqlite_open(snow_ctx_t *cx, snow_string_t *path);
SNOW_API void snow_sqlite_close(snow_ctx_t *cx, void *conn);
SNOW_API snow_record_t *snow_sqlite_execute(snow_ctx_t *cx, void *conn, snow_string_t *sql,
                                            snow_list_t *params);
SNOW_API snow_record_t *snow_sqlite_query(snow_ctx_t *cx, void *conn, snow_string_t *sql,
                                          snow_list_t *params);
SNOW_API snow_record_t *snow_sqlite_begin(snow_ctx_t *cx, void *conn);
SNOW_API snow_record_t *snow_sqlite_commit(snow_ctx_t *cx, void *conn);
SNOW_API snow_record_t *snow_sqlite_rollback(snow_ctx_t *cx, void *conn);

/* }====== */

/* {====== Processes (language.md 8; stdlib 18-23; sched/snow_proc.c)
 *
 * A program that uses any of these runs on the scheduler: its emitted C
 * main is `return snow_rt_main_procs(argc, argv, snow_main_);`, which runs
 * main as the first process and returns when no process can run any more
 * (8.9, D27). Pids are Int-represented words (0 is the null pid, D66).
 * Whatever crosses to another process (spawn's closure, messages, service
 * arguments, state and replies, job closures and results) is deep-copied
 * once into memory the receiver adopts; is_ptr says whether the word is a
 * heap pointer. Spawning, jobs and supervisors take closures of cx's heap,
 * which are copied too. Every function here is for the current process. */

SNOW_API int snow_rt_main_procs(int argc, char **argv, snow_main_cb main_fn);

/* spawn(...): runs the closure f (Fun() -> any; its result is dropped) in
 * a new process on this worker and returns its pid. */
SNOW_API int64_t snow_proc_spawn(snow_ctx_t *cx, snow_record_t *f);
/* The same for a closure the compiler proved never waits on I/O (and so
 * never leaves pointers into its stack behind while suspended): the process
 * may take turns with others on a shared stack (sched/share.h). */
SNOW_API int64_t snow_proc_spawn_shared(snow_ctx_t *cx, snow_record_t *f);
/* self() (the main process has a pid too). */
SNOW_API int64_t snow_proc_self(snow_ctx_t *cx);
/* send(pid, msg): a send to a dead or null pid does nothing (8.2). */
SNOW_API void snow_proc_send(snow_ctx_t *cx, int64_t pid, snow_word_t msg, bool is_ptr);
/* receive: waits up to timeout_ms (< 0: no limit; 0: polls) for the oldest
 * user message, or with `system` also the oldest Down/Exit notification
 * (D63). Returns 0 on timeout, 1 for a user message, 2 for a SystemMsg;
 * the value (adopted into cx's heap) is then read once with
 * snow_proc_received. */
SNOW_API int64_t snow_proc_receive(snow_ctx_t *cx, int64_t timeout_ms, bool system);
SNOW_API snow_word_t snow_proc_received(snow_ctx_t *cx);
/* link(pid) (8.5, D64). */
SNOW_API void snow_proc_link(snow_ctx_t *cx, int64_t pid);
/* terminate do ... end (8.4, D24): f (Fun() -> ()) runs when the process
 * ends normally or by a panic, before links and monitors are told; a later
 * call replaces it. f must stay reachable from the process's stack. */
SNOW_API void snow_proc_on_terminate(snow_ctx_t *cx, snow_record_t *f);

/* Process (stdlib 19), Timer (20). */
SNOW_API int64_t snow_process_monitor(snow_ctx_t *cx, int64_t pid);
SNOW_API int64_t snow_process_demonitor(snow_ctx_t *cx, int64_t ref);
SNOW_API void snow_process_trap_exit(snow_ctx_t *cx, bool on);
SNOW_API int64_t snow_process_register(snow_ctx_t *cx, snow_string_t *name, int64_t pid);
SNOW_API int64_t snow_process_whereis(snow_ctx_t *cx, snow_string_t *name);
SNOW_API void snow_timer_sleep(snow_ctx_t *cx, int64_t ms);
SNOW_API void snow_timer_send_after(snow_ctx_t *cx, int64_t pid, int64_t ms, snow_word_t msg,
                                    bool is_ptr);

/* Job (stdlib 21, D71-D73). f is a Fun() -> T closure; await returns
 * Result<T, String> (timeout_ms < 0: Job.await; otherwise
 * Job.await_timeout, where ms <= 0 only looks). map returns a List whose
 * element descriptor is result_type (Result<B, String>). */
SNOW_API int64_t snow_job_async(snow_ctx_t *cx, snow_record_t *f, bool result_is_ptr);
SNOW_API snow_record_t *snow_job_await(snow_ctx_t *cx, int64_t job, int64_t timeout_ms,
                                       bool result_is_ptr);
SNOW_API snow_list_t *snow_job_map(snow_ctx_t *cx, snow_list_t *xs, snow_record_t *f,
                                   bool elem_is_ptr, bool result_is_ptr,
                                   const snow_type_t *result_type);

/* Services (language.md 4.8, 8.6; D74-D78). dispatch is a closure
 * Fun(op :: Int, state, args) -> word made by the compiler for the service:
 * for a call handler it returns the (new_state, reply) tuple, for a cast
 * the new state. args is the handler's single argument, or a tuple of
 * them, or 0. A call to a service that is not alive (or dies before
 * replying) panics `service call: process is not alive` (D77). */
SNOW_API int64_t snow_service_start(snow_ctx_t *cx, snow_record_t *dispatch, snow_word_t state,
                                    bool state_is_ptr);
SNOW_API snow_word_t snow_service_call(snow_ctx_t *cx, int64_t pid, int64_t op, snow_word_t args,
                                       bool args_is_ptr);
SNOW_API void snow_service_cast(snow_ctx_t *cx, int64_t pid, int64_t op, snow_word_t args,
                                bool args_is_ptr);

/* Supervisors (language.md 4.9, 8.7; stdlib 23; D79-D83). children is a
 * List of (name :: String, start :: Fun() -> Pid, restart :: Int,
 * shutdown_ms :: Int) tuples in declaration order; strategy and restart
 * use stdlib 23.1's order (one_for_one = 0 ...; permanent = 0 ...);
 * shutdown_ms 0 means brutal_kill. Returns the supervisor's pid. */
SNOW_API int64_t snow_sup_start(snow_ctx_t *cx, snow_string_t *name, int64_t strategy,
                                int64_t max_restarts, int64_t max_seconds, snow_list_t *children);

/* }====== */

#ifdef __cplusplus
}
#endif

#endif
