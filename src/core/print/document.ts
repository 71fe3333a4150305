/**
 * A printable document as plain data: what a printed ceremony worksheet or audit report says, in
 * order, with no page geometry. Core builds it (`worksheetDocument`, `auditReportDocument`); a
 * writer adapter (src/node/pdf) lays it out on pages, so what is printed is decided in one place
 * and the writer only wraps text and breaks pages.
 */

/** How a run of text is set: body text, bold, or monospaced (commands, hex, words). */
export type TextStyle = 'regular' | 'bold' | 'mono';

/** A run of text in one style. Newlines do not occur in runs; blocks carry line structure. */
export interface TextRun {
  readonly text: string;
  readonly style: TextStyle;
}

/** One row of a labelled list: "Actor  admin (Ceremony Administrator)". */
export interface FieldRow {
  readonly label: string;
  readonly value: readonly TextRun[];
}

export type PrintBlock =
  /** A heading; level 1 is the document title, 2 a section, 3 a step. */
  | { readonly kind: 'heading'; readonly level: 1 | 2 | 3; readonly text: string }
  /**
   * A wrapped paragraph. `indent` (in steps of one level) moves it right; `bullet` is set in the
   * hanging margin before its first line ("•", "3."); `hang` sets the lines after the first a
   * little further right, so a wrapped line of a report does not read as the next line.
   */
  | {
      readonly kind: 'paragraph';
      readonly runs: readonly TextRun[];
      readonly indent?: number;
      readonly bullet?: string;
      readonly hang?: boolean;
    }
  /** Lines kept exactly as written (commands), monospaced; long lines wrap by character. */
  | { readonly kind: 'code'; readonly lines: readonly string[] }
  /** Label and value rows, labels in one column. */
  | { readonly kind: 'fields'; readonly rows: readonly FieldRow[] }
  /** Short items set in `columns` equal columns, row by row (the 32 numbered hash words). */
  | { readonly kind: 'columns'; readonly columns: number; readonly cells: readonly string[] }
  /**
   * A table of empty boxes to write in by hand: one row per caption (who signs), one box per
   * column heading ("Initials", "Time (UTC)"). Never split across pages.
   */
  | { readonly kind: 'boxes'; readonly headings: readonly string[]; readonly rows: readonly string[] }
  /** Ruled space for handwriting (exceptions, notes), `lines` lines high. Never split. */
  | { readonly kind: 'space'; readonly label: string; readonly lines: number }
  /**
   * Blocks kept on one page when they fit on one; when they do not, they break between blocks.
   * `where` names the group in errors ("step 2.2").
   */
  | { readonly kind: 'group'; readonly where?: string; readonly blocks: readonly PrintBlock[] };

/** A whole document. */
export interface PrintDocument {
  /** The document title, also the PDF's Title metadata. */
  readonly title: string;
  /** A line at the foot of every page (with "page N of M"), so a loose page says what it is from. */
  readonly footer: string;
  readonly blocks: readonly PrintBlock[];
}

/** A regular run. */
export const text = (t: string): TextRun => ({ text: t, style: 'regular' });
/** A bold run. */
export const bold = (t: string): TextRun => ({ text: t, style: 'bold' });
/** A monospaced run. */
export const mono = (t: string): TextRun => ({ text: t, style: 'mono' });

/** A paragraph of runs. */
export function paragraph(
  runs: readonly TextRun[],
  options: { indent?: number; bullet?: string; hang?: boolean } = {},
): PrintBlock {
  return { kind: 'paragraph', runs, ...options };
}
