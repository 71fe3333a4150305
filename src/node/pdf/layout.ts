/**
 * Laying out a PrintDocument's blocks at a column width: text wrapped into lines, each block
 * turned into a tree of boxes of known height. Leaves are drawn whole on one page (a line, a table
 * row, a sign-off table, a ruled space); groups break between their children only when they do
 * not fit on one page (pagination is in write-pdf.ts).
 */
import type { PrintBlock, TextRun, TextStyle } from '../../core/print/document.js';

/** Where drawing goes: coordinates from the top-left of the column, in points. */
export interface Canvas {
  /** Text whose line box starts at `top`; `lineSize` (default `size`) sets the baseline, so runs of different sizes share one. */
  text(x: number, top: number, text: string, style: TextStyle, size: number, lineSize?: number): void;
  rect(x: number, top: number, width: number, height: number): void;
  line(x1: number, top1: number, x2: number, top2: number): void;
}

/** Text widths in points: the sum of the characters' advance widths (so widths add up). */
export type Measure = (text: string, style: TextStyle, size: number) => number;

export type LayoutNode =
  | {
      readonly kind: 'leaf';
      readonly height: number;
      readonly draw: (c: Canvas, top: number) => void;
      /** A heading: it starts a page rather than end one, alone, above what follows it. */
      readonly keepWithNext?: boolean;
    }
  | {
      readonly kind: 'group';
      readonly height: number;
      readonly children: readonly LayoutNode[];
      /** A named part (a step): when it does not fit on the rest of a page it starts the next. */
      readonly section?: boolean;
    };

const SIZE: Readonly<Record<TextStyle, number>> = { regular: 10, bold: 10, mono: 9 };
const LEADING = 13.5;
const INDENT = 16;
const HEADING = { 1: { size: 17, before: 4 }, 2: { size: 13, before: 12 }, 3: { size: 11.5, before: 14 } } as const;

interface Segment {
  readonly text: string;
  readonly style: TextStyle;
  readonly size: number;
}

const leaf = (height: number, draw: (c: Canvas, top: number) => void, keepWithNext = false): LayoutNode => ({
  kind: 'leaf',
  height,
  draw,
  ...(keepWithNext ? { keepWithNext } : {}),
});
/** A group of nodes (its height is theirs together). */
export const group = (children: readonly LayoutNode[], section = false): LayoutNode => ({
  kind: 'group',
  height: children.reduce((h, c) => h + c.height, 0),
  children,
  ...(section ? { section } : {}),
});

/**
 * Wrap runs into lines of at most `width` points (`hang` points less after the first line): words
 * move whole to the next line; a word longer than a line (a hex digest, a path) breaks between
 * characters. Spaces collapse to one.
 */
export function wrapRuns(
  runs: readonly TextRun[],
  firstWidth: number,
  measure: Measure,
  scale = 1,
  hang = 0,
): Segment[][] {
  const lines: Segment[][] = [[]];
  let used = 0;
  let space = false;
  let width = firstWidth;
  const current = (): Segment[] => lines[lines.length - 1] ?? [];
  const newLine = (): void => {
    lines.push([]);
    used = 0;
    width = firstWidth - hang;
  };
  const put = (word: string, style: TextStyle, size: number): void => {
    const w = measure(word, style, size);
    const gap = space && current().length > 0 ? measure(' ', style, size) : 0;
    if (current().length > 0 && used + gap + w > width) {
      newLine();
    } else if (gap) {
      current().push({ text: ' ', style, size });
      used += gap;
    }
    if (w <= width || current().length > 0) {
      current().push({ text: word, style, size });
      used += w;
      return;
    }
    // Widths add up character by character (the writer's measure sums advance widths), so a
    // long word costs one measure per character.
    let piece = '';
    let pieceWidth = 0;
    for (const ch of word) {
      const cw = measure(ch, style, size);
      if (piece && pieceWidth + cw > width) {
        current().push({ text: piece, style, size });
        newLine();
        piece = '';
        pieceWidth = 0;
      }
      piece += ch;
      pieceWidth += cw;
    }
    current().push({ text: piece, style, size });
    used = pieceWidth;
  };
  for (const run of runs) {
    const size = SIZE[run.style] * scale;
    for (const token of run.text.match(/\s+|\S+/g) ?? []) {
      if (/^\s/.test(token)) space = true;
      else {
        put(token, run.style, size);
        space = false;
      }
    }
  }
  return lines.filter((l) => l.length > 0);
}

/** Draw one wrapped line at `x`, segments side by side. */
function drawLine(c: Canvas, segments: readonly Segment[], x: number, top: number, measure: Measure): void {
  let at = x;
  const lineSize = Math.max(...segments.map((s) => s.size));
  for (const s of segments) {
    c.text(at, top, s.text, s.style, s.size, lineSize);
    at += measure(s.text, s.style, s.size);
  }
}

function paragraphNode(block: Extract<PrintBlock, { kind: 'paragraph' }>, width: number, m: Measure): LayoutNode {
  const left = (block.indent ?? 0) * INDENT + (block.bullet !== undefined ? INDENT + 4 : 0);
  const hang = block.hang ? INDENT : 0;
  const lines = wrapRuns(block.runs, width - left, m, 1, hang);
  return group(
    lines.map((segments, i) =>
      leaf(LEADING + (i === 0 ? 2 : 0), (c, top) => {
        const base = top + (i === 0 ? 2 : 0);
        if (i === 0 && block.bullet !== undefined)
          c.text(left - INDENT - 4, base, block.bullet, 'regular', SIZE.regular);
        drawLine(c, segments, left + (i === 0 ? 0 : hang), base, m);
      }),
    ),
  );
}

