/**
 * A step's Markdown instructions as printable blocks: the subset the screens render (ATX
 * headings, fenced code, paragraphs, bullet and ordered lists with indented continuation lines,
 * code spans, strong and plain emphasis). Code blocks keep every character and line as written,
 * since people type them; prose is reflowed to the page. Anything else stays visible as text.
 */
import { bold, mono, text, type PrintBlock, type TextRun } from './document.js';

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const HEADING = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/;
const BULLET = /^ {0,3}[-*+]\s+(.*)$/;
const ORDERED = /^ {0,3}(\d{1,9})[.)]\s+(.*)$/;

/**
 * Inline markup as runs: `code` monospaced (its content literal), **strong** bold, *em* and _em_
 * as plain text without the markers (the worksheet has no italic face). An unclosed marker is text.
 */
export function inlineRuns(source: string): TextRun[] {
  const runs: TextRun[] = [];
  const push = (run: TextRun): void => {
    const last = runs.at(-1);
    if (last && last.style === run.style) runs[runs.length - 1] = { text: last.text + run.text, style: run.style };
    else if (run.text) runs.push(run);
  };
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (ch === '`') {
      let n = i;
      while (source[n] === '`') n++;
      const fence = source.slice(i, n);
      const close = source.indexOf(fence, n);
      if (close > n) {
        push(mono(source.slice(n, close).replace(/^ (.*) $/, '$1')));
        i = close + fence.length;
        continue;
      }
      push(text(fence));
      i = n;
      continue;
    }
    if ((ch === '*' || ch === '_') && source[i + 1] === ch) {
      const close = source.indexOf(ch + ch, i + 2);
      if (close > i + 2) {
        for (const r of inlineRuns(source.slice(i + 2, close))) push(r.style === 'regular' ? bold(r.text) : r);
        i = close + 2;
        continue;
      }
    } else if ((ch === '*' || ch === '_') && source[i + 1] !== undefined && source[i + 1] !== ' ') {
      // An underscore inside a word (snake_case, file names) is not emphasis.
      const inWord = ch === '_' && i > 0 && /\w/.test(source[i - 1] ?? '');
      const close = inWord ? -1 : source.indexOf(ch, i + 1);
      if (close > i + 1 && source[close - 1] !== ' ') {
        for (const r of inlineRuns(source.slice(i + 1, close))) push(r);
        i = close + 1;
        continue;
      }
    }
    push(text(ch ?? ''));
    i++;
  }
  return runs;
}

/** The instructions' blocks, in order. */
export function instructionBlocks(markdown: string): PrintBlock[] {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const blocks: PrintBlock[] = [];
  // The open paragraph or list item: its text so far, and the list marker when it is an item.
  let open: { text: string; bullet?: string } | undefined;
  const flush = (): void => {
    if (open)
      blocks.push({ kind: 'paragraph', runs: inlineRuns(open.text), ...(open.bullet ? { bullet: open.bullet } : {}) });
    open = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const marker = fence[1] ?? '```';
      const indent = /^ */.exec(line)?.[0].length ?? 0;
      const code: string[] = [];
      for (i++; i < lines.length && !(lines[i] ?? '').trimStart().startsWith(marker); i++)
        code.push((lines[i] ?? '').replace(new RegExp(`^ {0,${indent}}`), '').replace(/\t/g, '    '));
      blocks.push({ kind: 'code', lines: code });
      continue;
    }
    if (line.trim() === '') {
      flush();
      continue;
    }
    const heading = HEADING.exec(line);
    const bullet = BULLET.exec(line);
    const ordered = ORDERED.exec(line);
    if (heading) {
      flush();
      blocks.push({
        kind: 'paragraph',
        runs: inlineRuns(heading[1] ?? '').map((r) => (r.style === 'regular' ? bold(r.text) : r)),
      });
    } else if (bullet) {
      flush();
      open = { text: bullet[1] ?? '', bullet: '•' };
    } else if (ordered) {
      flush();
      open = { text: ordered[2] ?? '', bullet: `${ordered[1] ?? ''}.` };
    } else if (open) {
      open.text += ` ${line.trim()}`;
    } else {
      open = { text: line.trim() };
    }
  }
  flush();
  return blocks;
}
