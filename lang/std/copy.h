/* copy.h: deep copy of a value graph from one heap into another, for
 * message passing (DESIGN 4: a message is copied once into memory the
 * receiver adopts).
 *
 * The copy is driven by object headers alone (no descriptors): strings,
 * records by ptrmask, lists with their storage (only the viewed elements).
 * Objects outside the source heap (static literals, nullary variants,
 * top-level closures) are shared, not copied. Shared sub-values are copied
 * once (a forwarding table), so the copy is linear in the size of the
 * graph, and the work list is explicit, so deep structures do not recurse.
 * A string in its own large mapping (over STD_HEAP_SMALL_MAX bytes with its
 * header) is not copied: dst gets a reference to the same mapping
 * (std_heap_share), the copy's pointer equals the source's, and the bytes
 * live until the last heap referring to them drops them (strings are
 * immutable). The destination never collects during the copy. Runs on the
 * thread that owns dst and src (sharing a string the first time changes
 * src's bookkeeping); src must not change meanwhile. */
#ifndef SNOW_LANG_STD_COPY_H
#define SNOW_LANG_STD_COPY_H

#include <stdbool.h>

#include "lang/std/heap.h"
#include "lang/std/snow.h"

/* Returns the copy of w (a heap pointer of src when is_ptr, otherwise
 * returned unchanged) allocated in dst. Borrows both heaps. */
snow_word_t std_copy_value(std_heap_t *dst, std_heap_t *src, snow_word_t w, bool is_ptr);

#endif
