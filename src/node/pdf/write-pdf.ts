/**
 * A PrintDocument as PDF bytes, with pdf-lib and the DejaVu fonts embedded (subset to the glyphs
 * used). Pages are A4. A group that fits on a page is never split; one that does not breaks
 * between its children, and a group's first line stays with what follows it (no heading alone at
 * the foot of a page). Every page's foot names the document and "page N of M".
 */
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import fontkit from '@pdf-lib/fontkit';
import type { PrintDocument, TextStyle } from '../../core/print/document.js';
import { checkGlyphs, loadFonts, type FontSet } from './fonts.js';
import { group, layoutBlock, wrapRuns, type Canvas, type LayoutNode, type Measure } from './layout.js';

/** A4 in points, and the margins around the text column. */
const PAGE = { width: 595.28, height: 841.89 } as const;
const MARGIN = { left: 56, right: 56, top: 50, bottom: 64 } as const;
const COLUMN = PAGE.width - MARGIN.left - MARGIN.right;
const USABLE = PAGE.height - MARGIN.top - MARGIN.bottom;
const INK = rgb(0, 0, 0);

/** The height of the first leaf of a node: what must fit for the node to start on this page. */
function firstLeaf(node: LayoutNode): number {
  return node.kind === 'leaf' ? node.height : node.children[0] ? firstLeaf(node.children[0]) : 0;
}

/** The document's nodes (one group) as pages, each a list of placed leaves (top offsets in the column). */
export function paginate(nodes: readonly LayoutNode[]): { top: number; node: LayoutNode & { kind: 'leaf' } }[][] {
  const pages: { top: number; node: LayoutNode & { kind: 'leaf' } }[][] = [[]];
  let y = 0;
  const newPage = (): void => {
    if ((pages[pages.length - 1]?.length ?? 0) === 0) return;
    pages.push([]);
    y = 0;
  };
  const drawAll = (node: LayoutNode): void => {
    if (node.kind === 'leaf') {
      pages[pages.length - 1]?.push({ top: y, node });
      y += node.height;
    } else node.children.forEach(drawAll);
  };
  const place = (node: LayoutNode): void => {
    if (y + node.height <= USABLE) return drawAll(node);
    if (node.kind === 'leaf' || node.height <= USABLE) {
      newPage();
      return drawAll(node);
    }
    // A step taller than a page starts at the top of one, then breaks between its parts.
    if (node.section) newPage();
    node.children.forEach((child, i) => {
      const next = node.children[i + 1];
      // A group's first child (a step's heading, a report line) and any heading start a page with
      // what follows them: all of it when that fits on a page, else its first line.
      if (next !== undefined && (i === 0 || (child.kind === 'leaf' && child.keepWithNext))) {
        const needed = firstLeaf(child) + (next.height <= USABLE ? next.height : firstLeaf(next));
        if (y + child.height + needed - firstLeaf(child) > USABLE && child.height + needed <= USABLE) newPage();
      }
      place(child);
    });
  };
  place(group(nodes));
  return pages;
}

/**
 * Text widths as the sum of each character's advance width, looked up once per character and face:
 * the page shows glyphs at their advance widths (pdf-lib writes no kerning), and asking the font
 * to lay out every candidate line made a 1 MiB script take minutes.
 */
function advanceWidths(fonts: Readonly<Record<TextStyle, PDFFont>>): Measure {
  const cache: Record<TextStyle, Map<string, number>> = { regular: new Map(), bold: new Map(), mono: new Map() };
  return (text, style, size) => {
    let units = 0;
    for (const ch of text) {
      let w = cache[style].get(ch);
      if (w === undefined) {
        w = fonts[style].widthOfTextAtSize(ch, 1);
        cache[style].set(ch, w);
      }
      units += w;
    }
    return units * size;
  };
}

/** The canvas of one page, in column coordinates. */
function pageCanvas(page: PDFPage, fonts: Readonly<Record<TextStyle, PDFFont>>): Canvas {
  const x0 = MARGIN.left;
  const yTop = PAGE.height - MARGIN.top;
  return {
    text: (x, top, text, style, size, lineSize = size) => {
      if (text.trim() === '') return;
      // `top` is the top of the line box; the baseline sits about four fifths of the line's size below.
      page.drawText(text, { x: x0 + x, y: yTop - top - lineSize * 0.85, size, font: fonts[style], color: INK });
    },
    rect: (x, top, width, height) =>
      page.drawRectangle({ x: x0 + x, y: yTop - top - height, width, height, borderColor: INK, borderWidth: 0.6 }),
    line: (x1, t1, x2, t2) =>
      page.drawLine({
        start: { x: x0 + x1, y: yTop - t1 },
        end: { x: x0 + x2, y: yTop - t2 },
        thickness: 0.4,
        color: INK,
      }),
  };
}

/** A rendered PDF and its page count. */
export interface WrittenPdf {
  readonly bytes: Uint8Array;
  readonly pages: number;
}

/**
 * Render `doc` as a PDF. Throws INPUT_INVALID naming the character, face and place when a font has
 * no glyph for a character the document uses (checked before any layout).
 */
export async function writePdf(doc: PrintDocument, fonts?: FontSet): Promise<WrittenPdf> {
  const faces = fonts ?? (await loadFonts());
  checkGlyphs(doc, faces);
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  const embedded: Record<TextStyle, PDFFont> = {
    regular: await pdf.embedFont(faces.regular.bytes, { subset: true }),
    bold: await pdf.embedFont(faces.bold.bytes, { subset: true }),
    mono: await pdf.embedFont(faces.mono.bytes, { subset: true }),
  };
  pdf.setTitle(doc.title);
  pdf.setCreator('Keywitness');
  const measure = advanceWidths(embedded);
  const pages = paginate(doc.blocks.map((b) => layoutBlock(b, COLUMN, measure)));
  pages.forEach((placed, i) => {
    const page = pdf.addPage([PAGE.width, PAGE.height]);
    const canvas = pageCanvas(page, embedded);
    for (const { top, node } of placed) node.draw(canvas, top);
    const footer = wrapRuns(
      [{ text: `${doc.footer} — page ${i + 1} of ${pages.length}`, style: 'regular' }],
      COLUMN,
      measure,
      0.8,
    );
    footer.forEach((line, n) => canvas.text(0, USABLE + 20 + n * 10, line.map((s) => s.text).join(''), 'regular', 8));
  });
  return { bytes: await pdf.save(), pages: pages.length };
}
