/**
 * The file and YAML levels of the script format: size, encoding, invisible characters, one
 * document, and none of anchors, aliases, tags, directives, merge keys or duplicate keys.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KeywitnessError } from '../../../../src/core/errors.js';
import { parseScript } from '../../../../src/core/script/parse.js';
import { concatBytes, utf8 } from '../../../../src/core/util/bytes.js';
import { BASE, build, catchError, edit, insertAfter } from './fixture.js';

const MiB = 1024 * 1024;

/** Bytes of BASE with line `n` replaced by raw bytes. */
function withRawLine(n: number, raw: Uint8Array): Uint8Array {
  const before = utf8(`${BASE.slice(0, n - 1).join('\n')}\n`);
  const after = utf8(`\n${BASE.slice(n).join('\n')}\n`);
  return concatBytes(before, raw, after);
}

function expectError(bytes: Uint8Array, where: string, message: RegExp, maxBytes?: number): void {
  const error = catchError(() => parseScript(bytes, maxBytes === undefined ? {} : { maxBytes }));
  expect(error.code).toBe('SCRIPT_INVALID');
  expect(error.where).toBe(where);
  expect(error.message).toMatch(message);
}

describe('size limit, checked before anything else', () => {
  const base = build(BASE);
  const padTo = (size: number): Uint8Array => {
    const pad = size - base.length;
    // Comment lines of 63 characters plus a newline, then one shorter line to land exactly.
    const lines = '#'
      .repeat(63)
      .concat('\n')
      .repeat(Math.floor(pad / 64));
    const rest = pad % 64;
    return concatBytes(base, utf8(lines), utf8(rest > 0 ? `${'#'.repeat(rest - 1)}\n` : ''));
  };

  it('accepts a script of exactly 1 MiB and rejects one byte more', () => {
    const exact = padTo(MiB);
    expect(exact.length).toBe(MiB);
    expect(parseScript(exact).id).toBe('test-script');
    const over = concatBytes(exact, utf8('\n'));
    expectError(over, '(file)', /is 1048577 bytes; a ceremony script may be at most 1048576 bytes/);
  });

  it('honours maxBytes', () => {
    expect(parseScript(base, { maxBytes: base.length }).id).toBe('test-script');
    expectError(
      base,
      '(file)',
      new RegExp(`is ${base.length} bytes; .* at most ${base.length - 1} bytes`),
      base.length - 1,
    );
  });

  it('rejects oversized input before looking at its encoding', () => {
    expectError(new Uint8Array(2 * MiB).fill(0xff), '(file)', /at most 1048576 bytes/);
  });
});

describe('encoding: strict UTF-8 without BOM', () => {
  // Line 3 is `title: Test …`: the bad bytes follow "title: Test " (12 bytes), at byte offset 56.
  const title = (bytes: number[]): Uint8Array =>
    withRawLine(3, concatBytes(utf8('title: Test '), Uint8Array.from(bytes)));

  it.each([
    ['a byte that is never UTF-8', [0xff]],
    ['a lone continuation byte', [0x80]],
    ['an overlong "/"', [0xc0, 0xaf]],
    ['an overlong three-byte form', [0xe0, 0x80, 0xaf]],
    ['a UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a truncated sequence', [0xe2, 0x82]],
  ])('rejects %s with its line, column and offset', (_name, bytes) => {
    const hex = bytes[0]!.toString(16).padStart(2, '0');
    expectError(title(bytes), 'line 3, column 13', new RegExp(`byte 0x${hex} at offset 56 is not valid UTF-8`));
  });

  it('accepts multi-byte characters', () => {
    const s = parseScript(title([0xe2, 0x80, 0x94, 0x20, 0xf0, 0x9f, 0x94, 0x91])); // "— 🔑"
    expect(s.title).toBe('Test — 🔑');
  });

  it('rejects a UTF-8 byte order mark', () => {
    expectError(
      concatBytes(Uint8Array.of(0xef, 0xbb, 0xbf), build(BASE)),
      'line 1, column 1',
      /byte order mark; save it as UTF-8 without BOM/,
    );
  });

  it('rejects UTF-16', () => {
    const text = `${BASE.join('\n')}\n`;
    const utf16 = new Uint8Array(2 + 2 * text.length);
    utf16.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) utf16[2 + 2 * i] = text.charCodeAt(i);
    expectError(utf16, 'line 1, column 1', /byte 0xff at offset 0 is not valid UTF-8/);
  });
});

