#!/usr/bin/env bash
# Regenerates the evidence of a root-ca-rehearsal.yaml rehearsal with a real SoftHSM2 token,
# following the script's commands step by step. `keywitness demo` replays these files.
# Needs: softhsm2 opensc openssl libengine-pkcs11-openssl (Debian).
# Usage: make-evidence.sh OUTDIR
set -euo pipefail
out=${1:?usage: make-evidence.sh OUTDIR}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
module=/usr/lib/softhsm/libsofthsm2.so
mkdir -p "$work/token/tokens"
printf 'directories.tokendir = %s/token/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$work" > "$work/softhsm2.conf"
export SOFTHSM2_CONF=$work/softhsm2.conf
so_pin=87654321 user_pin=123456

# 2.2 Initialise the token
softhsm2-util --init-token --free --label KW-ROOT-2026 --so-pin "$so_pin" --pin "$user_pin" > /dev/null
softhsm2-util --show-slots > "$out/2.2-show-slots.txt"

# 3.1 The token holds no objects
pkcs11-tool --module "$module" --token-label KW-ROOT-2026 --login --pin "$user_pin" --list-token-slots --list-objects > "$out/3.1-list-objects.txt" 2>&1

# 3.2 Generate the root key pair
pkcs11-tool --module "$module" --token-label KW-ROOT-2026 --login --pin "$user_pin" \
  --keypairgen --key-type EC:secp384r1 --label root-ca-p384 --id 01 > "$out/3.2-keypairgen.txt" 2>&1

# 3.3 Export the public key
export PKCS11_MODULE_PATH=$module
openssl pkey -engine pkcs11 -inform engine -pubin \
  -in "pkcs11:token=KW-ROOT-2026;object=root-ca-p384;type=public" -pubout -out "$out/root-ca-p384.pub.pem" 2>/dev/null

# 4.1 Self-sign the root certificate
cat > "$work/root-ca.cnf" <<'CNF'
[req]
distinguished_name = dn
prompt = no
x509_extensions = root_ext
[dn]
C = GB
O = Example Trust Services Ltd
CN = Example Root CA P-384 2026
[root_ext]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
CNF
openssl req -new -x509 -engine pkcs11 -keyform engine \
  -key "pkcs11:token=KW-ROOT-2026;object=root-ca-p384;type=private;pin-value=$user_pin" \
  -sha384 -days 9131 -set_serial "0x$(openssl rand -hex 16)" \
  -config "$work/root-ca.cnf" -out "$out/root-ca.pem" 2>/dev/null

# 4.2 The fingerprint, as OpenSSL prints it
openssl x509 -in "$out/root-ca.pem" -noout -fingerprint -sha256 > "$out/4.2-fingerprint.txt"

# 5.1 Back up the token storage; the evidence is the archive listing and both copies' digests
tar -C "$work/token" -cf "$work/backup-a.tar" tokens
cp "$work/backup-a.tar" "$work/backup-b.tar"
{ tar -tvf "$work/backup-a.tar" | awk '{print $1, $3, $6}'; (cd "$work" && sha256sum backup-a.tar backup-b.tar); } > "$out/5.1-backup.txt"

# 5.2 The backup restores
mkdir -p "$work/restore"
tar -C "$work/restore" -xf "$work/backup-a.tar"
printf 'directories.tokendir = %s/restore/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$work" > "$work/restore.conf"
SOFTHSM2_CONF=$work/restore.conf pkcs11-tool --module "$module" --token-label KW-ROOT-2026 --list-objects > "$out/5.2-restore-check.txt" 2>&1
echo "evidence written to $out"
