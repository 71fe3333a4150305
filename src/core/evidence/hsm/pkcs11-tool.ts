/**
 * OpenSC `pkcs11-tool` transcripts: --show-info, --list-slots, --keypairgen, --list-objects and
 * --read-object (when the key is printed as PEM), and `softhsm2-util --show-slots / --init-token`.
 * Objects are the blocks that start `Private Key Object;` / `Public Key Object;` / … followed by
 * indented `name: value` lines (OpenSC src/tools/pkcs11-tool.c, show_object).
 */
import { KeywitnessError } from '../../errors.js';
import { group, must } from '../../util/must.js';
import {
  curveFromEcParams,
  keyFromPoint,
  normalizeKeyType,
  hasLineBreak,
  pemPublicKeys,
  restAfterBlanks,
  splitAtColon,
  uniqueKeys,
  unwrapEcPoint,
} from './common.js';
import { hsmObject, type HsmFacts, type HsmObject } from './types.js';

// Linear time on any line: every regex here runs on one line, is anchored at its start and gives
// each quantifier one way to match. Where the former regexes ended in `\s*(.*)$` (quadratic in the
// blanks on a line that does not match), the rest of the line goes through `restAfterBlanks`,
// which reads it as that regex did.
const OBJECT_HEAD = /^(Private Key|Public Key|Secret Key|Certificate|Data|Profile) Object;?/i;

/** `^(Private Key|…) Object;?\s*(.*)$`: the class word and the rest of the head line. */
function objectHead(line: string): { readonly className: string; readonly rest: string } | undefined {
  const m = OBJECT_HEAD.exec(line);
  const rest = m ? restAfterBlanks(line, m[0].length, 0, 0) : undefined;
  return m && rest !== undefined ? { className: group(m, 1), rest } : undefined;
}
const CLASSES: Readonly<Record<string, string>> = {
  'private key': 'private-key',
  'public key': 'public-key',
  'secret key': 'secret-key',
  certificate: 'certificate',
  data: 'data',
  profile: 'profile',
};

/** True when `text` holds `\bCKR_[A-Z_]+\b` (any case), e.g. `CKR_PIN_INCORRECT`, in one pass. */
function hasCkrCode(text: string): boolean {
  const word = (c: string): boolean => /\w/.test(c);
  const ckr = /ckr_/gi;
  for (let m = ckr.exec(text); m; m = ckr.exec(text)) {
    let end = m.index + 4;
    while (/[A-Za-z_]/.test(text.charAt(end))) end++;
    if (!word(text.charAt(m.index - 1)) && end > m.index + 4 && !word(text.charAt(end))) return true;
    // A later `CKR_` inside this word has a word character before it: go on after the word.
    ckr.lastIndex = end;
  }
  return false;
}

/** Lines `^\s*(error:|.*\bCKR_[A-Z_]+\b|Aborting\.|Failed to|No slot|Login failed)`/i matches. */
function errorsOf(lines: readonly string[]): string[] {
  return lines
    .filter((l) => {
      const t = l.trimStart();
      // `.*` stops at a line terminator, so the code must come before the first one.
      return (
        /^(error:|Aborting\.|Failed to|No slot|Login failed)/i.test(t) ||
        hasCkrCode(t.split(/[\r\u2028\u2029]/)[0] ?? '')
      );
    })
    .map((l) => l.trim());
}

/** The digits right before the first `suffix` that has any (`384` in `EC_POINT 384 bits`). */
function digitsBefore(text: string, suffix: string): string | undefined {
  for (let at = text.indexOf(suffix); at >= 0; at = text.indexOf(suffix, at + 1)) {
    let start = at;
    while (start > 0 && /\d/.test(text.charAt(start - 1))) start--;
    if (start < at) return text.slice(start, at);
  }
  return undefined;
}

/** The digits right after the first `prefix` followed by any (`32` in `length 32`). */
function digitsAfter(text: string, prefix: string): string | undefined {
  for (let at = text.indexOf(prefix); at >= 0; at = text.indexOf(prefix, at + 1)) {
    const from = at + prefix.length;
    let end = from;
    while (end < text.length && /\d/.test(text.charAt(end))) end++;
    if (end > from) return text.slice(from, end);
  }
  return undefined;
}

/**
 * `^\s+([A-Za-z_ ][A-Za-z0-9_ ]*?):\s*(.*)$`: an indented attribute line's name and value. The
 * name's first character may be a space taken from the indent, when one is left for `\s+`.
 */