describe('characters a reader cannot see', () => {
  it.each([
    ['NUL', '\u0000', /U\+0000 \(a control character\)/],
    ['ESC (terminal escape)', '\u001b', /U\+001B \(a control character\)/],
    ['DEL', '\u007f', /U\+007F \(a control character\)/],
    ['NEL (C1)', '\u0085', /U\+0085 \(a control character\)/],
    ['RIGHT-TO-LEFT OVERRIDE', '\u202e', /U\+202E \(an invisible bidirectional formatting character\)/],
    ['RIGHT-TO-LEFT ISOLATE', '\u2067', /U\+2067 \(an invisible bidirectional/],
    ['ARABIC LETTER MARK', '\u061c', /U\+061C \(an invisible bidirectional/],
    ['a byte order mark inside the text', '\ufeff', /U\+FEFF \(a byte order mark\)/],
    ['LINE SEPARATOR', '\u2028', /U\+2028 \(a Unicode line or paragraph separator\)/],
    ['a lone carriage return', '\r', /U\+000D \(a carriage return not followed by a line feed\)/],
  ])('rejects raw %s at its line and column', (_name, ch, message) => {
    expectError(build(edit(BASE, { 3: `title: Test${ch}ceremony` })), 'line 3, column 12', message);
  });

  it.each([
    ['\\u202E', /U\+202E/],
    ['\\0', /U\+0000/],
    ['\\e', /U\+001B/],
    ['\\r', /U\+000D/],
    ['\\x85', /U\+0085/],
  ])('rejects %s produced by a double-quoted escape, naming the field', (escape, message) => {
    expectError(build(edit(BASE, { 3: `title: "Test${escape}ceremony"` })), 'title (line 3)', message);
  });

  it('rejects a forbidden character produced by an escape in a key', () => {
    expectError(build(insertAfter(BASE, 3, '"ti\\u202Etle": x')), '(document) (line 4)', /a key contains U\+202E/);
  });

  it('accepts tabs and line breaks in multi-line text', () => {
    const s = parseScript(build(edit(BASE, { 26: '    instructions: "Run:\\n\\tls -l"' })));
    expect(s.steps[0]!.instructions).toBe('Run:\n\tls -l');
  });
});

describe('YAML features that hide values', () => {
  it.each([
    ['an anchor', edit(BASE, { 2: 'id: &a test-script' }), 'line 2, column 5', /YAML anchor "&a" is not allowed/],
    ['an anchor on a map', edit(BASE, { 5: '  - &r id: admin' }), 'line 5, column 5', /YAML anchor "&r"/],
    ['an alias', insertAfter(BASE, 3, 'description: *a'), 'line 4, column 14', /YAML alias "\*a" is not allowed/],
    [
      'a standard tag',
      edit(BASE, { 3: 'title: !!str Test ceremony' }),
      'line 3, column 8',
      /YAML tag "!!str" is not allowed/,
    ],
    ['a custom tag', edit(BASE, { 3: 'title: !secret Test' }), 'line 3, column 8', /YAML tag "!secret"/],
    [
      'a verbatim tag',
      edit(BASE, { 3: 'title: !<tag:yaml.org,2002:str> Test' }),
      'line 3, column 8',
      /YAML tag "!<tag:yaml\.org,2002:str>"/,
    ],
    ['the non-specific tag', edit(BASE, { 3: 'title: ! Test' }), 'line 3, column 8', /YAML tag "!"/],
    [
      'a %YAML directive',
      ['%YAML 1.1', '---', ...BASE],
      'line 1, column 1',
      /YAML directive "%YAML 1\.1" is not allowed: scripts are always read as YAML 1\.2/,
    ],
    [
      'a %TAG directive',
      ['%TAG !e! tag:example.com,2000:', '---', ...BASE],
      'line 1, column 1',
      /YAML directive "%TAG/,
    ],
  ])('rejects %s', (_name, lines, where, message) => {
    expectError(build(lines), where, message);
  });

  it('rejects a merge key', () => {
    expectError(
      build(insertAfter(BASE, 6, '    <<: {title: X}')),
      'roles[0]["<<"] (line 7)',
      /YAML merge keys \(<<\) are not allowed/,
    );
  });

  it('does not mistake &, * and ! inside text, comments or block scalars for YAML syntax', () => {
    const lines = edit(BASE, {
      3: 'title: "Keys & *certs* !"',
      24: '    title: Bag & seal, *carefully* !   # a comment with &x *y !z',
      26: '    instructions: |\n      make && ./run *.pem !important\n      &anchor *alias !tag',
    });
    const s = parseScript(build(lines));
    expect(s.title).toBe('Keys & *certs* !');
    expect(s.steps[0]!.title).toBe('Bag & seal, *carefully* !');
    expect(s.steps[0]!.instructions).toBe('make && ./run *.pem !important\n&anchor *alias !tag\n');
  });
});

describe('duplicate keys', () => {
  it.each([
    [
      'at the top level',
      insertAfter(BASE, 3, 'title: Other'),
      'title (line 4)',
      /duplicate key "title" \(first given at line 3\)/,
    ],
    [
      'quoted and plain spellings of one key',
      insertAfter(BASE, 3, '"title": Other'),
      'title (line 4)',
      /duplicate key "title"/,
    ],
    [
      'in a role',
      insertAfter(BASE, 10, '    min: 3'),
      'roles[1].min (line 11)',
      /duplicate key "min" \(first given at line 10\)/,
    ],
    [
      'inside expect',
      insertAfter(BASE, 44, '          key_type: RSA'),
      'steps[1].evidence[0].expect.key_type (line 45)',
      /duplicate key "key_type" \(first given at line 44\)/,
    ],
    [
      'in a flow map',
      edit(BASE, { 32: '    acks: {roles: [witness], min: 2, min: 3}', 33: null, 34: null }),
      'steps[0].acks.min (line 32)',
      /duplicate key "min" \(first given at line 32\)/,
    ],
    [
      'in expected',
      insertAfter(BASE, 21, '  bag: "TEB-2"'),
      'expected.bag (line 22)',
      /duplicate key "bag" \(first given at line 20\)/,
    ],
  ])('are rejected %s', (_name, lines, where, message) => {
    expectError(build(lines), where, message);
  });
});

describe('exactly one YAML document holding a map', () => {
  it.each([
    ['an empty file', '', '(file)', /holds no YAML document/],
    ['only comments', '# nothing\n# here\n', '(file)', /holds no YAML document/],
    ['only blank lines', '\n\n  \n', '(file)', /holds no YAML document/],
    ['an empty document', '---\n', '(file)', /the YAML document is empty/],
    ['a list', '- a\n- b\n', '(document) (line 1)', /a script must be a YAML map of fields/],
    ['a single value', 'hello\n', '(document) (line 1)', /a script must be a YAML map/],
  ])('rejects %s', (_name, text, where, message) => {
    expectError(utf8(text), where, message);
  });

  it('rejects a second document, naming where it starts', () => {
    expectError(
      build([...BASE, '---', 'id: other']),
      'line 64, column 1',
      /holds 2 YAML documents; a script is exactly one/,
    );
  });
});

describe('YAML syntax errors give line and column', () => {
  it.each([
    [
      'an unclosed flow list',
      edit(BASE, { 33: '      roles: [witness' }),
      'line 34, column 7',
      /Flow sequence .* must be sufficiently indented and end with a \]/,
    ],
    ['an unclosed quote', edit(BASE, { 3: 'title: "Test ceremony' }), 'line 3, column 22', /Missing closing "quote/],
    [
      'a tab used for indentation',
      edit(BASE, { 24: '\ttitle: Bag' }),
      'line 24, column 1',
      /Tabs are not allowed as indentation/,
    ],
    [
      'a key with no value separator',
      edit(BASE, { 24: '    title Bag' }),
      'line 24, column 5',
      /Implicit keys need to be on a single line/,
    ],
    [
      'a list item at the wrong indent',
      edit(BASE, { 24: '   title: Bag' }),
      'line 24, column 1',
      /Sequence item without - indicator/,
    ],
  ])('%s', (_name, lines, where, message) => {
    const error = catchError(() => parseScript(build(lines)));
    expect(error.code).toBe('SCRIPT_INVALID');
    expect(error.where).toBe(where);
    expect(error.message).toMatch(/YAML syntax error: /);
    expect(error.message).toMatch(message);
  });
});

describe('nesting depth is bounded before the YAML composer runs', () => {
  it('rejects flow lists nested more than 32 deep where the 33rd opens', () => {
    // A document that is nothing but nested lists: the 33rd "[" is at column 33.
    expectError(utf8(`${'['.repeat(33)}${']'.repeat(33)}\n`), 'line 1, column 33', /nested more than 32 deep/);
  });

  it('counts the enclosing maps and lists too', () => {
    // expect sits at depth 6 (document map, steps, step, evidence, entry, expect); "present"'s
    // flow lists are depths 7, 8, …, so the 27th "[" (column 46) is the 33rd level.
    const lines = insertAfter(BASE, 45, `          present: ${'['.repeat(27)}${']'.repeat(27)}`);
    expectError(build(lines), 'line 46, column 46', /nested more than 32 deep/);
    expect(() =>
      parseScript(build(insertAfter(BASE, 45, `          present: ${'['.repeat(26)}${']'.repeat(26)}`))),
    ).toThrow(/must be a non-empty string|not a valid/);
  });

  it('rejects deep block nesting at the map that goes too deep', () => {
    // Line 46 is a key of expect (depth 6); the map under it opens on line 47 at depth 7, so
    // depth 33 opens on line 47 + 26 = 73, indented 12 + 2·26 = 64 spaces (column 65).
    const nested = Array.from({ length: 40 }, (_, k) => `${' '.repeat(10 + 2 * k)}a:${k === 39 ? ' 1' : ''}`).join(
      '\n',
    );
    expectError(build(insertAfter(BASE, 45, nested)), 'line 73, column 65', /nested more than 32 deep/);
  });

  it('refuses a megabyte of "[" from the lexer tokens, before the parser builds a tree of it', () => {
    const error = catchError(() =>
      parseScript(utf8(`format: keywitness-script/1\nid: ${'['.repeat((1 << 20) - 64)}\n`)),
    );
    expect(error.code).toBe('SCRIPT_INVALID');
    expect(error.where).toBe('line 2, column 37');
    expect(error.message).toMatch(/nested more than 32 deep/);
  });

  it('brackets inside quoted and block text are text, not nesting', () => {
    const quoted = insertAfter(BASE, 45, `          present: "${'['.repeat(40)}"`);
    expect(() => parseScript(build(quoted))).not.toThrow(/nested more than/);
    const block = insertAfter(BASE, 45, `          present: |\n            ${'{'.repeat(40)}`);
    expect(() => parseScript(build(block))).not.toThrow(/nested more than/);
  });

  it.each([
    ['100,000 nested flow lists', `id: ${'['.repeat(100_000)}`],
    ['100,000 compact block lists on one line', `id: ${'- '.repeat(100_000)}x`],
    ['100,000 nested flow maps', `id: ${'{a: '.repeat(100_000)}`],
  ])('survives %s with a located error', (_name, text) => {
    const error = catchError(() => parseScript(utf8(`format: keywitness-script/1\n${text}\n`)));
    expect(error.code).toBe('SCRIPT_INVALID');
    expect(error.where).toMatch(/^line 2, column \d+$/);
  });
});

describe('unknown keys are rejected at every level', () => {
  it.each([
    ['the script', insertAfter(BASE, 1, 'version: 2'), 'version (line 2)'],
    ['a role', insertAfter(BASE, 6, '    description: x'), 'roles[0].description (line 7)'],
    ['a participant', insertAfter(BASE, 17, '    key: x'), 'participants[0].key (line 18)'],
    ['a step', insertAfter(BASE, 26, '    notes: x'), 'steps[0].notes (line 27)'],
    ['an input', insertAfter(BASE, 29, '    \n        hint: x'), 'steps[0].inputs[0].hint (line 31)'],
    ['the acks', insertAfter(BASE, 34, '      timeout: 5'), 'steps[0].acks.timeout (line 35)'],
    ['irreversible', insertAfter(BASE, 38, '      reason: x'), 'steps[1].irreversible.reason (line 39)'],
    ['a piece of evidence', insertAfter(BASE, 41, '        format: pem'), 'steps[1].evidence[0].format (line 42)'],
    ['expect', insertAfter(BASE, 58, '          subjct: CN=x'), 'steps[2].evidence[0].expect.subjct (line 59)'],
    [
      'a map inside expect',
      insertAfter(BASE, 58, '          basic_constraints: { ca: true, pathlen: 0 }'),
      'steps[2].evidence[0].expect.basic_constraints.pathlen (line 59)',
    ],
  ])('in %s', (_name, lines, where) => {
    const error = catchError(() => parseScript(build(lines)));
    expect(error.code).toBe('SCRIPT_INVALID');
    expect(error.where).toBe(where);
    expect(error.message).toMatch(/unknown/);
  });
});

describe('robustness: damaged copies of the rehearsal script', () => {
  const rehearsal = readFileSync(
    fileURLToPath(new URL('../../../../assets/ceremonies/root-ca-rehearsal.yaml', import.meta.url)),
  );
  const WHERE = /^(?:\S.* \(line \d+\)|line \d+, column \d+|\(file\))$/;

  /** Parse, and insist on either a script or a located SCRIPT_INVALID: nothing else may escape. */
  function outcome(bytes: Uint8Array): 'ok' | 'rejected' {
    try {
      parseScript(bytes);
      return 'ok';
    } catch (e) {
      expect(e).toBeInstanceOf(KeywitnessError);
      const error = e as KeywitnessError;
      expect(error.code).toBe('SCRIPT_INVALID');
      expect(error.where).toMatch(WHERE);
      return 'rejected';
    }
  }

  it('every truncation is either a valid script or a located error', () => {
    const counts = { ok: 0, rejected: 0 };
    for (let end = 0; end < rehearsal.length; end += 97) counts[outcome(rehearsal.subarray(0, end))]++;
    expect(counts.rejected).toBeGreaterThan(0);
  });

  it('every single-byte change is either a valid script or a located error', () => {
    let seed = 0x2026;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const counts = { ok: 0, rejected: 0 };
    for (let i = 0; i < 150; i++) {
      const copy = Uint8Array.from(rehearsal);
      copy[next() % copy.length] = next() & 0xff;
      counts[outcome(copy)]++;
    }
    expect(counts.rejected).toBeGreaterThan(0);
  });
});
