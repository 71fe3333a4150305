/**
 * The evidence checker (docs/architecture.md, "Evidence and checks"; the contract is
 * src/core/checks.ts): every expectation a script declares for an evidence item becomes a
 * CheckResult `<evidence id>.<check>` with expected and observed text. Bad evidence bytes never
 * throw: they yield a failed `<id>.parse` result saying what failed, and every declared expectation
 * is reported as not evaluated.
 */
import type { CheckResult, EvidenceChecker, EvidenceItem } from '../checks.js';
import { isKeywitnessError } from '../errors.js';
import { fromHex } from '../util/bytes.js';
import { compileLinear } from '../util/linear-regex.js';
import { checkAttestation } from './checks-attestation.js';
import { checkKey, checkPki } from './checks-pki.js';
import { checkObject } from './checks-pkcs11.js';
import { checkRevocation } from './checks-revocation.js';
import { checkLints, checkSignatures, lintsApplyByDefault } from './checks-signatures.js';
import { makeContext, type CheckContext } from './checks-context.js';
import { EXPECTATION_RULES, validateExpectations } from './expectations.js';
import { fingerprintMatches, parsePinnedDigest } from './fingerprints.js';
import type { HsmObject } from './hsm/index.js';
import { canonicalCurve } from './oids.js';
import { normalizeKeyType } from './hsm/common.js';
import { parseEvidence, type ParsedEvidence } from './parse.js';

function describeParsed(p: ParsedEvidence): string {
  switch (p.kind) {
    case 'certificate':
      return p.certificates.length === 1
        ? `certificate "${p.certificates[0].subject}"`
        : `${p.certificates.length} certificates`;
    case 'csr':
      return `certificate request "${p.csr.subject}"`;
    case 'public-key':
      return `${p.key.algorithm} public key`;
    case 'dnskey':
      return `${p.dnssec.keys.length} DNSKEY(s), ${p.dnssec.anchors.length} trust anchor digest(s)`;
    case 'hsm-output':
      return `${p.hsm.format} output, ${p.hsm.objects.length} object(s), ${p.hsm.publicKeys.length} public key(s)`;
    case 'crl':
      return `CRL of "${p.crl.issuer}"${p.crl.crlNumber === undefined ? '' : ` number ${p.crl.crlNumber}`}, ${p.crl.revoked.length} revoked`;
    case 'ocsp':
      return `OCSP response: ${p.ocsp.responses.map((r) => `serial ${r.serial} ${r.status}`).join(', ') || 'no responses'}`;
    case 'file':
      return `${p.size} bytes`;
  }
}

function textOf(p: ParsedEvidence): string | undefined {
  if (p.kind === 'hsm-output') return p.hsm.text;
  if (p.kind === 'file') return p.text;
  return undefined;
}

function regexChecks(
  ctx: CheckContext,
  p: ParsedEvidence,
  key: 'present' | 'absent',
  patterns: string[],
  text: string | undefined,
): CheckResult[] {
  return patterns.map((pattern, i) => {
    const check = patterns.length > 1 ? `${key}[${i}]` : key;
    if (text === undefined) return ctx.result(check, false, `/${pattern}/ ${key}`, 'the evidence is not text');
    // Script patterns run on RE2, linear in the text (src/core/util/linear-regex.ts).
    const m = compileLinear(pattern, { multiline: true }).find(text);
    const ok = key === 'present' ? m !== undefined : m === undefined;
    return ctx.result(check, ok, `/${pattern}/ ${key}`, m !== undefined ? `found: "${m.slice(0, 120)}"` : 'not found');
  });
}

/** Objects the HSM expectations are evaluated over: those with the expected label, else all. */
function candidates(objects: readonly HsmObject[], label: unknown): readonly HsmObject[] {
  return label === undefined ? objects : objects.filter((o) => o.label === label);
}

/** One object as a witness finds it in the output: `public-key "root-ca-p384"` (or its id). */
function objectName(o: HsmObject): string {
  const name = o.label !== undefined ? ` "${o.label}"` : o.id !== undefined ? ` id ${o.id}` : '';
  return `${o.class ?? 'object'}${name}`;
}

/** Every label the output shows, each with the classes of its objects: `"root-ca-p384" (private-key, public-key)`. */
function labelsSeen(objects: readonly HsmObject[]): string {
  if (objects.length === 0) return 'no objects in the output';
  const byLabel = new Map<string, string[]>();
  for (const o of objects) {
    const key = o.label === undefined ? '(no label)' : `"${o.label}"`;
    byLabel.set(key, [...(byLabel.get(key) ?? []), o.class ?? 'object']);
  }
  return `labels seen: ${[...byLabel].map(([label, classes]) => `${label} (${classes.join(', ')})`).join(', ')}`;
}

