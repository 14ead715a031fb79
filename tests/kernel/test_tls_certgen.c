/* Tests for kernel/certgen (issue 6): generated certificates load into the
 * TLS engine, verify against themselves as the only trust anchor, carry the
 * requested name, and differ on every call. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/alloc.h"
#include "kernel/certgen.h"
#include "kernel/tls.h"
#include "test_tls_util.h"

TestSuite(kernel_certgen, .init = tls_test_leak_begin, .fini = tls_test_leak_end, .timeout = 60);

/* Handshakes a client that trusts only trusted_pem with a server using
 * cert/key; returns the client's result. */
static int handshake_with(const char *cert, const char *key, const char *trusted_pem,
                          const char *server_name)
{
    kern_tls_config_t scfg = {.role = KERN_TLS_SERVER,
                              .cert_pem = cert,
                              .cert_pem_len = strlen(cert),
                              .key_pem = key,
                              .key_pem_len = strlen(key)};
    kern_tls_config_t ccfg = {
        .role = KERN_TLS_CLIENT, .ca_pem = trusted_pem, .ca_pem_len = strlen(trusted_pem)};
    kern_tls_ctx_t *sctx, *cctx;
    kern_tls_conn_t *server, *client;
    cr_assert_eq(kern_tls_ctx_new(&scfg, &sctx), 0);
    cr_assert_eq(kern_tls_ctx_new(&ccfg, &cctx), 0);
    cr_assert_eq(kern_tls_conn_new(sctx, NULL, &server), 0);
    cr_assert_eq(kern_tls_conn_new(cctx, server_name, &client), 0);
    int crc, src;
    tls_test_handshake_pair(client, server, &crc, &src);
    kern_tls_conn_free(client);
    kern_tls_conn_free(server);
    kern_tls_ctx_free(cctx);
    kern_tls_ctx_free(sctx);
    return crc;
}

Test(kernel_certgen, self_signed_certificate_verifies_against_itself)
{
    char *cert, *key;
    cr_assert_eq(kern_certgen_self_signed("node1.snow.test", 7, &cert, &key), 0);
    cr_assert(strncmp(cert, "-----BEGIN CERTIFICATE-----\n", 28) == 0, "%s", cert);
    cr_assert(strstr(key, "-----BEGIN EC PRIVATE KEY-----"), "%s", key);
    cr_assert_eq(handshake_with(cert, key, cert, "node1.snow.test"), 0);
    /* The subjectAltName carries the name: any other name is refused. */
    cr_assert_eq(handshake_with(cert, key, cert, "node2.snow.test"), -EKEYREJECTED);
    kern_free(cert);
    kern_free(key);
}

Test(kernel_certgen, each_call_makes_a_new_key_and_serial)
{
    char *cert1, *key1, *cert2, *key2;
    cr_assert_eq(kern_certgen_self_signed("same", 1, &cert1, &key1), 0);
    cr_assert_eq(kern_certgen_self_signed("same", 1, &cert2, &key2), 0);
    cr_assert_str_neq(cert1, cert2);
    cr_assert_str_neq(key1, key2);
    /* A client that pins the first certificate rejects the second. */
    cr_assert_eq(handshake_with(cert2, key2, cert1, "same"), -EKEYREJECTED);
    uint8_t f1[32], f2[32];
    cr_assert_eq(kern_certgen_fingerprint(cert1, strlen(cert1), f1), 0);
    cr_assert_eq(kern_certgen_fingerprint(cert2, strlen(cert2), f2), 0);
    cr_assert_neq(memcmp(f1, f2, 32), 0);
    kern_free(cert1);
    kern_free(key1);
    kern_free(cert2);
    kern_free(key2);
}

