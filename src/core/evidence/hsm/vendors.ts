/**
 * Vendor HSM shells: Yubico `yubihsm-shell`, Thales Luna `cmu` / `lunash`, and AWS CloudHSM
 * `key_mgmt_util` and `cloudhsm-cli`. Each turns the lines the tool prints into objects and facts;
 * the samples they were written against are in test/vectors/hsm-outputs.
 */
import { KeywitnessError } from '../../errors.js';
import { group, must } from '../../util/must.js';
import { compileLinear } from '../../util/linear-regex.js';
import { describeSpki, spkiFromRsa } from '../keys.js';
import { canonicalCurve, CURVE_BITS, lookup } from '../oids.js';
import { colonFacts, JS_SPACE, keyFromPoint, looseHex, normalizeKeyType, pemPublicKeys, uniqueKeys } from './common.js';
import { hsmObject, type HsmFacts, type HsmObject } from './types.js';

/** yubihsm-shell algorithm words (`rsa2048`, `ecp256`, `ed25519`) → key type, bits, curve. */
function yubiAlgorithm(alg: string): { keyType?: string; bits?: number; curve?: string } {
  let m: RegExpExecArray | null;
  if ((m = /^rsa(\d+)$/.exec(alg))) return { keyType: 'RSA', bits: Number(m[1]) };
  const curve = canonicalCurve(alg);
  if (curve) return { keyType: curve.startsWith('Ed') ? 'EC_EDWARDS' : 'EC', curve, bits: lookup(CURVE_BITS, curve) };
  return {};
}

/** Parse a yubihsm-shell transcript. */
export function parseYubihsmShell(text: string, where: string): HsmFacts {
  const lines = text.split('\n');
  const objects: HsmObject[] = [];
  const facts: Record<string, string> = {};
  for (const line of lines) {
    let m: RegExpExecArray | null;
    if (/^id: 0x[0-9a-f]+, /i.test(line.trim())) {
      const attributes: Record<string, string> = {};
      for (const part of line.trim().split(/, (?=[a-z_]+: )/)) {
        const i = part.indexOf(': ');
        if (i > 0) attributes[part.slice(0, i)] = part.slice(i + 2).replace(/^"(.*)"$/, '$1');
      }
      const alg = attributes.algorithm ? yubiAlgorithm(attributes.algorithm) : {};
      objects.push(
        hsmObject({ class: attributes.type, id: attributes.id, label: attributes.label, ...alg, attributes }),
      );
    } else if ((m = /^Generated (\w+) key (0x[0-9a-f]+)/i.exec(line))) {
      facts.operation = 'generate';
      facts.generated_id = group(m, 2);
    } else if ((m = /^yubihsm> generate asymmetric \S+ (\S+) (\S+) \S+ (\S+) (\S+)/.exec(line))) {
      const alg = yubiAlgorithm(group(m, 4));
      objects.push(
        hsmObject({
          class: 'asymmetric-key',
          id: m[1] === '0' ? undefined : m[1],
          label: m[2],
          ...alg,
          attributes: { command: line.trim() },
        }),
      );
    } else if ((m = /^Found (\d+) object\(s\)/.exec(line))) {
      facts.object_count = group(m, 1);
    }
  }
  const errors = lines.filter((l) => /^(Failed|Unable|Error)/i.test(l.trim())).map((l) => l.trim());
  const publicKeys = uniqueKeys(pemPublicKeys(text, where));
  return { format: 'yubihsm-shell', success: errors.length ? false : true, errors, facts, objects, publicKeys };
}

/**
 * `partition list` rows: `<serial, 6+ digits> <label> <objects> <total> <used> <free>`, fields
 * separated by any blanks, a row starting at the line start or after a tab and ending at a tab or
 * the line end (a copied table may hold two rows on one line, separated by a tab). Read over the
 * blank-separated words, in one pass: a regex with `\s*` after a tab rescans a line of tabs from
 * every tab.
 */