/** A value declared in the script, as text: what an expectation that was not evaluated asked for. */
function declared(value: unknown): string {
  if (Array.isArray(value)) return value.map(declared).join(', ');
  if (value !== null && typeof value === 'object')
    return Object.entries(value)
      .map(([k, v]) => `${k}: ${declared(v)}`)
      .join('; ');
  return String(value);
}

function hsmCheck(
  ctx: CheckContext,
  p: Extract<ParsedEvidence, { kind: 'hsm-output' }>,
  key: string,
  value: unknown,
  expect: Readonly<Record<string, unknown>>,
): CheckResult[] | undefined {
  const h = p.hsm;
  const objs = candidates(h.objects, expect.label);
  const scope = expect.label === undefined ? 'objects' : `objects labelled "${String(expect.label)}"`;
  const objectCheck = (
    check: string,
    want: string,
    get: (o: HsmObject) => string | undefined,
    norm: (s: string) => string,
  ): CheckResult => {
    // Objects that do not show the attribute (pkcs11-tool prints no curve for private keys) neither
    // pass nor fail; at least one must show it and none may show another value.
    const seen = objs.map(get);
    const shown = seen.filter((v): v is string => v !== undefined);
    const ok = shown.length > 0 && shown.every((v) => norm(v) === norm(want));
    // Each value with the objects that show it, then the objects the output prints none for.
    const byValue = new Map<string, string[]>();
    objs.forEach((o, i) => {
      const v = seen[i];
      const key = v === undefined ? '' : v;
      byValue.set(key, [...(byValue.get(key) ?? []), objectName(o)]);
    });
    const parts = [...byValue].filter(([v]) => v !== '').map(([v, names]) => `${v} on ${names.join(', ')}`);
    const unshown = byValue.get('');
    if (unshown) parts.push(`not printed for ${unshown.join(', ')}`);
    const observed = objs.length === 0 ? `no ${scope} (${labelsSeen(h.objects)})` : parts.join('; ');
    return ctx.result(check, ok, want, observed);
  };
  switch (key) {
    case 'success':
      return [
        ctx.result(
          'success',
          h.success === value,
          value ? 'the tool reported success' : 'the tool reported failure',
          h.success === undefined
            ? 'the output reports neither success nor failure'
            : h.success
              ? 'success'
              : `failure: ${h.errors.join(' | ') || 'no error text'}`,
        ),
      ];
    case 'label':
      return [ctx.result('label', objs.length > 0, `an object labelled "${String(value)}"`, labelsSeen(h.objects))];
    case 'key_type':
      return [objectCheck('key_type', String(value), (o) => o.keyType, normalizeKeyType)];
    case 'curve':
      return [
        objectCheck(
          'curve',
          String(value),
          (o) => o.curve,
          (s) => canonicalCurve(s) ?? s,
        ),
      ];
    case 'id':
      return [
        objectCheck(
          'id',
          String(value),
          (o) => o.id,
          (s) => s.toLowerCase().replace(/^0x/, ''),
        ),
      ];
    case 'bits':
      return [
        objectCheck(
          'bits',
          String(value),
          (o) => (o.bits === undefined ? undefined : String(o.bits)),
          (s) => s,
        ),
      ];
    case 'object_count':
      return [
        ctx.result(
          'object_count',
          h.objects.length === value,
          String(value),
          h.objects.length === 0 ? '0' : `${h.objects.length}: ${h.objects.map(objectName).join(', ')}`,
        ),
      ];
    case 'serial':
      return [
        ctx.result('serial', h.facts.serial === value, String(value), h.facts.serial ?? 'no serial in the output'),
      ];
    case 'token_label':
      return [
        ctx.result(
          'token_label',
          h.facts.token_label === value,
          String(value),
          h.facts.token_label ?? 'no token label in the output',
        ),
      ];
    case 'object':
      return checkObject(ctx, h, value as Parameters<typeof checkObject>[2]);
    case 'facts':
      return Object.entries(value as Record<string, string>).map(([name, want]) => {
        const got = Object.hasOwn(h.facts, name) ? h.facts[name] : undefined;
        return ctx.result(`facts.${name}`, got === want, want, got ?? `no fact "${name}"`);
      });
  }
  return undefined;
}

