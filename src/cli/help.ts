/**
 * `keywitness --help`, `keywitness COMMAND --help` and `keywitness --version`: formatted from the
 * command table (src/cli/commands.ts), so help lists exactly the options the parser accepts.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spokenWords } from '../core/protocol/words.js';
import { fromHex } from '../core/util/bytes.js';
import { computeBuildHash } from '../node/build-info.js';
import type { CommandSpec } from './args.js';
import { HELP_OPTION, type CommandGroup } from './commands.js';

/** Where the description column starts in help text. */
const COLUMN = 34;

function row(left: string, description: string): string {
  const pad = left.length + 2 >= COLUMN ? `\n${' '.repeat(COLUMN)}` : ' '.repeat(COLUMN - left.length);
  return `${left}${pad}${description}`;
}

/** `--receipt FILE` / `-h, --help`: an option as it is typed. */
function optionLabel(name: string, o: { readonly type: string; readonly short?: string; readonly value?: string }) {
  const long = `--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
  return `  ${o.short === undefined ? '    ' : `-${o.short}, `}${long}`;
}

/** Help for one command or subcommand: usage lines, what it does, arguments, options, exit codes. */
export function formatCommandHelp(spec: CommandSpec): string {
  const lines = spec.usage.map((u, i) => `${i === 0 ? 'usage: ' : '       '}keywitness ${u}`);
  lines.push('', spec.summary);
  if (spec.arguments.length > 0) {
    lines.push('', 'arguments:');
    for (const [name, description] of spec.arguments) lines.push(row(`  ${name}`, description));
  }
  lines.push('', 'options:');
  for (const [name, o] of Object.entries(spec.options)) {
    const repeat = o.multiple === true ? ' (may be repeated)' : '';
    lines.push(row(optionLabel(name, o), `${o.description}${repeat}`));
  }
  lines.push(row(optionLabel('help', HELP_OPTION), HELP_OPTION.description));
  lines.push('', `exit codes: ${spec.exit}`);
  return `${lines.join('\n')}\n`;
}

/** Help for a command with subcommands: each subcommand's usage and what it does. */
export function formatGroupHelp(group: CommandGroup): string {
  const lines = [`usage: keywitness ${group.name} ${group.subcommands.map((s) => s.name.split(' ')[1]).join('|')} …`];
  lines.push('', group.summary, '', 'subcommands:');
  for (const s of group.subcommands) {
    for (const u of s.usage) lines.push(`  keywitness ${u}`);
    lines.push(`      ${s.summary}`);
  }
  lines.push('', `keywitness ${group.name} SUBCOMMAND --help shows a subcommand's options.`);
  return `${lines.join('\n')}\n`;
}

/** `keywitness --help`: every command's usage and what it does. */
export function formatOverview(entries: readonly (CommandSpec | CommandGroup)[]): string {
  const lines = ['usage: keywitness COMMAND [ARGUMENTS] [OPTIONS]', '', 'commands:'];
  for (const e of entries) {
    const specs = 'subcommands' in e ? e.subcommands : [e];
    for (const s of specs) {
      for (const u of s.usage) lines.push(`  keywitness ${u}`);
      lines.push(`      ${s.summary}`);
    }
  }
  lines.push(
    '',
    'keywitness COMMAND --help shows its options and exit codes; keywitness --version the version and build hash.',
    'Errors are one line, keywitness COMMAND: CODE: where: what, with exit code 2.',
  );
  return `${lines.join('\n')}\n`;
}

/** The checkout or package root: src/cli and dist/cli both sit two levels below it. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * `keywitness --version`: the package version, and the build hash of the app files beside it
 * (the hash the app shows at start, src/node/build-info.ts) when any are built.
 */
export async function versionText(root: string = ROOT): Promise<string> {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
  const version = typeof pkg.version === 'string' ? pkg.version : 'unknown';
  const lines = [`keywitness ${version}`];
  const build = await computeBuildHash(root).catch(() => undefined);
  // package.json alone is not a build: without dist/main, dist/preload or dist-renderer no app
  // hash is known.
  if (build === undefined || build.fileCount <= 1) {
    lines.push('build hash unknown: no built app files (dist/main, dist/preload, dist-renderer) beside package.json');
  } else {
    lines.push(
      `build hash ${build.hex} (${spokenWords(fromHex(build.hex))}), over ${build.fileCount} files: package.json, dist/main, dist/preload, dist-renderer`,
    );
  }
  return `${lines.join('\n')}\n`;
}
