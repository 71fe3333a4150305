/**
 * The `keywitness` command line (README.md, "Command line"), for auditors, preparers and tests.
 * Exit codes: 0 success, 1 audit findings, 2 usage or input errors (a clear message, never a stack
 * trace), 70 internal errors.
 */
import { KeywitnessError } from '../core/errors.js';
import { AUDIT_USAGE, runAudit } from './audit-command.js';
import { COMPARE_USAGE, runCompare } from './compare-command.js';
import { DEMO_USAGE, runDemo } from './demo-command.js';
import { INSPECT_USAGE, runInspect } from './inspect.js';
import type { CliCommand, CliIo } from './io.js';
import { QR_USAGE, runQr } from './qr.js';
import { REHEARSE_USAGE, runRehearse } from './rehearse-command.js';
import { SCRIPT_USAGE, runScript } from './script-command.js';
import { PRINT_USAGE, withScriptPrint } from './print-command.js';
import { VERIFY_USAGE, runVerify } from './verify.js';
import { WORDS_USAGE, runWords } from './words-command.js';

const COMMANDS: Readonly<Record<string, CliCommand>> = {
  audit: runAudit,
  inspect: runInspect,
  verify: runVerify,
  script: withScriptPrint(runScript),
  words: runWords,
  qr: runQr,
  demo: runDemo,
  rehearse: runRehearse,
  compare: runCompare,
};

const USAGE = `usage:
  ${AUDIT_USAGE}
  ${INSPECT_USAGE}
  ${VERIFY_USAGE}
  ${SCRIPT_USAGE}
  ${PRINT_USAGE}
  ${WORDS_USAGE}
  ${QR_USAGE}
  ${DEMO_USAGE}
  ${REHEARSE_USAGE}
  ${COMPARE_USAGE}
`;

const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  stdoutBytes: (bytes) => void process.stdout.write(bytes),
};

/** Commands whose first argument names a subcommand, which the error line names too. */
const SUBCOMMANDS: Readonly<Record<string, readonly string[]>> = {
  script: ['lint', 'hash', 'print'],
  qr: ['encode', 'decode'],
};

/**
 * Run the CLI with `args` (without node and script path); returns the exit code. Refused input
 * (any KeywitnessError) is one line, `keywitness COMMAND: CODE: where: what`, and exit 2.
 */
export async function main(args: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? io.stderr : io.stdout)(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`keywitness: unknown command "${name}"\n${USAGE}`);
    return 2;
  }
  const sub = rest[0];
  const label = sub !== undefined && SUBCOMMANDS[name]?.includes(sub) ? `${name} ${sub}` : name;
  try {
    return await command(rest, io);
  } catch (e) {
    if (e instanceof KeywitnessError) {
      // The message starts with `where: ` when the error knows where (KeywitnessError's form).
      io.stderr(`keywitness ${label}: ${e.code}: ${e.message.replace(/\n/g, ' ')}\n`);
      return 2;
    }
    io.stderr(`keywitness ${label}: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.KEYWITNESS_DEBUG && e instanceof Error) io.stderr(`${e.stack ?? ''}\n`);
    return 70;
  }
}
