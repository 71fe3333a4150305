/**
 * Regular expressions that come from a ceremony script (an input's `pattern`, the `present` and
 * `absent` expectations of evidence) run on RE2 (the `re2js` port), never on the JavaScript
 * engine: RE2 matches in time linear in the input, so no pattern, however crafted, can hang a
 * coordinator, a witness or an auditor (a backtracking engine takes exponential time on
 * `(a|a)*b`). The HSM transcript parsers use it too, for the few patterns of their own that search
 * a whole transcript.
 *
 * The accepted syntax is RE2's (https://github.com/google/re2/wiki/Syntax): what RE2 cannot run in
 * linear time is refused when the script is parsed, among it backreferences (`\1`), lookahead and
 * lookbehind (`(?=…)`, `(?!…)`, `(?<=…)`), possessive and atomic groups, `\C`, and repetition
 * counts above 1000 (also when nested ones multiply past it). Code points are written `\x{41}`
 * (not `\u0041`). Matching is Unicode-aware on code points, as with JavaScript's `u` flag.
 */
import { RE2JS } from 're2js';

/** A compiled script pattern. */
export interface LinearRegex {
  /** True when some part of `text` matches. */
  test(text: string): boolean;
  /** The leftmost match in `text`, or undefined. */
  find(text: string): string | undefined;
  /** The leftmost match and its groups (undefined where a group took no part), or undefined. */
  exec(text: string): readonly (string | undefined)[] | undefined;
}

export interface LinearRegexOptions {
  /** `^` and `$` match at every line start and end (JavaScript's `m` flag). */
  readonly multiline?: boolean;
}

/** Thrown by `compileLinear` for a pattern RE2 does not accept; `reason` is the sentence to show. */
export class PatternSyntaxError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'PatternSyntaxError';
  }
}

const CACHE_LIMIT = 512;
const cache = new Map<string, LinearRegex>();

/** What RE2 says, without its "error parsing regexp: " prefix, with a hint at what it cannot do. */
function reasonOf(e: unknown): string {
  const said = (e instanceof Error ? e.message : String(e)).replace(/^error parsing regexp: /, '');
  return `${said} (patterns use RE2 syntax: no backreferences, lookahead or lookbehind)`;
}

/**
 * Compile `source` on RE2. Compiled patterns are cached by source and options, so callers may
 * compile at every use.
 * @throws PatternSyntaxError when RE2 refuses the pattern.
 */
export function compileLinear(source: string, options: LinearRegexOptions = {}): LinearRegex {
  const multiline = options.multiline === true;
  const key = `${multiline ? 'm' : '-'}${source}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let re: RE2JS;
  try {
    re = RE2JS.compile(source, multiline ? RE2JS.MULTILINE : 0);
  } catch (e) {
    throw new PatternSyntaxError(reasonOf(e));
  }
  const compiled: LinearRegex = {
    test: (text) => re.test(text),
    find: (text) => {
      const m = re.matcher(text);
      return m.find() ? (m.group(0) ?? '') : undefined;
    },
    exec: (text) => {
      const m = re.matcher(text);
      if (!m.find()) return undefined;
      const groups: (string | undefined)[] = [];
      for (let i = 0; i <= m.groupCount(); i++) groups.push(m.group(i) ?? undefined);
      return groups;
    },
  };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, compiled);
  return compiled;
}
