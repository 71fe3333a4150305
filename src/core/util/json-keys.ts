/**
 * Duplicate keys in JSON. `JSON.parse` keeps the last of two equal keys and other readers keep the
 * first (or refuse), so a file with a repeated key means different things to different readers: a
 * bundle or receipt that one auditor reads one way and another reader another way. The strict
 * readers refuse such files; this finds the first repeated key, in one pass over text that
 * `JSON.parse` has already accepted.
 */

/** Where the first repeated key is (`evidence[2].sha256`) and which key it is, or undefined. */
export function findDuplicateKey(json: string): { readonly path: string; readonly key: string } | undefined {
  interface Frame {
    readonly path: string;
    readonly keys: Set<string> | undefined; // undefined for an array
    key: string;
    index: number;
    expectKey: boolean;
  }
  const stack: Frame[] = [];
  const childPath = (parent: Frame | undefined): string => {
    if (!parent) return '';
    if (!parent.keys) return `${parent.path}[${parent.index}]`;
    return parent.path === '' ? parent.key : `${parent.path}.${parent.key}`;
  };
  const specials = /["\\]/g;
  for (let i = 0; i < json.length; i++) {
    const c = json.charAt(i);
    const top = stack[stack.length - 1];
    if (c === '{' || c === '[') {
      stack.push({
        path: childPath(top),
        keys: c === '{' ? new Set() : undefined,
        key: '',
        index: 0,
        expectKey: c === '{',
      });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      if (top?.keys) top.expectKey = true;
      else if (top) top.index++;
    } else if (c === '"') {
      // The end of the string: the next quote that no backslash escapes.
      let end = i + 1;
      for (;;) {
        specials.lastIndex = end;
        const m = specials.exec(json);
        if (!m) return undefined; // not JSON that JSON.parse accepted
        if (m[0] === '"') {
          end = m.index;
          break;
        }
        end = m.index + 2;
      }
      if (top?.keys && top.expectKey) {
        // Decoded, so that "a" and "\u0061" are the same key.
        const key = JSON.parse(json.slice(i, end + 1)) as string;
        if (top.keys.has(key)) return { path: top.path === '' ? key : `${top.path}.${key}`, key };
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = end;
    }
  }
  return undefined;
}

/**
 * True when `json` nests arrays and objects deeper than `max` (brackets inside strings do not
 * count). `JSON.parse` builds the whole tree before a reader can look at it, and 64 MiB of `[`
 * takes it most of a minute to refuse; this linear scan refuses such text first.
 */
export function nestsDeeperThan(json: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}
