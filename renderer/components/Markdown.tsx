/**
 * Step instructions rendered from the script's Markdown as React elements only (parse-markdown.ts):
 * nothing from the script can become HTML, script or a navigable link.
 */
import { useMemo, type ReactNode } from 'react';
import { parseMarkdown, type Block, type Inline } from '../../src/core/script/markdown.js';

function inline(nodes: readonly Inline[]): ReactNode[] {
  return nodes.map((n, i) => {
    switch (n.t) {
      case 'text':
        return n.v;
      case 'code':
        return <code key={i}>{n.v}</code>;
      case 'strong':
        return <strong key={i}>{inline(n.c)}</strong>;
      case 'em':
        return <em key={i}>{inline(n.c)}</em>;
    }
  });
}

function block(b: Block, i: number, headingBase: number): ReactNode {
  switch (b.t) {
    case 'p':
      return <p key={i}>{inline(b.c)}</p>;
    case 'h': {
      const level = Math.min(6, b.level + headingBase);
      const Tag = `h${level}` as 'h3';
      return <Tag key={i}>{inline(b.c)}</Tag>;
    }
    case 'ul':
      return (
        <ul key={i}>
          {b.items.map((it, j) => (
            <li key={j}>{inline(it)}</li>
          ))}
        </ul>
      );
    case 'ol':
      return (
        <ol key={i} start={b.start}>
          {b.items.map((it, j) => (
            <li key={j}>{inline(it)}</li>
          ))}
        </ol>
      );
    case 'code':
      return (
        <pre key={i} className="kw-code" tabIndex={0} aria-label={b.lang ? `${b.lang} commands` : 'code'}>
          <code>{b.v}</code>
        </pre>
      );
  }
}

/** Render `source`; headings start below `headingBase` (the screen's own heading level). */
export function Markdown({ source, headingBase = 2 }: { source: string; headingBase?: number }) {
  const blocks = useMemo(() => parseMarkdown(source), [source]);
  return <div className="kw-markdown">{blocks.map((b, i) => block(b, i, headingBase))}</div>;
}
