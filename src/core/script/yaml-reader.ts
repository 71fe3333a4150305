/**
 * Strict YAML 1.2 reading for ceremony scripts (docs/architecture.md, "Formats: the ceremony
 * script"): exactly one document, core schema, and none of the YAML features that make a value
 * mean something other than what is written where it is used: anchors, aliases, merge keys, tags,
 * directives. The result is a small tree in which every node knows its YAML path and line, so
 * every later error can name both.
 */
import { Composer, CST, isAlias, isMap, isScalar, isSeq, Lexer, LineCounter, Parser } from 'yaml';
import type { ParsedNode } from 'yaml';
import { KeywitnessError } from '../errors.js';
import { describeForbiddenChar, findForbiddenChar, positionWhere } from './source-text.js';

/** Deepest nesting of collections a script may use (a real script needs about 6). */
export const MAX_NESTING = 32;

interface YBase {
  /** YAML path, e.g. `steps[4].evidence[0].expect.subject`; '' for the document root. */
  readonly path: string;
  /** 1-based line of the key that names this node (map values) or of the node itself. */
  readonly line: number;
}
export interface YScalar extends YBase {
  readonly kind: 'scalar';
  readonly value: string | number | boolean | null;
  /** The scalar exactly as written, for messages such as "write "1.1" in quotes". */
  readonly source: string;
  readonly quoted: boolean;
}
export interface YEntry {
  readonly key: string;
  readonly node: YNode;
}
export interface YMap extends YBase {
  readonly kind: 'map';
  readonly entries: readonly YEntry[];
}
export interface YSeq extends YBase {
  readonly kind: 'seq';
  readonly items: readonly YNode[];
}
export type YNode = YScalar | YMap | YSeq;

/** Where a node is, for errors: `steps[4].title (line 37)`, `(document) (line 1)` for the root. */
export function whereOf(loc: { readonly path: string; readonly line: number }): string {
  return `${loc.path === '' ? '(document)' : loc.path} (line ${loc.line})`;
}

/** A SCRIPT_INVALID error located at a node. */
export function scriptError(
  loc: { readonly path: string; readonly line: number },
  message: string,
  cause?: unknown,
): KeywitnessError {
  return new KeywitnessError('SCRIPT_INVALID', message, { where: whereOf(loc), cause });
}

/** Path of a map value: `a.b`, or `a["odd key"]` when the key is not a plain token. */
export function childPath(parent: string, key: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

const COLLECTIONS = new Set(['block-map', 'block-seq', 'flow-collection']);

/** What the CST walk refuses, by source token type, and why (YAML 1.2.2 sections). */
const REFUSED: Readonly<Record<string, (source: string) => string>> = {
  // §3.2.2.2, §6.9.2, §7.1: a value must be visible where it is used.
  anchor: (t) => `YAML anchor "${t}" is not allowed: write the value out where it is used, so every reader sees it`,
  alias: (t) => `YAML alias "${t}" is not allowed: write the value out where it is used, so every reader sees it`,
  // §6.9.1: a tag changes a value's type.
  tag: (t) => `YAML tag "${t}" is not allowed: a script's values are plain text, numbers, true/false, lists and maps`,
  // §6.8: `%YAML 1.1` turns `yes` into true and `010` into 8.
  directive: (t) => `YAML directive "${t.trim()}" is not allowed: scripts are always read as YAML 1.2`,
};

/**
 * One pass over the parser's concrete syntax tree, before anything is composed. Rejects, with
 * their line and column: anchors, aliases, tags, directives, and collections nested deeper than
 * MAX_NESTING. This runs before yaml's composer because the composer recurses per nesting level
 * and very deep input can exhaust memory in a way no try/catch recovers from; the parser itself
 * keeps an explicit stack. The walk is iterative and follows only fields that hold child nodes
 * and source tokens, so it costs one step per node.
 */
function syntaxCheck(tokens: readonly CST.Token[], lines: LineCounter): void {
  const fail = (offset: number, message: string): never => {
    const pos = lines.linePos(offset);
    throw new KeywitnessError('SCRIPT_INVALID', message, { where: positionWhere({ line: pos.line, column: pos.col }) });
  };
  const checkSourceTokens = (list: readonly CST.Token[] | undefined): void => {
    for (const t of list ?? []) {
      const refuse = REFUSED[t.type];
      if (refuse && 'source' in t) fail(t.offset, refuse(t.source));
    }
  };
  const stack: { node: CST.Token | null | undefined; depth: number }[] = tokens.map((node) => ({ node, depth: 0 }));
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const { node, depth } = top;
    if (!node) continue;
    const refuse = REFUSED[node.type];
    if (refuse) fail(node.offset, refuse('source' in node ? node.source : ''));
    if (node.type === 'document') {
      checkSourceTokens(node.start);
      checkSourceTokens(node.end);
      stack.push({ node: node.value, depth });
      continue;
    }
    if ('props' in node) checkSourceTokens(node.props);
    if ('end' in node && Array.isArray(node.end)) checkSourceTokens(node.end);
    if (!COLLECTIONS.has(node.type)) continue;
    const d = depth + 1;
    // A flow collection's own offset can precede its bracket; its start token is the bracket.
    if (d > MAX_NESTING)
      fail(
        node.type === 'flow-collection' ? node.start.offset : node.offset,
        `lists and maps are nested more than ${MAX_NESTING} deep`,
      );
    for (const item of (node as CST.BlockMap | CST.BlockSequence | CST.FlowCollection).items) {
      const entry = item as { start?: CST.Token[]; sep?: CST.Token[]; key?: CST.Token | null; value?: CST.Token };
      checkSourceTokens(entry.start);
      checkSourceTokens(entry.sep);
      stack.push({ node: entry.key, depth: d }, { node: entry.value, depth: d });
    }
  }
}

