/* Tests for the TLS engine, kernel/tls (issue 6): our client against our
 * server through in-memory queues, so every byte that crosses is one the
 * engine put in its outbound queue. Certificates: tests/kernel/data. Every
 * test checks that no kern_alloc block and no descriptor leaked. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/certgen.h"
#include "kernel/tls.h"
#include "test_tls_util.h"

TestSuite(kernel_tls, .init = tls_test_leak_begin, .fini = tls_test_leak_end, .timeout = 60);

typedef struct pair_t {
    kern_tls_ctx_t *server_ctx;
    kern_tls_ctx_t *client_ctx;
    kern_tls_conn_t *server;
    kern_tls_conn_t *client;
    int client_rc;
    int server_rc;
} pair_t;

static void pair_open(pair_t *p, const kern_tls_config_t *server_cfg,
                      const kern_tls_config_t *client_cfg, const char *server_name)
{
    memset(p, 0, sizeof *p);
    cr_assert_eq(kern_tls_ctx_new(server_cfg, &p->server_ctx), 0);
    cr_assert_eq(kern_tls_ctx_new(client_cfg, &p->client_ctx), 0);
    cr_assert_eq(kern_tls_conn_new(p->server_ctx, NULL, &p->server), 0);
    cr_assert_eq(kern_tls_conn_new(p->client_ctx, server_name, &p->client), 0);
}

static void pair_handshake(pair_t *p)
{
    tls_test_handshake_pair(p->client, p->server, &p->client_rc, &p->server_rc);
}

static void pair_close(pair_t *p)
{
    kern_tls_conn_free(p->client);
    kern_tls_conn_free(p->server);
    kern_tls_ctx_free(p->client_ctx);
    kern_tls_ctx_free(p->server_ctx);
}

/* Sends msg from one side to the other and checks it arrives whole. */
static void send_and_check(kern_tls_conn_t *from, kern_tls_conn_t *to, const char *msg)
{
    size_t len = strlen(msg);
    cr_assert_eq(kern_tls_write(from, msg, len), (int)len);
    tls_test_pump(from, to);
    char buf[256] = {0};
    cr_assert_eq(kern_tls_read(to, buf, sizeof buf), (int)len);
    cr_assert_str_eq(buf, msg);
}

/* The full clean close of RFC 8446 6.1, client first. */
static void close_cleanly(pair_t *p)
{
    cr_assert_eq(kern_tls_shutdown(p->client), -EAGAIN);
    tls_test_pump(p->client, p->server);
    char buf[16];
    cr_assert_eq(kern_tls_read(p->server, buf, sizeof buf), 0, "close_notify is end of stream");
    cr_assert_eq(kern_tls_shutdown(p->server), 0);
    tls_test_pump(p->server, p->client);
    int rc = kern_tls_shutdown(p->client);
    cr_assert_eq(rc, 0, "client shutdown: %d %s", rc, kern_tls_conn_error(p->client));
    cr_assert_eq(kern_tls_write(p->client, "x", 1), -EPIPE);
}

static void handshake_with_version(kern_tls_version_t version)
{
    kern_tls_config_t scfg = tls_test_server_cfg("server.pem", "server.key");
    kern_tls_config_t ccfg = tls_test_client_cfg();
    ccfg.version_min = ccfg.version_max = version;
    pair_t p;
    pair_open(&p, &scfg, &ccfg, "localhost");
    pair_handshake(&p);
    cr_assert_eq(p.client_rc, 0, "client: %s", kern_tls_conn_error(p.client));
    cr_assert_eq(p.server_rc, 0, "server: %s", kern_tls_conn_error(p.server));
    cr_assert(kern_tls_handshake_done(p.client));
    cr_assert_eq(kern_tls_version(p.client), version);
    cr_assert_eq(kern_tls_version(p.server), version);
    /* ChaCha20 first: no AES-NI in Debian's libwolfssl. */
    const char *want = version == KERN_TLS_1_3 ? "TLS13-CHACHA20-POLY1305-SHA256"
                                               : "ECDHE-ECDSA-CHACHA20-POLY1305";
    cr_assert_str_eq(kern_tls_cipher(p.client), want);
    cr_assert_str_eq(kern_tls_cipher(p.server), want);
    send_and_check(p.client, p.server, "hello from the client");
    send_and_check(p.server, p.client, "hello from the server");
    close_cleanly(&p);
    pair_close(&p);
}

