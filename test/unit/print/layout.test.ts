/**
 * The parts of printing that decide what goes where: Markdown instructions as runs and blocks,
 * line wrapping, and page breaks (a group that fits on a page is never split, a heading never ends
 * a page alone, a group taller than a page breaks between its children).
 */
import { describe, expect, it } from 'vitest';
import { inlineRuns, instructionBlocks } from '../../../src/core/print/instructions.js';
import { group, wrapRuns, type LayoutNode } from '../../../src/node/pdf/layout.js';
import { paginate } from '../../../src/node/pdf/write-pdf.js';

describe('instructions', () => {
  it.each([
    ['plain text', [{ text: 'plain text', style: 'regular' }]],
    [
      'a **strong** word',
      [
        { text: 'a ', style: 'regular' },
        { text: 'strong', style: 'bold' },
        { text: ' word', style: 'regular' },
      ],
    ],
    [
      'run `ls -l` here',
      [
        { text: 'run ', style: 'regular' },
        { text: 'ls -l', style: 'mono' },
        { text: ' here', style: 'regular' },
      ],
    ],
    ['*em* and snake_case_name', [{ text: 'em and snake_case_name', style: 'regular' }]],
    ['unclosed ** and ` stay', [{ text: 'unclosed ** and ` stay', style: 'regular' }]],
    ['``a `tick` inside``', [{ text: 'a `tick` inside', style: 'mono' }]],
  ])('inline %j', (source, runs) => expect(inlineRuns(source)).toEqual(runs));

  it('splits paragraphs, list items with continuation lines, headings and code kept exactly', () => {
    const blocks = instructionBlocks(
      '# Before\nFirst line\nsecond line.\n\n1. One\n   continued\n2. Two\n- bullet\n\n```sh\n  indented  two spaces\n\tTAB\n```\n',
    );
    expect(blocks).toEqual([
      { kind: 'paragraph', runs: [{ text: 'Before', style: 'bold' }] },
      { kind: 'paragraph', runs: [{ text: 'First line second line.', style: 'regular' }] },
      { kind: 'paragraph', bullet: '1.', runs: [{ text: 'One continued', style: 'regular' }] },
      { kind: 'paragraph', bullet: '2.', runs: [{ text: 'Two', style: 'regular' }] },
      { kind: 'paragraph', bullet: '•', runs: [{ text: 'bullet', style: 'regular' }] },
      { kind: 'code', lines: ['  indented  two spaces', '    TAB'] },
    ]);
  });
});

describe('wrapping', () => {
  // One point per character: widths are easy to reason about.
  const measure = (t: string): number => t.length;
  const lines = (width: number, text: string): string[] =>
    wrapRuns([{ text, style: 'regular' }], width, measure).map((l) => l.map((s) => s.text).join(''));

  it.each([
    [10, 'one two three four', ['one two', 'three four']],
    [10, 'a   lot    of   space', ['a lot of', 'space']],
    [4, '0123456789', ['0123', '4567', '89']],
    [6, 'ab 0123456789 cd', ['ab', '012345', '6789', 'cd']],
    [80, '', []],
  ])('at %i: %j', (width, text, expected) => expect(lines(width, text)).toEqual(expected));

  it('measures a word longer than a line once per character (a 1 MiB script stays quick)', () => {
    let calls = 0;
    let chars = 0;
    const counting = (t: string): number => {
      calls++;
      chars += t.length;
      return t.length;
    };
    const word = 'x'.repeat(100_000);
    const wrapped = wrapRuns([{ text: word, style: 'mono' }], 80, counting);
    expect(wrapped).toHaveLength(1250);
    expect(chars).toBeLessThanOrEqual(2 * word.length);
    expect(calls).toBeLessThanOrEqual(word.length + 2);
  });
});

describe('page breaks', () => {
  const usable = 841.89 - 50 - 64;
  let n = 0;
  const leaf = (height: number, keepWithNext = false): LayoutNode & { kind: 'leaf' } => {
    const id = n++;
    return { kind: 'leaf', height, draw: () => id, ...(keepWithNext ? { keepWithNext } : {}) };
  };
  const pageOf = (pages: ReturnType<typeof paginate>, node: LayoutNode): number =>
    pages.findIndex((p) => p.some((x) => x.node === node));

  it('moves a group that fits on a page to the next page rather than split it', () => {
    const filler = leaf(usable - 100);
    const box = [leaf(60), leaf(60)];
    const pages = paginate([filler, group(box)]);
    expect(pages.map((p) => p.length)).toEqual([1, 2]);
    expect(pages[1]?.map((x) => x.top)).toEqual([0, 60]);
  });

  it('keeps a heading with the group after it', () => {
    const heading = leaf(20, true);
    const step = group([leaf(50), leaf(50)]);
    const pages = paginate([leaf(usable - 60), heading, step]);
    expect(pageOf(pages, heading)).toBe(1);
    expect(pageOf(pages, step.kind === 'group' ? (step.children[0] as LayoutNode) : step)).toBe(1);
  });

  it('breaks a group taller than a page between its children, never inside a leaf', () => {
    const rows = Array.from({ length: 30 }, () => leaf(40));
    const pages = paginate([group(rows)]);
    expect(pages.length).toBe(2);
    for (const page of pages) {
      const bottom = Math.max(...page.map((x) => x.top + x.node.height));
      expect(bottom).toBeLessThanOrEqual(usable);
    }
    expect(pages.flat().length).toBe(30);
  });
});
