/**
 * The `attestation` expectation of certificate evidence whose first certificate is a YubiHSM 2 key
 * attestation (read by `yubihsm-attestation.ts`): the key was generated on the device, under the
 * label, object id and device serial the script names, and the attestation's chain, walked with the
 * certificates of this file and of the evidence `signed_by` names (what a witness's device is sent)
 * and checked link by link as `keywitness verify` checks them, ends in the attestation CA whose
 * certificate's SHA-256 the script pins (the device's attestation certificate, or a Yubico CA above
 * it). That the attested key is another evidence's key is the ordinary `spki_equals`: the key of a
 * certificate file is its first certificate's, here the attested key.
 */
import type { CheckResult } from '../checks.js';
import type { CheckContext } from './checks-context.js';
import { namedIssuers } from './checks-signatures.js';
import { fingerprintMatches, parsePinnedDigest } from './fingerprints.js';
import type { ParsedEvidence } from './parse.js';
import { certificateNameBytes } from './signed-object.js';
import { certificateSignature, type TrustedCertificate } from './verify-signatures.js';
import { readYubiHsmAttestation, type YubiHsmAttestation } from './yubihsm-attestation.js';

/** The most links walked from the attestation towards its CA. */
const MAX_LINKS = 8;

type Spec = Readonly<{
  origin?: string;
  label?: string;
  serial?: number;
  object_id?: string;
  ca_sha256: string;
}>;

/** The first certificate of the file, when it is a YubiHSM 2 key attestation. */
function firstAttestation(
  p: Extract<ParsedEvidence, { kind: 'certificate' }>,
  where: string,
): YubiHsmAttestation | undefined {
  const attested = readYubiHsmAttestation(
    p.certificates[0],
    p.certificates.length > 1 ? `${where} certificate 1` : where,
  );
  return attested?.role === 'key' ? attested : undefined;
}

/** Walk issuers from the attestation until the pinned CA; a sentence for each outcome. */
async function walkChain(
  start: TrustedCertificate,
  pool: readonly TrustedCertificate[],
  pinned: Uint8Array,
  where: string,
): Promise<{ ok: boolean; observed: string }> {
  const path: string[] = [`"${start.cert.subject}"`];
  let cur = start;
  for (let i = 0; i < MAX_LINKS; i++) {
    const r = await certificateSignature(cur.cert, cur.names, `"${cur.cert.subject}"`, pool, where, {
      at: cur.cert.notBefore,
    });
    if (r.status !== 'valid' || !r.signedBy)
      return { ok: false, observed: `${path.join(' ← ')}: the chain stops (${r.status}: ${r.detail})` };
    const signer = r.signedBy;
    if (signer.cert === cur.cert)
      return {
        ok: false,
        observed: `${path.join(' ← ')} ends self-signed in "${cur.cert.subject}" (SHA-256 ${cur.cert.sha256.colonHex}), not in the pinned CA`,
      };
    path.push(`"${signer.cert.subject}" (${signer.source})`);
    if (fingerprintMatches(signer.cert.sha256, pinned))
      return { ok: true, observed: `${path.join(' ← ')}: each signature valid, ending in the pinned CA` };
    cur = signer;
  }
  return { ok: false, observed: `${path.join(' ← ')}: more than ${MAX_LINKS} links without the pinned CA` };
}

/**
 * Evaluate `attestation: {origin, label, serial, object_id, ca_sha256}` on certificate evidence: one
 * result per declared field, `attestation.<field>`, and `attestation.chain` for the pinned CA.
 * `expect` is the whole expect map, for the issuers `signed_by` names.
 */
export async function checkAttestation(
  ctx: CheckContext,
  p: Extract<ParsedEvidence, { kind: 'certificate' }>,
  spec: Spec,
  expect: Readonly<Record<string, unknown>>,
): Promise<CheckResult[]> {
  const a = firstAttestation(p, ctx.where);
  const fields = Object.keys(spec).map((k) => (k === 'ca_sha256' ? 'chain' : k));
  if (!a) {
    const first = p.certificates[0];
    const later = p.certificates
      .slice(1)
      .some((c, i) => readYubiHsmAttestation(c, `${ctx.where} certificate ${i + 2}`)?.role === 'key');
    return fields.map((f) =>
      ctx.result(
        `attestation.${f}`,
        false,
        'a YubiHSM 2 key attestation',
        later
          ? `the key attestation must be the first certificate of the file; the first is "${first.subject}"`
          : `"${first.subject}" carries no Yubico key attestation extensions`,
      ),
    );
  }
  const out: CheckResult[] = [];
  if (spec.origin !== undefined) {
    const ok =
      spec.origin === 'generated' ? a.origin?.generatedOnDevice === true : ((a.origin?.value ?? 0) & 0x02) !== 0;
    const want = spec.origin === 'generated' ? 'generated on the device, never imported' : 'imported';
    out.push(
      ctx.result(
        'attestation.origin',
        ok,
        want,
        a.origin
          ? `origin ${a.origin.text} (0x${a.origin.value.toString(16).padStart(2, '0')})`
          : 'no origin extension',
      ),
    );
  }
  if (spec.label !== undefined)
    out.push(
      ctx.result(
        'attestation.label',
        a.label === spec.label,
        `"${spec.label}"`,
        a.label === undefined ? 'no label extension' : `"${a.label}"`,
      ),
    );
  if (spec.serial !== undefined)
    out.push(
      ctx.result(
        'attestation.serial',
        a.serial === spec.serial,
        `YubiHSM serial ${spec.serial}`,
        a.serial === undefined ? 'no serial extension' : `YubiHSM serial ${a.serial}`,
      ),
    );
  if (spec.object_id !== undefined)
    out.push(
      ctx.result(
        'attestation.object_id',
        a.objectId === spec.object_id,
        `object ${spec.object_id}`,
        a.objectId === undefined ? 'no object id extension' : `object ${a.objectId}`,
      ),
    );
  const pinned = parsePinnedDigest(spec.ca_sha256, 32, `${ctx.where}.expect.attestation.ca_sha256`);
  const many = p.certificates.length > 1;
  const inFile: TrustedCertificate[] = p.certificates.map((c, i) => {
    const source = many ? `this file, certificate ${i + 1}` : 'this file';
    return { cert: c, names: certificateNameBytes(c.der, `${ctx.where} certificate ${i + 1}`), source };
  });
  const [start] = inFile as [TrustedCertificate, ...TrustedCertificate[]];
  const chain = await walkChain(start, [...inFile, ...namedIssuers(ctx, expect)], pinned, ctx.where);
  out.push(
    ctx.result(
      'attestation.chain',
      chain.ok,
      `a chain of valid signatures to the attestation CA with SHA-256 ${spec.ca_sha256}`,
      chain.observed,
    ),
  );
  return out;
}