Test(kernel_tls, client_and_server_talk_over_tls13) { handshake_with_version(KERN_TLS_1_3); }

Test(kernel_tls, client_and_server_talk_over_tls12) { handshake_with_version(KERN_TLS_1_2); }

Test(kernel_tls, default_range_negotiates_tls13)
{
    kern_tls_config_t scfg = tls_test_server_cfg("server.pem", "server.key");
    kern_tls_config_t ccfg = tls_test_client_cfg();
    pair_t p;
    pair_open(&p, &scfg, &ccfg, "localhost");
    cr_assert_eq(kern_tls_version(p.client), KERN_TLS_ANY, "no version before the handshake");
    pair_handshake(&p);
    cr_assert_eq(p.client_rc, 0, "client: %s", kern_tls_conn_error(p.client));
    cr_assert_eq(kern_tls_version(p.client), KERN_TLS_1_3);
    pair_close(&p);
}

Test(kernel_tls, server_limited_to_tls12_meets_default_client_at_tls12)
{
    kern_tls_config_t scfg = tls_test_server_cfg("server.pem", "server.key");
    scfg.version_max = KERN_TLS_1_2;
    kern_tls_config_t ccfg = tls_test_client_cfg();
    pair_t p;
    pair_open(&p, &scfg, &ccfg, "localhost");
    pair_handshake(&p);
    cr_assert_eq(p.client_rc, 0, "client: %s", kern_tls_conn_error(p.client));
    cr_assert_eq(kern_tls_version(p.client), KERN_TLS_1_2);
    pair_close(&p);
}

Test(kernel_tls, tls13_only_client_and_tls12_only_server_fail)
{
    kern_tls_config_t scfg = tls_test_server_cfg("server.pem", "server.key");
    scfg.version_max = KERN_TLS_1_2;
    kern_tls_config_t ccfg = tls_test_client_cfg();
    ccfg.version_min = KERN_TLS_1_3;
    pair_t p;
    pair_open(&p, &scfg, &ccfg, "localhost");
    pair_handshake(&p);
    cr_assert(p.client_rc < 0 && p.client_rc != -EAGAIN);
    cr_assert(p.server_rc < 0 && p.server_rc != -EAGAIN);
    pair_close(&p);
}

/* ---- Certificate verification ---- */

static void expect_rejected(const char *cert, const char *key, const char *name,
                            const char *wolf_code)
{
    kern_tls_config_t scfg = tls_test_server_cfg(cert, key);
    kern_tls_config_t ccfg = tls_test_client_cfg();
    pair_t p;
    pair_open(&p, &scfg, &ccfg, name);
    pair_handshake(&p);
    cr_assert_eq(p.client_rc, -EKEYREJECTED, "client got %d (%s)", p.client_rc,
                 kern_tls_conn_error(p.client));
    cr_assert(strstr(kern_tls_conn_error(p.client), wolf_code), "detail: %s",
              kern_tls_conn_error(p.client));
    /* The client's alert tells the server why it was dropped. */
    cr_assert_eq(p.server_rc, -ECONNABORTED, "server got %d (%s)", p.server_rc,
                 kern_tls_conn_error(p.server));
    /* Failures are sticky. */
    char buf[8];
    cr_assert_eq(kern_tls_read(p.client, buf, sizeof buf), -EKEYREJECTED);
    cr_assert_eq(kern_tls_write(p.client, "x", 1), -EKEYREJECTED);
    pair_close(&p);
}

Test(kernel_tls, unknown_ca_is_rejected)
{
    expect_rejected("foreign.pem", "foreign.key", "localhost", "-188");
}

