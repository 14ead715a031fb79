/* kernel/certgen: ephemeral self-signed certificates for node links.
 *
 * A node that has no configured certificate still speaks TLS to its peers:
 * it makes a fresh ECC P-256 key and a self-signed X.509 v3 certificate at
 * start-up with wolfSSL's certificate generation (WOLFSSL_CERT_GEN, compiled
 * into Debian 12's libwolfssl). Peers cannot chain such a certificate to a
 * CA, so node links either turn verification off and authenticate with the
 * cookie handshake (DESIGN 7), or pin the certificate by its fingerprint.
 * Nothing here touches the file system or runs a program. Any thread. */
#ifndef SNOW_KERNEL_CERTGEN_H
#define SNOW_KERNEL_CERTGEN_H

#include <stddef.h>
#include <stdint.h>

/* Longest common name accepted (wolfSSL's CTC_NAME_SIZE minus the NUL). */
#define KERN_CERTGEN_NAME_MAX 63

/* Makes a new P-256 key and a certificate for it, signed by itself with
 * ECDSA-SHA256: subject and issuer CN=common_name, a random 128-bit serial,
 * valid from now for days days, not a CA. When common_name is a plain host
 * name (letters, digits, '-', '.') it is also the certificate's DNS
 * subjectAltName, so clients that verify against the certificate itself can
 * check the name. On success *cert_pem and *key_pem are owned,
 * NUL-terminated PEM texts ("CERTIFICATE", "EC PRIVATE KEY"), freed with
 * kern_free; pass them to kern_tls_config_t as cert_pem / key_pem.
 * Returns 0, -EINVAL (empty or too long name, days 0 or over 36500), -EIO
 * (entropy source failed) or -EPROTO (wolfCrypt refused; a broken build). */
int kern_certgen_self_signed(const char *common_name, uint32_t days, char **cert_pem,
                             char **key_pem);

/* SHA-256 of the certificate's DER encoding (what `openssl x509
 * -fingerprint -sha256` prints), for pinning. cert_pem is borrowed; the first
 * certificate in it counts. Returns 0 or -EINVAL (no PEM certificate). */
int kern_certgen_fingerprint(const char *cert_pem, size_t cert_pem_len, uint8_t out[32]);

#endif /* SNOW_KERNEL_CERTGEN_H */