/**
 * Refuse flow collections (`[`, `{`) nested past MAX_NESTING from the lexer's tokens, before the
 * parser builds its syntax tree: on a megabyte of `[` the tree alone takes seconds to build, the
 * token scan milliseconds. Quoted and block scalars are single tokens, so brackets inside text do
 * not count; block nesting is left to syntaxCheck, which the parser's tree is cheap for.
 */
function flowDepthCheck(text: string): void {
  let depth = 0;
  let offset = 0;
  for (const source of new Lexer().lex(text)) {
    const type = CST.tokenType(source);
    if (type === 'flow-map-start' || type === 'flow-seq-start') {
      if (++depth > MAX_NESTING) {
        const line = text.slice(0, offset).split('\n').length;
        const column = offset - text.lastIndexOf('\n', offset - 1);
        throw new KeywitnessError('SCRIPT_INVALID', `lists and maps are nested more than ${MAX_NESTING} deep`, {
          where: positionWhere({ line, column }),
        });
      }
    } else if (type === 'flow-map-end' || type === 'flow-seq-end') {
      depth = Math.max(0, depth - 1);
    }
    // The lexer's mode markers (document, scalar, flow error end) are not source text.
    if (!LEXER_MARKERS.has(source)) offset += source.length;
  }
}

const LEXER_MARKERS: ReadonlySet<string> = new Set(['\x02', '\x18', '\x1f']);

/**
 * Parse script text into a located tree.
 * @throws KeywitnessError SCRIPT_INVALID naming the position (syntax) or YAML path and line.
 */
