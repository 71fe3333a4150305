/**
 * Validation of the `expect` map of a script's evidence entry (docs/architecture.md, "Formats: the
 * ceremony script" and "Evidence and checks"). The script parser calls this so that unknown or
 * mistyped expectation keys are errors naming their YAML path; the checker normalises values with
 * the same rules, so what the parser accepted is what is evaluated. Integers may also be given as
 * decimal strings, because `$expected` values are strings.
 */
import { KeywitnessError } from '../errors.js';
import type { EvidenceKind, Expectations, Script } from '../script/types.js';
import { compileLinear, PatternSyntaxError } from '../util/linear-regex.js';
import { group } from '../util/must.js';
import { parsePinnedDigest } from './fingerprints.js';
import { HSM_PARSERS } from './hsm/index.js';
import { parseName } from './names.js';
import { KEY_USAGE_BITS } from './oids.js';

type Validator = (raw: unknown, where: string) => unknown;

function bad(where: string, message: string): never {
  throw new KeywitnessError('SCRIPT_INVALID', message, { where });
}

const str: Validator = (raw, where) =>
  typeof raw === 'string' && raw.length > 0 ? raw : bad(where, 'must be a non-empty string');
const bool: Validator = (raw, where) => (typeof raw === 'boolean' ? raw : bad(where, 'must be true or false'));
const int: Validator = (raw, where) => {
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return raw;
  if (typeof raw === 'string' && /^\d{1,15}$/.test(raw)) return Number(raw);
  return bad(where, 'must be a non-negative integer');
};
const list =
  (item: Validator): Validator =>
  (raw, where) => {
    const arr = Array.isArray(raw)
      ? raw
      : typeof raw === 'string'
        ? [raw]
        : bad(where, 'must be a list (or a single value)');
    return arr.map((v, i) => item(v, `${where}[${i}]`));
  };
const oneOf =
  (options: readonly string[]): Validator =>
  (raw, where) =>
    typeof raw === 'string' && options.includes(raw) ? raw : bad(where, `must be one of: ${options.join(', ')}`);
const name: Validator = (raw, where) => {
  parseName(str(raw, where) as string, where);
  return raw;
};
const hex: Validator = (raw, where) => {
  const s = (str(raw, where) as string).replace(/[:\s]/g, '').toLowerCase();
  return /^([0-9a-f]{2})+$/.test(s) ? s : bad(where, 'must be hex bytes (colons allowed)');
};
const digest =
  (length: number): Validator =>
  (raw, where) => {
    parsePinnedDigest(str(raw, where) as string, length, where);
    return raw;
  };
const date: Validator = (raw, where) => {
  const s = raw instanceof Date ? raw.toISOString() : (str(raw, where) as string);
  if (
    !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2}))?$/.test(s) ||
    Number.isNaN(Date.parse(s))
  ) {
    bad(where, 'must be a date (YYYY-MM-DD) or an ISO 8601 instant with a zone (2026-01-01T00:00:00Z)');
  }
  return s;
};
const regex: Validator = (raw, where) => {
  const s = str(raw, where) as string;
  try {
    compileLinear(s, { multiline: true });
  } catch (e) {
    if (!(e instanceof PatternSyntaxError)) throw e;
    bad(where, `not a valid regular expression: ${e.reason}`);
  }
  return s;
};
const evidenceId: Validator = (raw, where) => {
  const s = str(raw, where) as string;
  return /^[A-Za-z0-9_.-]+$/.test(s) ? s : bad(where, 'must be the id of another evidence item');
};
const dsText: Validator = (raw, where) => {
  const s = (str(raw, where) as string).trim().replace(/\s+/g, ' ');
  const m = /^(?:\S+ (?:\d+ )?(?:IN )?DS )?(\d{1,5}) (\d{1,3}) ([124]) ([0-9A-Fa-f ]+)$/.exec(s);
  if (!m) bad(where, 'must be a DS record: "KEYTAG ALGORITHM DIGESTTYPE HEXDIGEST" (digest type 1, 2 or 4)');
  return `${m[1]} ${m[2]} ${m[3]} ${group(m, 4).replace(/ /g, '').toUpperCase()}`;
};
const map =
  (fields: Readonly<Record<string, Validator>>, required: readonly string[] = []): Validator =>
  (raw, where) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      bad(where, `must be a map with keys: ${Object.keys(fields).join(', ')}`);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw)) {
      const f = Object.hasOwn(fields, k) ? fields[k] : undefined;
      if (!f) bad(`${where}.${k}`, `unknown key (allowed: ${Object.keys(fields).join(', ')})`);
      out[k] = v === null && k === 'path_len' ? null : f(v, `${where}.${k}`);
    }
    for (const r of required) if (!(r in out)) bad(`${where}.${r}`, 'is required');
    return out;
  };
