// ORACLE, NOT PRODUCT CODE: the former regex parser, kept verbatim for hsm-linear.test.ts (see index.ts here).
/**
 * Vendor HSM shells: Yubico `yubihsm-shell`, Thales Luna `cmu` / `lunash`, and AWS CloudHSM
 * `key_mgmt_util` and `cloudhsm-cli`. Each turns the lines the tool prints into objects and facts;
 * the samples they were written against are in test/vectors/hsm-outputs.
 */
import { KeywitnessError } from '../../../../../src/core/errors.js';
import { group, must } from '../../../../../src/core/util/must.js';
import { describeSpki, spkiFromRsa } from '../../../../../src/core/evidence/keys.js';
import { canonicalCurve, CURVE_BITS, lookup } from '../../../../../src/core/evidence/oids.js';
import { colonFacts, keyFromPoint, looseHex, normalizeKeyType, pemPublicKeys, uniqueKeys } from './common.js';
import { hsmObject, type HsmFacts, type HsmObject } from '../../../../../src/core/evidence/hsm/types.js';

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
    const m = /^handle=(\d+)\s+label=(.*)$/.exec(line.trim());
    if (m) objects.push(hsmObject({ id: m[1], label: group(m, 2).trim(), attributes: { handle: group(m, 1) } }));
    // `partition list` rows (a copied table may hold two rows on one line, separated by a tab).
    for (const part of line.matchAll(/(?:^|\t)\s*(\d{6,})\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)(?=\s*(?:\t|$))/g)) {
      objects.push(
        hsmObject({
          class: 'partition',
          id: part[1],
          label: part[2],
          attributes: { objects: group(part, 3), total: group(part, 4), used: group(part, 5), free: group(part, 6) },
        }),
      );
    }
    const gen = /cmu gen\b.*?-modulusBits=(\d+).*?-label=(\S+)/.exec(line);
    if (gen)
      objects.push(
        hsmObject({
          class: 'key-pair',
          keyType: 'RSA',
          bits: Number(gen[1]),
          label: gen[2],
          attributes: { command: line.trim() },
        }),
      );
  }
  if (facts.serial_number) facts.serial = facts.serial_number;
  if (/NOT in FIPS 140-2 approved operation mode/.test(text)) facts.fips_mode = 'no';
  else if (/is in FIPS 140-2 approved operation mode/.test(text)) facts.fips_mode = 'yes';
  const result = /Command Result\s*:\s*(\d+)\s*\(([^)]*)\)/.exec(text);
  const success = result ? result[1] === '0' : undefined;
  const errors = result && result[1] !== '0' ? [result[0]] : [];
  void where;
  return { format: 'luna', success, errors, facts, objects, publicKeys: [] };
}

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
    if ((m = /(Cfm3\w+) returned: (0x[0-9a-f]+)(?: : (.*))?/i.exec(line))) {
      const ok = /^0x0+$/i.test(group(m, 2));
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
