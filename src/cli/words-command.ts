/** `keywitness words HEX`: PGP words for a fingerprint or hash, to compare with what is read aloud. */
import { KeywitnessError } from '../core/errors.js';
import { spokenWords, toWords } from '../core/protocol/words.js';
import { fromHex } from '../core/util/bytes.js';
import { UsageError, parseCommandArgs } from './args.js';
import { WORDS_SPEC, usageOf } from './commands.js';
import type { CliCommand } from './io.js';

export const WORDS_USAGE = usageOf(WORDS_SPEC);

export const runWords: CliCommand = async (args, io) => {
  const { positionals } = parseCommandArgs(args, WORDS_SPEC.options);
  if (positionals.length === 0) throw new UsageError(`usage: ${WORDS_USAGE}`);
  let bytes: Uint8Array;
  try {
    bytes = fromHex(positionals.join(''));
  } catch (e) {
    throw new KeywitnessError('ENCODING_INVALID', (e as Error).message, { where: 'HEX', cause: e });
  }
  if (bytes.length === 0 || bytes.length > 64)
    throw new KeywitnessError('INPUT_INVALID', `expected 1 to 64 bytes of hex, got ${bytes.length}`, { where: 'HEX' });
  io.stdout(`${toWords(bytes).join(' ')}\nshort: ${spokenWords(bytes)}\n`);
  return 0;
};
