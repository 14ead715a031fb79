/* kernel/tls: TLS 1.2/1.3 streams on wolfSSL, independent of the transport.
 *
 * A kern_tls_conn_t never touches a socket. wolfSSL's I/O callbacks read
 * ciphertext from an inbound queue that the caller fills (kern_tls_feed, or
 * kern_tls_feed_borrow straight from a ring receive buffer) and write
 * ciphertext to an outbound queue that the caller drains (kern_tls_pending_out
 * and kern_tls_consume_out, then a ring send). So no call here ever blocks:
 * each either makes progress or returns -EAGAIN, which means "flush the
 * pending output, then feed more input (or, for a write, wait until the
 * output drained) and call again". Time is the caller's business too: a
 * handshake timeout is a timer in the driver (kernel/tls_stream.h).
 *
 * Invariants: the outbound queue holds at most KERN_TLS_OUT_MAX bytes plus
 * one kern_tls_write's worth of records; the inbound queue at most
 * KERN_TLS_IN_MAX bytes. A ctx is immutable once built and may be shared by
 * connections on any thread; a conn belongs to one thread at a time.
 *
 * Errors are -errno values, the same set everywhere:
 *   -EAGAIN        need input / output space (see above); not a failure
 *   -EKEYREJECTED  the peer's certificate failed verification (unknown CA,
 *                  expired, wrong host name, bad signature)
 *   -ECONNRESET    the transport ended (kern_tls_feed_eof) without the peer's
 *                  close_notify: the stream may be truncated
 *   -ECONNABORTED  the peer sent a fatal alert
 *   -EPROTO        any other TLS failure (bad record, no shared cipher or
 *                  version, ALPN mismatch, ...)
 *   -ENOBUFS       kern_tls_feed over KERN_TLS_IN_MAX: read before feeding
 *   -EPIPE         write after shutdown started or after a failure
 *   -EINVAL, -ENOENT, -ENOMEM from setup (bad PEM, missing file, ...)
 * kern_tls_conn_error(conn) gives wolfSSL's own code and reason for the last
 * failure on a connection. See docs/tls.md. */
#ifndef SNOW_KERNEL_TLS_H
#define SNOW_KERNEL_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Outbound ciphertext above which kern_tls_write refuses with -EAGAIN. */
#define KERN_TLS_OUT_MAX (256u * 1024u)
/* Inbound ciphertext above which kern_tls_feed refuses with -ENOBUFS. */
#define KERN_TLS_IN_MAX (256u * 1024u)
/* Plaintext taken per kern_tls_write call at most (four full records). */
#define KERN_TLS_WRITE_CHUNK (64u * 1024u)
/* Extra server identities selectable by SNI. */
#define KERN_TLS_SNI_MAX 16

/* Default trust store for clients when no CA is given (Debian's bundle). */
#define KERN_TLS_SYSTEM_CA_FILE "/etc/ssl/certs/ca-certificates.crt"

typedef enum kern_tls_role_t {
    KERN_TLS_CLIENT = 0,
    KERN_TLS_SERVER = 1,
} kern_tls_role_t;

typedef enum kern_tls_version_t {
    KERN_TLS_ANY = 0, /* as min: 1.2; as max: 1.3 */
    KERN_TLS_1_2 = 12,
    KERN_TLS_1_3 = 13,
} kern_tls_version_t;

/* What a kern_tls_ctx_new needs. All pointers are borrowed for the call only:
 * files are read and buffers copied into the context before it returns.
 * An identity (certificate chain + private key) is either two PEM files or
 * two PEM buffers; a server needs one, a client may give one (sent when a
 * server asks for a client certificate). Zero-initialise and set what you
 * need. */
typedef struct kern_tls_config_t {
    kern_tls_role_t role;
    const char *cert_file; /* PEM chain, leaf first */
    const char *key_file;  /* PEM private key (EC or RSA) */
    const char *cert_pem;  /* or: PEM chain in memory */
    size_t cert_pem_len;
    const char *key_pem; /* and its PEM key in memory */
    size_t key_pem_len;
    /* Trust anchors. Client: ca_file and/or ca_pem; neither means the
     * system bundle KERN_TLS_SYSTEM_CA_FILE; ignored with verify_none.
     * Server with require_client_cert: the CAs client certificates must
     * chain to (one of the two is required). */
    const char *ca_file;
    const char *ca_pem;
    size_t ca_pem_len;
    /* Client opt-out of certificate verification (self-signed node links
     * that authenticate by other means). Off by default: verification is on. */
    bool verify_none;
    /* Server: ask every client for a certificate and fail the handshake
     * (-EKEYREJECTED here, an alert there) without a valid one (mutual
     * TLS). SNI identities inherit this and the trust anchors. */
    bool require_client_cert;
    /* Client: verify the chain but not the host name (PostgreSQL's
     * sslmode=verify-ca); server_name is still sent as SNI. */
    bool skip_host_check;
    /* ALPN protocols, comma separated in preference order ("h2,http/1.1");
     * NULL for none. A server with a list answers a client that offers none
     * of them with a fatal no_application_protocol alert (-EPROTO). */
    const char *alpn;
    kern_tls_version_t version_min;
    kern_tls_version_t version_max;
} kern_tls_config_t;

