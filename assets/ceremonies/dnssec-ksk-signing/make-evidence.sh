#!/usr/bin/env bash
# Regenerates the evidence of a dnssec-ksk-signing.yaml rehearsal with a real SoftHSM2 token,
# following the script's commands step by step. The tools write to an export folder under the
# names the script's instructions use (its /media/kw-export); the files are then laid out as
# keywitness rehearse reads them: OUTDIR/<step id>/<evidence id>.<extension>, one file per
# evidence id. Every input of the script has an expected value, so no answers file is needed:
# with the expected values pinned (see below),
#   keywitness rehearse dnssec-ksk-signing.yaml --evidence OUTDIR
# rehearses the script from them.
#
# A signing ceremony starts from what earlier events left behind, so this script first plays
# them (part A), then the ceremony itself (part B):
#   A1. the KSK generation ceremony: a token holding the KSK (ECDSA P-256, DNSSEC algorithm 13),
#       a backup archive of the token storage, and the KSK's SPKI SHA-256, key tag and DS
#       recorded on its closing form;
#   A2. the zone operator's key signing request: the DNSKEY records of its two zone-signing
#       keys (current and next), made with ldns-keygen on the operator's own systems.
# What part A produces is random, and the ceremony script pins it in advance in `expected`. So
# besides the evidence files this writes OUTDIR/expected-values.yaml: the lines of the script's
# `expected` block that depend on part A. Commit the evidence together with those lines pasted
# into dnssec-ksk-signing.yaml; the tests check that the pair agrees.
#
# The DNSKEY of the KSK is derived from the token's public key with OpenSSL alone (RFC 6605 §4:
# the public key field of an algorithm 13 DNSKEY is the 64-octet X || Y of the P-256 point, the
# last 64 octets of its SubjectPublicKeyInfo). ldns-signzone signs with the key inside the
# token through OpenSSL's pkcs11 engine; ldns-key2ds prints the DS; ldns-verify-zone checks the
# signatures with that DS as its only trust anchor.
#
# Needs: softhsm2 opensc openssl libengine-pkcs11-openssl ldnsutils (Debian).
# Usage: make-evidence.sh OUTDIR [SCRIPT]
#   With SCRIPT (e.g. ../dnssec-ksk-signing.yaml), those lines also replace the same names' lines in
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
token=KW-KSK-2026 key=ksk-example-2026 zone=example.
inception=20261201000000 expiration=20270301000000
softhsm_conf() { printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$1" > "$2"; }
# RFC 6605 §4: DNSKEY public key of a P-256 key = the last 64 octets of its SPKI DER.
dnskey_of() { printf '%s 172800 IN DNSKEY 257 3 13 %s\n' "$zone" "$(openssl pkey -pubin -in "$1" -outform DER | tail -c 64 | base64 -w0)"; }

# ---- A1. The KSK generation ceremony (earlier) ----------------------------------------------
mkdir -p "$work/gen-token/tokens"
softhsm_conf "$work/gen-token/tokens" "$work/gen.conf"
export SOFTHSM2_CONF=$work/gen.conf
softhsm2-util --init-token --free --label "$token" --so-pin "$so_pin" --pin "$user_pin" > /dev/null
pkcs11-tool --module "$module" --token-label "$token" --login --pin "$user_pin" \
  --keypairgen --key-type EC:prime256v1 --label "$key" --id 01 > /dev/null 2>&1
openssl pkey -engine pkcs11 -inform engine -pubin -in "pkcs11:token=$token;object=$key;type=public" \
  -pubout -out "$work/gen-ksk.pub.pem" 2>/dev/null
dnskey_of "$work/gen-ksk.pub.pem" > "$work/gen-ksk.key"
gen_ds=$(ldns-key2ds -n -2 "$work/gen-ksk.key")
token_serial=$(softhsm2-util --show-slots | awk -v t="$token" '/Serial number:/ {s=$3} /Label:/ && $2==t {print s; exit}')
mkdir -p "$work/backup-a"
tar -C "$work/gen-token" -cf "$work/backup-a/kw-ksk-2026-tokens.tar" tokens
rm -rf "$work/gen-token" "$work/gen.conf"

# ---- A2. The zone operator's key signing request ---------------------------------------------
mkdir -p "$work/operator"
(cd "$work/operator"
 for n in current next; do k=$(ldns-keygen -a ECDSAP256SHA256 "$zone"); cat "$k.key" >> ksr.dnskey; done)
cp "$work/operator/ksr.dnskey" "$export_dir/example-ksr.dnskey"
rm -rf "$work/operator"   # the ZSK private keys never leave the operator

# ---- B. The signing ceremony ------------------------------------------------------------------
# 2.2 The backup archive is the one recorded at the KSK generation ceremony
{ tar -tvf "$work/backup-a/kw-ksk-2026-tokens.tar" | awk '{print $1, $3, $6}'
  (cd "$work/backup-a" && sha256sum kw-ksk-2026-tokens.tar); } > "$export_dir/2.2-backup-check.txt"

# 2.3 Restore the token storage into the laptop's RAM disk and show the token
mkdir -p "$work/ceremony"
tar -C "$work/ceremony" -xf "$work/backup-a/kw-ksk-2026-tokens.tar"
softhsm_conf "$work/ceremony/tokens" "$work/softhsm2.conf"
export SOFTHSM2_CONF=$work/softhsm2.conf
softhsm2-util --show-slots > "$export_dir/2.3-show-slots.txt"

# 2.4 The restored token holds the KSK pair, and nothing else
pkcs11-tool --module "$module" --token-label "$token" --login --pin "$user_pin" \
  --list-token-slots --list-objects > "$export_dir/2.4-list-objects.txt" 2>&1

# 2.5 Export the KSK's public key
openssl pkey -engine pkcs11 -inform engine -pubin -in "pkcs11:token=$token;object=$key;type=public" \
  -pubout -out "$export_dir/ksk.pub.pem" 2>/dev/null

# 3.1 Derive the KSK's DNSKEY record from the public key
dnskey_of "$export_dir/ksk.pub.pem" > "$export_dir/ksk.dnskey"

# 3.3 Sign the DNSKEY RRset (KSK + the request's ZSKs) with the KSK inside the token
# The skeleton zone: what /ceremony/profiles/example.zone holds on the boot media.
cat > "$work/example.zone" <<ZONE
\$ORIGIN $zone
\$TTL 172800
@ IN SOA ns1.example. hostmaster.example. 2026120101 7200 3600 1209600 3600
@ IN NS ns1.example.
ZONE
cat "$export_dir/ksk.dnskey" "$export_dir/example-ksr.dnskey" >> "$work/example.zone"
ldns-signzone -E pkcs11 -K "13,pkcs11:token=$token;object=$key;type=private;pin-value=$user_pin" \
  -i "$inception" -e "$expiration" -o "$zone" -f "$work/example.zone.signed" "$work/example.zone" > /dev/null
awk '$4 == "DNSKEY" || ($4 == "RRSIG" && $5 == "DNSKEY")' "$work/example.zone.signed" > "$export_dir/example-skr.txt"

# 3.4 Verify the signed RRset with the KSK's DS as the only trust anchor
ldns-key2ds -n -2 "$export_dir/ksk.dnskey" > "$export_dir/ksk.ds"
ldns-verify-zone -V 5 -k "$export_dir/ksk.ds" -t "$inception" "$work/example.zone.signed" > "$export_dir/3.4-verify.txt" 2>&1

# 5.1 Erase the restored token from the RAM disk; no token with the KSK's label remains
rm -rf "$work/ceremony/tokens"
mkdir -p "$work/ceremony/tokens"
softhsm2-util --show-slots > "$export_dir/5.1-erased.txt"

# The evidence folder: each file the script imports, as OUTDIR/<step id>/<evidence id>.<extension>
place() { mkdir -p "$out/$1"; cp "$export_dir/$3" "$out/$1/$2"; }
place 2.2 backup_check.txt 2.2-backup-check.txt
place 2.3 token_restored.txt 2.3-show-slots.txt
place 2.4 token_objects.txt 2.4-list-objects.txt
place 2.5 ksk_pub.pem ksk.pub.pem
place 3.1 ksk_dnskey.dnskey ksk.dnskey
place 3.2 ksr.dnskey example-ksr.dnskey
place 3.3 skr.txt example-skr.txt
place 3.4 ds_record.txt ksk.ds
place 3.4 zone_verify.txt 3.4-verify.txt
place 5.1 token_erased.txt 5.1-erased.txt

# The values the script pins in advance that part A made
read -r _ _ _ _ ksk_tag _ _ ksk_digest <<< "$gen_ds"
zsk_tags=$(sed -nE 's/.*DNSKEY.*id = ([0-9]+).*/\1/p' "$export_dir/example-ksr.dnskey" | paste -sd, -)
spki_sha256=$(openssl pkey -pubin -in "$work/gen-ksk.pub.pem" -outform DER | sha256sum | cut -d' ' -f1)
backup_sha256=$(sha256sum "$work/backup-a/kw-ksk-2026-tokens.tar" | cut -d' ' -f1)
ksr_sha256=$(sha256sum "$export_dir/example-ksr.dnskey" | cut -d' ' -f1)
cat > "$out/expected-values.yaml" <<VALUES
  token_serial: "$token_serial"
  backup_sha256: "$backup_sha256"
  ksk_spki_sha256: "$spki_sha256"
  ksk_key_tag: "$ksk_tag"
  ksk_ds_digest: "$ksk_digest"
  ksk_ds: "$ksk_tag 13 2 $ksk_digest"
  ksr_sha256: "$ksr_sha256"
  zsk_key_tag_current: "${zsk_tags%%,*}"
  zsk_key_tag_next: "${zsk_tags##*,}"
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
