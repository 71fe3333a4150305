/**
 * Expectations on certificates, CSRs and public keys (RFC 5280 fields and extensions), each
 * evaluated into expected vs observed text a witness can read.
 */
import type { CheckResult } from '../checks.js';
import { toHex } from '../util/bytes.js';
import { sha1 } from '../util/hash.js';
import { must } from '../util/must.js';
import { formatTime } from '../util/time-format.js';
import { validityDays, type CertificateFacts, type CsrFacts } from './certificate.js';
import { checkChain, isSelfIssued, selfIssuedBytes, verifyIssuedBy, verifyWith } from './chain.js';
import { issuerOf, observedName, subjectOf } from './name-match.js';
import type { KeyFacts } from './keys.js';
import { childrenOf, contentOf, scanDer } from './der.js';
import { namesEqual, parseName } from './names.js';
import { canonicalCurve, EKUS, lookup } from './oids.js';
import { verifySignature } from './verify.js';
import type { CheckContext } from './checks-context.js';

type Expect = Readonly<Record<string, unknown>>;

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

const list = (v: readonly string[] | undefined): string => (v && v.length ? v.join(', ') : '(none)');

/** `key: {algorithm, size, curve}` against a key. */
export function checkKey(ctx: CheckContext, key: KeyFacts, spec: Expect): CheckResult[] {
  const out: CheckResult[] = [];
  if (spec.algorithm !== undefined) {
    const want = spec.algorithm === 'EC' ? 'ECDSA' : String(spec.algorithm);
    out.push(ctx.result('key.algorithm', key.algorithm === want, want, key.algorithm));
  }
  if (spec.size !== undefined)
    out.push(
      ctx.result(
        'key.size',
        key.size === spec.size,
        `${String(spec.size)} bits`,
        key.size ? `${key.size} bits` : 'unknown',
      ),
    );
  if (spec.curve !== undefined) {
    const want = canonicalCurve(String(spec.curve)) ?? String(spec.curve);
    out.push(ctx.result('key.curve', key.curve === want, want, key.curve ?? 'no curve'));
  }
  return out;
}

function dateMatches(observed: Date, expected: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(expected)
    ? observed.toISOString().slice(0, 10) === expected
    : observed.getTime() === Date.parse(expected);
}