Test(kernel_tls, self_signed_certificate_is_rejected)
{
    expect_rejected("selfsigned.pem", "selfsigned.key", "localhost", "-275");
}

Test(kernel_tls, wrong_host_name_is_rejected)
{
    expect_rejected("wronghost.pem", "wronghost.key", "localhost", "-322");
}

Test(kernel_tls, name_not_in_certificate_is_rejected)
{
    /* server.pem is valid for localhost and a.test, not for b.test. */
    expect_rejected("server.pem", "server.key", "b.test", "-322");
}

Test(kernel_tls, expired_certificate_is_rejected)
{
    expect_rejected("expired.pem", "expired.key", "localhost", "-151");
}

Test(kernel_tls, verify_none_accepts_self_signed)
{
    kern_tls_config_t scfg = tls_test_server_cfg("selfsigned.pem", "selfsigned.key");
    kern_tls_config_t ccfg = {.role = KERN_TLS_CLIENT, .verify_none = true};
    pair_t p;
    pair_open(&p, &scfg, &ccfg, "some.other.name");
    pair_handshake(&p);
    cr_assert_eq(p.client_rc, 0, "client: %s", kern_tls_conn_error(p.client));
    cr_assert_eq(p.server_rc, 0);
    send_and_check(p.client, p.server, "ping");
    pair_close(&p);
}

Test(kernel_tls, skip_host_check_still_verifies_the_chain)
{
    /* verify-ca: a wrong name passes, an unknown CA still does not. */
    kern_tls_config_t ccfg = tls_test_client_cfg();
    ccfg.skip_host_check = true;
    kern_tls_config_t scfg = tls_test_server_cfg("wronghost.pem", "wronghost.key");
    pair_t p;
    pair_open(&p, &scfg, &ccfg, "localhost");
    pair_handshake(&p);
    cr_assert_eq(p.client_rc, 0, "client: %s", kern_tls_conn_error(p.client));
    pair_close(&p);
    scfg = tls_test_server_cfg("foreign.pem", "foreign.key");
    pair_open(&p, &scfg, &ccfg, "localhost");
    pair_handshake(&p);
    cr_assert_eq(p.client_rc, -EKEYREJECTED, "client: %s", kern_tls_conn_error(p.client));
    pair_close(&p);
}

Test(kernel_tls, default_trust_is_the_system_bundle)
{
    /* The system bundle loads, and our test CA is not in it. */
    kern_tls_config_t scfg = tls_test_server_cfg("server.pem", "server.key");
    kern_tls_config_t ccfg = {.role = KERN_TLS_CLIENT};
    pair_t p;
    pair_open(&p, &scfg, &ccfg, "localhost");
    pair_handshake(&p);
    cr_assert_eq(p.client_rc, -EKEYREJECTED, "client: %s", kern_tls_conn_error(p.client));
    pair_close(&p);
}

Test(kernel_tls, trust_from_pem_buffer)
{
    size_t len;
    char *ca = tls_test_slurp(tls_test_data("ca.pem"), &len);
    kern_tls_config_t scfg = tls_test_server_cfg("server.pem", "server.key");
    kern_tls_config_t ccfg = {.role = KERN_TLS_CLIENT, .ca_pem = ca, .ca_pem_len = len};
    pair_t p;
    pair_open(&p, &scfg, &ccfg, "a.test");
    free(ca); /* the context copied it */
    pair_handshake(&p);
    cr_assert_eq(p.client_rc, 0, "client: %s", kern_tls_conn_error(p.client));
    pair_close(&p);
}

/* ---- SNI and ALPN ---- */

