/** `keywitness script lint FILE [--production]` and `keywitness script hash FILE`. */
import { lintsTurnedOff } from '../core/evidence/expectations.js';
import { lintScript } from '../core/script/parse.js';
import { productionRefusal, unpinnedRoles } from '../core/script/roles.js';
import { DEFAULT_MAX_SCRIPT_BYTES } from '../core/script/source-text.js';
import { scriptHashText } from '../core/script/hash-text.js';
import { sha256 } from '../core/util/hash.js';
import { UsageError, parseCommandArgs } from './args.js';
import { SCRIPT_GROUP, SCRIPT_HASH_SPEC, SCRIPT_LINT_SPEC, usageOf } from './commands.js';
import type { CliCommand } from './io.js';
import { readKind } from './read.js';

export const SCRIPT_USAGE = SCRIPT_GROUP.subcommands.map(usageOf).join(' | ');

/**
 * Lint a script (strict parse; every error it can find, each naming its YAML path and line, one
 * line each, exit 2) or print its hash. With
 * `--production`, lint also requires what a production session requires: every role pinned
 * (exit 1 when one is not, the same refusal `Coordinator.open` gives).
 */
export const runScript: CliCommand = async (args, io) => {
  const [sub, ...rest] = args;
  if (sub !== 'lint' && sub !== 'hash') throw new UsageError(`usage: ${SCRIPT_USAGE}`);
  const spec = sub === 'lint' ? SCRIPT_LINT_SPEC : SCRIPT_HASH_SPEC;
  const { values, positionals } = parseCommandArgs(rest, { ...SCRIPT_HASH_SPEC.options, ...spec.options });
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) throw new UsageError(`usage: ${usageOf(spec)}`);
  const bytes = await readKind(file, 'script', DEFAULT_MAX_SCRIPT_BYTES);
  // `hash` refuses exactly what `lint` refuses (a byte-order mark, invalid UTF-8, any rule of the
  // format), with lint's first error: a hash is published only for a script every device will open.
  const { script, problems, more } = lintScript(bytes);
  if (!script) {
    const [first, ...others] = problems;
    if (sub === 'hash' || !first || others.length === 0) throw first ?? new Error('a refused script with no problem');
    // Every problem on a line of its own, in the one error form, so each can be found and fixed.
    for (const e of problems) io.stderr(`keywitness script lint: ${e.code}: ${e.message.replace(/\n/g, ' ')}\n`);
    const rest = more > 0 ? ` (the first ${problems.length} shown; ${more} more not)` : '';
    io.stdout(`${file}: INVALID — ${problems.length + more} problems${rest}\n`);
    return 2;
  }
  if (sub === 'hash') {
    const text = scriptHashText(sha256(bytes));
    io.stdout(`SHA-256  ${text.hex}\nwords    ${text.words.join(' ')}\nshort    ${text.short}\n`);
    return 0;
  }
  const text = scriptHashText(script.hash);
  io.stdout(
    `${file}: OK — ${script.id}, ${script.steps.length} steps, ${script.roles.length} roles\nSHA-256  ${text.hex}\nwords    ${text.words.join(' ')}\n`,
  );
  // A default check turned off is something a reviewer of the script must see, every time.
  for (const where of lintsTurnedOff(script)) io.stdout(`lints off ${where}\n`);
  const fixed = script.steps.filter((s) => !s.repeatable);
  io.stdout(
    fixed.length === 0
      ? 'repeat   every step may be repeated\n'
      : `repeat   not: ${fixed.map((s) => s.id).join(', ')} (repeatable: false)\n`,
  );
  const unpinned = unpinnedRoles(script);
  if (values.production) {
    const refusal = productionRefusal(script);
    io.stdout(
      refusal === undefined ? 'production ready: every role is pinned\n' : `production NOT READY: ${refusal}.\n`,
    );
    return refusal === undefined ? 0 : 1;
  }
  io.stdout(
    unpinned.length === 0
      ? 'pinned   every role\n'
      : `unpinned ${unpinned.map((r) => r.id).join(', ')} (a production session needs every role pinned)\n`,
  );
  return 0;
};
