/* kernel/tls: the transport-agnostic TLS engine (see tls.h).
 *
 * Each conn owns an inbound byte queue and an outbound kern_buf_t. wolfSSL's
 * receive callback copies from the inbound queue or the caller's current
 * loan (kern_tls_feed_borrow) and answers WANT_READ when both are empty; its
 * send callback appends to the outbound buffer and never refuses. Because the send side never
 * pushes back, wolfSSL never sits in a half-written WANT_WRITE state: back-pressure is applied
 * before a write starts (KERN_TLS_OUT_MAX), which keeps the API free of wolfSSL's "call again with
 * the same buffer" rule.
 *
 * This file must never call socket I/O or sleep. */
#include "kernel/tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>
#include <wolfssl/openssl/ec.h>
#include <wolfssl/openssl/evp.h>
#include <wolfssl/wolfcrypt/ecc.h>

#include "kernel/alloc.h"
#include "kernel/assert.h"
#include "kernel/buf.h"
#include "kernel/crypto.h"

/* {====== Byte queues */

/* Bytes live in data[head..tail); appends compact or grow the array. */
typedef struct queue_t {
    uint8_t *data;
    size_t head;
    size_t tail;
    size_t cap;
} queue_t;

static size_t queue_len(const queue_t *q) { return q->tail - q->head; }

static void queue_push(queue_t *q, const void *bytes, size_t len)
{
    if (len == 0)
        return;
    if (q->tail + len > q->cap) {
        size_t used = queue_len(q);
        if (q->head > 0) {
            memmove(q->data, q->data + q->head, used);
            q->head = 0;
            q->tail = used;
        }
        if (used + len > q->cap) {
            size_t cap = q->cap ? q->cap : 16384;
            while (cap < used + len)
                cap *= 2;
            q->data = kern_realloc(q->data, cap);
            q->cap = cap;
        }
    }
    memcpy(q->data + q->tail, bytes, len);
    q->tail += len;
}

static void queue_pop(queue_t *q, size_t len)
{
    snow_assert(len <= queue_len(q));
    q->head += len;
    if (q->head == q->tail)
        q->head = q->tail = 0;
}

static void queue_destroy(queue_t *q)
{
    kern_free(q->data);
    *q = (queue_t){0};
}

/* }====== */

struct kern_tls_ctx_t {
    WOLFSSL_CTX *_wolf;
    kern_tls_role_t _role;
    kern_tls_version_t _version_min; /* SNI identities inherit the range */
    kern_tls_version_t _version_max;
    bool _host_check; /* clients: match server_name against the certificate */
    /* Servers with require_client_cert: owned copies of the trust anchors,
     * applied again to every SNI identity. */
    bool _client_auth;
    char *_client_ca_file;
    char *_client_ca_pem;
    size_t _client_ca_pem_len;
    char *_alpn; /* owned copy of the comma list, or NULL */
    int _sni_count;
    struct {
        char *host;
        WOLFSSL_CTX *wolf;
    } _sni[KERN_TLS_SNI_MAX];
};

struct kern_tls_conn_t {
    WOLFSSL *_ssl;
    kern_tls_ctx_t *_ctx;
    queue_t _in;
    kern_buf_t *_out; /* outbound ciphertext at _out->base[_out_head.._out->len) */
    size_t _out_head;
    size_t _out_cap_hint; /* capacity of the last buffer taken out */
    const uint8_t *_loan; /* kern_tls_feed_borrow bytes not yet consumed */
    size_t _loan_len;
    bool _eof;         /* kern_tls_feed_eof was called */
    bool _sent_close;  /* our close_notify is queued */
    bool _peer_closed; /* the peer's close_notify arrived */
    bool _handshake_done;
    bool _shutdown_started;
    int _failure; /* sticky -errno after a fatal error, else 0 */
    char _detail[128];
};

/* Appends to the outbound buffer. A buffer handed out by kern_tls_take_out
 * is never touched again, so growth allocates a new one rather than
 * reallocating in place. */
static void out_push(kern_tls_conn_t *conn, const void *bytes, size_t len)
{
    kern_buf_t *b = conn->_out;
    size_t used = b ? b->len - conn->_out_head : 0;
    if (!b || b->len + len > b->cap) {
        /* A fresh buffer starts at the size the last one reached, so a
         * bulk writer does not regrow from 16 KiB after every send. */
        size_t cap = b ? b->cap : conn->_out_cap_hint;
        if (used + len > cap) {
            cap = cap ? cap : 16384;
            while (cap < used + len)
                cap *= 2;
        }
        kern_buf_t *nb = kern_buf_new(cap);
        if (b) {
            memcpy(nb->base, b->base + conn->_out_head, used);
            kern_buf_unref(b);
        }
        nb->len = (uint32_t)used;
        conn->_out = b = nb;
        conn->_out_head = 0;
    }
    memcpy(b->base + b->len, bytes, len);
    b->len += (uint32_t)len;
}