static void sni_picks_identity(kern_tls_version_t version)
{
    kern_tls_config_t scfg = tls_test_server_cfg("server.pem", "server.key");
    scfg.version_max = version;
    kern_tls_config_t b = tls_test_server_cfg("sni-b.pem", "sni-b.key");
    kern_tls_config_t ccfg = tls_test_client_cfg();
    pair_t p;
    pair_open(&p, &scfg, &ccfg, "B.test");
    cr_assert_eq(kern_tls_ctx_add_sni(p.server_ctx, "b.test", &b), 0);
    pair_handshake(&p);
    /* Only sni-b.pem is valid for b.test, so success proves the switch. */
    cr_assert_eq(p.client_rc, 0, "client: %s", kern_tls_conn_error(p.client));
    cr_assert_eq(p.server_rc, 0, "server: %s", kern_tls_conn_error(p.server));
    cr_assert_str_eq(kern_tls_sni(p.server), "B.test");
    send_and_check(p.client, p.server, "via b");
    close_cleanly(&p);
    kern_tls_conn_free(p.client);
    kern_tls_conn_free(p.server);

    /* Same server, default name: the default identity. */
    cr_assert_eq(kern_tls_conn_new(p.server_ctx, NULL, &p.server), 0);
    cr_assert_eq(kern_tls_conn_new(p.client_ctx, "localhost", &p.client), 0);
    pair_handshake(&p);
    cr_assert_eq(p.client_rc, 0, "client: %s", kern_tls_conn_error(p.client));
    cr_assert_str_eq(kern_tls_sni(p.server), "localhost");
    pair_close(&p);
}

Test(kernel_tls, sni_selects_the_matching_identity_tls13) { sni_picks_identity(KERN_TLS_1_3); }

Test(kernel_tls, sni_selects_the_matching_identity_tls12) { sni_picks_identity(KERN_TLS_1_2); }

Test(kernel_tls, alpn_agrees_on_the_common_protocol)
{
    kern_tls_config_t scfg = tls_test_server_cfg("server.pem", "server.key");
    scfg.alpn = "h2,http/1.1";
    kern_tls_config_t ccfg = tls_test_client_cfg();
    ccfg.alpn = "snow/1,http/1.1";
    pair_t p;
    pair_open(&p, &scfg, &ccfg, "localhost");
    pair_handshake(&p);
    cr_assert_eq(p.client_rc, 0, "client: %s", kern_tls_conn_error(p.client));
    const char *name;
    size_t len;
    cr_assert_eq(kern_tls_alpn(p.client, &name, &len), 0);
    cr_assert_eq(len, 8);
    cr_assert_eq(memcmp(name, "http/1.1", 8), 0);
    cr_assert_eq(kern_tls_alpn(p.server, &name, &len), 0);
    cr_assert_eq(memcmp(name, "http/1.1", 8), 0);
    pair_close(&p);
}

Test(kernel_tls, alpn_mismatch_fails_the_handshake)
{
    kern_tls_config_t scfg = tls_test_server_cfg("server.pem", "server.key");
    scfg.alpn = "h2";
    kern_tls_config_t ccfg = tls_test_client_cfg();
    ccfg.alpn = "snow/1";
    pair_t p;
    pair_open(&p, &scfg, &ccfg, "localhost");
    pair_handshake(&p);
    cr_assert_eq(p.server_rc, -EPROTO, "server: %d %s", p.server_rc, kern_tls_conn_error(p.server));
    cr_assert_eq(p.client_rc, -ECONNABORTED, "client: %d %s", p.client_rc,
                 kern_tls_conn_error(p.client));
    pair_close(&p);
}

Test(kernel_tls, no_alpn_without_lists)
{
    kern_tls_config_t scfg = tls_test_server_cfg("server.pem", "server.key");
    kern_tls_config_t ccfg = tls_test_client_cfg();
    pair_t p;
    pair_open(&p, &scfg, &ccfg, "localhost");
    pair_handshake(&p);
    const char *name;
    size_t len;
    cr_assert_eq(kern_tls_alpn(p.client, &name, &len), -ENOENT);
    pair_close(&p);
}

/* ---- Queues, loans, back-pressure, truncation ---- */

/* Lends one byte at a time from a buffer that is scribbled over right after
 * each engine call, which is when the loan contract lets the caller reuse it. */
