#!/usr/bin/env bash
# Regenerates the evidence of an intermediate-ca-signing.yaml rehearsal with a real SoftHSM2
# token, following the script's commands step by step. The tools write to an export folder under
# the names the script's instructions use (its /media/kw-export); the files are then laid out as
# keywitness rehearse reads them: OUTDIR/<step id>/<evidence id>.<extension>, one file per
# evidence id, and OUTDIR/inputs.yaml holds what the administrator types where the script
# expects no fixed value. With the expected values pinned (see below),
#   keywitness rehearse intermediate-ca-signing.yaml --evidence OUTDIR --inputs OUTDIR/inputs.yaml
# rehearses the script from them.
#
# A signing ceremony starts from what earlier events left behind, so this script first plays
# them (part A), then the ceremony itself (part B):
#   A1. the root key generation ceremony (as root-ca-rehearsal.yaml): a token holding the root
#       key, the self-signed root certificate, and a backup archive of the token storage;
#   A2. the subordinate CA's own key generation and CSR, done by the other party on its own
#       systems (here a software key: only its CSR ever reaches the ceremony).
# What part A produces is random (keys, serials), and the ceremony script pins it in advance in
# `expected`. So besides the evidence files this writes OUTDIR/expected-values.yaml: the lines
# of the script's `expected` block that depend on part A. Commit the evidence together with
# those lines pasted into intermediate-ca-signing.yaml; the tests check that the pair agrees.
#
# Needs: softhsm2 opensc openssl libengine-pkcs11-openssl (Debian).
# Usage: make-evidence.sh OUTDIR [SCRIPT]
#   With SCRIPT (e.g. ../intermediate-ca-signing.yaml), those lines also replace the same names' lines in
#   SCRIPT's `expected` block, in place.
set -euo pipefail
out=${1:?usage: make-evidence.sh OUTDIR [SCRIPT]}
script=${2:-}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export_dir=$work/export
mkdir -p "$export_dir"
module=/usr/lib/softhsm/libsofthsm2.so
[ -e "$module" ] || module=$(ls /usr/lib/*/softhsm/libsofthsm2.so 2>/dev/null | head -n 1)
export PKCS11_MODULE_PATH=$module
so_pin=87654321 user_pin=123456
token=KW-ROOT-2026 key=root-ca-p384
softhsm_conf() { printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$1" > "$2"; }

# ---- A1. The root key generation ceremony (earlier) --------------------------------------
mkdir -p "$work/root-token/tokens"
softhsm_conf "$work/root-token/tokens" "$work/root.conf"
export SOFTHSM2_CONF=$work/root.conf
softhsm2-util --init-token --free --label "$token" --so-pin "$so_pin" --pin "$user_pin" > /dev/null
pkcs11-tool --module "$module" --token-label "$token" --login --pin "$user_pin" \
  --keypairgen --key-type EC:secp384r1 --label "$key" --id 01 > /dev/null 2>&1
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
  -key "pkcs11:token=$token;object=$key;type=private;pin-value=$user_pin" \
  -sha384 -days 9131 -set_serial "0x$(openssl rand -hex 16)" \
  -config "$work/root-ca.cnf" -out "$work/root-ca.pem" 2>/dev/null
token_serial=$(softhsm2-util --show-slots | awk -v t="$token" '/Serial number:/ {s=$3} /Label:/ && $2==t {print s; exit}')
mkdir -p "$work/backup-a"
tar -C "$work/root-token" -cf "$work/backup-a/kw-root-2026-tokens.tar" tokens
rm -rf "$work/root-token" "$work/root.conf"   # the token media stays sealed in the safe

# ---- A2. The subordinate CA's key and CSR (the other party, on its own systems) -----------
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$work/issuing-ca-g1.key" 2>/dev/null
openssl req -new -key "$work/issuing-ca-g1.key" -sha384 \
  -subj "/C=GB/O=Example Trust Services Ltd/CN=Example Issuing CA G1 2026" \
  -outform PEM -out "$export_dir/issuing-ca-g1.csr.pem"
rm -f "$work/issuing-ca-g1.key"

# ---- B. The signing ceremony ---------------------------------------------------------------
# 2.2 The backup archive is the one recorded at the root ceremony
{ tar -tvf "$work/backup-a/kw-root-2026-tokens.tar" | awk '{print $1, $3, $6}'
  (cd "$work/backup-a" && sha256sum kw-root-2026-tokens.tar); } > "$export_dir/2.2-backup-check.txt"

# 2.3 Restore the token storage into the laptop's RAM disk and show the token
mkdir -p "$work/ceremony"
tar -C "$work/ceremony" -xf "$work/backup-a/kw-root-2026-tokens.tar"
softhsm_conf "$work/ceremony/tokens" "$work/softhsm2.conf"
export SOFTHSM2_CONF=$work/softhsm2.conf
softhsm2-util --show-slots > "$export_dir/2.3-show-slots.txt"

# 2.4 The root certificate, from the root ceremony's export (published in advance)
cp "$work/root-ca.pem" "$export_dir/root-ca.pem"

# 2.5 The restored token holds the root key pair, and nothing else
pkcs11-tool --module "$module" --token-label "$token" --login --pin "$user_pin" \
  --list-token-slots --list-objects > "$export_dir/2.5-list-objects.txt" 2>&1

# 3.2 Sign the subordinate CA certificate with the root key
cat > "$work/issuing-ca.ext" <<'EXT'
[sub_ca]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EXT
openssl x509 -req -in "$export_dir/issuing-ca-g1.csr.pem" -engine pkcs11 \
  -CA "$export_dir/root-ca.pem" -CAkeyform engine \
  -CAkey "pkcs11:token=$token;object=$key;type=private;pin-value=$user_pin" \
  -sha384 -days 3652 -set_serial "0x$(openssl rand -hex 16)" \
  -extfile "$work/issuing-ca.ext" -extensions sub_ca -out "$export_dir/issuing-ca-g1.pem" 2>/dev/null

# 3.3 The chain, checked independently by OpenSSL
(cd "$export_dir"
 cat issuing-ca-g1.pem root-ca.pem > issuing-ca-g1-chain.pem
 openssl verify -x509_strict -CAfile root-ca.pem issuing-ca-g1.pem > 3.3-verify.txt 2>&1)

# 4.1 The fingerprint, as OpenSSL prints it
fingerprint=$(openssl x509 -in "$export_dir/issuing-ca-g1.pem" -noout -fingerprint -sha256)

# 5.1 Erase the restored token from the RAM disk; no token with the root's label remains
rm -rf "$work/ceremony/tokens"
mkdir -p "$work/ceremony/tokens"
softhsm2-util --show-slots > "$export_dir/5.1-erased.txt"

# The evidence folder: each file the script imports, as OUTDIR/<step id>/<evidence id>.<extension>
place() { mkdir -p "$out/$1"; cp "$export_dir/$3" "$out/$1/$2"; }
place 2.2 backup_check.txt 2.2-backup-check.txt
place 2.3 token_restored.txt 2.3-show-slots.txt
place 2.4 root_cert.pem root-ca.pem
place 2.5 token_objects.txt 2.5-list-objects.txt
place 3.1 csr.pem issuing-ca-g1.csr.pem
place 3.2 ica.pem issuing-ca-g1.pem
place 3.3 chain.pem issuing-ca-g1-chain.pem
place 3.3 openssl_verify.txt 3.3-verify.txt
place 5.1 token_erased.txt 5.1-erased.txt
# What is typed at 4.1: the fingerprint exactly as OpenSSL printed it, after "sha256 Fingerprint=".
cat > "$out/inputs.yaml" <<INPUTS
# What the administrator types where the script expects no fixed value (keywitness rehearse --inputs).
# Written by make-evidence.sh: the fingerprint as \`openssl x509 -noout -fingerprint -sha256\` printed it.
"4.1":
  fingerprint: "${fingerprint#*=}"
INPUTS

# The values the script pins in advance that part A made
csr_sha256=$(openssl req -in "$export_dir/issuing-ca-g1.csr.pem" -outform DER | sha256sum | cut -d' ' -f1)
root_sha256=$(openssl x509 -in "$export_dir/root-ca.pem" -outform DER | sha256sum | cut -d' ' -f1)
backup_sha256=$(sha256sum "$work/backup-a/kw-root-2026-tokens.tar" | cut -d' ' -f1)
cat > "$out/expected-values.yaml" <<VALUES
  token_serial: "$token_serial"
  root_cert_sha256: "$root_sha256"
  backup_sha256: "$backup_sha256"
  csr_sha256: "$csr_sha256"
VALUES
if [ -n "$script" ]; then
  while IFS= read -r line; do
    name=${line%%:*}
    grep -q "^$name: " "$script" || { echo "$script: no line for${name} in its expected block" >&2; exit 1; }
    sed -i "s|^$name: .*|$line|" "$script"
  done < "$out/expected-values.yaml"
  echo "evidence written to $out; $script updated with $out/expected-values.yaml"
else
  echo "evidence written to $out; paste $out/expected-values.yaml into the script's expected block"
fi
