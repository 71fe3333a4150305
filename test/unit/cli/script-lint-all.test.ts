/**
 * `keywitness script lint` reports every error it can in one run: one line per problem, each in
 * the one error form with its YAML path and line, in file order, exit 2; a part that fails does
 * not add a second, misleading error where it is used; `script hash` refuses the same script with
 * lint's first line. Built from the minimal sample with known mistakes put in.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintScript, parseScript } from '../../../src/core/script/parse.js';
import { MAX_SCRIPT_PROBLEMS } from '../../../src/core/script/problems.js';
import { runCli } from '../../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'kw-lint-all-'));
const MINIMAL = readFileSync(new URL('../../../assets/ceremonies/minimal.yaml', import.meta.url), 'utf8');
let counter = 0;

const run = runCli;

/** The minimal sample with each `[from, to]` replaced once (each must occur). */
function broken(...edits: [string, string][]): string {
  let text = MINIMAL;
  for (const [from, to] of edits) {
    if (!text.includes(from)) throw new Error(`the sample has no ${from}`);
    text = text.replace(from, to);
  }
  return text;
}

const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

function write(text: string): string {
  const file = join(dir, `${++counter}.yaml`);
  writeFileSync(file, text);
  return file;
}

describe('script lint reports every problem in one run', () => {
  it('four mistakes in four places: a line for each problem, in file order, and hash refuses with the first', async () => {
    const text = broken(
      ['title: Minimal two-step ceremony', 'titel: Minimal two-step ceremony'],
      ['{ id: witness, title: Witness, min: 1 }', '{ id: witness, title: Witness, min: 1, mx: 3 }'],
      ['label: Bag number,', 'label: Bag number, colour: red,'],
      ['parser: softhsm2-util', 'parser: softhsm-util'],
    );
    const file = write(text);
    const r = await run('script', 'lint', file);
    expect(r.code).toBe(2);
    const lines = r.err.trimEnd().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^keywitness script lint: SCRIPT_INVALID: titel \\(line ${lineOf(text, 'titel')}\\): unknown field "titel" in a ceremony script; did you mean "title"\\?`,
        ),
      ),
      `keywitness script lint: SCRIPT_INVALID: title (line ${lineOf(text, 'format:')}): is required: a ceremony script starting at line ${lineOf(text, 'format:')} has no "title"`,
      expect.stringMatching(
        new RegExp(
          `^keywitness script lint: SCRIPT_INVALID: roles\\[1\\]\\.mx \\(line ${lineOf(text, 'mx: 3')}\\): unknown field "mx" in a role; did you mean "max"\\?`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^keywitness script lint: SCRIPT_INVALID: steps\\[0\\]\\.inputs\\[0\\]\\.colour \\(line ${lineOf(text, 'colour')}\\): unknown field "colour" in an input`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^keywitness script lint: SCRIPT_INVALID: steps\\[1\\]\\.evidence\\[0\\]\\.parser \\(line ${lineOf(text, 'softhsm-util')}\\): .*softhsm-util`,
        ),
      ),
    ]);
    expect(r.out).toBe(`${file}: INVALID — 5 problems\n`);
    const hash = await run('script', 'hash', file);
    expect(hash.code).toBe(2);
    expect(hash.err).toBe(`${lines[0]!.replace('script lint:', 'script hash:')}\n`);
    expect(() => parseScript(new TextEncoder().encode(text))).toThrow(lines[0]!.split('SCRIPT_INVALID: ')[1]!);
  });

  it.each([
    [
      'a role that fails is still a role where steps name it',
      [['{ id: witness, title: Witness, min: 1 }', '{ id: witness, title: Witness, min: many }']],
      [/^roles\[1\]\.min \(line \d+\): must be a whole number/],
    ],
    [
      'an expected value that fails is still defined where it is used',
      [['bag: "TEB-2026-00001"', 'bag: [TEB-2026-00001]']],
      [/^expected\.bag \(line \d+\): must be text, but is a list/],
    ],
    [
      'evidence that fails is still declared where a later step refers to it',
      [
        ['parser: softhsm2-util', 'parser: no-such-tool'],
        [
          'acks: { roles: [witness], min: 1, recompute: true }',
          'acks: { roles: [witness], min: 1, recompute: true }\n  - id: "3"\n    title: Compare\n    evidence:\n      - { id: again, kind: public-key, expect: { spki_equals: slots } }\n    acks: { roles: [witness], min: 1 }',
        ],
      ],
      [/^steps\[1\]\.evidence\[0\]\.parser \(line \d+\): .*no-such-tool/],
    ],
    [
      'a step without acks still has every other problem reported',
      [
        ['    acks: { roles: [witness], min: 1 }\n  - id: "2"', '  - id: "2"'],
        ['title: Import the token listing', 'title: " Import the token listing"'],
      ],
      [
        /^steps\[0\]\.acks \(line \d+\): is required/,
        /^steps\[1\]\.title \(line \d+\): must not start or end with spaces/,
      ],
    ],
  ] as [string, [string, string][], RegExp[]][])('%s', (_, edits, expected) => {
    const { script, problems } = lintScript(new TextEncoder().encode(broken(...edits)));
    expect(script).toBeUndefined();
    expect(problems.map((p) => p.message)).toEqual(expected.map((m) => expect.stringMatching(m)));
    for (const p of problems) expect(p.code).toBe('SCRIPT_INVALID');
  });

  it('a syntax error stops at once: nothing after it can be read reliably', async () => {
    const r = await run('script', 'lint', write(broken(['titl', 'titl: [unclosed\n  titl'])));
    expect(r.code).toBe(2);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^keywitness script lint: SCRIPT_INVALID: line \d+, column \d+: YAML syntax error/);
  });

  it(`a hostile script: at most ${MAX_SCRIPT_PROBLEMS} lines, and how many more`, async () => {
    const extra = Array.from({ length: 250 }, (_, i) => `unknown${i}: 1`).join('\n');
    const r = await run('script', 'lint', write(`${MINIMAL}${extra}\n`));
    expect(r.code).toBe(2);
    expect(r.err.trimEnd().split('\n')).toHaveLength(MAX_SCRIPT_PROBLEMS);
    expect(r.out).toMatch(
      new RegExp(`: INVALID — 250 problems \\(the first ${MAX_SCRIPT_PROBLEMS} shown; 150 more not\\)\\n$`),
    );
  });

  it('a valid script: no problems, and the same script parseScript returns', () => {
    const bytes = new TextEncoder().encode(MINIMAL);
    const { script, problems } = lintScript(bytes);
    expect(problems).toEqual([]);
    expect(script).toEqual(parseScript(bytes));
  });
});
