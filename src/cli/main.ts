/**
 * The `keywitness` command line (README.md, "Command line"), for auditors, preparers and tests.
 * Exit codes: 0 success, 1 audit findings, 2 usage or input errors (a clear message, never a stack
 * trace), 70 internal errors.
 */
import { KeywitnessError } from '../core/errors.js';
import { wantsHelp, type CommandSpec } from './args.js';
import { runAudit } from './audit-command.js';
import {
  AUDIT_SPEC,
  COMPARE_SPEC,
  DEMO_SPEC,
  INSPECT_SPEC,
  QR_GROUP,
  REHEARSE_SPEC,
  SCRIPT_GROUP,
  VERIFY_SPEC,
  WORDS_SPEC,
  type CommandGroup,
} from './commands.js';
import { runCompare } from './compare-command.js';
import { runDemo } from './demo-command.js';
import { formatCommandHelp, formatGroupHelp, formatOverview, versionText } from './help.js';
import { runInspect } from './inspect.js';
import type { CliCommand, CliIo } from './io.js';
import { runQr } from './qr.js';
import { runRehearse } from './rehearse-command.js';
import { runScript } from './script-command.js';
import { withScriptPrint } from './print-command.js';
import { runVerify } from './verify.js';
import { runWords } from './words-command.js';

/** A command: what runs it, and its entry in the command table (its help). */
interface Command {
  readonly run: CliCommand;
  readonly help: CommandSpec | CommandGroup;
}

/** Every command, in the order `keywitness --help` lists them. */
export const COMMANDS: Readonly<Record<string, Command>> = {
  audit: { run: runAudit, help: AUDIT_SPEC },
  inspect: { run: runInspect, help: INSPECT_SPEC },
  verify: { run: runVerify, help: VERIFY_SPEC },
  script: { run: withScriptPrint(runScript), help: SCRIPT_GROUP },
  words: { run: runWords, help: WORDS_SPEC },
  qr: { run: runQr, help: QR_GROUP },
  demo: { run: runDemo, help: DEMO_SPEC },
  rehearse: { run: runRehearse, help: REHEARSE_SPEC },
  compare: { run: runCompare, help: COMPARE_SPEC },
};

const overview = (): string => formatOverview(Object.values(COMMANDS).map((c) => c.help));

const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  stdoutBytes: (bytes) => void process.stdout.write(bytes),
};

/** The subcommand spec `sub` names in a group, if any. */
function subcommandOf(help: CommandSpec | CommandGroup, sub: string | undefined): CommandSpec | undefined {
  if (!('subcommands' in help)) return undefined;
  return help.subcommands.find((s) => s.name === `${help.name} ${sub}`);
}

/**
 * Run the CLI with `args` (without node and script path); returns the exit code. Refused input
 * (any KeywitnessError) is one line, `keywitness COMMAND: CODE: where: what`, and exit 2.
 */
export async function main(args: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === '--version') {
    io.stdout(await versionText());
    return 0;
  }
  // `keywitness help qr decode` is `keywitness qr decode --help`.
  if (name === 'help' && rest.length > 0) return main([...rest, '--help'], io);
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? io.stderr : io.stdout)(overview());
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.stderr(`keywitness: unknown command "${name}"\n${overview()}`);
    return 2;
  }
  const sub = rest[0];
  const subSpec = subcommandOf(command.help, sub);
  const label = subSpec ? subSpec.name : name;
  if (wantsHelp(rest)) {
    const help = command.help;
    io.stdout(
      subSpec ? formatCommandHelp(subSpec) : 'subcommands' in help ? formatGroupHelp(help) : formatCommandHelp(help),
    );
    return 0;
  }
  try {
    return await command.run(rest, io);
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
