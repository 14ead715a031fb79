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

/* Returns the encoded size of the heap value at word v (a string or record
 * tree within the limits above), or 0 if v cannot travel flat. */
size_t sched_flat_size(snow_word_t v);

/* Writes v's encoding (sched_flat_size(v) bytes, > 0) into buf (8-byte
 * aligned, borrowed). */
void sched_flat_write(snow_word_t v, void *buf);

/* Rebuilds the value encoded in buf in cx's heap and returns it (buf is
 * borrowed). The heap does not collect while the objects are linked.
 * Current process. */
snow_word_t sched_flat_read(snow_ctx_t *cx, const void *buf);

#endif