function attributeLine(line: string): { readonly name: string; readonly value: string } | undefined {
  const split = splitAtColon(line);
  if (!split) return undefined;
  const name = split.name.trimStart();
  const indent = split.name.length - name.length;
  const nameOk =
    indent >= 1 &&
    (/^[A-Za-z_][A-Za-z0-9_ ]*$/.test(name) ||
      (indent >= 2 && split.name.charAt(indent - 1) === ' ' && /^[A-Za-z0-9_ ]*$/.test(name)));
  const value = nameOk ? restAfterBlanks(split.value, 0, 0, 0) : undefined;
  return value === undefined ? undefined : { name: name.trim(), value: value.trim() };
}

function parseObject(className: string, headRest: string, body: readonly string[], where: string): HsmObject {
  const cls = Object.hasOwn(CLASSES, className.toLowerCase()) ? CLASSES[className.toLowerCase()] : undefined;
  const rest = headRest.trim();
  const attributes: Record<string, string> = {};
  for (const line of body) {
    const attribute = attributeLine(line);
    if (attribute) attributes[attribute.name] = attribute.value;
  }
  const typeWord = /^([A-Z_0-9]+)/.exec(rest)?.[1];
  const keyType =
    cls === 'certificate' || cls === 'data' ? undefined : typeWord ? normalizeKeyType(typeWord) : undefined;
  const bitsText = digitsBefore(rest, ' bits');
  const lengthText = bitsText === undefined ? digitsAfter(rest, 'length ') : undefined;
  let bits = bitsText !== undefined ? Number(bitsText) : lengthText !== undefined ? Number(lengthText) * 8 : undefined;
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
    const head = objectHead(line);
    if (head) {
      const body: string[] = [];
      let next: string | undefined;
      while ((next = lines[i + 1]) !== undefined && /^\s+\S/.test(next) && !objectHead(next)) {
        body.push(next);
        i++;
      }
      objects.push(parseObject(head.className, head.rest, body, where));
      continue;
    }
    let m: RegExpExecArray | null;
    let value: string | undefined;
    if ((m = /^Cryptoki version (\S+)/.exec(line))) facts.cryptoki_version = group(m, 1);
    else if (line.startsWith('Manufacturer') && (value = restAfterBlanks(line, 12, 1, 1)) !== undefined)
      facts.library_manufacturer ??= value.trim();
    else if (line.startsWith('Library') && (value = restAfterBlanks(line, 7, 1, 1)) !== undefined)
      facts.library = value.trim();
    else if ((m = /^Using slot (\d+) with a present token \((0x[0-9a-f]+)\)/i.exec(line))) facts.slot ??= group(m, 2);
    else if (/^Key pair generated:/.test(line)) facts.operation = 'keypairgen';
    else if (
      (m = /^Slot (\d+) \((0x[0-9a-f]+)\):/i.exec(line)) &&
      restAfterBlanks(line, m[0].length, 0, 0) !== undefined
    )
      facts.slots = `${facts.slots ? `${facts.slots}, ` : ''}${m[2]}`;
    else if (
      (m =
        /^\s+(token label|token manufacturer|token model|serial num|firmware version|hardware version|token flags)\s*:/.exec(
          line,
        )) &&
      (value = restAfterBlanks(line, m[0].length, 0, 0)) !== undefined
    ) {
      const key = m[1] === 'serial num' ? 'serial' : group(m, 1).replace(/ /g, '_');
      if (!Object.hasOwn(facts, key)) facts[key] = value.trim();
    }
  }
  const errors = errorsOf(lines);
  const publicKeys = uniqueKeys([...objects.map((o) => o.publicKey), ...pemPublicKeys(text, where)]);
  const success = errors.length > 0 ? false : objects.length > 0 || Object.keys(facts).length > 0 ? true : undefined;
  return { format: 'pkcs11-tool', success, errors, facts, objects, publicKeys };
}

/** An indented `Label text` before a colon, as softhsm2-util prints them (`    Serial number:`). */
function isIndentedName(name: string): boolean {
  return /^\s/.test(name) && /^[A-Za-z][A-Za-z .]*$/.test(name.trimStart());
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
    let split: ReturnType<typeof splitAtColon>;
    if ((m = /^Slot (\d+)\s*$/.exec(line))) {
      slots.push(group(m, 1));
      current = { slot: group(m, 1) };
      tokens.push(current);
    } else if (
      current &&
      (split = splitAtColon(line)) &&
      isIndentedName(split.name) &&
      !hasLineBreak(split.value.trim())
    ) {
      // `^\s+([A-Za-z][A-Za-z .]*?):\s*(.*?)\s*$`: the value is what `.*?` holds between the blanks.
      current[
        split.name
          .trim()
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '_')
          .replace(/_$/, '')
      ] = split.value.trim();
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