typedef struct kern_buf_t kern_buf_t;
typedef struct kern_tls_ctx_t kern_tls_ctx_t;
typedef struct kern_tls_conn_t kern_tls_conn_t;

/* ===== Contexts ========================================================== */

/* Builds a context from cfg (borrowed; see kern_tls_config_t). On success
 * *out is owned by the caller, freed with kern_tls_ctx_free after every conn
 * made from it is freed. Returns 0, -ENOENT (a file is missing or has no
 * PEM), -EINVAL (bad PEM, key does not match the certificate, bad version
 * range, server without identity), -ENOMEM. Any thread. */
int kern_tls_ctx_new(const kern_tls_config_t *cfg, kern_tls_ctx_t **out);

/* Adds a server identity chosen when a client's SNI equals host_name
 * (case-insensitive, exact; no wildcards). cfg gives the identity the same way
 * as for kern_tls_ctx_new (its other fields are ignored); host_name and cfg
 * are borrowed. Clients without SNI or with an unknown name get the default
 * identity. Must be called before the ctx is shared. Returns 0, -EINVAL (not a
 * server, bad identity, empty name), -ENOSPC (KERN_TLS_SNI_MAX reached),
 * -ENOENT, -ENOMEM. */
int kern_tls_ctx_add_sni(kern_tls_ctx_t *ctx, const char *host_name, const kern_tls_config_t *cfg);

/* Takes ctx and frees it. NULL is fine. */
void kern_tls_ctx_free(kern_tls_ctx_t *ctx);

/* Frees the calling thread's wolfCrypt caches (the per-thread ECC
 * fixed-point cache of builds with FP_ECC, as Debian's): call when a thread
 * that may have run TLS ends (scheduler workers do), or its cache leaks. */
void kern_tls_thread_end(void);

/* ===== Connections ======================================================= */

/* Makes a connection in ctx's role; ctx is kept (must outlive the conn).
 * server_name (borrowed, copied) matters to clients only: it is sent as SNI
 * (unless it is an IP literal) and, when verifying, the certificate must
 * match it (DNS name or CN; IP literals need an equal CN/SAN string). A
 * verifying client with server_name NULL checks the chain but no name.
 * On success *out is owned, freed with kern_tls_conn_free. Returns 0 or
 * -ENOMEM / -EINVAL. */
int kern_tls_conn_new(kern_tls_ctx_t *ctx, const char *server_name, kern_tls_conn_t **out);

/* Takes conn and frees it with everything it holds. Sends nothing: call
 * kern_tls_shutdown first for a clean close. NULL is fine. */
void kern_tls_conn_free(kern_tls_conn_t *conn);

/* Appends len bytes of ciphertext received from the peer (copied; bytes is
 * borrowed for the call). Returns 0, or -ENOBUFS when the inbound queue
 * would exceed KERN_TLS_IN_MAX (read or handshake first, then feed again),
 * or -EPIPE after kern_tls_feed_eof. */
int kern_tls_feed(kern_tls_conn_t *conn, const void *bytes, size_t len);

/* Zero-copy variant: lends bytes[0..len) to conn until the next
 * kern_tls_handshake / read / write / shutdown call returns; whatever wolfSSL
 * did not consume by then is copied into the inbound queue, so the caller
 * may recycle its buffer as soon as that call returns. At most one loan at a
 * time (a second one first copies the rest of the first). Same errors as
 * kern_tls_feed. */
int kern_tls_feed_borrow(kern_tls_conn_t *conn, const void *bytes, size_t len);

/* Bytes of ciphertext fed (queued or on loan) and not yet consumed; a driver
 * receives at most KERN_TLS_IN_MAX minus this before reading again. */
size_t kern_tls_pending_in(const kern_tls_conn_t *conn);

/* Records that the transport delivered EOF: once the queued input is used
 * up, wolfSSL sees a closed connection. Idempotent. */
void kern_tls_feed_eof(kern_tls_conn_t *conn);

