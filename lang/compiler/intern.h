/* intern.h: interned identifiers.
 *
 * Every name in the compiler is a sym_t: a pointer to a NUL-terminated,
 * immutable copy of the name owned by the interner. Two names are equal iff
 * their pointers are equal, so symbol tables compare and hash pointers.
 */
#ifndef SNOW_LANG_COMPILER_INTERN_H
#define SNOW_LANG_COMPILER_INTERN_H

#include <stddef.h>

typedef const char *sym_t;

typedef struct interner_t interner_t;

/* Returns owned; free with interner_free. */
interner_t *interner_new(void);
void interner_free(interner_t *in);

/* Returns the unique symbol for text[0..len). text is borrowed. */
sym_t intern(interner_t *in, const char *text, size_t len);

/* Same for a NUL-terminated string. */
sym_t intern_cstr(interner_t *in, const char *text);

#endif
