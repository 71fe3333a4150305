/** `keywitness script lint FILE [--production]` and `keywitness script hash FILE`. */
import { parseScript } from '../core/script/parse.js';
import { productionRefusal, unpinnedRoles } from '../core/script/roles.js';
import { DEFAULT_MAX_SCRIPT_BYTES } from '../core/script/source-text.js';
import { scriptHashText } from '../core/script/hash-text.js';
import { sha256 } from '../core/util/hash.js';
import { UsageError, parseCommandArgs } from './args.js';
import type { CliCommand } from './io.js';
import { readFileLimited } from './read.js';

export const SCRIPT_USAGE = 'keywitness script lint FILE [--production] | keywitness script hash FILE';

/**
 * Lint a script (strict parse; every error names its YAML path and line) or print its hash. With
 * `--production`, lint also requires what a production session requires: every role pinned
 * (exit 1 when one is not, the same refusal `Coordinator.open` gives).
 */
export const runScript: CliCommand = async (args, io) => {
  const { values, positionals } = parseCommandArgs(args, { production: { type: 'boolean' } });
  const [sub, file, ...rest] = positionals;
  if ((sub !== 'lint' && sub !== 'hash') || !file || rest.length > 0 || (sub === 'hash' && values.production))
    throw new UsageError(`usage: ${SCRIPT_USAGE}`);
  const bytes = await readFileLimited(file, DEFAULT_MAX_SCRIPT_BYTES);
  // `hash` refuses exactly what `lint` refuses (a byte-order mark, invalid UTF-8, any rule of the
  // format): a hash is published only for a script every device will open.
  const script = parseScript(bytes);
  if (sub === 'hash') {
    const text = scriptHashText(sha256(bytes));
    io.stdout(`SHA-256  ${text.hex}\nwords    ${text.words.join(' ')}\nshort    ${text.short}\n`);
    return 0;
  }
  const text = scriptHashText(script.hash);
  io.stdout(
    `${file}: OK — ${script.id}, ${script.steps.length} steps, ${script.roles.length} roles\nSHA-256  ${text.hex}\nwords    ${text.words.join(' ')}\n`,
  );
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
