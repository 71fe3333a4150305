/**
 * The fonts printed documents embed (assets/fonts: DejaVu Sans, Sans Bold and Sans Mono, with
 * their licence), and the check that they have a glyph for every character a document uses. A
 * character without one is refused by name and place before anything is laid out: a worksheet
 * must never show a box or a blank where the script has a character.
 */
import fontkit from '@pdf-lib/fontkit';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { KeywitnessError } from '../../core/errors.js';
import type { PrintBlock, PrintDocument, TextStyle } from '../../core/print/document.js';
import { readInputFile } from '../files.js';

/** The fonts folder of the installed package (beside dist/ and src/). */
export const FONTS_DIR = fileURLToPath(new URL('../../../assets/fonts/', import.meta.url));

const FILES: Readonly<Record<TextStyle, { readonly file: string; readonly name: string }>> = {
  regular: { file: 'DejaVuSans.ttf', name: 'DejaVu Sans' },
  bold: { file: 'DejaVuSans-Bold.ttf', name: 'DejaVu Sans Bold' },
  mono: { file: 'DejaVuSansMono.ttf', name: 'DejaVu Sans Mono' },
};

/** The largest font file read (DejaVu Sans is about 760 KB). */
const MAX_FONT_BYTES = 4 * 1024 * 1024;

/** One face: its bytes for embedding and which code points it has glyphs for. */
export interface FontFace {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly hasGlyph: (codePoint: number) => boolean;
}

export type FontSet = Readonly<Record<TextStyle, FontFace>>;

/** Read the three faces from `dir` (default: the package's assets/fonts). */
export async function loadFonts(dir: string = FONTS_DIR): Promise<FontSet> {
  const load = async (style: TextStyle): Promise<FontFace> => {
    const { file, name } = FILES[style];
    const bytes = await readInputFile(join(dir, file), MAX_FONT_BYTES);
    const font = fontkit.create(bytes);
    return { name, bytes, hasGlyph: (cp) => font.hasGlyphForCodePoint(cp) };
  };
  return { regular: await load('regular'), bold: await load('bold'), mono: await load('mono') };
}

/** Every piece of text a block prints, with the face it is printed in. */
function* textsOf(block: PrintBlock): Generator<{ text: string; style: TextStyle }> {
  switch (block.kind) {
    case 'heading':
      yield { text: block.text, style: 'bold' };
      return;
    case 'paragraph':
      if (block.bullet !== undefined) yield { text: block.bullet, style: 'regular' };
      yield* block.runs;
      return;
    case 'code':
      for (const line of block.lines) yield { text: line, style: 'mono' };
      return;
    case 'fields':
      for (const row of block.rows) {
        yield { text: row.label, style: 'bold' };
        yield* row.value;
      }
      return;
    case 'columns':
      for (const cell of block.cells) yield { text: cell, style: 'regular' };
      return;
    case 'boxes':
      for (const h of block.headings) yield { text: h, style: 'bold' };
      for (const r of block.rows) yield { text: r, style: 'regular' };
      return;
    case 'space':
      yield { text: block.label, style: 'regular' };
      return;
    case 'group':
      for (const b of block.blocks) yield* textsOf(b);
      return;
  }
}

/** "U+00E9 (é)", or the code alone for characters that do not print. */
function describeChar(cp: number): string {
  const code = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return /[\p{L}\p{N}\p{P}\p{S}]/u.test(String.fromCodePoint(cp)) ? `${code} (${String.fromCodePoint(cp)})` : code;
}

/**
 * Letters of right-to-left scripts. The writer sets every line left to right without the Unicode
 * bidirectional algorithm, so words of these scripts would print out of reading order: what the
 * paper says would not be what the script says. They are refused like a missing glyph.
 */
const RIGHT_TO_LEFT =
  /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}\p{Script=Hanifi_Rohingya}\p{Script=Yezidi}]/u;

/**
 * Refuse a document with a character a font lacks, or a right-to-left letter: INPUT_INVALID naming
 * the character, the face or the reason, where it is (the group's `where`, e.g. "step 2.2", else
 * the document) and the text around it.
 */
export function checkGlyphs(doc: PrintDocument, fonts: FontSet): void {
  const check = (block: PrintBlock, where: string): void => {
    if (block.kind === 'group') {
      for (const b of block.blocks) check(b, block.where ?? where);
      return;
    }
    for (const { text, style } of textsOf(block)) {
      for (const ch of text) {
        const cp = ch.codePointAt(0) ?? 0;
        const rtl = RIGHT_TO_LEFT.test(ch);
        // Whitespace is never drawn as a glyph: prose wraps at it and code blocks expand tabs.
        if (!rtl && (fonts[style].hasGlyph(cp) || /[\t\n\r]/.test(ch) || (style !== 'mono' && /\s/.test(ch)))) continue;
        const at = text.indexOf(ch);
        const context = text.slice(Math.max(0, at - 20), at + ch.length + 20);
        const why = rtl
          ? 'right-to-left text is not laid out in reading order by the PDF writer'
          : `the font ${fonts[style].name} has no glyph for it`;
        throw new KeywitnessError(
          'INPUT_INVALID',
          `cannot print ${describeChar(cp)}: ${why} (in "${context}"); change the text or print without it`,
          { where },
        );
      }
    }
  };
  check(
    {
      kind: 'paragraph',
      runs: [
        { text: doc.title, style: 'bold' },
        { text: doc.footer, style: 'regular' },
      ],
    },
    'the document title',
  );
  for (const b of doc.blocks) check(b, 'the document');
}