function dnssecCheck(
  ctx: CheckContext,
  p: Extract<ParsedEvidence, { kind: 'dnskey' }>,
  key: string,
  value: unknown,
): CheckResult[] | undefined {
  const keys = p.dnssec.keys;
  const all = (f: (k: (typeof keys)[number]) => string): string => [...new Set(keys.map(f))].join(', ') || '(no keys)';
  switch (key) {
    case 'key_tags': {
      const want = [...new Set(value as number[])].sort((a, b) => a - b);
      const got = [...new Set(keys.map((k) => k.keyTag))].sort((a, b) => a - b);
      return [ctx.result('key_tags', want.join(',') === got.join(','), want.join(', '), got.join(', ') || '(no keys)')];
    }
    case 'algorithm':
      return [
        ctx.result(
          'algorithm',
          keys.length > 0 && keys.every((k) => k.algorithm === value),
          String(value),
          all((k) => String(k.algorithm)),
        ),
      ];
    case 'flags':
      return [
        ctx.result(
          'flags',
          keys.length > 0 && keys.every((k) => k.flags === value),
          String(value),
          all((k) => String(k.flags)),
        ),
      ];
    case 'owner': {
      const want = String(value).toLowerCase();
      return [
        ctx.result(
          'owner',
          keys.length > 0 && keys.every((k) => k.owner.toLowerCase() === want),
          String(value),
          all((k) => k.owner),
        ),
      ];
    }
    case 'ds':
      return (value as string[]).map((ds, i) => {
        const [tag, alg, type, digest] = ds.split(' ');
        const match = keys.find(
          (k) => String(k.keyTag) === tag && String(k.algorithm) === alg && k.ds[Number(type) as 1 | 2 | 4] === digest,
        );
        const same = keys.find((k) => String(k.keyTag) === tag);
        const observed = match
          ? `key ${tag} gives this digest`
          : same
            ? `key ${tag} gives ${same.ds[Number(type) as 1 | 2 | 4]}`
            : `no key with tag ${tag} (tags: ${all((k) => String(k.keyTag))})`;
        return ctx.result((value as string[]).length > 1 ? `ds[${i}]` : 'ds', match !== undefined, ds, observed);
      });
    case 'matches_anchor': {
      const other = ctx.resolve(String(value));
      if (typeof other === 'string')
        return [ctx.result('matches_anchor', false, `every KSK matches a trust anchor in ${String(value)}`, other)];
      const anchors = other.kind === 'dnskey' ? other.dnssec.anchors : [];
      const ksks = keys.filter((k) => k.sep);
      const unmatched = ksks.filter(
        (k) =>
          !anchors.some(
            (a) =>
              a.keyTag === k.keyTag &&
              a.algorithm === k.algorithm &&
              (a.digestType === 1 || a.digestType === 2 || a.digestType === 4) &&
              k.ds[a.digestType] === a.digest,
          ),
      );
      const ok = ksks.length > 0 && anchors.length > 0 && unmatched.length === 0;
      const observed =
        anchors.length === 0
          ? `${String(value)} holds no trust-anchor digests`
          : ksks.length === 0
            ? 'no KSK (flags 257) in this evidence'
            : unmatched.length
              ? `no anchor for key tag(s) ${unmatched.map((k) => k.keyTag).join(', ')}`
              : `key tag(s) ${ksks.map((k) => k.keyTag).join(', ')} match`;
      return [ctx.result('matches_anchor', ok, `every KSK matches a trust anchor in ${String(value)}`, observed)];
    }
  }
  return undefined;
}

