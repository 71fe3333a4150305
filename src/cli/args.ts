/** Strict argument parsing for CLI commands: unknown options are errors, never ignored. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { KeywitnessError } from '../core/errors.js';

/** A usage error: printed with the command's usage line, exit code 2. */
export class UsageError extends KeywitnessError {
  constructor(message: string) {
    super('INPUT_INVALID', message);
  }
}

/** Parse a command's arguments with node:util parseArgs in strict mode; errors become UsageError. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  args: readonly string[],
  options: T,
) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}