function partitionRows(line: string): HsmObject[] {
  const words: { text: string; tabBefore: boolean; tabAfter: boolean }[] = [];
  let end = 0;
  for (const m of line.matchAll(/\S+/g)) {
    const previous = words[words.length - 1];
    const tab = line.slice(end, m.index).includes('\t');
    if (previous) previous.tabAfter = tab;
    words.push({ text: m[0], tabBefore: words.length === 0 || tab, tabAfter: false });
    end = m.index + m[0].length;
  }
  const last = words[words.length - 1];
  if (last) last.tabAfter = true;
  const rows: HsmObject[] = [];
  for (let i = 0; i + 6 <= words.length; i++) {
    const row = words.slice(i, i + 6);
    const [serial, label, ...counts] = row.map((w) => w.text);
    const fits =
      serial !== undefined &&
      label !== undefined &&
      row[0]?.tabBefore === true &&
      row[5]?.tabAfter === true &&
      /^\d{6,}$/.test(serial) &&
      counts.every((c) => /^\d+$/.test(c));
    if (!fits) continue;
    const [objects = '', total = '', used = '', free = ''] = counts;
    rows.push(hsmObject({ class: 'partition', id: serial, label, attributes: { objects, total, used, free } }));
    i += 5;
  }
  return rows;
}

/**
 * `cmu gen\b.*?-modulusBits=(\d+).*?-label=(\S+)`: after a `cmu gen` command, the first
 * `-modulusBits=` with digits and the first `-label=` after them, found with `indexOf` (a lazy
 * `.*?` between them rescans the line from every `cmu gen`). `.` stops at a line terminator, so
 * a `cmu gen` is read up to the next one; the first that fits wins, and a later `cmu gen` before
 * the same terminator cannot fit where an earlier one did not, so the search goes on after it.
 */
function cmuGen(line: string): { bits: string; label: string } | undefined {
  const lineBreak = /[\r\u2028\u2029]/g;
  for (let at = line.indexOf('cmu gen'); at >= 0; at = line.indexOf('cmu gen', at + 1)) {
    if (/\w/.test(line.charAt(at + 'cmu gen'.length))) continue;
    lineBreak.lastIndex = at;
    const end = lineBreak.exec(line)?.index ?? line.length;
    const segment = line.slice(0, end);
    const bits = valueAfter(segment, '-modulusBits=', at + 'cmu gen'.length, /\d+/y);
    const label = bits && valueAfter(segment, '-label=', bits.end, /\S+/y);
    if (bits && label) return { bits: bits.value, label: label.value };
    at = end;
  }
  return undefined;
}

/** The first `prefix` at or after `from` followed by text that the sticky regex `value` matches. */
function valueAfter(
  line: string,
  prefix: string,
  from: number,
  value: RegExp,
): { value: string; end: number } | undefined {
  for (let at = line.indexOf(prefix, from); at >= 0; at = line.indexOf(prefix, at + 1)) {
    value.lastIndex = at + prefix.length;
    const m = value.exec(line);
    if (m) return { value: m[0], end: value.lastIndex };
  }
  return undefined;
}

/** `Command Result : 0 (Success)`, searched over the whole text on RE2 (linear; `[^)]*` to a missing `)` is not). */
const COMMAND_RESULT = compileLinear(`Command Result${JS_SPACE}*:${JS_SPACE}*(\\d+)${JS_SPACE}*\\(([^)]*)\\)`);