Test(kernel_certgen, openssl_reads_the_generated_certificate)
{
    tls_test_require_openssl();
    char *cert, *key;
    cr_assert_eq(kern_certgen_self_signed("node-a.example", 30, &cert, &key), 0);
    char dir[] = "/tmp/snow-certgen-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[128], cmd[1024];
    snprintf(path, sizeof path, "%s/cert.pem", dir);
    FILE *f = fopen(path, "w");
    fputs(cert, f);
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "openssl x509 -in %s -noout -subject -issuer -ext subjectAltName "
             "-fingerprint -sha256 2>&1; openssl verify -CAfile %s %s 2>&1; "
             "openssl x509 -in %s -noout -checkend 2500000; "
             "openssl x509 -in %s -noout -checkend 2600000",
             path, path, path, path, path);
    FILE *p = popen(cmd, "r");
    char out[2048] = {0};
    size_t n = fread(out, 1, sizeof out - 1, p);
    pclose(p);
    out[n] = '\0';
    unlink(path);
    rmdir(dir);
    cr_assert(strstr(out, "subject=CN = node-a.example"), "%s", out);
    cr_assert(strstr(out, "issuer=CN = node-a.example"), "%s", out);
    cr_assert(strstr(out, "DNS:node-a.example"), "%s", out);
    /* 30 days is 2 592 000 s: valid past 2.5e6 s, expired by 2.6e6 s. */
    cr_assert(strstr(out, "Certificate will not expire\nCertificate will expire"), "%s", out);
    cr_assert(strstr(out, "cert.pem: OK"), "%s", out);
    /* Our fingerprint is the one openssl prints. */
    uint8_t fp[32];
    cr_assert_eq(kern_certgen_fingerprint(cert, strlen(cert), fp), 0);
    char hex[3 * 32 + 1] = {0};
    for (int i = 0; i < 32; i++)
        sprintf(hex + 3 * i, i ? ":%02X" : "%02X", fp[i]);
    cr_assert(strstr(out, hex + 0), "want %s in %s", hex, out);
    kern_free(cert);
    kern_free(key);
}

Test(kernel_certgen, bad_arguments_are_refused)
{
    char *cert = NULL, *key = NULL;
    cr_assert_eq(kern_certgen_self_signed("", 1, &cert, &key), -EINVAL);
    cr_assert_eq(kern_certgen_self_signed("x", 0, &cert, &key), -EINVAL);
    char long_name[KERN_CERTGEN_NAME_MAX + 2];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    cr_assert_eq(kern_certgen_self_signed(long_name, 1, &cert, &key), -EINVAL);
    cr_assert_null(cert);
    uint8_t fp[32];
    cr_assert_eq(kern_certgen_fingerprint("not pem", 7, fp), -EINVAL);
}

Test(kernel_certgen, non_host_name_gets_no_alt_name_but_still_works)
{
    char *cert, *key;
    cr_assert_eq(kern_certgen_self_signed("node@host 1", 1, &cert, &key), 0);
    kern_tls_config_t scfg = {.role = KERN_TLS_SERVER,
                              .cert_pem = cert,
                              .cert_pem_len = strlen(cert),
                              .key_pem = key,
                              .key_pem_len = strlen(key)};
    kern_tls_config_t ccfg = {.role = KERN_TLS_CLIENT, .verify_none = true};
    kern_tls_ctx_t *sctx, *cctx;
    kern_tls_conn_t *server, *client;
    cr_assert_eq(kern_tls_ctx_new(&scfg, &sctx), 0);
    cr_assert_eq(kern_tls_ctx_new(&ccfg, &cctx), 0);
    cr_assert_eq(kern_tls_conn_new(sctx, NULL, &server), 0);
    cr_assert_eq(kern_tls_conn_new(cctx, NULL, &client), 0);
    uint8_t fp[32], peer_fp[32];
    cr_assert_eq(kern_tls_peer_fingerprint(client, peer_fp), -ENOENT, "no handshake yet");
    int crc, src;
    tls_test_handshake_pair(client, server, &crc, &src);
    cr_assert_eq(crc, 0);
    cr_assert_eq(src, 0);
    /* Pinning without a CA: the client sees exactly the generated cert. */
    cr_assert_eq(kern_certgen_fingerprint(cert, strlen(cert), fp), 0);
    cr_assert_eq(kern_tls_peer_fingerprint(client, peer_fp), 0);
    cr_assert_eq(memcmp(fp, peer_fp, 32), 0);
    cr_assert_eq(kern_tls_peer_fingerprint(server, peer_fp), -ENOENT, "client sent no cert");
    kern_tls_conn_free(client);
    kern_tls_conn_free(server);
    kern_tls_ctx_free(cctx);
    kern_tls_ctx_free(sctx);
    kern_free(cert);
    kern_free(key);
}