static int trickle(kern_tls_conn_t *from, kern_tls_conn_t *to, int (*step)(kern_tls_conn_t *))
{
    const uint8_t *bytes;
    size_t n = kern_tls_pending_out(from, &bytes);
    uint8_t *copy = malloc(n ? n : 1);
    memcpy(copy, bytes, n);
    kern_tls_consume_out(from, n);
    int rc = step(to);
    for (size_t i = 0; i < n; i++) {
        uint8_t one = copy[i];
        cr_assert_eq(kern_tls_feed_borrow(to, &one, 1), 0);
        rc = step(to);
        one = 0xEE; /* the loan ended when step returned */
        cr_assert(rc == 0 || rc == -EAGAIN, "step failed: %s", kern_tls_conn_error(to));
    }
    free(copy);
    return rc;
}

Test(kernel_tls, handshake_survives_one_byte_borrowed_feeds)
{
    kern_tls_config_t scfg = tls_test_server_cfg("server.pem", "server.key");
    kern_tls_config_t ccfg = tls_test_client_cfg();
    pair_t p;
    pair_open(&p, &scfg, &ccfg, "localhost");
    int crc = kern_tls_handshake(p.client), src = -EAGAIN;
    cr_assert_eq(crc, -EAGAIN);
    for (int round = 0; round < 10 && (crc != 0 || src != 0); round++) {
        src = trickle(p.client, p.server, kern_tls_handshake);
        crc = trickle(p.server, p.client, kern_tls_handshake);
    }
    cr_assert_eq(crc, 0);
    cr_assert_eq(src, 0);
    send_and_check(p.client, p.server, "after a slow handshake");
    pair_close(&p);
}

Test(kernel_tls, loan_remainder_is_copied_when_the_call_returns)
{
    kern_tls_config_t scfg = tls_test_server_cfg("server.pem", "server.key");
    kern_tls_config_t ccfg = tls_test_client_cfg();
    pair_t p;
    pair_open(&p, &scfg, &ccfg, "localhost");
    pair_handshake(&p);
    cr_assert_eq(p.client_rc, 0);
    /* Two records lent at once; the first read takes only part of them. */
    cr_assert_eq(kern_tls_write(p.client, "first record", 12), 12);
    cr_assert_eq(kern_tls_write(p.client, "second record", 13), 13);
    const uint8_t *bytes;
    size_t n = kern_tls_pending_out(p.client, &bytes);
    uint8_t *lent = malloc(n);
    memcpy(lent, bytes, n);
    kern_tls_consume_out(p.client, n);
    cr_assert_eq(kern_tls_feed_borrow(p.server, lent, n), 0);
    char buf[64] = {0};
    cr_assert_eq(kern_tls_read(p.server, buf, 5), 5);
    cr_assert_str_eq(buf, "first");
    cr_assert_gt(kern_tls_pending_in(p.server), 0, "the second record stays queued");
    memset(lent, 0, n); /* the caller reuses its buffer */
    free(lent);
    memset(buf, 0, sizeof buf);
    cr_assert_eq(kern_tls_read(p.server, buf, sizeof buf), 7);
    cr_assert_str_eq(buf, " record");
    memset(buf, 0, sizeof buf);
    cr_assert_eq(kern_tls_read(p.server, buf, sizeof buf), 13);
    cr_assert_str_eq(buf, "second record");
    cr_assert_eq(kern_tls_pending_in(p.server), 0);
    cr_assert_eq(kern_tls_read(p.server, buf, sizeof buf), -EAGAIN);
    pair_close(&p);
}

