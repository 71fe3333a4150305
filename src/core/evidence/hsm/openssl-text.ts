/**
 * OpenSSL text dumps: `openssl x509 -text`, `openssl req -text` and `openssl pkey -pubin -text`.
 * The printed key (`pub:` hex with `ASN1 OID:`, or `Modulus:` with `Exponent:`) is rebuilt as an
 * SPKI; a PEM block after the dump is parsed too, and the two must agree.
 */
import { KeywitnessError } from '../../errors.js';
import { describeSpki, spkiFromEdwards, spkiFromRsa, type KeyFacts } from '../keys.js';
import { group } from '../../util/must.js';
import { canonicalCurve } from '../oids.js';
import { jsLines, keyFromPoint, looseHex, pemPublicKeys, restAfterBlanks, uniqueKeys } from './common.js';
import { hsmObject, type HsmFacts } from './types.js';

/** Indented hex continuation lines after a `pub:` or `Modulus:` line (without copying the rest). */
function hexBlock(lines: readonly string[], from: number): string {
  const parts: string[] = [];
  for (let i = from; i < lines.length; i++) {
    const line = lines[i] ?? '';
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
    // `^\s*Label:\s*(.*)$`, each: the label by an anchored regex, the rest as `.*` reads it.
    const labelled = (label: RegExp): string | undefined => {
      const m = label.exec(line);
      return (m ? restAfterBlanks(line, m[0].length, 0, 0) : undefined)?.trim();
    };
    let m: RegExpExecArray | null;
    let v: string | undefined;
    if ((m = /^\s*(Subject|Issuer):/.exec(line)) && (v = labelled(/^\s*(?:Subject|Issuer):/)) !== undefined)
      facts[group(m, 1).toLowerCase()] ??= v;
    else if ((v = labelled(/^\s*Serial Number:/)) !== undefined) facts.serial ??= v;
    else if ((v = labelled(/^\s*Signature Algorithm:/)) !== undefined) facts.signature_algorithm ??= v;
    else if ((v = labelled(/^\s*Public Key Algorithm:/)) !== undefined) facts.public_key_algorithm ??= v;
    else if ((v = labelled(/^\s*Not Before\s*:/)) !== undefined) facts.not_before ??= v;
    else if ((v = labelled(/^\s*Not After\s*:/)) !== undefined) facts.not_after ??= v;
    else if ((m = /Public-Key:\s*\((\d+) bit\)/.exec(line))) facts.key_bits ??= group(m, 1);
  }
  // Over the lines as `/m` sees them, one by one: a `/m` regex starting `^\s*` rescans a run of
  // blank lines from every line start.
  const mLines = jsLines(text);
  if (mLines.some((l) => /^\s*Serial Number:\s*$/.test(l))) {
    const i = lines.findIndex((l) => /^\s*Serial Number:\s*$/.test(l));
    facts.serial = lines[i + 1]?.trim() ?? '';
  }
  facts.document = mLines.some((l) => l.startsWith('Certificate Request:'))
    ? 'certificate request'
    : mLines.some((l) => l.startsWith('Certificate:'))
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
