/**
 * `--help` on every command and subcommand, `--version`, and that the command table, the parser
 * and the README agree: every option a command's parser accepts is in its help and in the
 * README's command-line reference, and none is documented that the parser refuses.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';
import type { CommandSpec } from '../../../src/cli/args.js';
import { runCli } from '../../support/cli.js';

/** The option tables each command handed the one parser, in call order. */
const seen = vi.hoisted(() => ({ options: [] as Record<string, unknown>[] }));
vi.mock('../../../src/cli/args.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/cli/args.js')>();
  return {
    ...real,
    parseCommandArgs: (args: readonly string[], options: Record<string, never>) => {
      seen.options.push(options);
      return real.parseCommandArgs(args, options);
    },
  };
});

const { COMMANDS } = await import('../../../src/cli/main.js');

const run = runCli;

/** Every command and subcommand spec in the table main dispatches on. */
const SPECS: CommandSpec[] = Object.values(COMMANDS).flatMap((c) =>
  'subcommands' in c.help ? [...c.help.subcommands] : [c.help],
);
const GROUPS = Object.values(COMMANDS)
  .map((c) => c.help)
  .filter((h) => 'subcommands' in h);

describe('keywitness --help and --version', () => {
  it.each(SPECS.map((s) => [s.name, s] as const))('%s --help: exit 0, usage, a line per option', async (name, spec) => {
    for (const flag of ['--help', '-h']) {
      const r = await run(...name.split(' '), flag);
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      const lines = r.out.split('\n');
      expect(lines[0]).toBe(`usage: keywitness ${spec.usage[0]}`);
      for (const [option, o] of Object.entries(spec.options)) {
        const line = lines.find((l) => new RegExp(`^ +--${option}( |$)`).test(l));
        expect(line, `--${option} in ${name} --help`).toBeDefined();
        // The description is on the option's line, or the next when the option is long.
        const at = lines.indexOf(line!);
        expect(`${line} ${lines[at + 1]}`).toContain(o.description);
      }
      expect(r.out).toMatch(/^ {2}-h, --help +print this help and exit$/m);
      expect(r.out).toContain(`exit codes: ${spec.exit}`);
    }
  });

  it.each(GROUPS.map((g) => [g.name, g] as const))('%s --help lists its subcommands', async (name, group) => {
    const r = await run(name, '--help');
    expect(r.code).toBe(0);
    for (const s of 'subcommands' in group ? group.subcommands : [])
      for (const u of s.usage) expect(r.out).toContain(`keywitness ${u}`);
  });

  it('keywitness help COMMAND is COMMAND --help', async () => {
    expect(await run('help', 'qr', 'decode')).toEqual(await run('qr', 'decode', '--help'));
    expect((await run('help', 'nonsense')).code).toBe(2);
  });

  it('help after other arguments still wins, and audit --help is not an error', async () => {
    const r = await run('audit', 'some.keywitness.json', '--receipt', 'x', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: keywitness audit BUNDLE/);
    expect((await run('script', 'lint', '--', '--help')).err).toMatch(/NOT_FOUND: --help: no such file/);
  });

  it('keywitness --help lists every usage line; no command is an error with the same text', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    for (const s of SPECS) for (const u of s.usage) expect(r.out).toContain(`keywitness ${u}`);
    const none = await run();
    expect(none.code).toBe(2);
    expect(none.err).toBe(r.out);
  });

  it('--version: the package version, and the build hash or why it is unknown', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const r = await run('--version');
    expect(r.code).toBe(0);
    const [first, second] = r.out.split('\n');
    expect(first).toBe(`keywitness ${pkg.version}`);
    expect(second).toMatch(
      /^(build hash [0-9a-f]{64} \(\w+ \w+ \w+ \w+\), over \d+ files: package\.json, dist\/main, dist\/preload, dist-renderer|build hash unknown: .+)$/,
    );
  });
});

describe('the command table, the parser and the README agree', () => {
  /** Arguments that get each command past its parser and stop it at once (a usage or file error). */
  const PROBES: Readonly<Record<string, readonly string[]>> = {
    audit: ['audit'],
    inspect: ['inspect'],
    verify: ['verify'],
    'script lint': ['script', 'lint'],
    'script hash': ['script', 'hash'],
    'script print': ['script', 'print'],
    words: ['words'],
    'qr encode': ['qr', 'encode'],
    'qr decode': ['qr', 'decode'],
    demo: ['demo'],
    rehearse: ['rehearse'],
    compare: ['compare'],
  };

  it('every spec has a probe', () => {
    expect(Object.keys(PROBES).sort()).toEqual(SPECS.map((s) => s.name).sort());
  });

  it.each(SPECS.map((s) => [s.name, s] as const))(
    '%s parses exactly the options its help lists',
    async (name, spec) => {
      seen.options.length = 0;
      const r = await run(...PROBES[name]!);
      expect(r.code).toBe(2);
      const parsed = seen.options.at(-1);
      expect(parsed, `${name} called the parser`).toBeDefined();
      // main answers --help before any parser runs, so a parser that also declares it changes nothing.
      const accepted = Object.keys(parsed!).filter((o) => o !== 'help');
      expect(accepted.sort()).toEqual(Object.keys(spec.options).sort());
      for (const [option, o] of Object.entries(spec.options))
        expect((parsed as Record<string, { type: string }>)[option]?.type).toBe(o.type);
    },
  );

  it("every option is in the README's command-line table, on the command's row", async () => {
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Command line'), readme.indexOf('### Audit findings'));
    for (const spec of SPECS) {
      const rows = section
        .split('\n')
        .filter((l) => l.startsWith(`| \`keywitness ${spec.name} `) || l.startsWith(`| \`keywitness ${spec.name}\``));
      expect(rows.length, `a README row for keywitness ${spec.name}`).toBeGreaterThan(0);
      const cells = rows.map((r) => r.split(' | ')[0]).join(' ');
      for (const option of Object.keys(spec.options))
        expect(cells, `${spec.name} --${option}`).toContain(`--${option}`);
    }
    expect(section).toContain('keywitness --version');
    expect(section).toContain('--help');
  });
});
