/* kernel/certgen: self-signed certificates with wolfCrypt (see certgen.h).
 *
 * The steps are wolfCrypt's: make the key, fill a Cert template, encode the
 * to-be-signed body (wc_MakeCert_ex), sign it in place (wc_SignCert_ex), then
 * convert DER to PEM. The Cert template is large (it embeds a 16 KiB
 * subjectAltName area), so it lives on the heap, not on a process stack. */
#include "kernel/certgen.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/random.h>

#include "kernel/alloc.h"
#include "kernel/crypto.h"

#define DER_MAX 2048
#define PEM_MAX 4096

static bool is_host_name(const char *name)
{
    for (const char *p = name; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '.';
        if (!ok)
            return false;
    }
    return true;
}

/* subjectAltName value: GeneralNames ::= SEQUENCE { dNSName [2] IA5String }.
 * Names are at most 63 bytes, so every DER length fits in one byte. */
static void set_dns_alt_name(Cert *cert, const char *name)
{
    size_t len = strlen(name);
    cert->altNames[0] = 0x30;
    cert->altNames[1] = (byte)(len + 2);
    cert->altNames[2] = 0x82;
    cert->altNames[3] = (byte)len;
    memcpy(cert->altNames + 4, name, len);
    cert->altNamesSz = (int)len + 4;
}

static int fill_template(Cert *cert, const char *common_name, uint32_t days)
{
    if (wc_InitCert(cert) != 0)
        return -EPROTO;
    strcpy(cert->subject.commonName, common_name);
    cert->daysValid = (int)days;
    cert->selfSigned = 1;
    cert->isCA = 0;
    cert->sigType = CTC_SHA256wECDSA;
    /* RFC 5280 4.1.2.2: positive, at most 20 bytes; 16 random bytes with the
     * top bit clear so the DER INTEGER stays positive without padding. */
    if (kern_random_bytes(cert->serial, 16) < 0)
        return -EIO;
    cert->serial[0] &= 0x7f;
    cert->serial[0] |= 0x01; /* no leading zero byte to strip */
    cert->serialSz = 16;
    if (is_host_name(common_name))
        set_dns_alt_name(cert, common_name);
    return 0;
}

static char *der_to_pem(const byte *der, int der_len, int type)
{
    char *pem = kern_alloc(PEM_MAX);
    int len = wc_DerToPem(der, (word32)der_len, (byte *)pem, PEM_MAX - 1, type);
    if (len <= 0) {
        kern_free(pem);
        return NULL;
    }
    pem[len] = '\0';
    return pem;
}

/* Encodes and signs the certificate for key; writes the PEM texts. */
static int make_pems(Cert *cert, ecc_key *key, WC_RNG *rng, char **cert_pem, char **key_pem)
{
    byte der[DER_MAX];
    int len = wc_MakeCert_ex(cert, der, sizeof der, ECC_TYPE, key, rng);
    if (len > 0)
        len = wc_SignCert_ex(cert->bodySz, cert->sigType, der, sizeof der, ECC_TYPE, key, rng);
    if (len <= 0)
        return -EPROTO;
    char *cpem = der_to_pem(der, len, CERT_TYPE);
    len = wc_EccKeyToDer(key, der, sizeof der);
    char *kpem = len > 0 ? der_to_pem(der, len, ECC_PRIVATEKEY_TYPE) : NULL;
    memset(der, 0, sizeof der); /* held the private key */
    if (!cpem || !kpem) {
        kern_free(cpem);
        kern_free(kpem);
        return -EPROTO;
    }
    *cert_pem = cpem;
    *key_pem = kpem;
    return 0;
}

int kern_certgen_self_signed(const char *common_name, uint32_t days, char **cert_pem,
                             char **key_pem)
{
    size_t name_len = common_name ? strlen(common_name) : 0;
    if (name_len == 0 || name_len > KERN_CERTGEN_NAME_MAX || days == 0 || days > 36500)
        return -EINVAL;
    WC_RNG rng;
    if (wc_InitRng(&rng) != 0)
        return -EIO;
    ecc_key key;
    int rc = -EPROTO;
    Cert *cert = kern_alloc(sizeof *cert);
    if (wc_ecc_init(&key) != 0)
        goto fail_key;
    if (wc_ecc_make_key_ex(&rng, 32, &key, ECC_SECP256R1) != 0)
        goto fail;
    rc = fill_template(cert, common_name, days);
    if (rc == 0)
        rc = make_pems(cert, &key, &rng, cert_pem, key_pem);
fail:
    wc_ecc_free(&key);
fail_key:
    kern_free(cert);
    wc_FreeRng(&rng);
    return rc;
}

int kern_certgen_fingerprint(const char *cert_pem, size_t cert_pem_len, uint8_t out[32])
{
    if (cert_pem_len > 65536)
        return -EINVAL;
    byte *der = kern_alloc(cert_pem_len ? cert_pem_len : 1);
    int len = wc_CertPemToDer((const unsigned char *)cert_pem, (int)cert_pem_len, der,
                              (int)(cert_pem_len ? cert_pem_len : 1), CERT_TYPE);
    int rc = -EINVAL;
    if (len > 0) {
        kern_sha256(der, (size_t)len, out);
        rc = 0;
    }
    kern_free(der);
    return rc;
}