/* {====== wolfSSL I/O callbacks */

static int io_recv(WOLFSSL *ssl, char *buf, int sz, void *arg)
{
    (void)ssl;
    kern_tls_conn_t *conn = arg;
    size_t want = (size_t)sz;
    size_t queued = queue_len(&conn->_in);
    /* Queued bytes arrived first, so they are consumed before the loan. */
    if (queued > 0) {
        size_t n = queued < want ? queued : want;
        memcpy(buf, conn->_in.data + conn->_in.head, n);
        queue_pop(&conn->_in, n);
        return (int)n;
    }
    if (conn->_loan_len > 0) {
        size_t n = conn->_loan_len < want ? conn->_loan_len : want;
        memcpy(buf, conn->_loan, n);
        conn->_loan += n;
        conn->_loan_len -= n;
        return (int)n;
    }
    return conn->_eof ? WOLFSSL_CBIO_ERR_CONN_CLOSE : WOLFSSL_CBIO_ERR_WANT_READ;
}

static int io_send(WOLFSSL *ssl, char *buf, int sz, void *arg)
{
    (void)ssl;
    kern_tls_conn_t *conn = arg;
    out_push(conn, buf, (size_t)sz);
    return sz;
}

/* }====== */

/* {====== Contexts */

static pthread_once_t wolf_once = PTHREAD_ONCE_INIT;
static int wolf_init_rc;

static void wolf_init(void)
{
    /* Process-wide and never undone: wolfSSL_Cleanup would break contexts
     * other threads still use. */
    wolf_init_rc = wolfSSL_Init() == WOLFSSL_SUCCESS ? 0 : -ENOMEM;
}

/* Forward-secret AEAD suites only. ChaCha20-Poly1305 comes first because
 * Debian's libwolfssl is built without AES-NI: there it runs about 2.5x
 * faster than software AES-GCM (docs/tls.md). wolfSSL servers pick in this
 * (server) order; our clients offer it in this order. */
#define CIPHER_LIST                                                                                \
    "TLS13-CHACHA20-POLY1305-SHA256:TLS13-AES128-GCM-SHA256:TLS13-AES256-GCM-SHA384:"              \
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"                                   \
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"                                   \
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384"

static WOLFSSL_METHOD *pick_method(kern_tls_role_t role, kern_tls_version_t min,
                                   kern_tls_version_t max)
{
    bool server = role == KERN_TLS_SERVER;
    if (max == KERN_TLS_1_2)
        return server ? wolfTLSv1_2_server_method() : wolfTLSv1_2_client_method();
    if (min == KERN_TLS_1_3)
        return server ? wolfTLSv1_3_server_method() : wolfTLSv1_3_client_method();
    return server ? wolfSSLv23_server_method() : wolfSSLv23_client_method();
}

static bool file_readable(const char *path) { return access(path, R_OK) == 0; }

/* wolfSSL 5.5.4's check_private_key accepts any EC key with any EC
 * certificate, so EC pairs are compared here by public point. Returns true
 * when they match or when the key is not EC (wolfSSL checks RSA itself). */
static bool ec_pair_matches(WOLFSSL_CTX *wolf)
{
    WOLFSSL_EVP_PKEY *priv = wolfSSL_CTX_get0_privatekey(wolf);
    WOLFSSL_X509 *cert = wolfSSL_CTX_get0_certificate(wolf);
    if (!priv || !cert || wolfSSL_EVP_PKEY_base_id(priv) != EVP_PKEY_EC)
        return true;
    WOLFSSL_EVP_PKEY *pub = wolfSSL_X509_get_pubkey(cert);
    WOLFSSL_EC_KEY *a = pub ? wolfSSL_EVP_PKEY_get1_EC_KEY(pub) : NULL;
    WOLFSSL_EC_KEY *b = wolfSSL_EVP_PKEY_get1_EC_KEY(priv);
    bool match = false;
    if (a && b) {
        const WOLFSSL_EC_POINT *pa = wolfSSL_EC_KEY_get0_public_key(a);
        const WOLFSSL_EC_POINT *pb = wolfSSL_EC_KEY_get0_public_key(b);
        /* EC_POINT_cmp: 0 equal, 1 different, -1 error (other curve). */
        match = pa && pb && wolfSSL_EC_POINT_cmp(wolfSSL_EC_KEY_get0_group(a), pa, pb, NULL) == 0;
    }
    wolfSSL_EC_KEY_free(a);
    wolfSSL_EC_KEY_free(b);
    wolfSSL_EVP_PKEY_free(pub);
    return match;
}

