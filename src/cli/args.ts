/**
 * The one argument parser of the `keywitness` command line: every command parses its arguments
 * here. Strict: an unknown option, a missing value or an option given twice (unless it may be
 * repeated, like `--receipt`) is a usage error, never ignored or silently overridden.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { KeywitnessError } from '../core/errors.js';

/** A usage error: exit code 2, printed as `keywitness COMMAND: INPUT_INVALID: arguments: what`. */
export class UsageError extends KeywitnessError {
  constructor(message: string) {
    super('INPUT_INVALID', message, { where: 'arguments' });
  }
}

/** Parse a command's arguments with node:util parseArgs in strict mode; errors become UsageError. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  args: readonly string[],
  options: T,
) {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: true, tokens: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') continue;
    if (seen.has(token.name) && options[token.name]?.multiple !== true)
      throw new UsageError(`${token.rawName} given twice`);
    seen.add(token.name);
  }
  return { values: parsed.values, positionals: parsed.positionals };
}
