/**
 * Script-supplied regular expressions (an input's `pattern`, evidence `present` / `absent`) run on
 * RE2 (src/core/util/linear-regex.ts). The catastrophic patterns of a backtracking engine are
 * matched against long inputs here: these tests finish because matching is linear in the input,
 * not because anything times out. What RE2 cannot run in linear time is refused while the script
 * is parsed, as SCRIPT_INVALID naming the YAML path and line.
 */
import { describe, expect, it } from 'vitest';
import type { EvidenceItem } from '../../../../src/core/checks.js';
import { checkEvidence } from '../../../../src/core/evidence/checks.js';
import { parseScript } from '../../../../src/core/script/parse.js';
import { anchorPattern, matchesInputPattern } from '../../../../src/core/script/steps.js';
import { utf8 } from '../../../../src/core/util/bytes.js';
import { compileLinear, PatternSyntaxError } from '../../../../src/core/util/linear-regex.js';
import { BASE, build, catchError, edit } from './fixture.js';

/** A YAML double-quoted scalar holding `text` exactly. */
const yamlText = (text: string): string => JSON.stringify(text);

/** Patterns that take exponential time on a backtracking engine, with an input each must reject. */
const CATASTROPHIC: readonly [pattern: string, matching: string, failing: string][] = [
  ['(a|a)*', 'a'.repeat(100_000), `${'a'.repeat(100_000)}b`],
  ['(a*)*', 'a'.repeat(100_000), `${'a'.repeat(100_000)}!`],
  ['(a+)+', 'a'.repeat(100_000), `${'a'.repeat(100_000)}!`],
  ['(a|aa)+', 'a'.repeat(100_000), `${'a'.repeat(100_000)}b`],
  ['(x+x+)+y', `${'x'.repeat(100_000)}y`, 'x'.repeat(100_000)],
  ['(.*a){12}', 'a'.repeat(100_000), `${'a'.repeat(11)}${'b'.repeat(100_000)}`],
  ['([a-z]+[0-9]*)+-', `${'ab1'.repeat(30_000)}-`, 'ab1'.repeat(30_000)],
  ['(\\w|\\d)+@', `${'1'.repeat(100_000)}@`, '1'.repeat(100_000)],
];

describe('input patterns run on a linear-time engine', () => {
  it.each(CATASTROPHIC)('%s against 100,000 characters', (pattern, matching, failing) => {
    const anchored = anchorPattern(pattern);
    expect(matchesInputPattern(anchored, matching)).toBe(true);
    expect(matchesInputPattern(anchored, failing)).toBe(false);
  });

  it('a script whose pattern is catastrophic parses, and checks a long expected value against it', () => {
    const expected = 'a'.repeat(200_000);
    const script = parseScript(
      build(edit(BASE, { 20: `  bag: ${yamlText(expected)}`, 31: `        pattern: ${yamlText('(a|a)*')}` })),
    );
    expect(script.steps[0]!.inputs[0]!.pattern).toBe('^(?:(a|a)*)$');
    const refused = catchError(() =>
      parseScript(
        build(edit(BASE, { 20: `  bag: ${yamlText(`${expected}b`)}`, 31: `        pattern: ${yamlText('(a|a)*')}` })),
      ),
    );
    expect(refused.code).toBe('SCRIPT_INVALID');
    expect(refused.where).toBe('steps[0].inputs[0].pattern (line 31)');
    expect(refused.message).toMatch(/does not match this pattern/);
  });

  it('matches whole values only, also across a newline', () => {
    const p = anchorPattern('TEB-[0-9]+');
    expect(matchesInputPattern(p, 'TEB-1')).toBe(true);
    for (const v of ['TEB-1\n', '\nTEB-1', 'TEB-1\nTEB-2', 'xTEB-1', 'TEB-1x'])
      expect(matchesInputPattern(p, v)).toBe(false);
  });

  it('is Unicode-aware on code points, as the u flag was', () => {
    expect(matchesInputPattern(anchorPattern('\\p{L}+'), 'Ærø')).toBe(true);
    expect(matchesInputPattern(anchorPattern('.'), '😀')).toBe(true);
    expect(matchesInputPattern(anchorPattern('\\x{1F600}'), '😀')).toBe(true);
    expect(matchesInputPattern(anchorPattern('[0-9]'), '٣')).toBe(false);
  });
});

