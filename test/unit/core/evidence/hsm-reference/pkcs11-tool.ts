// ORACLE, NOT PRODUCT CODE: the former regex parser, kept verbatim for hsm-linear.test.ts (see index.ts here).
/**
 * OpenSC `pkcs11-tool` transcripts: --show-info, --list-slots, --keypairgen, --list-objects and
 * --read-object (when the key is printed as PEM), and `softhsm2-util --show-slots / --init-token`.
 * Objects are the blocks that start `Private Key Object;` / `Public Key Object;` / … followed by
 * indented `name: value` lines (OpenSC src/tools/pkcs11-tool.c, show_object).
 */
import { KeywitnessError } from '../../../../../src/core/errors.js';
import { group, must } from '../../../../../src/core/util/must.js';
import {
  curveFromEcParams,
  keyFromPoint,
  normalizeKeyType,
  pemPublicKeys,
  uniqueKeys,
  unwrapEcPoint,
} from './common.js';
import { hsmObject, type HsmFacts, type HsmObject } from '../../../../../src/core/evidence/hsm/types.js';

const OBJECT_HEAD = /^(Private Key|Public Key|Secret Key|Certificate|Data|Profile) Object;?\s*(.*)$/i;
const CLASSES: Readonly<Record<string, string>> = {
  'private key': 'private-key',
  'public key': 'public-key',
  'secret key': 'secret-key',
  certificate: 'certificate',
  data: 'data',
  profile: 'profile',
};

function errorsOf(lines: readonly string[]): string[] {
  return lines
    .filter((l) => /^\s*(error:|.*\bCKR_[A-Z_]+\b|Aborting\.|Failed to|No slot|Login failed)/i.test(l))
    .map((l) => l.trim());
}

function parseObject(head: RegExpExecArray, body: readonly string[], where: string): HsmObject {
  const className = group(head, 1).toLowerCase();
  const cls = Object.hasOwn(CLASSES, className) ? CLASSES[className] : undefined;
  const rest = group(head, 2).trim();
  const attributes: Record<string, string> = {};
  for (const line of body) {
    const m = /^\s+([A-Za-z_ ][A-Za-z0-9_ ]*?):\s*(.*)$/.exec(line);
    if (m) attributes[group(m, 1).trim()] = group(m, 2).trim();
  }
  const typeWord = /^([A-Z_0-9]+)/.exec(rest)?.[1];
  const keyType =
    cls === 'certificate' || cls === 'data' ? undefined : typeWord ? normalizeKeyType(typeWord) : undefined;
  let bits: number | undefined;
  const bitsMatch = /(\d+) bits/.exec(rest) ?? /length (\d+)/.exec(rest);
  if (bitsMatch) bits = /length/.test(bitsMatch[0]) ? Number(bitsMatch[1]) * 8 : Number(bitsMatch[1]);
  const paramsHex = attributes.EC_PARAMS?.split(/\s+/)[0];
  const curve = paramsHex ? curveFromEcParams(paramsHex, where) : undefined;
  if (curve === 'Ed25519' && bits === 255) bits = 256;
  const pointHex = attributes.EC_POINT?.split(/\s+/)[0];
  let publicKey;
  if (pointHex && curve) {
    try {
      publicKey = keyFromPoint(
        curve,
        unwrapEcPoint(pointHex, where),
        `${where} (${attributes.label ?? 'object'} EC_POINT)`,
      );
    } catch (e) {
      throw new KeywitnessError(
        'EVIDENCE_INVALID',
        `EC_POINT of "${attributes.label ?? '?'}" is not a valid ${curve} key: ${(e as Error).message}`,
        { where, cause: e },
      );
    }
  }
  return hsmObject({
    class: cls,
    keyType,
    label: attributes.label,
    id: attributes.ID?.toLowerCase(),
    bits,
    curve,
    publicKey,
    attributes,
  });
}