/* Loads the certificate chain and key named by cfg into wolf. */
static int load_identity(WOLFSSL_CTX *wolf, const kern_tls_config_t *cfg)
{
    int rc;
    if (cfg->cert_file || cfg->key_file) {
        if (!cfg->cert_file || !cfg->key_file)
            return -EINVAL;
        if (!file_readable(cfg->cert_file) || !file_readable(cfg->key_file))
            return -ENOENT;
        rc = wolfSSL_CTX_use_certificate_chain_file(wolf, cfg->cert_file);
        if (rc == WOLFSSL_SUCCESS)
            rc = wolfSSL_CTX_use_PrivateKey_file(wolf, cfg->key_file, WOLFSSL_FILETYPE_PEM);
    } else if (cfg->cert_pem && cfg->key_pem) {
        if (cfg->cert_pem_len > INT_MAX || cfg->key_pem_len > INT_MAX)
            return -EINVAL;
        rc = wolfSSL_CTX_use_certificate_chain_buffer(wolf, (const unsigned char *)cfg->cert_pem,
                                                      (long)cfg->cert_pem_len);
        if (rc == WOLFSSL_SUCCESS)
            rc = wolfSSL_CTX_use_PrivateKey_buffer(wolf, (const unsigned char *)cfg->key_pem,
                                                   (long)cfg->key_pem_len, WOLFSSL_FILETYPE_PEM);
    } else {
        return -EINVAL;
    }
    if (rc != WOLFSSL_SUCCESS || wolfSSL_CTX_check_private_key(wolf) != WOLFSSL_SUCCESS ||
        !ec_pair_matches(wolf))
        return -EINVAL;
    return 0;
}

static int load_trust_from(WOLFSSL_CTX *wolf, const char *file, const char *pem, size_t pem_len)
{
    if (file) {
        if (!file_readable(file))
            return -ENOENT;
        if (wolfSSL_CTX_load_verify_locations(wolf, file, NULL) != WOLFSSL_SUCCESS)
            return -EINVAL;
    }
    if (pem) {
        if (pem_len > INT_MAX)
            return -EINVAL;
        int rc = wolfSSL_CTX_load_verify_buffer(wolf, (const unsigned char *)pem, (long)pem_len,
                                                WOLFSSL_FILETYPE_PEM);
        if (rc != WOLFSSL_SUCCESS)
            return -EINVAL;
    }
    return 0;
}

/* Clients without explicit anchors trust the system bundle. */
static int load_trust(WOLFSSL_CTX *wolf, const kern_tls_config_t *cfg)
{
    const char *file = cfg->ca_file;
    if (!file && !cfg->ca_pem)
        file = KERN_TLS_SYSTEM_CA_FILE;
    return load_trust_from(wolf, file, cfg->ca_pem, cfg->ca_pem_len);
}

static char *copy_bytes(const char *p, size_t len)
{
    char *copy = kern_alloc(len + 1);
    memcpy(copy, p, len);
    copy[len] = '\0';
    return copy;
}

/* Mutual TLS on a server context: ask for a certificate, require one that
 * chains to the anchors kept in ctx. */