/** Parse Thales Luna `cmu` and `lunash` output. */
export function parseLuna(text: string, where: string): HsmFacts {
  const lines = text.split('\n');
  const facts: Record<string, string> = {};
  colonFacts(
    lines.filter((l) => !/^\[.*\]\s*lunash:>|^\S+# |password/i.test(l)),
    facts,
  );
  const objects: HsmObject[] = [];
  for (const line of lines) {
    // `[^\n\r\u2028\u2029]` is `.`; the literal `label=` keeps the regex linear.
    const m = /^handle=(\d+)\s+label=([^\n\r\u2028\u2029]*)$/.exec(line.trim());
    if (m) objects.push(hsmObject({ id: m[1], label: group(m, 2).trim(), attributes: { handle: group(m, 1) } }));
    objects.push(...partitionRows(line));
    const gen = cmuGen(line);
    if (gen)
      objects.push(
        hsmObject({
          class: 'key-pair',
          keyType: 'RSA',
          bits: Number(gen.bits),
          label: gen.label,
          attributes: { command: line.trim() },
        }),
      );
  }
  if (facts.serial_number) facts.serial = facts.serial_number;
  if (/NOT in FIPS 140-2 approved operation mode/.test(text)) facts.fips_mode = 'no';
  else if (/is in FIPS 140-2 approved operation mode/.test(text)) facts.fips_mode = 'yes';
  const result = COMMAND_RESULT.exec(text);
  const success = result ? result[1] === '0' : undefined;
  const errors = result && result[1] !== '0' && result[0] !== undefined ? [result[0]] : [];
  void where;
  return { format: 'luna', success, errors, facts, objects, publicKeys: [] };
}

/** `Cfm3GenerateKeyPair returned: 0x00 : HSM Return: SUCCESS`, on RE2 (`Cfm3\w+` rescans a run of `Cfm3Cfm3…` from each). */
// Letters spelled in both cases: RE2's (?i) folds Unicode (ſ is s), JavaScript's /i does not.
const CFM3_RETURNED = compileLinear('([Cc][Ff][Mm]3\\w+) [Rr][Ee][Tt][Uu][Rr][Nn][Ee][Dd]: (0[Xx][0-9A-Fa-f]+)');

/** Parse AWS CloudHSM `key_mgmt_util` output, including `getAttribute` dumps. */
export function parseCloudHsmKmu(text: string, where: string): HsmFacts {
  const lines = text.split('\n');
  const facts: Record<string, string> = {};
  const objects: HsmObject[] = [];
  const errors: string[] = [];
  let success: boolean | undefined;
  for (const line of lines) {
    let m: RegExpExecArray | null;
    if ((m = /^\s*Command:\s+(\w+)/.exec(line))) facts.command ??= group(m, 1);
    const code = /returned: /i.test(line) ? CFM3_RETURNED.exec(line)?.[2] : undefined;
    if (code !== undefined) {
      const ok = /^0x0+$/i.test(code);
      success = success === false ? false : ok;
      if (!ok) errors.push(line.trim());
    }
    if (/^\s*(CSP Error|HSM Error)/.test(line)) errors.push(line.trim());
    if ((m = /public key handle:\s*(\d+)\s+private key handle:\s*(\d+)/.exec(line))) {
      facts.public_key_handle = group(m, 1);
      facts.private_key_handle = group(m, 2);
    }
    if ((m = /Total number of keys present (\d+)/.exec(line))) facts.key_count = group(m, 1);
    if (/Signature verification successful/.test(line)) facts.verification = 'successful';
  }
  const label = /-l (\S+)/.exec(text)?.[1];
  if (facts.command === 'genRSAKeyPair' || facts.command === 'genECCKeyPair') {
    const rsa = facts.command === 'genRSAKeyPair';
    const bits = /-m (\d+)/.exec(text)?.[1];
    // genECCKeyPair -i: 2 prime256v1, 14 secp384r1, 16 secp256k1 (key_mgmt_util reference).
    const curve = rsa
      ? undefined
      : lookup({ 2: 'P-256', 14: 'P-384', 16: 'secp256k1' }, /-i (\d+)/.exec(text)?.[1] ?? '');
    objects.push(
      hsmObject({
        class: 'key-pair',
        keyType: rsa ? 'RSA' : 'EC',
        label,
        curve,
        bits: rsa && bits ? Number(bits) : curve ? lookup(CURVE_BITS, curve) : undefined,
        id: facts.private_key_handle,
        attributes: {},
      }),
    );
  }
  // getAttribute dumps: OBJ_ATTR_NAME on one line, its value on the following line(s).
  const attrs: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    const m = /^OBJ_ATTR_([A-Z_]+)\s*$/.exec(must(lines[i], 'a line of the transcript'));
    if (!m) continue;
    const value: string[] = [];
    let next: string | undefined;
    while ((next = lines[i + 1]) !== undefined && !/^OBJ_ATTR_/.test(next) && next.trim() !== '') {
      value.push(next.trim());
      i++;
    }
    attrs[group(m, 1)] = value.join('');
  }
  if (Object.keys(attrs).length) {
    const modulus = attrs.MODULUS ? looseHex(attrs.MODULUS) : undefined;
    const exponent = attrs.PUBLIC_EXPONENT ? looseHex(attrs.PUBLIC_EXPONENT) : undefined;
    const keyType = attrs.KEY_TYPE === '0x00' ? 'RSA' : attrs.KEY_TYPE === '0x03' ? 'EC' : attrs.KEY_TYPE;
    const cls =
      attrs.CLASS === '0x02'
        ? 'public-key'
        : attrs.CLASS === '0x03'
          ? 'private-key'
          : attrs.CLASS === '0x04'
            ? 'secret-key'
            : attrs.CLASS;
    const publicKey = modulus && exponent ? describeSpki(spkiFromRsa(modulus, exponent), where) : undefined;
    const bits = attrs.MODULUS_BITS ? parseInt(attrs.MODULUS_BITS, 16) : undefined;
    objects.push(hsmObject({ class: cls, keyType, label: attrs.LABEL, bits, publicKey, attributes: attrs }));
  }
  const publicKeys = uniqueKeys([...objects.map((o) => o.publicKey), ...pemPublicKeys(text, where)]);
  return { format: 'cloudhsm-kmu', success, errors, facts, objects, publicKeys };
}

