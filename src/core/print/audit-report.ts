/**
 * The audit report as a printable document (`keywitness audit --pdf`). The wording is the text
 * report's (`formatAuditReport`), line for line: this only groups those lines for the page (a
 * line with the more indented lines under it stays together where it fits) and sets the
 * unindented lines (verdict, section heads) in bold. Nothing is reworded here.
 */
import { spokenWords } from '../protocol/words.js';
import { formatAuditReport } from '../audit/report-text.js';
import type { AuditResult } from '../audit/verdict.js';
import { bold, paragraph, text, type PrintBlock, type PrintDocument } from './document.js';

interface Line {
  readonly indent: number;
  readonly text: string;
}

/** A line and the lines indented under it, as a group; a lone line as a paragraph. */
function blockOf(lines: readonly Line[], from: number): { block: PrintBlock; next: number } {
  const head = lines[from];
  if (!head) throw new RangeError('blockOf past the end');
  const runs = [head.indent === 0 ? bold(head.text) : text(head.text)];
  const first = paragraph(runs, { hang: true, ...(head.indent > 0 ? { indent: Math.ceil(head.indent / 2) } : {}) });
  const children: PrintBlock[] = [];
  let i = from + 1;
  while (i < lines.length && (lines[i]?.indent ?? 0) > head.indent) {
    const child = blockOf(lines, i);
    children.push(child.block);
    i = child.next;
  }
  return { block: children.length ? { kind: 'group', blocks: [first, ...children] } : first, next: i };
}

/** The report's blocks: the text report's lines, grouped by indentation, blank lines as breaks. */
export function reportBlocks(report: string): PrintBlock[] {
  const blocks: PrintBlock[] = [];
  const sections = report.replace(/\n$/, '').split(/\n\s*\n/);
  for (const section of sections) {
    const lines = section.split('\n').map((l) => ({ indent: /^ */.exec(l)?.[0].length ?? 0, text: l.trim() }));
    const inSection: PrintBlock[] = [];
    for (let i = 0; i < lines.length;) {
      const { block, next } = blockOf(lines, i);
      inSection.push(block);
      i = next;
    }
    // A short section (the verdict and its notes) stays whole; a long one breaks between its lines.
    blocks.push(...(inSection.length <= 8 ? [{ kind: 'group' as const, blocks: inSection }] : inSection));
  }
  return blocks;
}

/** The audit report document for an audit of the bundle whose file bytes hash to `bundleSha256`. */
export function auditReportDocument(
  result: AuditResult,
  file: { readonly bundleSha256?: Uint8Array } = {},
): PrintDocument {
  const script = result.report.script;
  return {
    title: `Keywitness audit report${script ? ` — ${script.title}` : ''}`,
    footer: [
      'Keywitness audit report',
      script ? script.id : '',
      file.bundleSha256 ? `bundle SHA-256 ${spokenWords(file.bundleSha256)}` : '',
    ]
      .filter(Boolean)
      .join(' — '),
    blocks: [
      { kind: 'heading', level: 1, text: 'Keywitness audit report' },
      ...reportBlocks(formatAuditReport(result, file)),
    ],
  };
}
