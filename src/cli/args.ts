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

/** One option of a command, as the parser takes it and `--help` and the README describe it. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  /** The placeholder for its value in help (`FILE`, `DIR`); string options only. */
  readonly value?: string;
  readonly description: string;
}

/** A command or subcommand: its usage lines (without `keywitness `), what it does, its options. */
export interface CommandSpec {
  /** `audit`, or `qr encode` for a subcommand. */
  readonly name: string;
  readonly usage: readonly string[];
  readonly summary: string;
  /** Positional arguments with a description each. */
  readonly arguments: readonly (readonly [string, string])[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** The exit codes, in one line. */
  readonly exit: string;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parse a command's arguments with node:util parseArgs in strict mode; errors become UsageError.
 * `options` is a command's `CommandSpec.options` (descriptions are ignored here) or a bare
 * parseArgs option table.
 */
export function parseCommandArgs<T extends Options>(args: readonly string[], options: T) {
  const config: Options = {};
  for (const [name, o] of Object.entries(options)) {
    config[name] = {
      type: o.type,
      ...(o.multiple === undefined ? {} : { multiple: o.multiple }),
      ...(o.short === undefined ? {} : { short: o.short }),
    };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: config, strict: true, allowPositionals: true, tokens: true });
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
  // The values are typed from `options`; `config` holds the same names and types.
  return parsed as unknown as Pick<
    ReturnType<typeof parseArgs<{ options: T; allowPositionals: true }>>,
    'values' | 'positionals'
  >;
}

/** True when the arguments ask for help (`--help` or `-h` before any `--`). */
export function wantsHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}
