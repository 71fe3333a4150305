#!/usr/bin/env bash
# Regenerates the evidence of a root-ca-rehearsal.yaml rehearsal with a real SoftHSM2 token,
# following the script's commands step by step. `keywitness demo` replays these files, and
#   keywitness rehearse root-ca-rehearsal.yaml --evidence OUTDIR --inputs OUTDIR/inputs.yaml
# rehearses the script from them.
#
# The tools write to an export folder under the names the script's instructions use (its
# /media/kw-export); the files are then laid out as keywitness rehearse reads them:
# OUTDIR/<step id>/<evidence id>.<extension>, one file per evidence id, and OUTDIR/inputs.yaml
# holds what the administrator types where the script expects no fixed value.
# Needs: softhsm2 opensc openssl libengine-pkcs11-openssl (Debian).
# Usage: make-evidence.sh OUTDIR
set -euo pipefail
out=${1:?usage: make-evidence.sh OUTDIR}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export_dir=$work/export
mkdir -p "$export_dir"
module=/usr/lib/softhsm/libsofthsm2.so
mkdir -p "$work/token/tokens"
printf 'directories.tokendir = %s/token/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$work" > "$work/softhsm2.conf"
export SOFTHSM2_CONF=$work/softhsm2.conf
so_pin=87654321 user_pin=123456

# 2.2 Initialise the token
softhsm2-util --init-token --free --label KW-ROOT-2026 --so-pin "$so_pin" --pin "$user_pin" > /dev/null
softhsm2-util --show-slots > "$export_dir/2.2-show-slots.txt"

# 3.1 The token holds no objects
pkcs11-tool --module "$module" --token-label KW-ROOT-2026 --login --pin "$user_pin" --list-token-slots --list-objects > "$export_dir/3.1-list-objects.txt" 2>&1

# 3.2 Generate the root key pair
pkcs11-tool --module "$module" --token-label KW-ROOT-2026 --login --pin "$user_pin" \
  --keypairgen --key-type EC:secp384r1 --label root-ca-p384 --id 01 > "$export_dir/3.2-keypairgen.txt" 2>&1

# 3.3 Export the public key
export PKCS11_MODULE_PATH=$module
openssl pkey -engine pkcs11 -inform engine -pubin \
  -in "pkcs11:token=KW-ROOT-2026;object=root-ca-p384;type=public" -pubout -out "$export_dir/root-ca-p384.pub.pem" 2>/dev/null

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
  -config "$work/root-ca.cnf" -out "$export_dir/root-ca.pem" 2>/dev/null

# 4.2 The fingerprint, as OpenSSL prints it
fingerprint=$(openssl x509 -in "$export_dir/root-ca.pem" -noout -fingerprint -sha256)

# 5.1 Back up the token storage; the evidence is the archive listing and both copies' digests
tar -C "$work/token" -cf "$work/backup-a.tar" tokens
cp "$work/backup-a.tar" "$work/backup-b.tar"
{ tar -tvf "$work/backup-a.tar" | awk '{print $1, $3, $6}'; (cd "$work" && sha256sum backup-a.tar backup-b.tar); } > "$export_dir/5.1-backup.txt"

# 5.2 The backup restores
mkdir -p "$work/restore"
tar -C "$work/restore" -xf "$work/backup-a.tar"
printf 'directories.tokendir = %s/restore/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$work" > "$work/restore.conf"
SOFTHSM2_CONF=$work/restore.conf pkcs11-tool --module "$module" --token-label KW-ROOT-2026 --list-objects > "$export_dir/5.2-restore-check.txt" 2>&1
# The evidence folder: each file the script imports, as OUTDIR/<step id>/<evidence id>.<extension>
place() { mkdir -p "$out/$1"; cp "$export_dir/$3" "$out/$1/$2"; }
place 2.2 token_init.txt 2.2-show-slots.txt
place 3.1 token_empty.txt 3.1-list-objects.txt
place 3.2 keygen.txt 3.2-keypairgen.txt
place 3.3 root_pub.pem root-ca-p384.pub.pem
place 4.1 root.pem root-ca.pem
place 5.1 backup_archive.txt 5.1-backup.txt
place 5.2 backup_check.txt 5.2-restore-check.txt
# What is typed at 4.2: the fingerprint exactly as OpenSSL printed it, after "sha256 Fingerprint=".
cat > "$out/inputs.yaml" <<INPUTS
# What the administrator types where the script expects no fixed value (keywitness rehearse --inputs).
# Written by make-evidence.sh: the fingerprint as \`openssl x509 -noout -fingerprint -sha256\` printed it.
"4.2":
  fingerprint: "${fingerprint#*=}"
INPUTS
echo "evidence written to $out"
