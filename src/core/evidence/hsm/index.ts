/**
 * HSM transcript parsing: pick the parser the script names, or recognise the tool from what it
 * prints. Unknown formats become `text` facts (no objects), so only the script's declared
 * line/regex expectations can be checked against them.
 */
import { KeywitnessError } from '../../errors.js';
import { compileLinear } from '../../util/linear-regex.js';
import { checkEvidenceSize, MAX_EVIDENCE_BYTES } from '../der.js';
import { JS_SPACE, transcriptText } from './common.js';
import { parseOpensslText } from './openssl-text.js';
import { parsePkcs11Tool, parseSofthsm2Util } from './pkcs11-tool.js';
import type { HsmFacts } from './types.js';
import { parseCloudHsmCli, parseCloudHsmKmu, parseLuna, parseYubihsmShell } from './vendors.js';

export type { HsmFacts, HsmObject } from './types.js';

type Parser = (text: string, where: string) => HsmFacts;

/**
 * Refuse text longer than evidence may be, before any parser or detector reads it: every parser
 * is linear in its input, and this bounds the input.
 * @throws KeywitnessError INPUT_TOO_LARGE
 */
export function checkTranscriptSize(text: string, where: string): void {
  // A UTF-16 code unit comes from at least one UTF-8 byte, so this is at most the byte limit.
  if (text.length > MAX_EVIDENCE_BYTES) {
    throw new KeywitnessError(
      'INPUT_TOO_LARGE',
      `${text.length} characters is over the ${MAX_EVIDENCE_BYTES}-byte limit for evidence`,
      { where },
    );
  }
}

const bounded =
  (parse: Parser): Parser =>
  (text, where) => {
    checkTranscriptSize(text, where);
    return parse(text, where);
  };

/** Parsers by the name a script uses in `parser:` (aliases included). */
export const HSM_PARSERS: Readonly<Record<string, Parser>> = {
  'pkcs11-tool': bounded(parsePkcs11Tool),
  'softhsm2-util': bounded(parseSofthsm2Util),
  'yubihsm-shell': bounded(parseYubihsmShell),
  openssl: bounded(parseOpensslText),
  luna: bounded(parseLuna),
  cmu: bounded(parseLuna),
  lunash: bounded(parseLuna),
  'cloudhsm-kmu': bounded(parseCloudHsmKmu),
  key_mgmt_util: bounded(parseCloudHsmKmu),
  'cloudhsm-cli': bounded(parseCloudHsmCli),
  text: bounded(parseText),
};

/** Plain text: no facts beyond what line/regex expectations test. */
function parseText(): HsmFacts {
  return { format: 'text', success: undefined, errors: [], facts: {}, objects: [], publicKeys: [] };
}

// The tools' characteristic lines, searched over the whole text on RE2 (src/core/util/linear-regex.ts):
// on a backtracking engine a `/m` regex starting `^\s*` rescans a run of blank lines from every
// line start (25 s on 64 KiB of newlines). They read the text as the JavaScript regexes they
// replace: `S` is JavaScript's `\s` (RE2's is ASCII only), letters of case-insensitive words are
// spelled in both cases (RE2's (?i) folds Unicode), and the text's line terminators become `\n`
// first, where JavaScript's `^` and `$` see a line end.
const S = JS_SPACE;
const NOT_S = `[^${JS_SPACE.slice(1)}`;
const anyCase = (word: string): string =>
  [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c)).join('');
const m = { multiline: true };
const SIGNS = {
  cloudhsmCli: compileLinear(`aws-cloudhsm${S}*>`),
  cloudhsmKmu: compileLinear(
    `Cfm3\\w+ returned:|^${S}*Command:${S}+(?:gen\\w+KeyPair|findKey|getAttribute|getKeyInfo|exportPubKey|verify)\\b|^OBJ_ATTR_`,
    m,
  ),
  luna: compileLinear(`lunash:>|^${NOT_S}+# cmu |Command Result${S}*:${S}*\\d+`, m),
  yubihsm: compileLinear(
    `${anyCase('yubihsm>')}|${anyCase('yubihsm-shell')}|^${anyCase('id: 0x')}[0-9A-Fa-f]+, ${anyCase('type: ')}`,
    m,
  ),
  slotInfo: compileLinear(`^${S}+Slot info:${S}*$`, m),
  tokenInfo: compileLinear(`^${S}+Token info:${S}*$`, m),
  pkcs11Tool: compileLinear(
    `(?:Private|Public|Secret) Key Object;|^Cryptoki version |^${S}+token label${S}+:|^Using slot \\d+ with a present token|^Key pair generated:`,
    m,
  ),
  openssl: compileLinear(
    `^Certificate(?: Request)?:${S}*$|Public-Key: \\(\\d+ bit\\)|^${S}*(?:ED25519|ED448) Public-Key:`,
    m,
  ),
};

/**
 * Recognise which tool produced a transcript from its characteristic lines.
 * @throws KeywitnessError INPUT_TOO_LARGE for text over the evidence limit
 */
export function detectHsmFormat(text: string, where = 'HSM output'): string {
  checkTranscriptSize(text, where);
  if (SIGNS.cloudhsmCli.test(text) && text.includes('{')) return 'cloudhsm-cli';
  const lines = text.replace(/[\r\u2028\u2029]/g, '\n');
  if (SIGNS.cloudhsmKmu.test(lines)) return 'cloudhsm-kmu';
  if (SIGNS.luna.test(lines)) return 'luna';
  if (SIGNS.yubihsm.test(lines)) return 'yubihsm-shell';
  if (SIGNS.slotInfo.test(lines) && SIGNS.tokenInfo.test(lines)) return 'softhsm2-util';
  if (text.includes('has been initialized and is reassigned to slot')) return 'softhsm2-util';
  if (SIGNS.pkcs11Tool.test(lines)) return 'pkcs11-tool';
  if (SIGNS.openssl.test(lines)) return 'openssl';
  return 'text';
}

/**
 * Parse HSM tool output with the named parser, or the detected one when `parser` is undefined.
 * @throws KeywitnessError EVIDENCE_INVALID / INPUT_TOO_LARGE / EVIDENCE_UNSUPPORTED naming what failed.
 */
export function parseHsmOutput(
  bytes: Uint8Array,
  parser: string | undefined,
  where: string,
): HsmFacts & { readonly text: string } {
  checkEvidenceSize(bytes, where);
  if (bytes.length === 0) throw new KeywitnessError('EVIDENCE_INVALID', 'empty input', { where });
  const text = transcriptText(bytes, where);
  const name = parser ?? detectHsmFormat(text, where);
  const parse = Object.hasOwn(HSM_PARSERS, name) ? HSM_PARSERS[name] : undefined;
  if (!parse) {
    throw new KeywitnessError(
      'EVIDENCE_UNSUPPORTED',
      `unknown HSM output parser "${name}" (known: ${Object.keys(HSM_PARSERS).join(', ')})`,
      { where },
    );
  }
  return { ...parse(text, where), text };
}
