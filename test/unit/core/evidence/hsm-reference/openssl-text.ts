// ORACLE, NOT PRODUCT CODE: the former regex parser, kept verbatim for hsm-linear.test.ts (see index.ts here).
/**
 * OpenSSL text dumps: `openssl x509 -text`, `openssl req -text` and `openssl pkey -pubin -text`.
 * The printed key (`pub:` hex with `ASN1 OID:`, or `Modulus:` with `Exponent:`) is rebuilt as an
 * SPKI; a PEM block after the dump is parsed too, and the two must agree.
 */
import { KeywitnessError } from '../../../../../src/core/errors.js';
import { describeSpki, spkiFromEdwards, spkiFromRsa, type KeyFacts } from '../../../../../src/core/evidence/keys.js';
import { group } from '../../../../../src/core/util/must.js';
import { canonicalCurve } from '../../../../../src/core/evidence/oids.js';
import { keyFromPoint, looseHex, pemPublicKeys, uniqueKeys } from './common.js';
import { hsmObject, type HsmFacts } from '../../../../../src/core/evidence/hsm/types.js';

/** Indented hex continuation lines after a `pub:` or `Modulus:` line. */
function hexBlock(lines: readonly string[], from: number): string {
  const parts: string[] = [];
  for (const line of lines.slice(from)) {
    if (!/^\s+[0-9a-f]{2}(:[0-9a-f]{2})*:?\s*$/i.test(line)) break;
    parts.push(line.trim());
  }
  return parts.join('');
}

function printedKey(lines: readonly string[], where: string): KeyFacts | undefined {
  let curve: string | undefined;
  let pub: Uint8Array | undefined;
  let modulus: Uint8Array | undefined;
  let exponent: Uint8Array | undefined;
  let edwards: 'Ed25519' | 'Ed448' | undefined;
  lines.forEach((line, i) => {
    let m: RegExpExecArray | null;
    if (/^\s*pub:\s*$/.test(line)) pub = looseHex(hexBlock(lines, i + 1));
    else if (/^\s*(Modulus|modulus):\s*$/.test(line)) modulus = looseHex(hexBlock(lines, i + 1));
    else if ((m = /^\s*(?:Public)?Exponent:\s*(\d+)/i.exec(line))) {
      const h = BigInt(group(m, 1)).toString(16);
      exponent = looseHex(h.length % 2 ? `0${h}` : h);
    } else if ((m = /^\s*ASN1 OID:\s*(\S+)/.exec(line))) curve = canonicalCurve(group(m, 1)) ?? curve;
    else if ((m = /^\s*NIST CURVE:\s*(\S+)/.exec(line))) curve = canonicalCurve(group(m, 1)) ?? curve;
    else if ((m = /^\s*(ED25519|ED448) Public-Key:/i.exec(line)))
      edwards = group(m, 1).toUpperCase() === 'ED25519' ? 'Ed25519' : 'Ed448';
  });
  if (edwards && pub) return describeSpki(spkiFromEdwards(edwards, pub, where), where);
  if (pub && curve) return keyFromPoint(curve, pub, where);
  if (modulus && exponent) return describeSpki(spkiFromRsa(modulus, exponent), where);
  return undefined;
}

/** Parse an OpenSSL `-text` dump. */
export function parseOpensslText(text: string, where: string): HsmFacts {
  const lines = text.split('\n');
  const facts: Record<string, string> = {};
  for (const line of lines) {
    let m: RegExpExecArray | null;
    if ((m = /^\s*(Subject|Issuer):\s*(.*)$/.exec(line))) facts[group(m, 1).toLowerCase()] ??= group(m, 2).trim();
    else if ((m = /^\s*Serial Number:\s*(.*)$/.exec(line))) facts.serial ??= group(m, 1).trim();
    else if ((m = /^\s*Signature Algorithm:\s*(.*)$/.exec(line))) facts.signature_algorithm ??= group(m, 1).trim();
    else if ((m = /^\s*Public Key Algorithm:\s*(.*)$/.exec(line))) facts.public_key_algorithm ??= group(m, 1).trim();
    else if ((m = /^\s*Not Before\s*:\s*(.*)$/.exec(line))) facts.not_before ??= group(m, 1).trim();
    else if ((m = /^\s*Not After\s*:\s*(.*)$/.exec(line))) facts.not_after ??= group(m, 1).trim();
    else if ((m = /Public-Key:\s*\((\d+) bit\)/.exec(line))) facts.key_bits ??= group(m, 1);
  }
  if (/^\s*Serial Number:\s*$/m.test(text)) {
    const i = lines.findIndex((l) => /^\s*Serial Number:\s*$/.test(l));
    facts.serial = lines[i + 1]?.trim() ?? '';
  }
  facts.document = /^Certificate Request:/m.test(text)
    ? 'certificate request'
    : /^Certificate:/m.test(text)
      ? 'certificate'
      : 'public key';
  const printed = printedKey(lines, where);
  const pem = pemPublicKeys(text, where);
  if (printed && pem.length > 0 && !pem.some((k) => k.spkiSha256.hex === printed.spkiSha256.hex)) {
    throw new KeywitnessError(
      'EVIDENCE_INVALID',
      'the key printed in the text dump differs from the key in the PEM block that follows it',
      { where },
    );
  }
  const publicKeys = uniqueKeys([printed, ...pem]);
  const key = publicKeys[0];
  const objects = key
    ? [
        hsmObject({
          class: 'public-key',
          keyType: key.algorithm === 'ECDSA' ? 'EC' : key.algorithm.startsWith('Ed') ? 'EC_EDWARDS' : key.algorithm,
          bits: key.size,
          curve: key.curve,
          publicKey: key,
          label: facts.subject,
          attributes: {},
        }),
      ]
    : [];
  const errors = lines.filter((l) => /^[0-9A-F]{8,}:error:|^(unable to|Could not) /i.test(l)).map((l) => l.trim());
  return {
    format: 'openssl',
    success: errors.length ? false : publicKeys.length > 0 ? true : undefined,
    errors,
    facts,
    objects,
    publicKeys,
  };
}