describe('patterns RE2 cannot run in linear time are refused with the YAML path', () => {
  const REFUSED: readonly [name: string, pattern: string, message: RegExp][] = [
    ['backreference', '(a)\\1', /invalid escape sequence: `\\1`/],
    ['named backreference', '(?<x>a)\\k<x>', /invalid escape sequence/],
    ['lookahead', '(?=TEB)TEB-1', /unsupported Perl syntax: `\(\?=`/],
    ['negative lookahead', '(?!X)TEB-1', /unsupported Perl syntax: `\(\?!`/],
    ['lookbehind', '(?<=T)EB-1', /invalid named capture|unsupported/],
    ['negative lookbehind', '(?<!X)TEB-1', /invalid named capture|unsupported/],
    ['atomic group', '(?>TEB)-1', /unsupported Perl syntax/],
    ['possessive quantifier', 'TEB-1*+', /bad repetition operator|invalid nested repetition/],
    ['any byte \\C', 'TEB-\\C', /invalid escape sequence: `\\C`/],
    ['\\u escape (write \\x{…})', 'TEB-\\u0031', /invalid escape sequence: `\\u`/],
    ['repetition above 1000', 'TEB-1{1001}', /invalid repeat count/],
    ['nested repetition above 1000', '(TEB-1{0,100}){0,100}', /invalid repeat count/],
    ['a group that escapes the anchors', 'x)|(TEB-1', /unexpected \)|missing/],
    ['unclosed class', 'TEB-[0-9', /missing closing \]/],
  ];

  it.each(REFUSED)('%s', (_name, pattern, message) => {
    const e = catchError(() => parseScript(build(edit(BASE, { 31: `        pattern: ${yamlText(pattern)}` }))));
    expect(e.code).toBe('SCRIPT_INVALID');
    expect(e.where).toBe('steps[0].inputs[0].pattern (line 31)');
    expect(e.message).toMatch(/is not a valid regular expression: /);
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/RE2 syntax: no backreferences, lookahead or lookbehind/);
  });

  it.each(REFUSED)('%s in a present expectation', (_name, pattern) => {
    const e = catchError(() =>
      parseScript(build(edit(BASE, { 45: `          label: root-key\n          present: [${yamlText(pattern)}]` }))),
    );
    expect(e.code).toBe('SCRIPT_INVALID');
    expect(e.where).toMatch(/^steps\[1\]\.evidence\[0\]\.expect\.present\[0\] \(line 46\)$/);
    expect(e.message).toMatch(/not a valid regular expression: .*RE2 syntax/);
  });

  it('compileLinear throws PatternSyntaxError, nothing else', () => {
    expect(() => compileLinear('(?=a)')).toThrow(PatternSyntaxError);
    expect(compileLinear('a|b').test('xbx')).toBe(true);
  });
});

describe('present and absent expectations run on a linear-time engine', () => {
  const file = (expect: Record<string, unknown>, text: string): EvidenceItem => ({
    spec: { id: 'log', kind: 'file', parser: undefined, expect, required: true },
    bytes: utf8(text),
  });

  it('catastrophic patterns over 512 KiB of evidence give the right verdicts', async () => {
    const lines = `${'a'.repeat(4095)}\n`.repeat(128);
    const results = await checkEvidence(
      file({ present: ['^(a|a)*$', '(x+x+)+y'], absent: ['^(a*)*b$', '(a|aa)+!'] }, lines),
      new Map(),
    );
    const verdicts = Object.fromEntries(results.map((r) => [r.id, r.ok]));
    expect(verdicts).toMatchObject({
      'log.present[0]': true,
      'log.present[1]': false,
      'log.absent[0]': true,
      'log.absent[1]': true,
    });
  });

  it('reports the start of what was found', async () => {
    const results = await checkEvidence(
      file({ present: ['tok(en)+ label\\s+: \\S+'] }, 'x\ntokenen label  : KW\n'),
      new Map(),
    );
    const r = results.find((x) => x.id === 'log.present')!;
    expect(r.ok).toBe(true);
    expect(r.observed).toBe('found: "tokenen label  : KW"');
  });
});
