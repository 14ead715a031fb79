/* map.h: internals of Map, Set and Queue shared with formatting, equality,
 * hashing and JSON.
 *
 * A map is a record of kind SNOW_OBJ_MAP: its lineage cell (key and value
 * descriptors, in-place ownership), a hash trie (key -> value, entry
 * number) and a persistent vector of entries in insertion order, where
 * deleted entries stay as dead slots until the map is compacted (when more
 * than half of the slots are dead). See docs/runtime-values.md 5. */
#ifndef SNOW_LANG_STD_MAP_H
#define SNOW_LANG_STD_MAP_H

#include <stdbool.h>
#include <stdint.h>

#include "lang/std/snow.h"

/* Iteration in insertion order without a context (see snow_map_next). */
int64_t std_map_next(const snow_map_t *m, int64_t pos, snow_word_t *k, snow_word_t *v);

/* Looks k up; on success stores its value in *v and returns true. */
bool std_map_lookup(snow_ctx_t *cx, const snow_map_t *m, snow_word_t k, snow_word_t *v);

/* Key and value descriptors of m. */
const snow_type_t *std_map_key_type(const snow_map_t *m);
const snow_type_t *std_map_value_type(const snow_map_t *m);

#endif
