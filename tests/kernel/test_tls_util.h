/* Helpers shared by the TLS tests (tests/kernel/test_tls*.c): certificate
 * paths, leak checks, an in-memory pipe between two kern_tls_conn_t, a ring
 * fixture with loopback socket pairs for kern_tls_stream, and openssl child
 * processes.
 *
 * Every suite in test_kernel_tls uses .timeout = 60: Criterion 2.4.1's runner
 * leaks 48 bytes when the suites of one executable differ in timeout, which
 * LeakSanitizer turns into a failed ASan run. */
#ifndef SNOW_TESTS_KERNEL_TEST_TLS_UTIL_H
#define SNOW_TESTS_KERNEL_TEST_TLS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kernel/tls.h"

/* Absolute path of tests/kernel/data/<name> (see gen-certs.sh). Returns a
 * pointer into one of 8 rotating static buffers. */
const char *tls_test_data(const char *name);

/* Reads a whole file into an owned, NUL-terminated malloc'd buffer. */
char *tls_test_slurp(const char *path, size_t *len);

/* Leak check: _begin records live kern_alloc blocks and open descriptors,
 * _end asserts both are back to those numbers. */
void tls_test_leak_begin(void);
void tls_test_leak_end(void);

/* Config helpers for the common cases. */
kern_tls_config_t tls_test_server_cfg(const char *cert, const char *key);
kern_tls_config_t tls_test_client_cfg(void); /* trusts ca.pem only */

/* Moves all of from's pending ciphertext into to (kern_tls_feed). */
void tls_test_pump(kern_tls_conn_t *from, kern_tls_conn_t *to);

/* Runs both handshakes over the in-memory pipe until both finish or one
 * fails; stores each side's last result. Returns the number of rounds. */
int tls_test_handshake_pair(kern_tls_conn_t *client, kern_tls_conn_t *server, int *client_rc,
                            int *server_rc);

/* ---- The ring (for kern_tls_stream tests) ---- */

typedef struct kern_ring_t kern_ring_t;

/* Leak check as above, then sets up *ring. */
void tls_test_ring_setup(kern_ring_t *ring);
/* Asserts nothing is in flight, destroys ring, then checks for leaks. */
void tls_test_ring_teardown(kern_ring_t *ring);
/* Runs ring until *flag is true; fails the test after timeout_ms. */
void tls_test_ring_until(kern_ring_t *ring, const bool *flag, int timeout_ms);

/* Listens on 127.0.0.1:0 with the kernel's helper; sets *port. */
int tls_test_ring_listen(uint16_t *port);

/* Connects a ring client to 127.0.0.1:port and accepts it on listen_fd;
 * returns both connected sockets. */
void tls_test_ring_connect_pair(kern_ring_t *ring, int listen_fd, uint16_t port, int *client_fd,
                                int *server_fd);

/* Closes fd through the ring and waits for it. */
void tls_test_ring_close(kern_ring_t *ring, int fd);

/* ---- Child processes (openssl) ---- */

typedef struct tls_test_child_t {
    pid_t pid;
    int in_fd;  /* write end of the child's stdin, or -1 */
    int out_fd; /* read end of the child's stdout+stderr, or -1 */
} tls_test_child_t;

/* Skips the current test with the fix when the openssl CLI is missing. */
void tls_test_require_openssl(void);

/* Starts argv[0] (PATH lookup) with stdin/stdout/stderr on pipes. */
void tls_test_spawn(tls_test_child_t *child, char *const argv[]);
/* Reads the child's output until it contains needle or timeout_ms passes;
 * appends into buf (cap bytes, NUL-terminated). Returns true if found. */
bool tls_test_child_wait_for(tls_test_child_t *child, char *buf, size_t cap, size_t *len,
                             const char *needle, int timeout_ms);
/* Kills (SIGTERM, then SIGKILL after 2 s), reaps, closes pipes. Idempotent. */
void tls_test_child_stop(tls_test_child_t *child);

/* Milliseconds on CLOCK_MONOTONIC. */
int64_t tls_test_now_ms(void);

#endif