function cliObject(key: unknown, where: string): HsmObject | undefined {
  if (typeof key !== 'object' || key === null) return undefined;
  const k = key as { 'key-reference'?: string; attributes?: Record<string, unknown> };
  const a = k.attributes ?? {};
  const str = (name: string): string | undefined => (typeof a[name] === 'string' ? a[name] : undefined);
  const curveText = str('curve');
  const curve = curveText ? canonicalCurve(curveText) : undefined;
  const pointText = str('ec-point');
  const point = pointText ? looseHex(pointText) : undefined;
  const keyTypeText = str('key-type');
  const cls = str('class');
  const publicKey = cls === 'public-key' && point ? keyFromPoint(curve, point, where) : undefined;
  const attributes = Object.fromEntries(Object.entries(a).map(([n, v]) => [n, String(v)]));
  const bits =
    typeof a['modulus-size-bits'] === 'number' ? a['modulus-size-bits'] : curve ? lookup(CURVE_BITS, curve) : undefined;
  return hsmObject({
    class: cls,
    keyType: keyTypeText ? normalizeKeyType(keyTypeText) : undefined,
    label: str('label'),
    id: k['key-reference'],
    curve,
    bits,
    publicKey,
    attributes,
  });
}

/** Parse AWS `cloudhsm-cli` output: the command line, then one JSON document. */
export function parseCloudHsmCli(text: string, where: string): HsmFacts {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end < start)
    throw new KeywitnessError('EVIDENCE_INVALID', 'no JSON result in cloudhsm-cli output', { where });
  let doc: unknown;
  try {
    doc = JSON.parse(text.slice(start, end + 1));
  } catch (e) {
    throw new KeywitnessError('EVIDENCE_INVALID', `cloudhsm-cli JSON does not parse: ${(e as Error).message}`, {
      where,
      cause: e,
    });
  }
  const d = doc as { error_code?: unknown; data?: Record<string, unknown> };
  const facts: Record<string, string> = {};
  const command = /aws-cloudhsm\s*>`?\s*`?([a-z][a-z -]*[a-z])/.exec(text.slice(0, start))?.[1];
  if (command) facts.command = command.trim();
  const objects: HsmObject[] = [];
  const data = d.data ?? {};
  for (const name of ['public_key', 'private_key', 'key']) {
    const o = cliObject(data[name], where);
    if (o) objects.push(o);
  }
  if (Array.isArray(data.users)) facts.user_count = String(data.users.length);
  const success = d.error_code === 0;
  const errors = success
    ? []
    : [`error_code ${String(d.error_code)}${typeof data.error === 'string' ? `: ${data.error}` : ''}`];
  return {
    format: 'cloudhsm-cli',
    success,
    errors,
    facts,
    objects,
    publicKeys: uniqueKeys(objects.map((o) => o.publicKey)),
  };
}
