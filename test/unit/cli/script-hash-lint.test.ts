/**
 * `keywitness script hash` refuses exactly what `keywitness script lint` refuses: a hash is
 * published on paper only for a script that every device will open. Each broken script gives
 * both subcommands the same exit code and the same error line.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { DEMO_SCRIPT } from '../../../src/cli/demo-plan.js';

const dir = mkdtempSync(join(tmpdir(), 'kw-hash-lint-'));
const valid = readFileSync(DEMO_SCRIPT);
const validText = valid.toString('utf8');

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    stdoutBytes: () => undefined,
  });
  return { code, out, err };
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const BROKEN: [name: string, content: Uint8Array][] = [
  ['a byte-order mark', new Uint8Array([0xef, 0xbb, 0xbf, ...valid])],
  ['invalid UTF-8', new Uint8Array([...valid.subarray(0, 40), 0xff, ...valid.subarray(40)])],
  ['a NUL byte', bytes(validText.replace('title:', 'title:\u0000'))],
  ['a bidirectional control character', bytes(validText.replace('title: ', 'title: \u202e'))],
  ['a lone carriage return', bytes(validText.replace('\n', '\r'))],
  ['a duplicate key', bytes(validText.replace('title:', 'title: x\ntitle:'))],
  ['an unknown field', bytes(`${validText}\nunknown: 1\n`)],
  ['a lookahead pattern', bytes(validText.replace('pattern: "TEB-', 'pattern: "(?=T)TEB-'))],
  ['an empty file', new Uint8Array()],
  ['a file over 1 MiB', new Uint8Array(1024 * 1024 + 1).fill(0x23)],
];

describe('script hash and script lint refuse the same scripts, the same way', () => {
  it.each(BROKEN)('%s', async (name, content) => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.yaml`);
    writeFileSync(file, content);
    const lint = await run('script', 'lint', file);
    const hash = await run('script', 'hash', file);
    expect(lint.code).toBe(2);
    expect(lint.out).toBe('');
    expect(lint.err).toMatch(/^keywitness script lint: [A-Z_]+: .+\n$/);
    expect({ code: hash.code, out: hash.out, err: hash.err }).toEqual({
      code: 2,
      out: '',
      err: lint.err.replace('keywitness script lint:', 'keywitness script hash:'),
    });
  });

  it('a valid script: both succeed and show the same SHA-256', async () => {
    const lint = await run('script', 'lint', DEMO_SCRIPT);
    const hash = await run('script', 'hash', DEMO_SCRIPT);
    expect([lint.code, hash.code]).toEqual([0, 0]);
    const sha = (out: string): string | undefined => /^SHA-256 {2}([0-9a-f]{64})$/m.exec(out)?.[1];
    expect(sha(hash.out)).toBeDefined();
    expect(sha(hash.out)).toBe(sha(lint.out));
  });
});