static int require_client_auth(kern_tls_ctx_t *ctx, WOLFSSL_CTX *wolf)
{
    int rc =
        load_trust_from(wolf, ctx->_client_ca_file, ctx->_client_ca_pem, ctx->_client_ca_pem_len);
    if (rc < 0)
        return rc;
    wolfSSL_CTX_set_verify(wolf, WOLFSSL_VERIFY_PEER | WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    return 0;
}

static int keep_client_auth(kern_tls_ctx_t *ctx, const kern_tls_config_t *cfg)
{
    if (!cfg->ca_file && !cfg->ca_pem)
        return -EINVAL; /* no default anchors for client certificates */
    ctx->_client_auth = true;
    if (cfg->ca_file)
        ctx->_client_ca_file = copy_bytes(cfg->ca_file, strlen(cfg->ca_file));
    if (cfg->ca_pem) {
        ctx->_client_ca_pem = copy_bytes(cfg->ca_pem, cfg->ca_pem_len);
        ctx->_client_ca_pem_len = cfg->ca_pem_len;
    }
    return require_client_auth(ctx, ctx->_wolf);
}

/* A wolfSSL context with our I/O callbacks and version range; the SNI
 * identities get one each so wolfSSL_set_SSL_CTX can swap them in. */
static int wolf_ctx_new(const kern_tls_config_t *cfg, WOLFSSL_CTX **out)
{
    kern_tls_version_t min = cfg->version_min, max = cfg->version_max;
    if ((min != KERN_TLS_ANY && min != KERN_TLS_1_2 && min != KERN_TLS_1_3) ||
        (max != KERN_TLS_ANY && max != KERN_TLS_1_2 && max != KERN_TLS_1_3) ||
        (min == KERN_TLS_1_3 && max == KERN_TLS_1_2))
        return -EINVAL;
    WOLFSSL_CTX *wolf = wolfSSL_CTX_new(pick_method(cfg->role, min, max));
    if (!wolf)
        return -ENOMEM;
    if (wolfSSL_CTX_SetMinVersion(wolf, WOLFSSL_TLSV1_2) != WOLFSSL_SUCCESS) {
        wolfSSL_CTX_free(wolf);
        return -EINVAL;
    }
    if (wolfSSL_CTX_set_cipher_list(wolf, CIPHER_LIST) != WOLFSSL_SUCCESS) {
        wolfSSL_CTX_free(wolf);
        return -EINVAL;
    }
    wolfSSL_CTX_SetIORecv(wolf, io_recv);
    wolfSSL_CTX_SetIOSend(wolf, io_send);
    *out = wolf;
    return 0;
}

static int sni_on_hello(WOLFSSL *ssl, int *alert, void *arg);

static int ctx_setup(kern_tls_ctx_t *ctx, const kern_tls_config_t *cfg)
{
    WOLFSSL_CTX *wolf = ctx->_wolf;
    bool has_identity = cfg->cert_file || cfg->key_file || cfg->cert_pem || cfg->key_pem;
    if (cfg->role == KERN_TLS_SERVER && !has_identity)
        return -EINVAL;
    if (has_identity) {
        int rc = load_identity(wolf, cfg);
        if (rc < 0)
            return rc;
    }
    if (cfg->role == KERN_TLS_CLIENT && !cfg->verify_none) {
        int rc = load_trust(wolf, cfg);
        if (rc < 0)
            return rc;
        wolfSSL_CTX_set_verify(wolf, WOLFSSL_VERIFY_PEER, NULL);
    } else if (cfg->role == KERN_TLS_SERVER && cfg->require_client_cert) {
        int rc = keep_client_auth(ctx, cfg);
        if (rc < 0)
            return rc;
    } else {
        wolfSSL_CTX_set_verify(wolf, WOLFSSL_VERIFY_NONE, NULL);
    }
    if (cfg->alpn) {
        size_t len = strlen(cfg->alpn);
        if (len == 0 || len > 1024)
            return -EINVAL;
        ctx->_alpn = kern_alloc(len + 1);
        memcpy(ctx->_alpn, cfg->alpn, len + 1);
    }
    if (cfg->role == KERN_TLS_SERVER) {
        wolfSSL_CTX_set_servername_callback(wolf, sni_on_hello);
        wolfSSL_CTX_set_servername_arg(wolf, ctx);
    }
    return 0;
}

int kern_tls_ctx_new(const kern_tls_config_t *cfg, kern_tls_ctx_t **out)
{
    pthread_once(&wolf_once, wolf_init);
    if (wolf_init_rc < 0)
        return wolf_init_rc;
    if (cfg->role != KERN_TLS_CLIENT && cfg->role != KERN_TLS_SERVER)
        return -EINVAL;
    kern_tls_ctx_t *ctx = kern_calloc(1, sizeof *ctx);
    ctx->_role = cfg->role;
    ctx->_version_min = cfg->version_min;
    ctx->_version_max = cfg->version_max;
    ctx->_host_check = !cfg->verify_none && !cfg->skip_host_check;
    int rc = wolf_ctx_new(cfg, &ctx->_wolf);
    if (rc < 0)
        goto fail;
    rc = ctx_setup(ctx, cfg);
    if (rc < 0)
        goto fail;
    *out = ctx;
    return 0;
fail:
    kern_tls_ctx_free(ctx);
    return rc;
}

int kern_tls_ctx_add_sni(kern_tls_ctx_t *ctx, const char *host_name, const kern_tls_config_t *cfg)
{
    if (ctx->_role != KERN_TLS_SERVER || !host_name || host_name[0] == '\0')
        return -EINVAL;
    if (ctx->_sni_count == KERN_TLS_SNI_MAX)
        return -ENOSPC;
    kern_tls_config_t id = *cfg;
    id.role = KERN_TLS_SERVER;
    id.version_min = ctx->_version_min;
    id.version_max = ctx->_version_max;
    WOLFSSL_CTX *wolf;
    int rc = wolf_ctx_new(&id, &wolf);
    if (rc < 0)
        return rc;
    rc = load_identity(wolf, &id);
    if (rc < 0) {
        wolfSSL_CTX_free(wolf);
        return rc;
    }
    /* wolfSSL_set_SSL_CTX takes the verify mode and anchors from here. */
    if (ctx->_client_auth)
        rc = require_client_auth(ctx, wolf);
    else
        wolfSSL_CTX_set_verify(wolf, WOLFSSL_VERIFY_NONE, NULL);
    if (rc < 0) {
        wolfSSL_CTX_free(wolf);
        return rc;
    }
    size_t len = strlen(host_name);
    char *host = kern_alloc(len + 1);
    memcpy(host, host_name, len + 1);
    ctx->_sni[ctx->_sni_count].host = host;
    ctx->_sni[ctx->_sni_count].wolf = wolf;
    ctx->_sni_count++;
    return 0;
}

void kern_tls_ctx_free(kern_tls_ctx_t *ctx)
{
    if (!ctx)
        return;
    for (int i = 0; i < ctx->_sni_count; i++) {
        wolfSSL_CTX_free(ctx->_sni[i].wolf);
        kern_free(ctx->_sni[i].host);
    }
    if (ctx->_wolf)
        wolfSSL_CTX_free(ctx->_wolf);
    kern_free(ctx->_alpn);
    kern_free(ctx->_client_ca_file);
    kern_free(ctx->_client_ca_pem);
    kern_free(ctx);
}

/* Server side, while parsing the ClientHello: switch to the identity whose
 * name the client asked for. Unknown names keep the default identity rather
 * than failing, as most servers do. */
static int sni_on_hello(WOLFSSL *ssl, int *alert, void *arg)
{
    (void)alert;
    kern_tls_ctx_t *ctx = arg;
    const char *name = wolfSSL_get_servername(ssl, WOLFSSL_SNI_HOST_NAME);
    if (!name)
        return 0; /* SSL_TLSEXT_ERR_OK */
    for (int i = 0; i < ctx->_sni_count; i++) {
        if (strcasecmp(name, ctx->_sni[i].host) == 0) {
            if (wolfSSL_set_SSL_CTX(ssl, ctx->_sni[i].wolf) == NULL)
                return 2; /* SSL_TLSEXT_ERR_ALERT_FATAL */
            break;
        }
    }
    return 0;
}

/* }====== */

/* {====== Connections */

static bool is_ip_literal(const char *name)
{
    uint8_t addr[16];
    return inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1;
}

static int conn_setup(kern_tls_conn_t *conn, const char *server_name)
{
    WOLFSSL *ssl = conn->_ssl;
    kern_tls_ctx_t *ctx = conn->_ctx;
    wolfSSL_SSLSetIORecv(ssl, io_recv);
    wolfSSL_SSLSetIOSend(ssl, io_send);
    wolfSSL_SetIOReadCtx(ssl, conn);
    wolfSSL_SetIOWriteCtx(ssl, conn);
    if (ctx->_role == KERN_TLS_CLIENT && server_name) {
        size_t len = strlen(server_name);
        if (len == 0 || len > 255)
            return -EINVAL;
        if (!is_ip_literal(server_name) && wolfSSL_UseSNI(ssl, WOLFSSL_SNI_HOST_NAME, server_name,
                                                          (unsigned short)len) != WOLFSSL_SUCCESS)
            return -ENOMEM;
        if (ctx->_host_check && wolfSSL_check_domain_name(ssl, server_name) != WOLFSSL_SUCCESS)
            return -ENOMEM;
    }
    if (ctx->_alpn) {
        /* wolfSSL_UseALPN takes a mutable list; hand it a scratch copy. */
        char list[1025];
        size_t len = strlen(ctx->_alpn);
        memcpy(list, ctx->_alpn, len + 1);
        unsigned char opt = ctx->_role == KERN_TLS_SERVER ? WOLFSSL_ALPN_FAILED_ON_MISMATCH
                                                          : WOLFSSL_ALPN_CONTINUE_ON_MISMATCH;
        if (wolfSSL_UseALPN(ssl, list, (unsigned)len, opt) != WOLFSSL_SUCCESS)
            return -EINVAL;
    }
    return 0;
}

int kern_tls_conn_new(kern_tls_ctx_t *ctx, const char *server_name, kern_tls_conn_t **out)
{
    kern_tls_conn_t *conn = kern_calloc(1, sizeof *conn);
    conn->_ctx = ctx;
    conn->_ssl = wolfSSL_new(ctx->_wolf);
    int rc = -ENOMEM;
    if (!conn->_ssl)
        goto fail;
    rc = conn_setup(conn, server_name);
    if (rc < 0)
        goto fail;
    *out = conn;
    return 0;
fail:
    kern_tls_conn_free(conn);
    return rc;
}

void kern_tls_conn_free(kern_tls_conn_t *conn)
{
    if (!conn)
        return;
    if (conn->_ssl)
        wolfSSL_free(conn->_ssl);
    queue_destroy(&conn->_in);
    if (conn->_out)
        kern_buf_unref(conn->_out);
    kern_free(conn);
}

static int feed_check(kern_tls_conn_t *conn, size_t len)
{
    if (conn->_eof)
        return -EPIPE;
    if (queue_len(&conn->_in) + conn->_loan_len + len > KERN_TLS_IN_MAX)
        return -ENOBUFS;
    return 0;
}

int kern_tls_feed(kern_tls_conn_t *conn, const void *bytes, size_t len)
{
    int rc = feed_check(conn, len);
    if (rc < 0)
        return rc;
    /* Keep arrival order: an outstanding loan goes into the queue first. */
    queue_push(&conn->_in, conn->_loan, conn->_loan_len);
    conn->_loan_len = 0;
    queue_push(&conn->_in, bytes, len);
    return 0;
}

int kern_tls_feed_borrow(kern_tls_conn_t *conn, const void *bytes, size_t len)
{
    int rc = feed_check(conn, len);
    if (rc < 0)
        return rc;
    queue_push(&conn->_in, conn->_loan, conn->_loan_len);
    conn->_loan = bytes;
    conn->_loan_len = len;
    return 0;
}

size_t kern_tls_pending_in(const kern_tls_conn_t *conn)
{
    return queue_len(&conn->_in) + conn->_loan_len;
}

void kern_tls_feed_eof(kern_tls_conn_t *conn) { conn->_eof = true; }

/* Ends a loan: the caller may reuse its buffer once the current call returns,
 * so what wolfSSL did not take yet is copied now. */
static void loan_settle(kern_tls_conn_t *conn)
{
    queue_push(&conn->_in, conn->_loan, conn->_loan_len);
    conn->_loan = NULL;
    conn->_loan_len = 0;
}

size_t kern_tls_pending_out(const kern_tls_conn_t *conn, const uint8_t **bytes)
{
    kern_buf_t *b = conn->_out;
    if (bytes)
        *bytes = b ? (const uint8_t *)b->base + conn->_out_head : NULL;
    return b ? b->len - conn->_out_head : 0;
}

void kern_tls_consume_out(kern_tls_conn_t *conn, size_t len)
{
    kern_buf_t *b = conn->_out;
    snow_assert(len <= kern_tls_pending_out(conn, NULL));
    if (len == 0)
        return;
    conn->_out_head += len;
    if (conn->_out_head == b->len)
        b->len = conn->_out_head = 0;
}

kern_buf_t *kern_tls_take_out(kern_tls_conn_t *conn)
{
    kern_buf_t *b = conn->_out;
    if (!b || b->len == conn->_out_head)
        return NULL;
    /* A heap buffer is freed through its header, so moving base is safe. */
    conn->_out_cap_hint = b->cap;
    b->base += conn->_out_head;
    b->len -= (uint32_t)conn->_out_head;
    b->cap -= (uint32_t)conn->_out_head;
    conn->_out = NULL;
    conn->_out_head = 0;
    return b;
}

void kern_tls_end_loan(kern_tls_conn_t *conn) { loan_settle(conn); }

/* }====== */

/* {====== Handshake, read, write, shutdown */

/* Sorts wolfSSL's failure codes into the -errno set of tls.h. */
static int classify(int code)
{
    switch (code) {
    case ASN_NO_SIGNER_E:
    case ASN_SELF_SIGNED_E:
    case ASN_AFTER_DATE_E:
    case ASN_BEFORE_DATE_E:
    case ASN_SIG_CONFIRM_E:
    case ASN_PATHLEN_INV_E:
    case ASN_PATHLEN_SIZE_E:
    case DOMAIN_NAME_MISMATCH:
    case IPADDR_MISMATCH:
    case VERIFY_CERT_ERROR:
    case NO_PEER_CERT:
        return -EKEYREJECTED;
    case FATAL_ERROR:
        return -ECONNABORTED;
    case MEMORY_E:
        return -ENOMEM;
    case SOCKET_ERROR_E:
    case SOCKET_PEER_CLOSED_E:
    case WOLFSSL_ERROR_SYSCALL: /* SOCKET_PEER_CLOSED_E under OPENSSL_EXTRA */
        return -ECONNRESET;
    default:
        return -EPROTO;
    }
}

/* Turns a failed wolfSSL call's result into -EAGAIN or a sticky failure. */
static int wolf_failure(kern_tls_conn_t *conn, int ret)
{
    int code = wolfSSL_get_error(conn->_ssl, ret);
    if (code == WOLFSSL_ERROR_WANT_READ || code == WOLFSSL_ERROR_WANT_WRITE)
        return -EAGAIN;
    char reason[WOLFSSL_MAX_ERROR_SZ];
    wolfSSL_ERR_error_string_n((unsigned long)code, reason, sizeof reason);
    snprintf(conn->_detail, sizeof conn->_detail, "wolfSSL error %d: %s", code, reason);
    conn->_failure = classify(code);
    return conn->_failure;
}

static int handshake_step(kern_tls_conn_t *conn)
{
    if (conn->_failure)
        return conn->_failure;
    if (conn->_handshake_done)
        return 0;
    bool server = conn->_ctx->_role == KERN_TLS_SERVER;
    int ret = server ? wolfSSL_accept(conn->_ssl) : wolfSSL_connect(conn->_ssl);
    if (ret != WOLFSSL_SUCCESS)
        return wolf_failure(conn, ret);
    conn->_handshake_done = true;
    return 0;
}

int kern_tls_handshake(kern_tls_conn_t *conn)
{
    int rc = handshake_step(conn);
    loan_settle(conn);
    return rc;
}

bool kern_tls_handshake_done(const kern_tls_conn_t *conn) { return conn->_handshake_done; }

static int read_step(kern_tls_conn_t *conn, void *buf, size_t len)
{
    int rc = handshake_step(conn);
    if (rc < 0)
        return rc;
    if (conn->_peer_closed)
        return 0;
    int ret = wolfSSL_read(conn->_ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
    if (ret > 0)
        return ret;
    if (wolfSSL_get_error(conn->_ssl, ret) == WOLFSSL_ERROR_ZERO_RETURN) {
        conn->_peer_closed = true;
        return 0;
    }
    return wolf_failure(conn, ret);
}

int kern_tls_read(kern_tls_conn_t *conn, void *buf, size_t len)
{
    snow_assert(len > 0);
    int rc = read_step(conn, buf, len);
    loan_settle(conn);
    return rc;
}

static int write_step(kern_tls_conn_t *conn, const void *buf, size_t len)
{
    if (conn->_failure)
        return conn->_failure;
    if (conn->_shutdown_started)
        return -EPIPE;
    int rc = handshake_step(conn);
    if (rc < 0)
        return rc;
    if (kern_tls_pending_out(conn, NULL) >= KERN_TLS_OUT_MAX)
        return -EAGAIN;
    size_t n = len < KERN_TLS_WRITE_CHUNK ? len : KERN_TLS_WRITE_CHUNK;
    int ret = wolfSSL_write(conn->_ssl, buf, (int)n);
    if (ret > 0)
        return ret;
    return wolf_failure(conn, ret);
}

int kern_tls_write(kern_tls_conn_t *conn, const void *buf, size_t len)
{
    snow_assert(len > 0);
    int rc = write_step(conn, buf, len);
    loan_settle(conn);
    return rc;
}

/* Waits for the peer's close_notify with wolfSSL_read: wolfSSL_shutdown's
 * own second phase reports "not done" without reading when nothing is
 * buffered, and success when the transport closed under it. */
static int await_peer_close(kern_tls_conn_t *conn)
{
    uint8_t sink[1024];
    for (;;) {
        int ret = wolfSSL_read(conn->_ssl, sink, sizeof sink);
        if (ret > 0)
            continue; /* data after our close_notify is dropped (RFC 8446 6.1) */
        if (wolfSSL_get_error(conn->_ssl, ret) == WOLFSSL_ERROR_ZERO_RETURN) {
            conn->_peer_closed = true;
            return 0;
        }
        return wolf_failure(conn, ret);
    }
}

static int shutdown_step(kern_tls_conn_t *conn)
{
    if (conn->_failure)
        return conn->_failure;
    conn->_shutdown_started = true;
    if (!conn->_handshake_done)
        return 0; /* no session yet, so nothing to close */
    if (!conn->_sent_close) {
        int ret = wolfSSL_shutdown(conn->_ssl); /* queues our close_notify */
        conn->_sent_close = true;
        if (ret != WOLFSSL_SUCCESS && ret != WOLFSSL_SHUTDOWN_NOT_DONE)
            return wolf_failure(conn, ret);
    }
    if (conn->_peer_closed)
        return 0;
    return await_peer_close(conn);
}

int kern_tls_shutdown(kern_tls_conn_t *conn)
{
    int rc = shutdown_step(conn);
    loan_settle(conn);
    return rc;
}

/* }====== */

/* {====== Queries */

int kern_tls_alpn(kern_tls_conn_t *conn, const char **name, size_t *len)
{
    char *proto = NULL;
    unsigned short size = 0;
    if (wolfSSL_ALPN_GetProtocol(conn->_ssl, &proto, &size) != WOLFSSL_SUCCESS || !proto ||
        size == 0)
        return -ENOENT;
    *name = proto;
    *len = size;
    return 0;
}

kern_tls_version_t kern_tls_version(kern_tls_conn_t *conn)
{
    if (!conn->_handshake_done)
        return KERN_TLS_ANY;
    switch (wolfSSL_version(conn->_ssl)) {
    case TLS1_3_VERSION:
        return KERN_TLS_1_3;
    case TLS1_2_VERSION:
        return KERN_TLS_1_2;
    default:
        return KERN_TLS_ANY;
    }
}

int kern_tls_peer_fingerprint(kern_tls_conn_t *conn, uint8_t out[32])
{
    if (!conn->_handshake_done)
        return -ENOENT;
    /* SESSION_CERTS keeps the peer's chain as DER, leaf first. */
    WOLFSSL_X509_CHAIN *chain = wolfSSL_get_peer_chain(conn->_ssl);
    if (!chain || wolfSSL_get_chain_count(chain) < 1)
        return -ENOENT;
    const unsigned char *der = wolfSSL_get_chain_cert(chain, 0);
    int len = wolfSSL_get_chain_length(chain, 0);
    if (!der || len <= 0)
        return -ENOENT;
    kern_sha256(der, (size_t)len, out);
    return 0;
}

const char *kern_tls_cipher(kern_tls_conn_t *conn)
{
    if (!conn->_handshake_done)
        return NULL;
    return wolfSSL_get_cipher_name(conn->_ssl);
}

const char *kern_tls_sni(kern_tls_conn_t *conn)
{
    if (conn->_ctx->_role != KERN_TLS_SERVER)
        return NULL;
    return wolfSSL_get_servername(conn->_ssl, WOLFSSL_SNI_HOST_NAME);
}

const char *kern_tls_conn_error(const kern_tls_conn_t *conn) { return conn->_detail; }

const char *kern_tls_strerror(int err)
{
    switch (err) {
    case 0:
        return "success";
    case -EAGAIN:
        return "TLS needs more input or output space";
    case -EKEYREJECTED:
        return "TLS peer certificate rejected";
    case -ECONNRESET:
        return "TLS transport closed without close_notify";
    case -ECONNABORTED:
        return "TLS peer sent a fatal alert";
    case -EPROTO:
        return "TLS protocol error";
    case -ENOBUFS:
        return "TLS inbound queue full";
    case -EPIPE:
        return "TLS connection is shutting down";
    case -EINVAL:
        return "TLS invalid argument or configuration";
    case -ENOENT:
        return "TLS file not found";
    case -ENOMEM:
        return "TLS out of memory";
    case -ENOSPC:
        return "TLS too many SNI identities";
    default:
        return "TLS unknown error";
    }
}

/* }====== */

void kern_tls_thread_end(void)
{
#if defined(FP_ECC) && defined(HAVE_ECC)
    wc_ecc_fp_free();
#endif
}
