/* msg_flat.h: small message values as plain bytes (issue 7, DESIGN 4).
 *
 * A message whose value is a small tree of strings and records (`Add(5)`,
 * `Item("item-7")`, `(self(), "text", 2)`) travels as bytes inside the
 * message and is rebuilt by the receiver in its own heap, instead of in a
 * fragment heap: a fragment costs at least one heap block (a 4 KiB page
 * once touched) while the message waits and while anything in it lives,
 * which made queued or kept small messages cost ~5 KB each. The encoding
 * is the objects in breadth-first order, each aligned to 8 bytes, with every
 * pointer word of a record replaced by its child's index (children always
 * come after their parent). Shared sub-values are written once per use;
 * values are immutable and identity is not observable (language.md 6.1),
 * and the byte budget bounds the growth. Lists, maps, closures and JSON
 * documents are not flattened (their callers use a fragment). */
#ifndef SNOW_SCHED_MSG_FLAT_H
#define SNOW_SCHED_MSG_FLAT_H

#include <stddef.h>

#include "lang/std/snow.h"

/* Most bytes and objects a flat value may have. */
#define SCHED_FLAT_BYTES_MAX 1024
#define SCHED_FLAT_OBJS_MAX 16

/* The objects of a value that can travel flat, found once and written by
 * sched_flat_write. */
typedef struct sched_flat_plan_t {
    const snow_obj_t *objs[SCHED_FLAT_OBJS_MAX]; /* breadth-first */
    uint32_t count;
    size_t bytes; /* the encoded size */
} sched_flat_plan_t;

/* Plans the encoding of the heap value at word v (a string or record tree
 * within the limits above) into *plan and returns its size, or 0 if v
 * cannot travel flat. */
size_t sched_flat_plan(snow_word_t v, sched_flat_plan_t *plan);

/* Writes the planned encoding (plan->bytes bytes) into buf (8-byte
 * aligned); the value must not have changed since (values are immutable). */
void sched_flat_write(const sched_flat_plan_t *plan, void *buf);

/* Rebuilds the value encoded in buf in cx's heap and returns it (buf is
 * borrowed). The heap does not collect while the objects are linked.
 * Current process. */
snow_word_t sched_flat_read(snow_ctx_t *cx, const void *buf);

#endif
