#!/bin/sh
# Regenerates the TLS test certificates for tests/kernel/test_tls*.c (issue 6).
# All keys are EC P-256. Validity is 100 years except expired.pem, so the
# committed files do not need refreshing. Run from anywhere:
#   sh tests/kernel/data/gen-certs.sh
#
#   ca.pem / ca.key                 test CA (the only trust anchor in tests)
#   server.pem / server.key         CN=localhost, SAN localhost, a.test, 127.0.0.1
#   sni-b.pem / sni-b.key           CN=b.test, SAN b.test (second SNI identity)
#   wronghost.pem / wronghost.key   signed by ca, SAN other.example only
#   expired.pem / expired.key       signed by ca, SAN localhost, expired in 2001
#   selfsigned.pem / selfsigned.key SAN localhost, self-signed
#   foreign.pem / foreign.key       SAN localhost, signed by a CA tests never trust
set -eu
cd "$(dirname "$0")"
DAYS=36500
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# sign NAME CN SAN: a leaf signed by the CA with the given subjectAltName.
sign() {
    key "$1.key"
    openssl req -new -key "$1.key" -subj "/CN=$2" -out "$tmp/$1.csr"
    printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n' "$3" >"$tmp/$1.ext"
    openssl x509 -req -in "$tmp/$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
        -CAserial "$tmp/ca.srl" -days $DAYS -sha256 -extfile "$tmp/$1.ext" -out "$1.pem" 2>/dev/null
}

key ca.key
openssl req -x509 -new -key ca.key -subj "/CN=Snow Test CA" -days $DAYS -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out ca.pem

sign server localhost "DNS:localhost,DNS:a.test,IP:127.0.0.1"
sign sni-b b.test "DNS:b.test"
sign wronghost other.example "DNS:other.example"

# A leaf from a CA that no test trusts (the CA's key is thrown away).
key "$tmp/other-ca.key"
openssl req -x509 -new -key "$tmp/other-ca.key" -subj "/CN=Other CA" -days $DAYS -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
    -out "$tmp/other-ca.pem"
key foreign.key
openssl req -new -key foreign.key -subj "/CN=localhost" -out "$tmp/foreign.csr"
printf 'subjectAltName=DNS:localhost\n' >"$tmp/foreign.ext"
openssl x509 -req -in "$tmp/foreign.csr" -CA "$tmp/other-ca.pem" -CAkey "$tmp/other-ca.key" \
    -CAcreateserial -CAserial "$tmp/other.srl" -days $DAYS -sha256 -extfile "$tmp/foreign.ext" \
    -out foreign.pem 2>/dev/null

key selfsigned.key
openssl req -x509 -new -key selfsigned.key -subj "/CN=localhost" -days $DAYS -sha256 \
    -addext "subjectAltName=DNS:localhost" -out selfsigned.pem

# openssl x509 cannot back-date; openssl ca can (-startdate/-enddate).
key expired.key
openssl req -new -key expired.key -subj "/CN=localhost" -out "$tmp/expired.csr"
: >"$tmp/index.txt"
cat >"$tmp/ca.cnf" <<CNF
[ca]
default_ca = test
[test]
database = $tmp/index.txt
new_certs_dir = $tmp
serial = $tmp/serial
default_md = sha256
policy = any
x509_extensions = leaf
[any]
commonName = supplied
[leaf]
subjectAltName = DNS:localhost
basicConstraints = CA:FALSE
CNF
echo 1000 >"$tmp/serial"
openssl ca -batch -config "$tmp/ca.cnf" -cert ca.pem -keyfile ca.key -in "$tmp/expired.csr" \
    -startdate 20000101000000Z -enddate 20010101000000Z -notext -out expired.pem 2>/dev/null
echo "certificates written to $(pwd)"
