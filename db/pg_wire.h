/* pg_wire.h: framing of PostgreSQL frontend/backend protocol v3 messages
 * (PostgreSQL docs, "Message Formats"). A message is a type byte (none for
 * the startup packet), a big-endian int32 length that counts itself, and a
 * body. The writer appends into a caller-owned buffer with a fixed
 * capacity; the reader splits received bytes into messages without copying.
 */
#ifndef SNOW_DB_PG_WIRE_H
#define SNOW_DB_PG_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    DB_PG_PARTIAL = -2,   /* need more bytes */
    DB_PG_MALFORMED = -1, /* a length below 4 or above the limit */
    DB_PG_MESSAGE_MAX = 1 << 30,
};

/* A message writer over buf[0..cap). Overflow is sticky: once a write does
 * not fit, `failed` is set and later writes do nothing, so a caller checks
 * once at the end. */
typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t len;
    size_t _start; /* offset of the message being written */
    bool failed;
} db_pg_writer_t;

void db_pg_writer_init(db_pg_writer_t *w, uint8_t *buf, size_t cap);
/* Starts a message; type 0 starts the untyped startup packet. */
void db_pg_begin(db_pg_writer_t *w, char type);
void db_pg_put_u8(db_pg_writer_t *w, uint8_t v);
void db_pg_put_i16(db_pg_writer_t *w, int16_t v);
void db_pg_put_i32(db_pg_writer_t *w, int32_t v);
void db_pg_put_bytes(db_pg_writer_t *w, const void *bytes, size_t len);
/* Appends the NUL-terminated string s including its NUL. */
void db_pg_put_cstr(db_pg_writer_t *w, const char *s);
/* Patches the current message's length. Returns 0 or -ENOBUFS. */
int db_pg_end(db_pg_writer_t *w);

/* One received backend message: a view into the caller's buffer. */
typedef struct {
    char type;
    const uint8_t *body;
    size_t body_len;
} db_pg_msg_t;

/* Reads one message from in[0..len). Returns the bytes it spans (> 0) and
 * fills msg, or DB_PG_PARTIAL / DB_PG_MALFORMED. */
int db_pg_read(const uint8_t *in, size_t len, db_pg_msg_t *msg);

#endif
