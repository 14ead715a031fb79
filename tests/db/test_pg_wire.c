/* Tests for db/pg_wire.c: v3 message framing (PostgreSQL "Message Formats"). */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "db/pg_wire.h"

Test(db_pg_wire, startup_packet_has_length_version_and_terminator)
{
    uint8_t buf[64];
    db_pg_writer_t w;
    db_pg_writer_init(&w, buf, sizeof buf);
    db_pg_begin(&w, 0);
    db_pg_put_i32(&w, 196608); /* protocol 3.0 */
    db_pg_put_cstr(&w, "user");
    db_pg_put_cstr(&w, "snow");
    db_pg_put_u8(&w, 0);
    cr_assert_eq(db_pg_end(&w), 0);
    const uint8_t expect[] = {0, 0, 0, 19, 0, 3, 0, 0, 'u', 's', 'e', 'r', 0, 's', 'n', 'o', 'w', 0, 0};
    cr_assert_eq(w.len, sizeof expect);
    cr_assert_arr_eq(buf, expect, sizeof expect);
}

Test(db_pg_wire, typed_message_round_trips_through_the_reader)
{
    uint8_t buf[64];
    db_pg_writer_t w;
    db_pg_writer_init(&w, buf, sizeof buf);
    db_pg_begin(&w, 'Q');
    db_pg_put_cstr(&w, "SELECT 1");
    cr_assert_eq(db_pg_end(&w), 0);
    db_pg_msg_t msg;
    cr_assert_eq(db_pg_read(buf, w.len, &msg), (int)w.len);
    cr_assert_eq(msg.type, 'Q');
    cr_assert_eq(msg.body_len, 9);
    cr_assert_eq(memcmp(msg.body, "SELECT 1", 9), 0);
    for (size_t k = 0; k < w.len; k++)
        cr_assert_eq(db_pg_read(buf, k, &msg), DB_PG_PARTIAL, "prefix %zu", k);
}

Test(db_pg_wire, overflow_is_reported_once_at_the_end)
{
    uint8_t buf[8];
    db_pg_writer_t w;
    db_pg_writer_init(&w, buf, sizeof buf);
    db_pg_begin(&w, 'Q');
    db_pg_put_cstr(&w, "SELECT 1");
    db_pg_put_i32(&w, 7);
    cr_assert(w.failed);
    cr_assert_eq(db_pg_end(&w), -ENOBUFS);
}

Test(db_pg_wire, rejects_impossible_lengths)
{
    const uint8_t short_len[] = {'Z', 0, 0, 0, 3};
    const uint8_t huge_len[] = {'D', 0x7f, 0xff, 0xff, 0xff};
    db_pg_msg_t msg;
    cr_assert_eq(db_pg_read(short_len, sizeof short_len, &msg), DB_PG_MALFORMED);
    cr_assert_eq(db_pg_read(huge_len, sizeof huge_len, &msg), DB_PG_MALFORMED);
}