Test(kernel_tls, write_pushes_back_at_the_outbound_limit)
{
    kern_tls_config_t scfg = tls_test_server_cfg("server.pem", "server.key");
    kern_tls_config_t ccfg = tls_test_client_cfg();
    pair_t p;
    pair_open(&p, &scfg, &ccfg, "localhost");
    pair_handshake(&p);
    static uint8_t data[KERN_TLS_WRITE_CHUNK * 2];
    memset(data, 'z', sizeof data);
    int writes = 0, rc;
    while ((rc = kern_tls_write(p.client, data, sizeof data)) > 0) {
        cr_assert_eq(rc, (int)KERN_TLS_WRITE_CHUNK, "one chunk per call");
        writes++;
    }
    cr_assert_eq(rc, -EAGAIN);
    cr_assert_eq(writes, (int)(KERN_TLS_OUT_MAX / KERN_TLS_WRITE_CHUNK));
    size_t out = kern_tls_pending_out(p.client, NULL);
    cr_assert_geq(out, KERN_TLS_OUT_MAX);
    cr_assert_lt(out, KERN_TLS_OUT_MAX + KERN_TLS_WRITE_CHUNK + 4096);
    kern_tls_consume_out(p.client, 1); /* sent, say, one byte: still full */
    cr_assert_eq(kern_tls_write(p.client, data, 1), -EAGAIN);
    pair_close(&p);
}

Test(kernel_tls, feed_refuses_past_the_inbound_limit)
{
    kern_tls_config_t ccfg = tls_test_client_cfg();
    kern_tls_ctx_t *ctx;
    kern_tls_conn_t *conn;
    cr_assert_eq(kern_tls_ctx_new(&ccfg, &ctx), 0);
    cr_assert_eq(kern_tls_conn_new(ctx, "localhost", &conn), 0);
    static uint8_t junk[KERN_TLS_IN_MAX];
    cr_assert_eq(kern_tls_feed(conn, junk, sizeof junk), 0);
    cr_assert_eq(kern_tls_feed(conn, junk, 1), -ENOBUFS);
    cr_assert_eq(kern_tls_pending_in(conn), KERN_TLS_IN_MAX);
    /* Zeros are not a TLS record: the handshake fails cleanly. */
    cr_assert_eq(kern_tls_handshake(conn), -EPROTO, "%s", kern_tls_conn_error(conn));
    kern_tls_conn_free(conn);
    kern_tls_ctx_free(ctx);
}

Test(kernel_tls, eof_without_close_notify_is_a_truncation)
{
    kern_tls_config_t scfg = tls_test_server_cfg("server.pem", "server.key");
    kern_tls_config_t ccfg = tls_test_client_cfg();
    pair_t p;
    pair_open(&p, &scfg, &ccfg, "localhost");
    pair_handshake(&p);
    cr_assert_eq(kern_tls_write(p.server, "partial", 7), 7);
    tls_test_pump(p.server, p.client);
    kern_tls_feed_eof(p.client);
    cr_assert_eq(kern_tls_feed(p.client, "x", 1), -EPIPE);
    char buf[32];
    cr_assert_eq(kern_tls_read(p.client, buf, sizeof buf), 7);
    cr_assert_eq(kern_tls_read(p.client, buf, sizeof buf), -ECONNRESET, "%s",
                 kern_tls_conn_error(p.client));
    pair_close(&p);
}

Test(kernel_tls, shutdown_reports_eof_before_peer_close_notify)
{
    kern_tls_config_t scfg = tls_test_server_cfg("server.pem", "server.key");
    kern_tls_config_t ccfg = tls_test_client_cfg();
    pair_t p;
    pair_open(&p, &scfg, &ccfg, "localhost");
    pair_handshake(&p);
    cr_assert_eq(kern_tls_shutdown(p.client), -EAGAIN);
    kern_tls_feed_eof(p.client);
    int rc = kern_tls_shutdown(p.client);
    cr_assert_eq(rc, -ECONNRESET, "got %d: %s", rc, kern_tls_conn_error(p.client));
    pair_close(&p);
}

Test(kernel_tls, handshake_eof_is_a_reset)
{
    kern_tls_config_t ccfg = tls_test_client_cfg();
    kern_tls_ctx_t *ctx;
    kern_tls_conn_t *conn;
    cr_assert_eq(kern_tls_ctx_new(&ccfg, &ctx), 0);
    cr_assert_eq(kern_tls_conn_new(ctx, "localhost", &conn), 0);
    cr_assert_eq(kern_tls_handshake(conn), -EAGAIN);
    cr_assert_gt(kern_tls_pending_out(conn, NULL), 0, "the ClientHello is queued");
    kern_tls_feed_eof(conn);
    cr_assert_eq(kern_tls_handshake(conn), -ECONNRESET);
    kern_tls_conn_free(conn);
    kern_tls_ctx_free(ctx);
}