/* Bytes of ciphertext waiting to be sent; *bytes (may be NULL) is set to the
 * first of them, borrowed until the next call on conn. Send some or all,
 * then report how many with kern_tls_consume_out. */
size_t kern_tls_pending_out(const kern_tls_conn_t *conn, const uint8_t **bytes);

/* Drops len bytes (<= kern_tls_pending_out) from the front of the outbound
 * queue after they were sent. */
void kern_tls_consume_out(kern_tls_conn_t *conn, size_t len);

/* Moves all pending ciphertext out of conn as an owned buffer (one
 * reference: kern_buf_unref it once sent), or returns NULL when there is
 * none. Later output goes to new storage, so the returned bytes never move
 * or change: safe to hand to an asynchronous ring send. */
kern_buf_t *kern_tls_take_out(kern_tls_conn_t *conn);

/* Ends the current kern_tls_feed_borrow loan now, copying what is left of
 * it into the inbound queue (engine calls do this on return anyway; a driver
 * calls it before reusing the lent buffer when no engine call came). */
void kern_tls_end_loan(kern_tls_conn_t *conn);

/* Advances the handshake. Returns 0 when it is complete (also on every call
 * after that), -EAGAIN when it needs more input (flush pending output first:
 * the peer waits for it), or a failure from the list above; after a failure
 * the outbound queue may hold an alert worth flushing before closing. */
int kern_tls_handshake(kern_tls_conn_t *conn);

/* True once kern_tls_handshake returned 0. */
bool kern_tls_handshake_done(const kern_tls_conn_t *conn);

/* Reads up to len plaintext bytes into buf, running the handshake first if
 * it is not complete. Returns the count (> 0), 0 when the peer sent
 * close_notify (clean end of stream; answer with kern_tls_shutdown),
 * -EAGAIN (feed more input; also flush output: TLS 1.3 may answer key
 * updates), or a failure. */
int kern_tls_read(kern_tls_conn_t *conn, void *buf, size_t len);

/* Encrypts up to KERN_TLS_WRITE_CHUNK bytes of buf[0..len) (len > 0) into the
 * outbound queue. Returns the count taken (> 0; call again for the rest),
 * -EAGAIN when the outbound queue is over KERN_TLS_OUT_MAX or the handshake
 * needs input (flush, feed, call again with the same or other data), -EPIPE
 * after shutdown or a failure, or a failure. */
int kern_tls_write(kern_tls_conn_t *conn, const void *buf, size_t len);

/* Clean close (RFC 8446 6.1): queues our close_notify on the first call.
 * Returns 0 once both sides' close_notify are exchanged, -EAGAIN while the
 * peer's is still awaited (flush, feed, call again; a caller that does not
 * care about the peer's may close the transport after flushing), or a
 * failure (-ECONNRESET when the transport ended without the peer's). */
int kern_tls_shutdown(kern_tls_conn_t *conn);

/* The negotiated ALPN protocol: sets *name (borrowed from conn, not
 * NUL-terminated) and *len and returns 0, or -ENOENT when none was agreed. */
int kern_tls_alpn(kern_tls_conn_t *conn, const char **name, size_t *len);

/* Negotiated protocol version (KERN_TLS_1_2 or KERN_TLS_1_3), or
 * KERN_TLS_ANY before the handshake completes. */
kern_tls_version_t kern_tls_version(kern_tls_conn_t *conn);

/* SHA-256 of the peer's leaf certificate (DER), the value
 * kern_certgen_fingerprint gives for the same certificate: lets a client
 * with verify_none pin a self-signed node certificate. Returns 0, or -ENOENT
 * before the handshake or when the peer sent no certificate. */
int kern_tls_peer_fingerprint(kern_tls_conn_t *conn, uint8_t out[32]);

/* The negotiated cipher suite in wolfSSL's naming (for example
 * "TLS13-CHACHA20-POLY1305-SHA256"), or NULL before the handshake completes.
 * Borrowed, static. */
const char *kern_tls_cipher(kern_tls_conn_t *conn);

/* For a server: the SNI host name the client sent, or NULL. Borrowed from
 * conn. */
const char *kern_tls_sni(kern_tls_conn_t *conn);

/* wolfSSL's code and reason for the last failure on conn, e.g. "wolfSSL
 * error -188: ASN no signer error to confirm failure", or "" when none.
 * Borrowed from conn, valid until its next call. */
const char *kern_tls_conn_error(const kern_tls_conn_t *conn);

/* A short English text for one of the -errno values above ("certificate
 * rejected", ...). Returns a static string. Any thread. */
const char *kern_tls_strerror(int err);

#endif /* SNOW_KERNEL_TLS_H */
