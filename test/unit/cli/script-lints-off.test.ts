/**
 * `script lint` shows every place a script turns off a check that runs by default (`lints: skip`
 * on a CA certificate), with its YAML path: a reviewer must see each one before the hash is
 * published.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';

const SAMPLE = readFileSync(new URL('../../../assets/ceremonies/root-ca-rehearsal.yaml', import.meta.url), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'kw-lints-off-'));

async function lint(text: string): Promise<{ code: number; out: string }> {
  const file = join(dir, `s-${Math.random().toString(16).slice(2)}.yaml`);
  writeFileSync(file, text);
  let out = '';
  const code = await main(['script', 'lint', file], {
    stdout: (t) => void (out += t),
    stderr: () => undefined,
    stdoutBytes: () => undefined,
  });
  return { code, out };
}

describe('script lint and lints: skip', () => {
  it('the sample runs every default check: no "lints off" line', async () => {
    const { code, out } = await lint(SAMPLE);
    expect(code).toBe(0);
    expect(out).not.toContain('lints off');
  });

  it('a root certificate with lints: skip is listed with its path, step and evidence', async () => {
    const edited = SAMPLE.replace(
      '          self_signed: true\n',
      '          self_signed: true\n          lints: skip\n',
    );
    expect(edited).not.toBe(SAMPLE);
    const { code, out } = await lint(edited);
    expect(code).toBe(0);
    expect(out).toMatch(/^lints off steps\[\d+\]\.evidence\[0\]\.expect\.lints: skip \(step 4\.1, evidence root\)$/m);
  });
});