/* ---- Context set-up errors ---- */

Test(kernel_tls, ctx_setup_errors_are_reported)
{
    kern_tls_ctx_t *ctx = NULL;
    kern_tls_config_t cfg = tls_test_server_cfg("server.pem", "no-such.key");
    cr_assert_eq(kern_tls_ctx_new(&cfg, &ctx), -ENOENT);
    cfg = tls_test_server_cfg("server.pem", "sni-b.key");
    cr_assert_eq(kern_tls_ctx_new(&cfg, &ctx), -EINVAL, "key does not match");
    cfg = (kern_tls_config_t){.role = KERN_TLS_SERVER};
    cr_assert_eq(kern_tls_ctx_new(&cfg, &ctx), -EINVAL, "server without identity");
    cfg = tls_test_server_cfg("server.pem", "server.key");
    cfg.version_min = KERN_TLS_1_3;
    cfg.version_max = KERN_TLS_1_2;
    cr_assert_eq(kern_tls_ctx_new(&cfg, &ctx), -EINVAL, "empty version range");
    cfg = (kern_tls_config_t){.role = KERN_TLS_CLIENT, .ca_file = "/nonexistent/ca.pem"};
    cr_assert_eq(kern_tls_ctx_new(&cfg, &ctx), -ENOENT);
    cfg = (kern_tls_config_t){.role = KERN_TLS_CLIENT, .ca_pem = "garbage", .ca_pem_len = 7};
    cr_assert_eq(kern_tls_ctx_new(&cfg, &ctx), -EINVAL);
    cr_assert_null(ctx);

    cfg = tls_test_server_cfg("server.pem", "server.key");
    cr_assert_eq(kern_tls_ctx_new(&cfg, &ctx), 0);
    kern_tls_config_t bad = tls_test_server_cfg("sni-b.pem", "server.key");
    cr_assert_eq(kern_tls_ctx_add_sni(ctx, "b.test", &bad), -EINVAL);
    cr_assert_eq(kern_tls_ctx_add_sni(ctx, "", &cfg), -EINVAL);
    for (int i = 0; i < KERN_TLS_SNI_MAX; i++)
        cr_assert_eq(kern_tls_ctx_add_sni(ctx, "x.test", &cfg), 0);
    cr_assert_eq(kern_tls_ctx_add_sni(ctx, "y.test", &cfg), -ENOSPC);
    kern_tls_ctx_free(ctx);
}

Test(kernel_tls, identity_from_pem_buffers)
{
    size_t cert_len, key_len;
    char *cert = tls_test_slurp(tls_test_data("server.pem"), &cert_len);
    char *key = tls_test_slurp(tls_test_data("server.key"), &key_len);
    kern_tls_config_t scfg = {.role = KERN_TLS_SERVER,
                              .cert_pem = cert,
                              .cert_pem_len = cert_len,
                              .key_pem = key,
                              .key_pem_len = key_len};
    kern_tls_config_t ccfg = tls_test_client_cfg();
    pair_t p;
    pair_open(&p, &scfg, &ccfg, "localhost");
    free(cert);
    free(key);
    pair_handshake(&p);
    cr_assert_eq(p.client_rc, 0, "client: %s", kern_tls_conn_error(p.client));
    pair_close(&p);
}

Test(kernel_tls, strerror_names_each_failure)
{
    cr_assert_str_eq(kern_tls_strerror(-EKEYREJECTED), "TLS peer certificate rejected");
    cr_assert_str_eq(kern_tls_strerror(-ECONNRESET), "TLS transport closed without close_notify");
    cr_assert_str_eq(kern_tls_strerror(-EAGAIN), "TLS needs more input or output space");
    cr_assert_str_eq(kern_tls_strerror(-12345), "TLS unknown error");
}