export function readScriptYaml(text: string): YMap {
  const lines = new LineCounter();
  flowDepthCheck(text);
  const tokens = Array.from(new Parser(lines.addNewLine).parse(text));
  syntaxCheck(tokens, lines);
  const composer = new Composer({
    version: '1.2',
    schema: 'core',
    merge: false,
    uniqueKeys: false, // duplicates are reported below with their YAML path
    strict: true,
    prettyErrors: false,
    intAsBigInt: false,
  });
  const docs = Array.from(composer.compose(tokens));
  const posWhere = (offset: number): string => {
    const p = lines.linePos(offset);
    return positionWhere({ line: p.line, column: p.col });
  };
  for (const doc of docs) {
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) {
      throw new KeywitnessError('SCRIPT_INVALID', `YAML syntax error: ${problem.message.split('\n')[0]}`, {
        where: posWhere(problem.pos[0]),
        cause: problem,
      });
    }
  }
  const [doc, second] = docs;
  if (doc === undefined) {
    throw new KeywitnessError('SCRIPT_INVALID', 'the file holds no YAML document; a script is one YAML map', {
      where: '(file)',
    });
  }
  if (second !== undefined) {
    throw new KeywitnessError(
      'SCRIPT_INVALID',
      `the file holds ${docs.length} YAML documents; a script is exactly one`,
      {
        where: posWhere(second.range[0]),
      },
    );
  }
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    throw new KeywitnessError('SCRIPT_INVALID', 'the YAML document is empty; a script is one YAML map', {
      where: '(file)',
    });
  }
  const lineAt = (offset: number): number => lines.linePos(offset).line;
  const root = convert(contents, '', lineAt(contents.range[0]), text, lineAt, 0);
  if (root.kind !== 'map')
    throw scriptError(root, 'a script must be a YAML map of fields (format, id, title, roles, steps…)');
  return root;
}

function convert(
  node: ParsedNode,
  path: string,
  line: number,
  text: string,
  lineAt: (o: number) => number,
  depth: number,
): YNode {
  const loc = { path, line };
  // The syntax pass already rejected these; checked again so no path can slip one through.
  if (isAlias(node) || node.anchor !== undefined || node.tag !== undefined) {
    throw scriptError(loc, 'YAML anchors, aliases and tags are not allowed');
  }
  if (depth > MAX_NESTING) throw scriptError(loc, `lists and maps are nested more than ${MAX_NESTING} deep`);
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === 'string') {
      const bad = findForbiddenChar(v);
      if (bad !== undefined)
        throw scriptError(loc, `contains ${describeForbiddenChar(bad)}, which a reader cannot see; remove it`);
    } else if (!(v === null || typeof v === 'number' || typeof v === 'boolean')) {
      throw scriptError(loc, 'is not a plain YAML value');
    }
    return {
      kind: 'scalar',
      path,
      line,
      value: v,
      source: text.slice(node.range[0], node.range[1]),
      quoted: node.type !== 'PLAIN',
    };
  }
  if (isSeq(node)) {
    const items = node.items.map((child, i) =>
      convert(child, `${path}[${i}]`, lineAt(child.range[0]), text, lineAt, depth + 1),
    );
    return { kind: 'seq', path, line, items };
  }
  if (isMap(node)) {
    const entries: YEntry[] = [];
    const firstLine = new Map<string, number>();
    for (const pair of node.items) {
      const keyNode = pair.key as ParsedNode | null;
      const keyOffset = keyNode ? keyNode.range[0] : (pair.value?.range[0] ?? node.range[0]);
      const keyLoc = { path: path === '' ? '(document)' : path, line: lineAt(keyOffset) };
      if (keyNode === null || !isScalar(keyNode) || typeof keyNode.value !== 'string' || keyNode.value === '') {
        throw scriptError(keyLoc, 'every key must be non-empty text (complex, numeric and empty keys are not allowed)');
      }
      const key = keyNode.value;
      const bad = findForbiddenChar(key);
      if (bad !== undefined) throw scriptError(keyLoc, `a key contains ${describeForbiddenChar(bad)}`);
      const keyPath = childPath(path, key);
      const keyLine = lineAt(keyNode.range[0]);
      if (key === '<<' && keyNode.type === 'PLAIN') {
        throw scriptError(
          { path: keyPath, line: keyLine },
          'YAML merge keys (<<) are not allowed: write every field out',
        );
      }
      const seen = firstLine.get(key);
      if (seen !== undefined) {
        throw scriptError({ path: keyPath, line: keyLine }, `duplicate key "${key}" (first given at line ${seen})`);
      }
      firstLine.set(key, keyLine);
      const value = pair.value;
      const child: YNode = value
        ? convert(value, keyPath, keyLine, text, lineAt, depth + 1)
        : { kind: 'scalar', path: keyPath, line: keyLine, value: null, source: '', quoted: false };
      entries.push({ key, node: child });
    }
    return { kind: 'map', path, line, entries };
  }
  throw scriptError(loc, 'is not a YAML map, list or value');
}
