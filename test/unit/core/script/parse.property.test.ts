/**
 * Properties of the script parser over untrusted YAML (a script travels inside every bundle, so
 * an auditor's machine parses whatever a bundle carries), with the suite's fixed seed and bounded
 * runs (test/support/property.ts): damaged sample scripts, YAML assembled from its own syntax and
 * hostile tokens, and input patterns written to blow up a backtracking engine all end within the
 * per-case ceiling, parsed or refused with SCRIPT_INVALID / INPUT_TOO_LARGE, and nothing else.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScript } from '../../../../src/core/script/parse.js';
import { DEFAULT_MAX_SCRIPT_BYTES } from '../../../../src/core/script/source-text.js';
import { utf8 } from '../../../../src/core/util/bytes.js';
import { failsClosed, fragmentText, growsLinearly, mutated, params, repeatedTo } from '../../../support/property.js';

const CEREMONIES = join(import.meta.dirname, '../../../../assets/ceremonies');
const SAMPLES = readdirSync(CEREMONIES)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => new Uint8Array(readFileSync(join(CEREMONIES, f))));
const MINIMAL = readFileSync(join(CEREMONIES, 'minimal.yaml'), 'utf8');
const CODES = ['SCRIPT_INVALID', 'INPUT_TOO_LARGE'];

function parsesOrRefuses(bytes: Uint8Array): void {
  const parsed = failsClosed(() => parseScript(bytes));
  if (!parsed.ok) {
    expect(CODES).toContain(parsed.error.code);
    expect(parsed.error.message.length).toBeGreaterThan(0);
  }
}

describe('the script parser', () => {
  it('parses every sample script (the seeds are valid)', () => {
    expect(SAMPLES.length).toBeGreaterThanOrEqual(4);
    for (const bytes of SAMPLES) expect(() => parseScript(bytes)).not.toThrow();
  });

  it('damaged sample scripts parse or are refused with SCRIPT_INVALID', () => {
    fc.assert(fc.property(mutated(SAMPLES, 4), parsesOrRefuses), params(300));
  });

  const YAML_TOKENS = [
    'format: keywitness-script/1\n',
    'id: x\n',
    'title: t\n',
    'roles:\n',
    '  - { id: admin, title: A, coordinator: true }\n',
    'steps:\n',
    '  - id: "1"\n',
    '    title: s\n',
    '    actor: admin\n',
    '    acks: { roles: [admin], min: 1 }\n',
    'a: &x [1, 2, 3]\n',
    'b: [*x, *x, *x, *x]\n',
    '<<: *x\n',
    '!!binary aGVsbG8=\n',
    '!custom tag\n',
    '%YAML 1.1\n',
    '---\n',
    '...\n',
    '? [complex, key]\n: value\n',
    'k: {a: {b: {c: {d: [[[[[]]]]]}}}}\n',
    'n: 0x7fffffffffffffff\n',
    'n: 1e400\n',
    'n: .nan\n',
    'd: 2026-12-01\n',
    'dup: 1\ndup: 2\n',
    "s: 'unterminated\n",
    's: "\\u0000\\ud800"\n',
    'block: |\n  text\n\tindented with a tab\n',
    '    ',
    '\t',
    '- ',
    '[',
    '{',
    ']',
    '}',
    '#',
    ',',
    ':',
    '\n',
    '\r\n',
    '\u2028',
    '\ufeff',
    '\u0000',
  ];
  it('YAML built from its own syntax and hostile tokens parses or is refused', () => {
    fc.assert(
      fc.property(fragmentText(YAML_TOKENS, 40), (text) => parsesOrRefuses(utf8(text))),
      params(1500),
    );
  });

  // Patterns that take exponential time on a backtracking engine, and syntax RE2 does not have.
  const PATTERN_PARTS = [
    '(a|a)*',
    '(a+)+',
    '(a*)*',
    '(.*)*',
    'a?',
    'a',
    '(?:a|aa)+',
    '\\1',
    '(?=a)',
    '(?<n>a)',
    '\\k<n>',
    '[',
    '{2,}',
    '.*',
  ];
  it('hostile input patterns are judged in linear time', () => {
    fc.assert(
      fc.property(
        fragmentText(PATTERN_PARTS, 12),
        fc.integer({ min: 20, max: 4000 }),
        fc.constantFrom('!', 'a', 'b'),
        (pattern, length, tail) => {
          const value = `${'a'.repeat(length)}${tail}`;
          const script = MINIMAL.replace('bag: "TEB-2026-00001"', `bag: ${JSON.stringify(value)}`).replace(
            '{ id: bag, label: Bag number, expect: $expected.bag }',
            `{ id: bag, label: Bag number, expect: $expected.bag, pattern: ${JSON.stringify(pattern)} }`,
          );
          parsesOrRefuses(utf8(script));
        },
      ),
      params(300),
    );
  });

  // Nested flow collections ("[", "{a: ") are refused from the lexer's tokens before the YAML
  // library builds its syntax tree, so they are held to the same ceiling as everything else.
  const UNITS = ['\n', ' ', '- ', 'a: &x [*x]\n', '#\n', 'x'.repeat(1000) + '\n', '"\\', '[', '{a: '];
  const cases = UNITS.map((u) => [u, undefined] as const);
  it.each(cases.map(([unit, ceiling]) => ({ unit: JSON.stringify(unit.slice(0, 12)), text: unit, ceiling })))(
    'adversarial text at the size limit ($unit repeated) takes linear time',
    ({ text: unit, ceiling }) => {
      const make = (size: number) => utf8(MINIMAL + repeatedTo(unit, size - MINIMAL.length));
      const atLimit = growsLinearly(make, DEFAULT_MAX_SCRIPT_BYTES, parseScript, ceiling);
      if (!atLimit.ok) expect(CODES).toContain(atLimit.error.code);
      // One byte over is refused before anything is decoded.
      const over = failsClosed(() => parseScript(make(DEFAULT_MAX_SCRIPT_BYTES + 1)));
      expect(over.ok || over.error.message).toMatch(/^\(file\): .* at most \d+ bytes$/);
    },
    150_000,
  );
});