/* ---- Mutual TLS ---- */

static kern_tls_config_t mtls_server_cfg(void)
{
    kern_tls_config_t cfg = tls_test_server_cfg("server.pem", "server.key");
    cfg.require_client_cert = true;
    cfg.ca_file = tls_test_data("ca.pem");
    return cfg;
}

static void mtls_client_with(const char *cert, const char *key, const char *name, int *crc,
                             int *src, int *read_rc)
{
    kern_tls_config_t scfg = mtls_server_cfg();
    kern_tls_config_t b = tls_test_server_cfg("sni-b.pem", "sni-b.key");
    kern_tls_config_t ccfg = tls_test_client_cfg();
    if (cert) {
        ccfg.cert_file = tls_test_data(cert);
        ccfg.key_file = tls_test_data(key);
    }
    pair_t p;
    pair_open(&p, &scfg, &ccfg, name);
    cr_assert_eq(kern_tls_ctx_add_sni(p.server_ctx, "b.test", &b), 0);
    pair_handshake(&p);
    *crc = p.client_rc;
    *src = p.server_rc;
    /* A TLS 1.3 client is done before the server judges its certificate;
     * the verdict arrives with the next read. */
    tls_test_pump(p.server, p.client);
    char buf[8];
    *read_rc = kern_tls_read(p.client, buf, sizeof buf);
    if (*src == 0) {
        uint8_t want[32], got[32];
        size_t len;
        char *pem = tls_test_slurp(tls_test_data(cert), &len);
        cr_assert_eq(kern_certgen_fingerprint(pem, len, want), 0);
        free(pem);
        cr_assert_eq(kern_tls_peer_fingerprint(p.server, got), 0);
        cr_assert_eq(memcmp(want, got, 32), 0, "the server saw our client certificate");
    }
    pair_close(&p);
}

Test(kernel_tls, mutual_tls_accepts_a_client_certificate_from_the_ca)
{
    int crc, src, rrc;
    mtls_client_with("server.pem", "server.key", "localhost", &crc, &src, &rrc);
    cr_assert_eq(crc, 0);
    cr_assert_eq(src, 0);
    cr_assert_eq(rrc, -EAGAIN, "no data, no failure");
    /* The SNI identity asks for the certificate too. */
    mtls_client_with("server.pem", "server.key", "b.test", &crc, &src, &rrc);
    cr_assert_eq(src, 0);
    cr_assert_eq(rrc, -EAGAIN);
}

Test(kernel_tls, mutual_tls_refuses_a_client_without_certificate)
{
    int crc, src, rrc;
    mtls_client_with(NULL, NULL, "localhost", &crc, &src, &rrc);
    cr_assert_eq(src, -EKEYREJECTED);
    cr_assert(crc == -ECONNABORTED || rrc == -ECONNABORTED, "client %d, read %d", crc, rrc);
    mtls_client_with(NULL, NULL, "b.test", &crc, &src, &rrc);
    cr_assert_eq(src, -EKEYREJECTED, "SNI identity must not skip client auth");
}

Test(kernel_tls, mutual_tls_refuses_a_client_certificate_from_another_ca)
{
    int crc, src, rrc;
    mtls_client_with("foreign.pem", "foreign.key", "localhost", &crc, &src, &rrc);
    cr_assert_eq(src, -EKEYREJECTED);
    cr_assert(crc == -ECONNABORTED || rrc == -ECONNABORTED, "client %d, read %d", crc, rrc);
}

Test(kernel_tls, mutual_tls_needs_explicit_trust_anchors)
{
    kern_tls_config_t cfg = tls_test_server_cfg("server.pem", "server.key");
    cfg.require_client_cert = true;
    kern_tls_ctx_t *ctx = NULL;
    cr_assert_eq(kern_tls_ctx_new(&cfg, &ctx), -EINVAL);
    cr_assert_null(ctx);
}
