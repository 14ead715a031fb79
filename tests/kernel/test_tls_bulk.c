/* Bulk transfer through kernel/tls_stream (issue 6): 100 MiB from our client
 * to our server over loopback TCP on one real io_uring, with a SHA-256 of
 * the plaintext taken on both ends (kernel/crypto). Prints the throughput. */
#include <criterion/criterion.h>
#include <criterion/logging.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "kernel/alloc.h"
#include "kernel/crypto.h"
#include "kernel/ring.h"
#include "kernel/timer.h"
#include "kernel/tls.h"
#include "kernel/tls_stream.h"
#include "test_tls_util.h"

#define CHUNK_LEN (1u << 20)
#define CHUNK_COUNT 100u

static kern_ring_t ring;

static void setup(void) { tls_test_ring_setup(&ring); }

static void teardown(void) { tls_test_ring_teardown(&ring); }

TestSuite(kernel_tls_bulk, .init = setup, .fini = teardown, .timeout = 60);

typedef struct end_t {
    kern_tls_ctx_t *ctx;
    kern_tls_conn_t *conn;
    kern_tls_stream_t stream;
    int fd;
    kern_sha256_t sha;
    uint8_t digest[KERN_SHA256_LEN];
    uint8_t *buf;
    size_t bytes;    /* plaintext written or read so far */
    uint32_t chunks; /* client: chunks written */
    uint64_t rng;    /* client: xorshift state for the payload */
    int failure;
    bool finished;
} end_t;

/* Fills the chunk with xorshift64 output, so corruption anywhere shows. */
static void fill_chunk(end_t *e)
{
    uint64_t x = e->rng;
    for (size_t i = 0; i < CHUNK_LEN; i += 8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        memcpy(e->buf + i, &x, 8);
    }
    e->rng = x;
}

static void fail(end_t *e, int res)
{
    e->failure = res;
    e->finished = true;
}

static void client_on_closed(kern_tls_stream_t *s, int res)
{
    end_t *e = s->data;
    if (res < 0)
        return fail(e, res);
    e->finished = true;
}

static void client_on_written(kern_tls_stream_t *s, int res)
{
    end_t *e = s->data;
    if (res < 0)
        return fail(e, res);
    cr_assert_eq(res, (int)CHUNK_LEN);
    e->bytes += (size_t)res;
    if (++e->chunks == CHUNK_COUNT) {
        kern_sha256_final(&e->sha, e->digest);
        cr_assert_eq(kern_tls_stream_shutdown(s, 10000000000, client_on_closed), 0);
        return;
    }
    fill_chunk(e);
    kern_sha256_update(&e->sha, e->buf, CHUNK_LEN);
    cr_assert_eq(kern_tls_stream_write(s, e->buf, CHUNK_LEN, client_on_written), 0);
}

static void server_on_closed(kern_tls_stream_t *s, int res)
{
    end_t *e = s->data;
    if (res < 0)
        return fail(e, res);
    e->finished = true;
}

static void server_on_read(kern_tls_stream_t *s, int res)
{
    end_t *e = s->data;
    if (res < 0)
        return fail(e, res);
    if (res == 0) { /* the client's close_notify: answer it */
        kern_sha256_final(&e->sha, e->digest);
        cr_assert_eq(kern_tls_stream_shutdown(s, 10000000000, server_on_closed), 0);
        return;
    }
    kern_sha256_update(&e->sha, e->buf, (size_t)res);
    e->bytes += (size_t)res;
    cr_assert_eq(kern_tls_stream_read(s, e->buf, CHUNK_LEN, server_on_read), 0);
}

static void end_open(end_t *e, const kern_tls_config_t *cfg, const char *name, int fd)
{
    memset(e, 0, sizeof *e);
    cr_assert_eq(kern_tls_ctx_new(cfg, &e->ctx), 0);
    cr_assert_eq(kern_tls_conn_new(e->ctx, name, &e->conn), 0);
    e->fd = fd;
    e->buf = kern_alloc(CHUNK_LEN);
    kern_tls_stream_init(&e->stream, &ring, fd, e->conn);
    e->stream.data = e;
    kern_sha256_init(&e->sha);
}

static void end_close(end_t *e)
{
    kern_tls_stream_destroy(&e->stream);
    tls_test_ring_close(&ring, e->fd);
    kern_tls_conn_free(e->conn);
    kern_tls_ctx_free(e->ctx);
    kern_free(e->buf);
}

static void transfer(kern_tls_version_t version)
{
    uint16_t port;
    int lfd = tls_test_ring_listen(&port);
    int cfd, sfd;
    tls_test_ring_connect_pair(&ring, lfd, port, &cfd, &sfd);
    close(lfd);
    kern_tls_config_t scfg = tls_test_server_cfg("server.pem", "server.key");
    kern_tls_config_t ccfg = tls_test_client_cfg();
    ccfg.version_max = version;
    static end_t client, server;
    end_open(&server, &scfg, NULL, sfd);
    end_open(&client, &ccfg, "localhost", cfd);
    client.rng = 0x9e3779b97f4a7c15ull;

    uint64_t start = kern_timer_now_ns();
    cr_assert_eq(kern_tls_stream_read(&server.stream, server.buf, CHUNK_LEN, server_on_read), 0);
    fill_chunk(&client);
    kern_sha256_update(&client.sha, client.buf, CHUNK_LEN);
    cr_assert_eq(kern_tls_stream_write(&client.stream, client.buf, CHUNK_LEN, client_on_written),
                 0);
    bool both = false;
    uint64_t deadline = start + 100000000000ull;
    while (!both) {
        cr_assert_lt(kern_timer_now_ns(), deadline, "transfer stalled at %zu bytes", server.bytes);
        cr_assert_geq(kern_ring_run(&ring, 100000000), 0);
        both = client.finished && server.finished;
    }
    double secs = (double)(kern_timer_now_ns() - start) / 1e9;
    cr_log_info("100 MiB through TLS 1.%d in %.2f s: %.0f MiB/s", version == KERN_TLS_1_2 ? 2 : 3,
                secs, CHUNK_COUNT / secs);
    fprintf(stderr, "100 MiB through TLS 1.%d (%s) in %.2f s: %.0f MiB/s\n",
            version == KERN_TLS_1_2 ? 2 : 3, kern_tls_cipher(client.conn), secs,
            CHUNK_COUNT / secs);
    cr_assert_eq(client.failure, 0, "client: %d %s", client.failure,
                 kern_tls_conn_error(client.conn));
    cr_assert_eq(server.failure, 0, "server: %d %s", server.failure,
                 kern_tls_conn_error(server.conn));
    cr_assert_eq(client.bytes, (size_t)CHUNK_COUNT * CHUNK_LEN);
    cr_assert_eq(server.bytes, (size_t)CHUNK_COUNT * CHUNK_LEN);
    cr_assert(kern_ct_equal(client.digest, server.digest, KERN_SHA256_LEN), "checksums differ");
    end_close(&client);
    end_close(&server);
}

Test(kernel_tls_bulk, hundred_mib_arrive_intact_over_tls13) { transfer(KERN_TLS_1_3); }
