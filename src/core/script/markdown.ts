/**
 * A deliberately small Markdown reader for step instructions (CommonMark 0.31 subset): ATX
 * headings (§4.2), fenced code blocks (§4.5), paragraphs (§4.8), bullet and ordered lists (§5.2,
 * §5.3) with indented continuation lines, and the inline forms code spans (§6.1), emphasis and
 * strong emphasis (§6.2). It returns a tree of plain data that the Markdown component turns into
 * React elements: no HTML string is ever produced or injected, raw HTML in the script stays
 * visible as text, and links are shown as text (an air-gapped ceremony machine follows no link).
 */

export type Inline =
  | { readonly t: 'text'; readonly v: string }
  | { readonly t: 'code'; readonly v: string }
  | { readonly t: 'strong'; readonly c: readonly Inline[] }
  | { readonly t: 'em'; readonly c: readonly Inline[] };

export type Block =
  | { readonly t: 'p'; readonly c: readonly Inline[] }
  | { readonly t: 'h'; readonly level: 1 | 2 | 3 | 4 | 5 | 6; readonly c: readonly Inline[] }
  | { readonly t: 'ul'; readonly items: readonly (readonly Inline[])[] }
  | { readonly t: 'ol'; readonly start: number; readonly items: readonly (readonly Inline[])[] }
  | { readonly t: 'code'; readonly lang: string; readonly v: string };

/** Longest instruction text rendered; the script parser already bounds it, this is a second fence. */
export const MAX_MARKDOWN_CHARS = 64 * 1024;

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^ {0,3}[-*+]\s+(.*)$/;
const ORDERED = /^ {0,3}(\d{1,9})[.)]\s+(.*)$/;

/** Capture group `n` of a match of one of the patterns above, each of which always sets it. */
function group(m: RegExpExecArray, n: number): string {
  const g = m[n];
  if (g === undefined) throw new Error(`markdown: group ${n} of ${m[0]} did not match`);
  return g;
}

/** The run of backticks that starts at `from`. */
function backtickRun(text: string, from: number): string {
  let end = from;
  while (text[end] === '`') end++;
  return text.slice(from, end);
}

/** Parse inline markup: code spans first (their content is literal), then ** and * / _. */
export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let i = 0;
  let plain = '';
  const flush = (): void => {
    if (plain) out.push({ t: 'text', v: plain });
    plain = '';
  };
  for (let ch = text[i]; ch !== undefined; ch = text[i]) {
    const next = text[i + 1];
    if (ch === '`') {
      const run = backtickRun(text, i);
      const close = text.indexOf(run, i + run.length);
      if (close > 0) {
        flush();
        out.push({ t: 'code', v: text.slice(i + run.length, close).replace(/^ (.*) $/, '$1') });
        i = close + run.length;
        continue;
      }
      plain += run;
      i += run.length;
      continue;
    }
    if ((ch === '*' || ch === '_') && next === ch) {
      const close = text.indexOf(ch + ch, i + 2);
      if (close > i + 2) {
        flush();
        out.push({ t: 'strong', c: parseInline(text.slice(i + 2, close)) });
        i = close + 2;
        continue;
      }
    } else if ((ch === '*' || ch === '_') && next !== undefined && next !== ' ') {
      // An underscore inside a word (snake_case, file names) is not emphasis (§6.2 rule 2).
      const before = text[i - 1];
      const inWord = ch === '_' && before !== undefined && /\w/.test(before);
      const close = inWord ? -1 : findSingle(text, ch, i + 1);
      if (close > i + 1) {
        flush();
        out.push({ t: 'em', c: parseInline(text.slice(i + 1, close)) });
        i = close + 1;
        continue;
      }
    } else if (ch === '\\' && next !== undefined && /[\\`*_#\-+.!()[\]{}<>]/.test(next)) {
      plain += next;
      i += 2;
      continue;
    }
    plain += ch;
    i++;
  }
  flush();
  return out;
}

function findSingle(text: string, ch: string, from: number): number {
  for (let j = from; j < text.length; j++) {
    if (text[j] === '`') {
      const run = backtickRun(text, j);
      const close = text.indexOf(run, j + run.length);
      if (close > 0) j = close + run.length - 1;
      continue;
    }
    if (text[j] === ch && text[j + 1] !== ch && text[j - 1] !== ' ' && !(ch === '_' && /\w/.test(text[j + 1] ?? '')))
      return j;
  }
  return -1;
}

/** A line that continues the list item above it: indented, not blank, not a new item or a fence. */
function continuesItem(line: string, item: RegExp): boolean {
  return line.trim() !== '' && /^\s+/.test(line) && !item.exec(line) && !FENCE.exec(line);
}

/** A line that continues a paragraph: not blank and not the start of another block. */
function continuesParagraph(line: string): boolean {
  return line.trim() !== '' && !FENCE.exec(line) && !HEADING.exec(line) && !BULLET.exec(line) && !ORDERED.exec(line);
}

/** Parse a Markdown document into blocks. Text beyond MAX_MARKDOWN_CHARS is cut with a note. */
export function parseMarkdown(source: string): Block[] {
  const cut = source.length > MAX_MARKDOWN_CHARS;
  const lines = (cut ? source.slice(0, MAX_MARKDOWN_CHARS) : source).replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let i = 0;
  /** `pattern` matched against line `k`; null past the last line. */
  const execAt = (pattern: RegExp, k: number): RegExpExecArray | null => {
    const line = lines[k];
    return line === undefined ? null : pattern.exec(line);
  };
  for (let line = lines[i]; line !== undefined; line = lines[i]) {
    if (line.trim() === '') {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = group(fence, 1);
      const indent = line.length - line.trimStart().length;
      const body: string[] = [];
      i++;
      for (let next = lines[i]; next !== undefined && !next.trimStart().startsWith(marker); next = lines[++i])
        body.push(next.slice(Math.min(indent, next.length - next.trimStart().length)));
      i++; // the closing fence (or the end of the text, §4.5)
      blocks.push({ t: 'code', lang: fence[2] ?? '', v: body.join('\n') });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push({ t: 'h', level: group(heading, 1).length as 1, c: parseInline(group(heading, 2)) });
      i++;
      continue;
    }
    const bullet = BULLET.exec(line);
    const ordered = ORDERED.exec(line);
    if (bullet || ordered) {
      const kind = bullet ? BULLET : ORDERED;
      const items: Inline[][] = [];
      const start = ordered ? Number(ordered[1]) : 1;
      for (let m = execAt(kind, i); m; m = execAt(kind, i)) {
        const parts = [group(m, m.length - 1)];
        i++;
        // Continuation: indented, non-blank lines that do not start a new item.
        for (let next = lines[i]; next !== undefined && continuesItem(next, kind); next = lines[++i])
          parts.push(next.trim());
        items.push(parseInline(parts.join(' ')));
        if (lines[i]?.trim() === '' && execAt(kind, i + 1)) i++;
      }
      blocks.push(bullet ? { t: 'ul', items } : { t: 'ol', start, items });
      continue;
    }
    const para: string[] = [];
    for (let next = lines[i]; next !== undefined && continuesParagraph(next); next = lines[++i]) para.push(next.trim());
    blocks.push({ t: 'p', c: parseInline(para.join(' ')) });
  }
  if (cut)
    blocks.push({
      t: 'p',
      c: [{ t: 'em', c: [{ t: 'text', v: `(instructions cut after ${MAX_MARKDOWN_CHARS} characters)` }] }],
    });
  return blocks;
}
