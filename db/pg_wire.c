/* pg_wire.c: PostgreSQL v3 message framing. */
#include "db/pg_wire.h"

#include <errno.h>
#include <string.h>

void db_pg_writer_init(db_pg_writer_t *w, uint8_t *buf, size_t cap)
{
    *w = (db_pg_writer_t){.buf = buf, .cap = cap};
}

static void put(db_pg_writer_t *w, const void *bytes, size_t len)
{
    if (w->failed || len > w->cap - w->len) {
        w->failed = true;
        return;
    }
    memcpy(w->buf + w->len, bytes, len);
    w->len += len;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

void db_pg_begin(db_pg_writer_t *w, char type)
{
    if (type)
        put(w, &type, 1);
    w->_start = w->len;
    static const uint8_t zero_len[4];
    put(w, zero_len, 4); /* patched by db_pg_end */
}

void db_pg_put_u8(db_pg_writer_t *w, uint8_t v)
{
    put(w, &v, 1);
}

void db_pg_put_i16(db_pg_writer_t *w, int16_t v)
{
    uint8_t b[2] = {(uint8_t)((uint16_t)v >> 8), (uint8_t)v};
    put(w, b, 2);
}

void db_pg_put_i32(db_pg_writer_t *w, int32_t v)
{
    uint8_t b[4];
    put_be32(b, (uint32_t)v);
    put(w, b, 4);
}

void db_pg_put_bytes(db_pg_writer_t *w, const void *bytes, size_t len)
{
    put(w, bytes, len);
}

void db_pg_put_cstr(db_pg_writer_t *w, const char *s)
{
    put(w, s, strlen(s) + 1);
}

int db_pg_end(db_pg_writer_t *w)
{
    if (w->failed)
        return -ENOBUFS;
    put_be32(w->buf + w->_start, (uint32_t)(w->len - w->_start));
    return 0;
}

int db_pg_read(const uint8_t *in, size_t len, db_pg_msg_t *msg)
{
    if (len < 5)
        return DB_PG_PARTIAL;
    uint32_t n = (uint32_t)in[1] << 24 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 8 | in[4];
    if (n < 4 || n > DB_PG_MESSAGE_MAX)
        return DB_PG_MALFORMED;
    if (len - 1 < n)
        return DB_PG_PARTIAL;
    msg->type = (char)in[0];
    msg->body = in + 5;
    msg->body_len = n - 4;
    return (int)n + 1;
}
