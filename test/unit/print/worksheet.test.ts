/**
 * `keywitness script print FILE --out F.pdf` on every sample script: the PDF's text, extracted
 * with poppler's pdftotext, holds the script's title and id, the hash as hex and as 32 numbered
 * PGP words, every step's id and title, every input's expected value and pattern, every evidence
 * expectation and every command line of the instructions; each step starts and ends on one page;
 * the fonts are embedded. Then the refusals: a character the fonts lack, an existing --out file,
 * missing arguments, a script lint refuses.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ASSETS_DIR } from '../../../src/cli/demo-plan.js';
import { expectationValue } from '../../../src/core/print/worksheet.js';
import { parseScript } from '../../../src/core/script/parse.js';
import type { Script } from '../../../src/core/script/types.js';
import { scriptHashText } from '../../../src/core/script/hash-text.js';
import { spokenWords, toWords } from '../../../src/core/protocol/words.js';
import { toHex, utf8 } from '../../../src/core/util/bytes.js';
import { sha256 } from '../../../src/core/util/hash.js';
import { missingTool } from '../../support/tools.js';
import { runCli } from '../../support/cli.js';

const havePoppler = spawnSync('sh', ['-c', 'command -v pdftotext && command -v pdffonts']).status === 0;
const CEREMONIES = join(ASSETS_DIR, 'ceremonies');

const run = runCli;

/** pdftotext's output for the file (or one page), whitespace collapsed. */
function pdfText(file: string, ...options: string[]): string {
  const r = spawnSync('pdftotext', [...options, file, '-'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pdftotext failed: ${r.stderr}`);
  return r.stdout;
}
const flat = (s: string): string => s.replace(/\s+/g, ' ').trim();

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-print-'));
});

const scripts = (await readdir(CEREMONIES)).filter((f) => f.endsWith('.yaml')).sort();

describe.skipIf(missingTool(havePoppler, 'poppler-utils (pdftotext, pdffonts)'))('script print', () => {
  it.each(scripts)(
    '%s: the worksheet says what the script says',
    async (name) => {
      const file = join(CEREMONIES, name);
      const script: Script = parseScript(await readFile(file));
      const out = join(dir, name.replace(/\.yaml$/, '.pdf'));
      const r = await run('script', 'print', file, '--out', out);
      expect(r, r.err).toMatchObject({ code: 0, err: '' });
      const pages = Number(/(\d+) pages?/.exec(r.out)?.[1]);
      expect(r.out).toMatch(new RegExp(`^wrote ${out}: \\d+ pages?, SHA-256 [0-9a-f]{64}\\n$`));

      const text = flat(pdfText(out));
      const hash = scriptHashText(script.hash);
      expect(text).toContain(flat(script.title));
      expect(text).toContain(script.id);
      expect(text).toContain(hash.hex);
      expect(text).toContain(`Short form (the first four words, read aloud): ${hash.short}`);
      // The 32 words, numbered, in reading order (row by row, as -layout keeps them).
      const layout = flat(pdfText(out, '-layout'));
      expect(layout).toContain(hash.words.map((w, i) => `${i + 1}. ${w}`).join(' '));
      for (const role of script.roles) expect(text).toContain(`${flat(role.title)} (${role.id})`);
      for (const step of script.steps) {
        expect(text).toContain(flat(`Step ${step.id} — ${step.title}`));
        expect(text).toContain(`Exceptions at step ${step.id}`);
        for (const input of step.inputs) {
          expect(text).toContain(flat(input.label));
          if (input.expect) expect(text).toContain(`expected ${input.expect.value}`);
          if (input.pattern) expect(text).toContain(input.pattern.replace(/^\^\(\?:(.*)\)\$$/s, '$1'));
        }
        for (const e of step.evidence) {
          expect(text).toContain(`${e.id} — ${e.kind}`);
          for (const [key, value] of Object.entries(e.expect))
            expect(text).toContain(flat(`checked: ${key} ${expectationValue(value)}`));
        }
        // Every command line people type, as written (a line too long for the page wraps between
        // characters, so these are compared without whitespace).
        const bare = text.replace(/\s+/g, '');
        for (const fence of step.instructions.matchAll(/```[^\n]*\n([\s\S]*?)```/g))
          for (const line of (fence[1] ?? '').split('\n').filter((l) => l.trim()))
            expect(bare, `step ${step.id}`).toContain(line.replace(/\s+/g, ''));
      }
      // A step that fits on a page starts and ends on one; a longer one starts at the top of a
      // page. Either way its sign-off boxes and exception space share a page.
      const perPage = Array.from({ length: pages }, (_, i) => flat(pdfText(out, '-f', `${i + 1}`, '-l', `${i + 1}`)));
      for (const step of script.steps) {
        const heading = flat(`Step ${step.id} — ${step.title}`);
        const start = perPage.findIndex((p) => p.includes(heading));
        const end = perPage.findIndex((p) => p.includes(`Exceptions at step ${step.id}`));
        expect(start, `step ${step.id}`).toBeGreaterThanOrEqual(0);
        if (start !== end) expect(perPage[start]?.startsWith(heading), `step ${step.id} starts its page`).toBe(true);
        expect(perPage[end]).toContain(`Acknowledged ${Math.max(1, step.acks.min)} (`);
      }
      perPage.forEach((p, i) => expect(p).toContain(`script SHA-256 ${hash.short} — page ${i + 1} of ${pages}`));
      // The three DejaVu faces are embedded (pdf-lib subsets them under a numbered name), with a
      // Unicode map: nothing is left to the viewer's fonts, and the text extracts as printed.
      const fonts = spawnSync('pdffonts', [out], { encoding: 'utf8' }).stdout;
      for (const face of ['DejaVuSans', 'DejaVuSans-Bold', 'DejaVuSansMono'])
        expect(fonts).toMatch(new RegExp(`^${face}-\\d+ +CID TrueType +Identity-H +yes +no +yes `, 'm'));
      expect(fonts.trim().split('\n')).toHaveLength(5);
    },
    60_000,
  );

  const minimal = async (edit: (yaml: string) => string): Promise<string> => {
    const yaml = edit(await readFile(join(CEREMONIES, 'minimal.yaml'), 'utf8'));
    const file = join(await mkdtemp(join(dir, 'case-')), 'script.yaml');
    await writeFile(file, yaml);
    return file;
  };

  it.each([
    {
      what: 'an emoji in the title',
      edit: (y: string) => y.replace('title: Minimal two-step ceremony', 'title: Minimal ceremony 🔐'),
      error: /the document title: cannot print U\+1F510 \(🔐\): the font DejaVu Sans Bold has no glyph for it/,
    },
    {
      what: 'a CJK character in a step instruction',
      edit: (y: string) => y.replace('Read the bag number aloud', 'Read the 鍵 bag number aloud'),
      error:
        /step 1: cannot print U\+9375 \(鍵\): the font DejaVu Sans has no glyph for it \(in "Read the 鍵 bag number/,
    },
    {
      what: 'a letter DejaVu Sans has but its Mono face lacks, in a code span',
      edit: (y: string) => y.replace('`softhsm2-util --show-slots`', '`softhsm2-util --label ℵ`'),
      error: /step 2: cannot print U\+2135 \(ℵ\): the font DejaVu Sans Mono has no glyph for it/,
    },
    {
      what: 'right-to-left letters, which the fonts have but the writer cannot order',
      edit: (y: string) => y.replace('Read the bag number aloud', 'Read שלום aloud'),
      error:
        /step 1: cannot print U\+05E9 \(ש\): right-to-left text is not laid out in reading order by the PDF writer \(in "Read שלום aloud/,
    },
  ])('refuses $what, naming the character and where, and writes nothing', async ({ edit, error }) => {
    const file = await minimal(edit);
    const out = join(dir, `refused-${Math.random().toString(36).slice(2)}.pdf`);
    const r = await run('script', 'print', file, '--out', out);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^keywitness script print: INPUT_INVALID: /);
    expect(r.err).toMatch(error);
    await expect(stat(out)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('shows each pinned identity under its role, by the short form of its key, and the irreversible confirmation', async () => {
    const alice = sha256(utf8('alice'));
    const bob = sha256(utf8('bob'));
    const file = await minimal((y) =>
      y
        .replace(
          'expected:',
          `participants:\n  - { name: Alice Example, role: witness, fingerprint: "${toHex(alice)}" }\n  - { name: Bob Example, role: admin, fingerprint: "${toWords(bob).join(' ')}" }\nexpected:`,
        )
        .replace(
          '    acks: { roles: [witness], min: 1 }\n  - id: "2"',
          '    irreversible: { confirm: "SEAL THE BAG" }\n    acks: { roles: [witness], min: 1 }\n  - id: "2"',
        ),
    );
    const out = join(dir, 'pinned.pdf');
    expect((await run('script', 'print', file, '--out', out)).code).toBe(0);
    const text = flat(pdfText(out));
    expect(text).toContain(
      `Witness (witness): at least 1, no upper limit pinned: Alice Example, key ${spokenWords(alice)}`,
    );
    expect(text).toContain(`pinned: Bob Example, key ${spokenWords(bob)}`);
    expect(text).not.toContain('No identity is pinned');
    expect(text).toContain('Irreversible before the statement, the coordinator types SEAL THE BAG');
  });

  it('never overwrites: --out onto an existing file is refused and the file is unchanged', async () => {
    const out = join(dir, 'existing.pdf');
    await writeFile(out, 'not a worksheet');
    const r = await run('script', 'print', join(CEREMONIES, 'minimal.yaml'), '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/ALREADY_EXISTS: .*existing\.pdf: exists already \(a file\); Keywitness never overwrites/);
    expect(await readFile(out, 'utf8')).toBe('not a worksheet');
  });

  it.each([
    {
      what: 'no --out',
      args: [join(CEREMONIES, 'minimal.yaml')],
      error: /INPUT_INVALID: arguments: usage: keywitness script print FILE --out F\.pdf/,
    },
    { what: 'no FILE', args: ['--out', 'x.pdf'], error: /usage: keywitness script print/ },
    { what: 'two FILEs', args: ['a.yaml', 'b.yaml', '--out', 'x.pdf'], error: /usage: keywitness script print/ },
    {
      what: 'an unknown option',
      args: ['a.yaml', '--out', 'x.pdf', '--force'],
      error: /INPUT_INVALID: arguments: .*--force/,
    },
    {
      what: 'a missing script',
      args: ['/nonexistent/s.yaml', '--out', 'x.pdf'],
      error: /NOT_FOUND: \/nonexistent\/s\.yaml: no such file/,
    },
    {
      what: 'a folder that does not exist',
      args: [join(CEREMONIES, 'minimal.yaml'), '--out', '/nonexistent/x.pdf'],
      error: /NOT_FOUND: \/nonexistent: the output folder does not exist/,
    },
  ])('refuses $what (exit 2)', async ({ args, error }) => {
    const r = await run('script', 'print', ...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(error);
  });

  it('refuses a script that script lint refuses, naming the YAML path, and writes nothing', async () => {
    const file = await minimal((y) =>
      y.replace('{ id: witness, title: Witness, min: 1 }', '{ id: witness, title: Witness, min: 1, colour: red }'),
    );
    const out = join(dir, 'invalid.pdf');
    const lint = await run('script', 'lint', file);
    expect(lint.code).toBe(2);
    const r = await run('script', 'print', file, '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^keywitness script print: SCRIPT_INVALID: .*roles\[1\]\.colour/);
    // The same error as lint's first line, and as script hash gives.
    expect(r.err.replace('script print', 'script lint')).toBe(lint.err.split('\n')[0] + '\n');
    await expect(stat(out)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a file of another kind given as the script, saying what it is', async () => {
    const receipt = join(dir, 'given.receipt.json');
    await writeFile(receipt, JSON.stringify({ format: 'keywitness-receipt/1', participant: '00', messages: [] }));
    const r = await run('script', 'print', receipt, '--out', join(dir, 'receipt.pdf'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^keywitness script print: INPUT_INVALID: .*given\.receipt\.json: .*receipt/);
  });

  it('--help prints the usage and each option, and exits 0', async () => {
    const r = await run('script', 'print', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('keywitness script print FILE --out F.pdf');
    expect(r.out).toMatch(/--out F\.pdf +the PDF to write \(a new file: never overwritten\)/);
  });
});
