#!/bin/sh
# Makes the TLS test certificates in tests/fixtures/tls/ with the openssl
# command. The results are committed; run again only to replace them.
# Everything is valid for 100 years so that the fixtures never expire in use.
#
#   ca.pem / ca.key               the test CA (self-signed)
#   server.pem / server.key       CN=localhost, SAN DNS:localhost, IP:127.0.0.1,
#                                 signed by the CA
#   server_chain.pem              server.pem followed by server.key (one file)
#   server_encrypted.key          server.key, encrypted with PASSWORD below
#   client.pem / client.key       CN=unisock test client, signed by the CA
#   selfsigned.pem / selfsigned.key
#                                 CN=localhost with the same SANs, self-signed,
#                                 unrelated to the CA; its key does not match
#                                 server.pem (the "mismatched key")
#   malformed.pem                 a PEM block whose body is not a certificate
set -eu
cd "$(dirname "$0")/../tests/fixtures/tls"
PASSWORD=unisock-test
DAYS=36500
SUBJ_O="/C=US/ST=Test State/L=Test City/O=unisock"
ext=$(mktemp)
trap 'rm -f "$ext" server.csr client.csr ca.srl' EXIT

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

key ca.key
openssl req -x509 -new -key ca.key -sha256 -days "$DAYS" -set_serial 0x1001 \
  -subj "$SUBJ_O/CN=unisock test CA" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.pem

key server.key
openssl req -new -key server.key -subj "$SUBJ_O/CN=localhost" -out server.csr
printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" \
  "extendedKeyUsage=serverAuth" "subjectAltName=DNS:localhost,IP:127.0.0.1" >"$ext"
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial 0x1002 \
  -days "$DAYS" -sha256 -extfile "$ext" -out server.pem
cat server.pem server.key >server_chain.pem
openssl pkey -in server.key -aes256 -passout "pass:$PASSWORD" -out server_encrypted.key

key client.key
openssl req -new -key client.key -subj "$SUBJ_O/CN=unisock test client" -out client.csr
printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" \
  "extendedKeyUsage=clientAuth" >"$ext"
openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -set_serial 0x1003 \
  -days "$DAYS" -sha256 -extfile "$ext" -out client.pem

key selfsigned.key
openssl req -x509 -new -key selfsigned.key -sha256 -days "$DAYS" -set_serial 0x2001 \
  -subj "/O=unisock elsewhere/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -out selfsigned.pem

printf '%s\n' "-----BEGIN CERTIFICATE-----" "bm90IGEgY2VydGlmaWNhdGU=" \
  "-----END CERTIFICATE-----" >malformed.pem