/** Parse a pkcs11-tool transcript. */
export function parsePkcs11Tool(text: string, where: string): HsmFacts {
  const lines = text.split('\n');
  const objects: HsmObject[] = [];
  const facts: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    const line = must(lines[i], 'a line of the transcript');
    const head = OBJECT_HEAD.exec(line);
    if (head) {
      const body: string[] = [];
      let next: string | undefined;
      while ((next = lines[i + 1]) !== undefined && /^\s+\S/.test(next) && !OBJECT_HEAD.test(next)) {
        body.push(next);
        i++;
      }
      objects.push(parseObject(head, body, where));
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^Cryptoki version (\S+)/.exec(line))) facts.cryptoki_version = group(m, 1);
    else if ((m = /^Manufacturer\s+(.+)$/.exec(line))) facts.library_manufacturer ??= group(m, 1).trim();
    else if ((m = /^Library\s+(.+)$/.exec(line))) facts.library = group(m, 1).trim();
    else if ((m = /^Using slot (\d+) with a present token \((0x[0-9a-f]+)\)/i.exec(line))) facts.slot ??= group(m, 2);
    else if (/^Key pair generated:/.test(line)) facts.operation = 'keypairgen';
    else if ((m = /^Slot (\d+) \((0x[0-9a-f]+)\):\s*(.*)$/i.exec(line)))
      facts.slots = `${facts.slots ? `${facts.slots}, ` : ''}${m[2]}`;
    else if (
      (m =
        /^\s+(token label|token manufacturer|token model|serial num|firmware version|hardware version|token flags)\s*:\s*(.*)$/.exec(
          line,
        ))
    ) {
      const key = m[1] === 'serial num' ? 'serial' : group(m, 1).replace(/ /g, '_');
      if (!Object.hasOwn(facts, key)) facts[key] = group(m, 2).trim();
    }
  }
  const errors = errorsOf(lines);
  const publicKeys = uniqueKeys([...objects.map((o) => o.publicKey), ...pemPublicKeys(text, where)]);
  const success = errors.length > 0 ? false : objects.length > 0 || Object.keys(facts).length > 0 ? true : undefined;
  return { format: 'pkcs11-tool', success, errors, facts, objects, publicKeys };
}

/** Parse `softhsm2-util --show-slots` / `--init-token` output. */
export function parseSofthsm2Util(text: string, where: string): HsmFacts {
  const lines = text.split('\n');
  const facts: Record<string, string> = {};
  const slots: string[] = [];
  let current: Record<string, string> | undefined;
  const tokens: Record<string, string>[] = [];
  for (const line of lines) {
    let m: RegExpExecArray | null;
    if ((m = /^Slot (\d+)\s*$/.exec(line))) {
      slots.push(group(m, 1));
      current = { slot: group(m, 1) };
      tokens.push(current);
    } else if (current && (m = /^\s+([A-Za-z][A-Za-z .]*?):\s*(.*?)\s*$/.exec(line))) {
      current[
        group(m, 1)
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '_')
          .replace(/_$/, '')
      ] = group(m, 2);
    } else if ((m = /initialized and is reassigned to slot (\d+)/.exec(line))) {
      facts.operation = 'init-token';
      facts.slot = group(m, 1);
    }
  }
  const initialised = tokens.filter((t) => t.initialized === 'yes');
  const first = initialised[0];
  if (first) {
    facts.token_label = first.label ?? '';
    facts.serial = first.serial_number ?? '';
    facts.model = first.model ?? '';
    facts.manufacturer = first.manufacturer_id ?? '';
    facts.firmware_version = first.firmware_version ?? '';
    facts.slot ??= first.slot ?? '';
  }
  if (slots.length) facts.slots = slots.join(', ');
  facts.initialized_tokens = String(initialised.length);
  const errors = lines.filter((l) => /^ERROR:|error/i.test(l)).map((l) => l.trim());
  const objects = initialised.map((t) =>
    hsmObject({ class: 'token', label: t.label, id: t.serial_number, attributes: t }),
  );
  return {
    format: 'softhsm2-util',
    success: errors.length ? false : true,
    errors,
    facts,
    objects,
    publicKeys: uniqueKeys(pemPublicKeys(text, where)),
  };
}
