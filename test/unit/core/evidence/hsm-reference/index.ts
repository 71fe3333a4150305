/**
 * ORACLE, NOT PRODUCT CODE: the HSM transcript parsers of src/core/evidence/hsm as they were before
 * their regexes were made linear, kept verbatim (imports aside) so that hsm-linear.test.ts can show
 * the linear parsers read every short transcript exactly as these did. Several of these regexes
 * take quadratic time: never give them long input.
 *
 * The original header follows.
 */
/**
 * HSM transcript parsing: pick the parser the script names, or recognise the tool from what it
 * prints. Unknown formats become `text` facts (no objects), so only the script's declared
 * line/regex expectations can be checked against them.
 */
import { KeywitnessError } from '../../../../../src/core/errors.js';
import { checkEvidenceSize } from '../../../../../src/core/evidence/der.js';
import { transcriptText } from './common.js';
import { parseOpensslText } from './openssl-text.js';
import { parsePkcs11Tool, parseSofthsm2Util } from './pkcs11-tool.js';
import type { HsmFacts } from '../../../../../src/core/evidence/hsm/types.js';
import { parseCloudHsmCli, parseCloudHsmKmu, parseLuna, parseYubihsmShell } from './vendors.js';

export type { HsmFacts, HsmObject } from '../../../../../src/core/evidence/hsm/types.js';

type Parser = (text: string, where: string) => HsmFacts;

/** Parsers by the name a script uses in `parser:` (aliases included). */
export const HSM_PARSERS: Readonly<Record<string, Parser>> = {
  'pkcs11-tool': parsePkcs11Tool,
  'softhsm2-util': parseSofthsm2Util,
  'yubihsm-shell': parseYubihsmShell,
  openssl: parseOpensslText,
  luna: parseLuna,
  cmu: parseLuna,
  lunash: parseLuna,
  'cloudhsm-kmu': parseCloudHsmKmu,
  key_mgmt_util: parseCloudHsmKmu,
  'cloudhsm-cli': parseCloudHsmCli,
  text: parseText,
};

/** Plain text: no facts beyond what line/regex expectations test. */
function parseText(): HsmFacts {
  return { format: 'text', success: undefined, errors: [], facts: {}, objects: [], publicKeys: [] };
}

/** Recognise which tool produced a transcript from its characteristic lines. */
export function detectHsmFormat(text: string): string {
  if (/aws-cloudhsm\s*>/.test(text) && text.includes('{')) return 'cloudhsm-cli';
  if (
    /Cfm3\w+ returned:|^\s*Command:\s+(gen\w+KeyPair|findKey|getAttribute|getKeyInfo|exportPubKey|verify)\b|^OBJ_ATTR_/m.test(
      text,
    )
  )
    return 'cloudhsm-kmu';
  if (/lunash:>|^\S+# cmu |Command Result\s*:\s*\d+/m.test(text)) return 'luna';
  if (/yubihsm>|yubihsm-shell|^id: 0x[0-9a-f]+, type: /im.test(text)) return 'yubihsm-shell';
  if (/^\s+Slot info:\s*$/m.test(text) && /^\s+Token info:\s*$/m.test(text)) return 'softhsm2-util';
  if (/has been initialized and is reassigned to slot/.test(text)) return 'softhsm2-util';
  if (
    /(Private|Public|Secret) Key Object;|^Cryptoki version |^\s+token label\s+:|^Using slot \d+ with a present token|^Key pair generated:/m.test(
      text,
    )
  )
    return 'pkcs11-tool';
  if (/^Certificate( Request)?:\s*$|Public-Key: \(\d+ bit\)|^\s*(ED25519|ED448) Public-Key:/m.test(text))
    return 'openssl';
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
  const name = parser ?? detectHsmFormat(text);
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
