/**
 * A step's Markdown instructions as printable blocks. The text is read by the one Markdown reader
 * the screens use (`script/markdown.ts`), so the worksheet and the screens never disagree about
 * what the instructions say; this only sets its blocks for paper. Code blocks keep every
 * character and line as written (tabs as four spaces, since people type them); prose is reflowed
 * to the page; headings and strong text are bold, emphasis plain (the worksheet has no italic face).
 */
import { parseInline, parseMarkdown, type Block, type Inline } from '../script/markdown.js';
import { bold, mono, text, type PrintBlock, type TextRun } from './document.js';

function runsOf(inline: readonly Inline[], strong: boolean, out: TextRun[]): TextRun[] {
  const push = (run: TextRun): void => {
    const last = out.at(-1);
    if (last && last.style === run.style) out[out.length - 1] = { text: last.text + run.text, style: run.style };
    else if (run.text) out.push(run);
  };
  for (const node of inline) {
    if (node.t === 'text') push(strong ? bold(node.v) : text(node.v));
    else if (node.t === 'code') push(mono(node.v));
    else runsOf(node.c, strong || node.t === 'strong', out);
  }
  return out;
}

/** Inline markup as runs: code spans monospaced (their content literal), strong bold, emphasis plain. */
export function inlineRuns(source: string): TextRun[] {
  return runsOf(parseInline(source), false, []);
}

function printBlocks(block: Block): PrintBlock[] {
  switch (block.t) {
    case 'p':
      return [{ kind: 'paragraph', runs: runsOf(block.c, false, []) }];
    case 'h':
      return [{ kind: 'paragraph', runs: runsOf(block.c, true, []) }];
    case 'ul':
      return block.items.map((item) => ({ kind: 'paragraph', bullet: '•', runs: runsOf(item, false, []) }));
    case 'ol':
      return block.items.map((item, k) => ({
        kind: 'paragraph',
        bullet: `${block.start + k}.`,
        runs: runsOf(item, false, []),
      }));
    case 'code':
      return [{ kind: 'code', lines: block.v.split('\n').map((line) => line.replace(/\t/g, '    ')) }];
  }
}

/** The instructions' blocks, in order. */
export function instructionBlocks(markdown: string): PrintBlock[] {
  return parseMarkdown(markdown).flatMap(printBlocks);
}