async function evaluate(
  ctx: CheckContext,
  p: ParsedEvidence,
  key: string,
  value: unknown,
  expect: Readonly<Record<string, unknown>>,
): Promise<CheckResult[]> {
  const pinned = (
    check: string,
    fp: { hex: string; colonHex: string } & Parameters<typeof fingerprintMatches>[0],
    len: number,
  ): CheckResult => {
    const ok = fingerprintMatches(fp, parsePinnedDigest(String(value), len, ctx.where));
    return ctx.result(check, ok, String(value), fp.colonHex);
  };
  const keys = ctx.keysOf(p);
  switch (key) {
    case 'sha256': {
      const fp =
        p.kind === 'certificate'
          ? p.certificates[0].sha256
          : p.kind === 'csr'
            ? p.csr.sha256
            : p.kind === 'public-key'
              ? p.key.spkiSha256
              : p.kind === 'crl'
                ? p.crl.sha256
                : p.kind === 'ocsp'
                  ? p.ocsp.sha256
                  : p.fileSha256;
      return [pinned('sha256', fp, 32)];
    }
    case 'sha1':
      return p.kind === 'certificate' ? [pinned('sha1', p.certificates[0].sha1, 20)] : [];
    case 'spki_sha256': {
      const want = parsePinnedDigest(String(value), 32, ctx.where);
      const ok = keys.some((k) => fingerprintMatches(k.spkiSha256, want));
      return [
        ctx.result(
          'spki_sha256',
          ok,
          String(value),
          keys.map((k) => k.spkiSha256.colonHex).join('; ') || 'no public key found',
        ),
      ];
    }
    case 'spki_equals': {
      const other = ctx.resolve(String(value));
      if (typeof other === 'string')
        return [ctx.result('spki_equals', false, `same public key as ${String(value)}`, other)];
      const theirs = ctx.keysOf(other);
      const ok = keys.some((k) => theirs.some((t) => fingerprintMatches(k.spkiSha256, fromHex(t.spkiSha256.hex))));
      const show = (ks: typeof keys): string => ks.map((k) => k.spkiSha256.short).join(' / ') || 'no public key';
      return [
        ctx.result(
          'spki_equals',
          ok,
          `same public key as ${String(value)} (SPKI SHA-256 ${show(theirs)})`,
          `SPKI SHA-256 ${show(keys)}`,
        ),
      ];
    }
    case 'present':
    case 'absent':
      return regexChecks(ctx, p, key, value as string[], textOf(p));
    case 'signatures':
      return checkSignatures(ctx, value, expect);
    case 'lints':
      return p.kind === 'certificate' ? checkLints(ctx, p, value, false) : [];
    case 'attestation':
      return p.kind === 'certificate'
        ? checkAttestation(ctx, p, value as Parameters<typeof checkAttestation>[2], expect)
        : [];
  }
  if (p.kind === 'crl' || p.kind === 'ocsp') return checkRevocation(ctx, p, key, value, expect);
  if (p.kind === 'certificate') return (await checkPki(ctx, p.certificates[0], key, value, p.certificates)) ?? [];
  if (p.kind === 'csr') return (await checkPki(ctx, p.csr, key, value, [])) ?? [];
  if (p.kind === 'public-key' && key === 'key') return checkKey(ctx, p.key, value as Readonly<Record<string, unknown>>);
  if (p.kind === 'hsm-output') return hsmCheck(ctx, p, key, value, expect) ?? [];
  if (p.kind === 'dnskey') return dnssecCheck(ctx, p, key, value) ?? [];
  return [];
}

/** The EvidenceChecker of src/core/checks.ts. */
export const checkEvidence: EvidenceChecker = async (item: EvidenceItem, all) => {
  const ctx = makeContext(item, all);
  const { kind, parser } = item.spec;
  const keys = Object.keys(item.spec.expect);
  let expect: Readonly<Record<string, unknown>>;
  try {
    expect = validateExpectations(kind, parser, item.spec.expect, `${ctx.where}.expect`);
  } catch (e) {
    return [ctx.result('expect', false, 'valid expectations', (e as Error).message)];
  }
  let parsed: ParsedEvidence;
  try {
    parsed = parseEvidence(kind, item.bytes, parser, ctx.where);
  } catch (e) {
    const why = isKeywitnessError(e) ? e.message : `unexpected parser failure: ${String(e)}`;
    return [
      ctx.result('parse', false, `valid ${kind} evidence`, why),
      ...keys.map((k) =>
        ctx.result(k, false, declared(item.spec.expect[k]), 'not evaluated: the evidence could not be parsed'),
      ),
    ];
  }
  // How the file was read (text outside a PEM block, unarmoured DER) is in the room's view.
  const read = [describeParsed(parsed), ...parsed.notes.map((n) => `note: ${n}`)].join('; ');
  const results: CheckResult[] = [ctx.result('parse', true, `valid ${kind} evidence`, read)];
  for (const key of keys) {
    if (!Object.hasOwn(EXPECTATION_RULES, key)) continue;
    try {
      const r = await evaluate(ctx, parsed, key, expect[key], expect);
      results.push(
        ...(r.length ? r : [ctx.result(key, false, declared(expect[key]), `cannot be evaluated on ${kind} evidence`)]),
      );
    } catch (e) {
      results.push(ctx.result(key, false, declared(expect[key]), `could not be evaluated: ${(e as Error).message}`));
    }
  }
  if (!Object.hasOwn(expect, 'lints') && lintsApplyByDefault(parsed)) {
    if (parsed.kind === 'certificate') results.push(...checkLints(ctx, parsed, 'clean', true));
  }
  return results;
};
