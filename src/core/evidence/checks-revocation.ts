/**
 * Expectations on CRL and OCSP evidence (`kind: crl`, `kind: ocsp`): who issued the CRL, its
 * number, the exact set of serials it revokes and whether it is current at a date; the status and
 * serial an OCSP response gives. `signed_by` names the evidence whose certificate must have signed
 * it (the CA, or for OCSP the CA that delegated the responder) and checks it as `keywitness verify`
 * does, with that evidence as the only issuer: a witness's device is sent exactly that evidence.
 * `signatures: valid` and `sha256` (of the DER) are the general checks of `checks.ts`.
 */
import type { CheckResult } from '../checks.js';
import { formatTime } from '../util/time-format.js';
import type { CheckContext } from './checks-context.js';
import { checkSignatures } from './checks-signatures.js';
import { compareNames, observedName, subjectOf, textOnlySentence, type NameWithBytes } from './name-match.js';
import { namesEqual, parseName } from './names.js';
import type { ParsedEvidence } from './parse.js';

type Revocation = Extract<ParsedEvidence, { kind: 'crl' | 'ocsp' }>;

/** A serial as the parsers hold it: lower-case hex of the magnitude, no leading zeros. */
export function normalSerial(text: string): string {
  return text
    .replace(/[:\s]/g, '')
    .toLowerCase()
    .replace(/^0x/, '')
    .replace(/^0+(?=.)/, '');
}

const crlIssuer = (crl: Extract<Revocation, { kind: 'crl' }>['crl']): NameWithBytes => ({
  text: crl.issuer,
  rdns: crl.issuerRdns,
  der: crl.issuerDer,
});

const list = (v: readonly string[]): string => (v.length ? v.join(', ') : '(none)');

/** `signed_by` on a CRL or an OCSP response: every signature valid with that evidence as the issuer. */
async function signedBy(
  ctx: CheckContext,
  p: Revocation,
  value: unknown,
  expect: Readonly<Record<string, unknown>>,
): Promise<CheckResult[]> {
  const [r] = await checkSignatures(ctx, 'valid', expect);
  const id = String(value);
  const other = ctx.resolve(id);
  if (typeof other === 'string') return [ctx.result('signed_by', false, `signed by ${id}`, other)];
  if (other.kind !== 'certificate')
    return [ctx.result('signed_by', false, `signed by ${id}`, `${id} is ${other.kind} evidence, not a certificate`)];
  const expected = `signed by ${id} ("${other.certificates[0].subject}")`;
  // `verify` notes a CRL issuer equal to the signer's subject only as text; a script's signed_by
  // holds it to the bytes relying parties compare.
  if (p.kind === 'crl') {
    const here = crlIssuer(p.crl);
    const there = subjectOf(other.certificates[0], ctx.where);
    const c = compareNames(here, there, ctx.where);
    if (c.match === 'text-only')
      return [
        ctx.result(
          'signed_by',
          false,
          expected,
          `the CRL issuer and the signer's subject: ${textOnlySentence(here, there, c.why)}`,
        ),
      ];
  }
  return [ctx.result('signed_by', r?.ok === true, expected, r?.observed ?? 'not checked')];
}

/** Evaluate one expectation on a CRL or an OCSP response; `[]` for a key that does not apply. */
export async function checkRevocation(
  ctx: CheckContext,
  p: Revocation,
  key: string,
  value: unknown,
  expect: Readonly<Record<string, unknown>>,
): Promise<CheckResult[]> {
  if (key === 'signed_by') return signedBy(ctx, p, value, expect);
  if (p.kind === 'crl') {
    const crl = p.crl;
    switch (key) {
      case 'issuer':
        return [
          ctx.result(
            'issuer',
            namesEqual(crl.issuerRdns, parseName(String(value), ctx.where)),
            String(value),
            observedName(crlIssuer(crl), ctx.where),
          ),
        ];
      case 'crl_number':
        return [
          ctx.result(
            'crl_number',
            crl.crlNumber === String(value),
            String(value),
            crl.crlNumber ?? 'no cRLNumber extension',
          ),
        ];
      case 'revoked': {
        const want = [...new Set((value as string[]).map(normalSerial))].sort();
        const got = [...new Set(crl.revoked.map((r) => r.serial))].sort();
        const ok = want.length === got.length && want.every((s, i) => s === got[i]);
        const shown = crl.revoked.map((r) => `${r.serial}${r.reason ? ` (${r.reason})` : ''}`);
        return [ctx.result('revoked', ok, `exactly these serials revoked: ${list(want)}`, list(shown))];
      }
      case 'valid_at': {
        const t = Date.parse(String(value));
        const ok = crl.thisUpdate.getTime() <= t && (crl.nextUpdate === undefined || t <= crl.nextUpdate.getTime());
        const until = crl.nextUpdate ? formatTime(crl.nextUpdate) : 'no nextUpdate';
        return [
          ctx.result(
            'valid_at',
            ok,
            `current at ${String(value)}`,
            `thisUpdate ${formatTime(crl.thisUpdate)}, nextUpdate ${until}`,
          ),
        ];
      }
    }
    return [];
  }
  const responses = p.ocsp.responses;
  const shown = list(
    responses.map((r) => `serial ${r.serial} ${r.status}${r.revocationReason ? ` (${r.revocationReason})` : ''}`),
  );
  switch (key) {
    case 'cert_status':
      return [
        ctx.result(
          'cert_status',
          responses.length > 0 && responses.every((r) => r.status === value),
          `every response says ${String(value)}`,
          shown,
        ),
      ];
    case 'serial': {
      const want = normalSerial(String(value));
      return [
        ctx.result(
          'serial',
          responses.length > 0 && responses.every((r) => r.serial === want),
          `a response about serial ${want} only`,
          shown,
        ),
      ];
    }
  }
  return [];
}