const factsMap: Validator = (raw, where) => {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    bad(where, 'must be a map of fact name to expected text');
  return Object.fromEntries(
    Object.entries(raw).map(([k, v]) => [k, typeof v === 'number' ? String(v) : str(v, `${where}.${k}`)]),
  );
};

const signatures: Validator = (raw, where) =>
  raw === 'valid'
    ? raw
    : typeof raw === 'object' && raw !== null && !Array.isArray(raw)
      ? map({ valid_at: date }, ['valid_at'])(raw, where)
      : bad(where, 'must be "valid", or {valid_at: DATE} to judge validity windows at that date');
const objectId: Validator = (raw, where) => {
  const n =
    typeof raw === 'string' && /^0x[0-9a-fA-F]{1,4}$/.test(raw)
      ? parseInt(raw.slice(2), 16)
      : (int(raw, where) as number);
  return n <= 0xffff ? `0x${n.toString(16).padStart(4, '0')}` : bad(where, 'must be a 16-bit object id (0x0003 or 3)');
};
const attestation = map(
  {
    origin: oneOf(['generated', 'imported']),
    label: str,
    serial: int,
    object_id: objectId,
    ca_sha256: digest(32),
  },
  ['ca_sha256'],
);

const pkcs11Object = map(
  {
    label: str,
    class: oneOf(['private-key', 'public-key', 'secret-key']),
    local: bool,
    sensitive: bool,
    always_sensitive: bool,
    extractable: bool,
    never_extractable: bool,
    always_authenticate: bool,
  },
  ['label'],
);

const C: EvidenceKind = 'certificate';
const R: EvidenceKind = 'csr';
const K: EvidenceKind = 'public-key';
const D: EvidenceKind = 'dnskey';
const H: EvidenceKind = 'hsm-output';
const F: EvidenceKind = 'file';
const L: EvidenceKind = 'crl';
const O: EvidenceKind = 'ocsp';

const keySpec = map({ algorithm: oneOf(['RSA', 'RSA-PSS', 'ECDSA', 'EC', 'Ed25519', 'Ed448']), size: int, curve: str });

/** Every expectation key: which evidence kinds accept it and how its value is checked. */
export const EXPECTATION_RULES: Readonly<
  Record<string, { readonly kinds: readonly EvidenceKind[]; readonly validate: Validator }>
