import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseInline,
  parseMarkdown,
  MAX_MARKDOWN_CHARS,
  type Block,
  type Inline,
} from '../../../../src/core/script/markdown.js';
import { parseScript } from '../../../../src/core/script/parse.js';

const text = (nodes: readonly Inline[]): string =>
  nodes.map((n) => (n.t === 'text' || n.t === 'code' ? n.v : text(n.c))).join('');

describe('parseMarkdown', () => {
  it('reads the blocks of a real step: ordered list with continuation, emphasis, fenced code', () => {
    const script = parseScript(
      new Uint8Array(readFileSync(join(import.meta.dirname, '../../../../assets/ceremonies/root-ca-rehearsal.yaml'))),
    );
    const first = parseMarkdown(script.steps[0]!.instructions);
    expect(first.map((b) => b.t)).toEqual(['ol']);
    const list = first[0] as Extract<Block, { t: 'ol' }>;
    expect(list.items).toHaveLength(3);
    expect(text(list.items[1]!)).toContain('paper copy published before the ceremony');
    expect(list.items[1]!.some((n) => n.t === 'strong' && text(n.c) === 'all 32 words')).toBe(true);
    const keygen = parseMarkdown(script.steps.find((s) => s.id === '3.2')!.instructions);
    const code = keygen.find((b) => b.t === 'code') as Extract<Block, { t: 'code' }>;
    expect(code.lang).toBe('sh');
    expect(code.v).toContain('--keypairgen --key-type EC:secp384r1');
    expect(code.v.split('\n')[1]).toMatch(/^ {2}--login/);
  });

  it.each<[string, string, Block[]]>([
    ['heading', '## Title ##', [{ t: 'h', level: 2, c: [{ t: 'text', v: 'Title' }] }]],
    ['bullets', '- a\n- b', [{ t: 'ul', items: [[{ t: 'text', v: 'a' }], [{ t: 'text', v: 'b' }]] }]],
    ['ordered start', '3. c\n4. d', [{ t: 'ol', start: 3, items: [[{ t: 'text', v: 'c' }], [{ t: 'text', v: 'd' }]] }]],
    [
      'paragraphs join lines',
      'one\ntwo\n\nthree',
      [
        { t: 'p', c: [{ t: 'text', v: 'one two' }] },
        { t: 'p', c: [{ t: 'text', v: 'three' }] },
      ],
    ],
    ['unclosed fence runs to the end', '```\nx\ny', [{ t: 'code', lang: '', v: 'x\ny' }]],
    [
      'raw HTML stays text',
      '<script>alert(1)</script>',
      [{ t: 'p', c: [{ t: 'text', v: '<script>alert(1)</script>' }] }],
    ],
    [
      'links stay text',
      '[here](https://example.com)',
      [{ t: 'p', c: [{ t: 'text', v: '[here](https://example.com)' }] }],
    ],
    ['CRLF', 'a\r\nb', [{ t: 'p', c: [{ t: 'text', v: 'a b' }] }]],
  ])('%s', (_name, source, blocks) => {
    expect(parseMarkdown(source)).toEqual(blocks);
  });

  it('cuts text beyond the limit and says so', () => {
    const blocks = parseMarkdown('x'.repeat(MAX_MARKDOWN_CHARS + 10));
    expect(blocks).toHaveLength(2);
    expect(JSON.stringify(blocks[1])).toContain('instructions cut after');
  });
});

describe('parseInline', () => {
  it.each<[string, Inline[]]>([
    ['`a *b*`', [{ t: 'code', v: 'a *b*' }]],
    [
      '**bold** and *em*',
      [
        { t: 'strong', c: [{ t: 'text', v: 'bold' }] },
        { t: 'text', v: ' and ' },
        { t: 'em', c: [{ t: 'text', v: 'em' }] },
      ],
    ],
    ['snake_case_name', [{ t: 'text', v: 'snake_case_name' }]],
    ['a * b', [{ t: 'text', v: 'a * b' }]],
    ['\\*not em\\*', [{ t: 'text', v: '*not em*' }]],
    ['unclosed `tick', [{ t: 'text', v: 'unclosed `tick' }]],
    ['**unclosed', [{ t: 'text', v: '**unclosed' }]],
  ])('%s', (source, nodes) => {
    expect(parseInline(source)).toEqual(nodes);
  });
});