function codeNode(lines: readonly string[], width: number, m: Measure): LayoutNode {
  const size = SIZE.mono;
  // A line too long for the page continues on rows set further in, so whoever types it sees
  // where the one line goes on; no character is added to the command.
  const rows: { text: string; continued: boolean }[] = [];
  for (const line of lines.length ? lines : ['']) {
    let piece = '';
    let pieceWidth = 0;
    let continued = false;
    for (const ch of line) {
      const cw = m(ch, 'mono', size);
      if (piece && pieceWidth + cw > width - (continued ? 30 : 12)) {
        rows.push({ text: piece, continued });
        piece = '';
        pieceWidth = 0;
        continued = true;
      }
      piece += ch;
      pieceWidth += cw;
    }
    rows.push({ text: piece, continued });
  }
  const h = 11.5;
  return group(
    rows.map((row, i) =>
      leaf(h + (i === 0 ? 3 : 0) + (i === rows.length - 1 ? 3 : 0), (c, top) => {
        const base = top + (i === 0 ? 3 : 0);
        c.line(2, base, 2, base + h);
        c.text(row.continued ? 28 : 10, base, row.text, 'mono', size);
      }),
    ),
  );
}

function fieldsNode(block: Extract<PrintBlock, { kind: 'fields' }>, width: number, m: Measure): LayoutNode {
  const labelWidth = 120;
  return group(
    block.rows.map((row) => {
      const label = wrapRuns([{ text: row.label, style: 'bold' }], labelWidth - 8, m, 0.95);
      const value = wrapRuns(row.value, width - labelWidth, m);
      const n = Math.max(label.length, value.length, 1);
      return leaf(n * LEADING + 2, (c, top) => {
        label.forEach((l, i) => drawLine(c, l, 0, top + 2 + i * LEADING, m));
        value.forEach((l, i) => drawLine(c, l, labelWidth, top + 2 + i * LEADING, m));
      });
    }),
  );
}

function columnsNode(block: Extract<PrintBlock, { kind: 'columns' }>, width: number): LayoutNode {
  const cols = Math.max(1, block.columns);
  const rows: string[][] = [];
  for (let i = 0; i < block.cells.length; i += cols) rows.push(block.cells.slice(i, i + cols));
  return group(
    rows.map((row) =>
      leaf(LEADING, (c, top) =>
        row.forEach((cell, i) => c.text((i * width) / cols, top, cell, 'regular', SIZE.regular)),
      ),
    ),
  );
}

function boxesNode(block: Extract<PrintBlock, { kind: 'boxes' }>, width: number, m: Measure): LayoutNode {
  const captionWidth = width * 0.4;
  const boxWidth = (width - captionWidth) / Math.max(1, block.headings.length);
  const captions = block.rows.map((r) => wrapRuns([{ text: r, style: 'regular' }], captionWidth - 8, m, 0.9));
  const heights = captions.map((lines) => Math.max(24, lines.length * 11 + 8));
  const head = 16;
  return leaf(head + heights.reduce((a, b) => a + b, 0) + 6, (c, top) => {
    block.headings.forEach((h, i) => c.text(captionWidth + i * boxWidth + 3, top + 4, h, 'bold', 8.5));
    let y = top + head;
    captions.forEach((lines, r) => {
      const h = heights[r] ?? 24;
      lines.forEach((l, i) => drawLine(c, l, 0, y + 5 + i * 11, m));
      block.headings.forEach((_, i) => c.rect(captionWidth + i * boxWidth, y, boxWidth, h));
      y += h;
    });
  });
}

function spaceNode(block: Extract<PrintBlock, { kind: 'space' }>, width: number): LayoutNode {
  const lineGap = 20;
  const height = 14 + Math.max(1, block.lines) * lineGap;
  return leaf(height + 6, (c, top) => {
    c.text(3, top + 3, block.label, 'regular', 8.5);
    c.rect(0, top, width, height);
    for (let i = 1; i <= block.lines; i++) c.line(6, top + 14 + i * lineGap - 4, width - 6, top + 14 + i * lineGap - 4);
  });
}

/** Lay out one block at `width` points. */
export function layoutBlock(block: PrintBlock, width: number, m: Measure): LayoutNode {
  switch (block.kind) {
    case 'heading': {
      const { size, before } = HEADING[block.level];
      const lines = wrapRuns([{ text: block.text, style: 'bold' }], width, m, size / SIZE.bold);
      const lh = size * 1.3;
      const draw = (c: Canvas, top: number): void =>
        lines.forEach((l, i) => drawLine(c, l, 0, top + before + i * lh, m));
      return leaf(before + lines.length * lh + 3, draw, true);
    }
    case 'paragraph':
      return paragraphNode(block, width, m);
    case 'code':
      return codeNode(block.lines, width, m);
    case 'fields':
      return fieldsNode(block, width, m);
    case 'columns':
      return columnsNode(block, width);
    case 'boxes':
      return boxesNode(block, width, m);
    case 'space':
      return spaceNode(block, width);
    case 'group':
      return group(
        block.blocks.map((b) => layoutBlock(b, width, m)),
        block.where !== undefined,
      );
  }
}