> = {
  subject: { kinds: [C, R], validate: name },
  issuer: { kinds: [C, L], validate: name },
  self_signed: { kinds: [C], validate: bool },
  signed_by: { kinds: [C, L, O], validate: evidenceId },
  signature_valid: { kinds: [R], validate: bool },
  chain_valid: { kinds: [C], validate: bool },
  key: { kinds: [C, R, K], validate: keySpec },
  signature_algorithm: { kinds: [C, R], validate: str },
  validity_days: { kinds: [C], validate: int },
  not_before: { kinds: [C], validate: date },
  not_after: { kinds: [C], validate: date },
  valid_at: { kinds: [C, L], validate: date },
  basic_constraints: { kinds: [C, R], validate: map({ ca: bool, path_len: int, critical: bool }) },
  key_usage: { kinds: [C, R], validate: list(oneOf(KEY_USAGE_BITS)) },
  ext_key_usage: { kinds: [C, R], validate: list(str) },
  ski: { kinds: [C], validate: hex },
  aki: { kinds: [C], validate: hex },
  aki_matches: { kinds: [C], validate: evidenceId },
  ski_is_key_hash: { kinds: [C], validate: bool },
  serial: { kinds: [C, H, O], validate: str },
  serial_min_bits: { kinds: [C], validate: int },
  policies: { kinds: [C], validate: list(str) },
  name_constraints: { kinds: [C], validate: map({ permitted: list(str), excluded: list(str) }) },
  sha256: { kinds: [C, R, K, D, H, L, O, F], validate: digest(32) },
  sha1: { kinds: [C], validate: digest(20) },
  spki_sha256: { kinds: [C, R, K, H], validate: digest(32) },
  spki_equals: { kinds: [C, R, K, H], validate: evidenceId },
  key_tags: { kinds: [D], validate: list(int) },
  algorithm: { kinds: [D], validate: int },
  flags: { kinds: [D], validate: int },
  owner: { kinds: [D], validate: str },
  ds: { kinds: [D], validate: list(dsText) },
  matches_anchor: { kinds: [D], validate: evidenceId },
  success: { kinds: [H], validate: bool },
  key_type: { kinds: [H], validate: str },
  curve: { kinds: [H], validate: str },
  label: { kinds: [H], validate: str },
  id: { kinds: [H], validate: str },
  bits: { kinds: [H], validate: int },
  token_label: { kinds: [H], validate: str },
  object_count: { kinds: [H], validate: int },
  facts: { kinds: [H], validate: factsMap },
  object: { kinds: [H], validate: pkcs11Object },
  signatures: { kinds: [C, R, D, L, O], validate: signatures },
  crl_number: { kinds: [L], validate: (raw, where) => String(int(raw, where)) },
  revoked: { kinds: [L], validate: list(hex) },
  cert_status: { kinds: [O], validate: oneOf(['good', 'revoked', 'unknown']) },
  lints: { kinds: [C], validate: oneOf(['clean', 'skip']) },
  attestation: { kinds: [C], validate: attestation },
  present: { kinds: [H, F], validate: list(regex) },
  absent: { kinds: [H, F], validate: list(regex) },
};

/**
 * Check a raw `expect` value for an evidence kind and return it as Expectations, with values
 * normalised (integers as numbers, single values as lists where a list is expected).
 * @param path YAML path of the `expect` map, e.g. `steps[3].evidence[0].expect`.
 * @throws KeywitnessError SCRIPT_INVALID naming the offending key's path.
 */
export function validateExpectations(
  kind: EvidenceKind,
  parser: string | undefined,
  raw: unknown,
  path: string,
): Expectations {
  if (parser !== undefined) {
    const parserPath = path.replace(/\.expect$/, '') + '.parser';
    if (kind !== 'hsm-output') bad(parserPath, `a parser is only meaningful for kind hsm-output, not ${kind}`);
    if (!Object.hasOwn(HSM_PARSERS, parser))
      bad(parserPath, `unknown parser "${parser}" (known: ${Object.keys(HSM_PARSERS).join(', ')})`);
  }
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) bad(path, 'must be a map of expectations');
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const where = `${path}.${key}`;
    // Own keys only: `constructor` or `__proto__` in a script must not reach Object.prototype.
    const rule = Object.hasOwn(EXPECTATION_RULES, key) ? EXPECTATION_RULES[key] : undefined;
    if (!rule) bad(where, `unknown expectation "${key}"`);
    if (!rule.kinds.includes(kind))
      bad(where, `"${key}" does not apply to ${kind} evidence (it applies to: ${rule.kinds.join(', ')})`);
    out[key] = rule.validate(value, where);
  }
  return out;
}

/**
 * Where a script turns off the certificate lints that run by default on CA certificates
 * (`lints: skip`), as `steps[i].evidence[j].expect.lints` with the step and evidence ids, for
 * `script lint` to show: a reviewer of the script should see each place a default check is off.
 */
export function lintsTurnedOff(script: Script): string[] {
  return script.steps.flatMap((step) =>
    step.evidence.flatMap((e, j) =>
      e.expect.lints === 'skip'
        ? [`steps[${step.index}].evidence[${j}].expect.lints: skip (step ${step.id}, evidence ${e.id})`]
        : [],
    ),
  );
}