/** Evaluate one certificate or CSR expectation; undefined when the key is not a PKI key. */
export async function checkPki(
  ctx: CheckContext,
  subject: CertificateFacts | CsrFacts,
  key: string,
  value: unknown,
  all: readonly CertificateFacts[],
): Promise<CheckResult[] | undefined> {
  const cert = subject.type === 'certificate' ? subject : undefined;
  const ext = subject.extensions;
  switch (key) {
    case 'subject': {
      // A script's string says nothing of encodings; the observed value names each attribute's string type.
      const ok = namesEqual(subject.subjectRdns, parseName(String(value), ctx.where));
      return [ctx.result('subject', ok, String(value), observedName(subjectOf(subject, ctx.where), ctx.where))];
    }
    case 'signature_algorithm':
      return [
        ctx.result(
          'signature_algorithm',
          subject.algorithm.name.toLowerCase() === String(value).toLowerCase() || subject.algorithm.oid === value,
          String(value),
          subject.algorithm.name,
        ),
      ];
    case 'key':
      return checkKey(ctx, subject.key, value as Expect);
    case 'signature_valid': {
      const r = await verifyWith(subject, subject.key, ctx.where);
      return [
        ctx.result(
          'signature_valid',
          (r.status === 'valid') === value,
          value ? 'self-signature valid' : 'self-signature invalid',
          `${r.status}: ${r.detail}`,
        ),
      ];
    }
    case 'basic_constraints': {
      const spec = value as Expect;
      const bc = ext.basicConstraints;
      const out: CheckResult[] = [];
      if (spec.ca !== undefined)
        out.push(
          ctx.result(
            'basic_constraints.ca',
            (bc?.ca ?? false) === spec.ca,
            `CA:${String(spec.ca).toUpperCase()}`,
            bc ? `CA:${String(bc.ca).toUpperCase()}` : 'no basicConstraints extension',
          ),
        );
      if (spec.path_len !== undefined) {
        const want = spec.path_len === null ? 'no path length limit' : `pathlen:${String(spec.path_len)}`;
        const got = !bc
          ? 'no basicConstraints extension'
          : bc.pathLen === undefined
            ? 'no path length limit'
            : `pathlen:${bc.pathLen}`;
        out.push(ctx.result('basic_constraints.path_len', want === got, want, got));
      }
      if (spec.critical !== undefined)
        out.push(
          ctx.result(
            'basic_constraints.critical',
            (bc?.critical ?? false) === spec.critical,
            spec.critical ? 'critical' : 'not critical',
            bc ? (bc.critical ? 'critical' : 'not critical') : 'no basicConstraints extension',
          ),
        );
      return out;
    }
    case 'key_usage':
      return [
        ctx.result(
          'key_usage',
          sameSet(ext.keyUsage?.usages ?? [], value as string[]),
          list(value as string[]),
          list(ext.keyUsage?.usages),
        ),
      ];
    case 'ext_key_usage': {
      const want = (value as string[]).map((v) => lookup(EKUS, v) ?? v);
      return [
        ctx.result(
          'ext_key_usage',
          sameSet(ext.extendedKeyUsage?.purposes ?? [], want),
          list(want),
          list(ext.extendedKeyUsage?.purposes),
        ),
      ];
    }
  }
  if (!cert) return undefined;
  switch (key) {
    case 'issuer':
      return [
        ctx.result(
          'issuer',
          namesEqual(cert.issuerRdns, parseName(String(value), ctx.where)),
          String(value),
          observedName(issuerOf(cert, ctx.where), ctx.where),
        ),
      ];
    case 'self_signed': {
      const expected = value ? 'self-signed with a valid signature' : 'not self-signed';
      if (!isSelfIssued(cert))
        return [ctx.result('self_signed', value === false, expected, `not self-issued (issuer "${cert.issuer}")`)];
      const bytes = selfIssuedBytes(cert, ctx.where);
      if (bytes) return [ctx.result('self_signed', value === false, expected, bytes.detail)];
      const r = await verifyWith(cert, cert.key, ctx.where);
      return [
        ctx.result(
          'self_signed',
          (r.status === 'valid') === value,
          expected,
          `self-issued; signature ${r.status}: ${r.detail}`,
        ),
      ];
    }
    case 'signed_by': {
      const other = ctx.resolve(String(value));
      if (typeof other === 'string') return [ctx.result('signed_by', false, `signed by ${String(value)}`, other)];
      if (other.kind === 'certificate') {
        const issuer = other.certificates[0];
        const r = await verifyIssuedBy(cert, issuer, ctx.where);
        return [
          ctx.result(
            'signed_by',
            r.status === 'valid',
            `signed by ${String(value)} (${issuer.subject})`,
            `${r.status}: ${r.detail}`,
          ),
        ];
      }
      const keys = ctx.keysOf(other);
      const results = await Promise.all(
        keys.map((k) => verifySignature(k, cert.algorithm, cert.tbs, cert.signature, ctx.where)),
      );
      const ok = results.some((r) => r.status === 'valid');
      return [
        ctx.result(
          'signed_by',
          ok,
          `signed by the key in ${String(value)}`,
          results.length
            ? results.map((r) => `${r.status}: ${r.detail}`).join('; ')
            : `${String(value)} holds no public key`,
        ),
      ];
    }
    case 'chain_valid': {
      const links = await checkChain(all, ctx.where);
      const ok = links.length > 0 && links.every((l) => l.result.status === 'valid');
      return [
        ctx.result(
          'chain_valid',
          ok === value,
          value ? 'each certificate signed by the next, ending self-signed' : 'chain not valid',
          links.map((l) => `#${l.index + 1} ${l.subject} ← ${l.issuedBy}: ${l.result.status}`).join('; '),
        ),
      ];
    }
    case 'validity_days': {
      const days = validityDays(cert);
      return [
        ctx.result(
          'validity_days',
          days === value,
          `${String(value)} days`,
          `${Number.isInteger(days) ? days : days.toFixed(4)} days (${formatTime(cert.notBefore)} to ${formatTime(cert.notAfter)})`,
        ),
      ];
    }
    case 'not_before':
      return [
        ctx.result('not_before', dateMatches(cert.notBefore, String(value)), String(value), formatTime(cert.notBefore)),
      ];
    case 'not_after':
      return [
        ctx.result('not_after', dateMatches(cert.notAfter, String(value)), String(value), formatTime(cert.notAfter)),
      ];
    case 'valid_at': {
      const t = Date.parse(String(value));
      return [
        ctx.result(
          'valid_at',
          cert.notBefore.getTime() <= t && t <= cert.notAfter.getTime(),
          `valid at ${String(value)}`,
          `valid ${formatTime(cert.notBefore)} to ${formatTime(cert.notAfter)}`,
        ),
      ];
    }
    case 'ski':
      return [
        ctx.result(
          'ski',
          ext.subjectKeyIdentifier === value,
          String(value),
          ext.subjectKeyIdentifier ?? 'no subjectKeyIdentifier',
        ),
      ];
    case 'aki':
      return [
        ctx.result(
          'aki',
          ext.authorityKeyIdentifier?.keyId === value,
          String(value),
          ext.authorityKeyIdentifier?.keyId ?? 'no authorityKeyIdentifier keyIdentifier',
        ),
      ];
    case 'aki_matches': {
      const other = ctx.resolve(String(value));
      if (typeof other === 'string')
        return [ctx.result('aki_matches', false, `AKI equals the SKI of ${String(value)}`, other)];
      const ski = other.kind === 'certificate' ? other.certificates[0].extensions.subjectKeyIdentifier : undefined;
      const aki = ext.authorityKeyIdentifier?.keyId;
      return [
        ctx.result(
          'aki_matches',
          ski !== undefined && aki === ski,
          `AKI equals the SKI of ${String(value)} (${ski ?? 'it has no SKI'})`,
          aki ?? 'no authorityKeyIdentifier keyIdentifier',
        ),
      ];
    }
    case 'ski_is_key_hash': {
      // RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING value.
      const method1 = toHex(sha1(subjectPublicKeyBits(cert.key)));
      const ok = (ext.subjectKeyIdentifier === method1) === value;
      return [
        ctx.result(
          'ski_is_key_hash',
          ok,
          value ? `SKI = SHA-1 of the public key (${method1})` : 'SKI not the key hash',
          ext.subjectKeyIdentifier ?? 'no subjectKeyIdentifier',
        ),
      ];
    }
    case 'serial':
      return [
        ctx.result(
          'serial',
          cert.serial ===
            String(value)
              .replace(/[:\s]/g, '')
              .toLowerCase()
              .replace(/^0+(?=.)/, ''),
          String(value),
          cert.serial,
        ),
      ];
    case 'serial_min_bits':
      return [
        ctx.result(
          'serial_min_bits',
          !cert.serialNegative && cert.serialBits >= (value as number),
          `at least ${String(value)} bits, positive`,
          `${cert.serialBits} bits${cert.serialNegative ? ', negative' : ''}`,
        ),
      ];
    case 'policies':
      return [
        ctx.result(
          'policies',
          sameSet(ext.certificatePolicies ?? [], value as string[]),
          list(value as string[]),
          list(ext.certificatePolicies),
        ),
      ];
    case 'name_constraints': {
      const spec = value as { permitted?: string[]; excluded?: string[] };
      const nc = ext.nameConstraints;
      const ok = sameSet(nc?.permitted ?? [], spec.permitted ?? []) && sameSet(nc?.excluded ?? [], spec.excluded ?? []);
      return [
        ctx.result(
          'name_constraints',
          ok,
          `permitted: ${list(spec.permitted)}; excluded: ${list(spec.excluded)}`,
          nc ? `permitted: ${list(nc.permitted)}; excluded: ${list(nc.excluded)}` : 'no nameConstraints extension',
        ),
      ];
    }
  }
  return undefined;
}

/** The subjectPublicKey BIT STRING contents (without the unused-bits octet) of an SPKI. */
function subjectPublicKeyBits(key: KeyFacts): Uint8Array {
  const [, bits] = childrenOf(key.spki, scanDer(key.spki, 'SPKI'), 'SPKI');
  return contentOf(key.spki, must(bits, 'the subjectPublicKey of a parsed SPKI')).subarray(1);
}
