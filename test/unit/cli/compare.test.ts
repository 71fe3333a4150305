import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCompare } from '../../../src/cli/compare-command.js';
import { ASSETS_DIR } from '../../../src/cli/demo-plan.js';
import { auditBundle, type AuditReport } from '../../../src/core/audit/audit.js';
import { compareSessions } from '../../../src/core/audit/compare.js';
import { checkEvidence } from '../../../src/core/evidence/checks.js';
import { encodeBundle } from '../../../src/core/session/files.js';
import type { SimulationResult } from '../../../src/core/session/simulate.js';
import { toHex } from '../../../src/core/util/bytes.js';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { playDemo } from '../../support/demo.js';

let one: SimulationResult;
let two: SimulationResult;
let dropped: SimulationResult;
let files: { one: string; two: string; dropped: string };

async function run(...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runCompare(args, {
    stdout: (t) => void (out += t),
    stderr: () => undefined,
    stdoutBytes: () => undefined,
  });
  return { code, out };
}

beforeAll(async () => {
  [one, two, dropped] = await Promise.all([playDemo(), playDemo(), playDemo('dropped-objection')]);
  const dir = await mkdtemp(join(tmpdir(), 'kw-compare-'));
  files = { one: join(dir, 'one.json'), two: join(dir, 'two.json'), dropped: join(dir, 'dropped.json') };
  await writeFile(files.one, encodeBundle(one.bundle));
  await writeFile(files.two, encodeBundle(two.bundle));
  await writeFile(files.dropped, encodeBundle(dropped.bundle));
}, 120_000);

describe('keywitness compare', () => {
  it('finds nothing unexpected between two runs of the same ceremony, and lists what must differ', async () => {
    const r = await run(files.one, files.two);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Nothing unexpected differs between A/);
    expect(r.out).toContain('expected session id, coordinator key');
    expect(r.out).not.toContain('DIFFERS');
  });

  it('reports a run whose objection was dropped: its own finding, and the exception its rehearsal had', async () => {
    const r = await run(files.one, files.dropped, '--json');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as { format: string; steps: { step?: string; unexpected: string[] }[] };
    expect(json.format).toBe('keywitness-compare/1');
    const session = json.steps.find((s) => s.step === undefined);
    expect(session?.unexpected).toContain('session B has 1 audit finding(s)');
    expect(json.steps.find((s) => s.step === '3.2')?.unexpected).toContain('exceptions: 1 in A, 0 in B');
  });

  it('refuses two bundles of different scripts', async () => {
    const bytes = JSON.parse(readFileSync(files.two, 'utf8')) as { script: string };
    const other = join(tmpdir(), `kw-compare-other-${process.pid}.json`);
    const script = Buffer.from(bytes.script, 'base64').toString('utf8').replace('title: ', 'title: Another ');
    await writeFile(other, JSON.stringify({ ...bytes, script: Buffer.from(script).toString('base64') }));
    await expect(run(files.one, other)).rejects.toThrow(/sessions of different scripts/);
  });

  it.each<[string, string[]]>([
    ['no bundle', []],
    ['one bundle', ['a.json']],
    ['three bundles', ['a', 'b', 'c']],
  ])('refuses %s with its usage', async (_what, args) => {
    await expect(run(...args)).rejects.toThrow(/usage: keywitness compare BUNDLE_A BUNDLE_B/);
  });
});

describe('certificate profiles', () => {
  let a: AuditReport;
  let b: AuditReport;
  beforeAll(async () => {
    a = await auditBundle(one.bundle, [], { checker: checkEvidence });
    b = await auditBundle(two.bundle, [], { checker: checkEvidence });
  });

  it('a root of another profile at 4.1 differs in subject, validity, self-issue and extensions; its serial is expected to', async () => {
    // B's root certificate replaced by an issuing CA's: another subject, validity and extensions, not self-issued.
    const statement = b.state?.steps.find((s) => s.spec.id === '4.1')?.statement?.message;
    const ref = statement?.envelope.body.evidence.find((r) => r.id === 'root');
    if (!ref) throw new Error('no root at 4.1');
    const other = readFileSync(join(ASSETS_DIR, 'ceremonies/intermediate-ca-signing/3.2/ica.pem'));
    const evidence = new Map(b.evidence);
    evidence.set(toHex(ref.sha256), new Uint8Array(other));
    const c = await compareSessions(a, { ...b, evidence });
    const step = c.steps.find((s) => s.step === '4.1');
    const unexpected = step?.unexpected.join('\n') ?? '';
    expect(unexpected).toMatch(/evidence root certificates\[0\]\.subject/);
    expect(unexpected).toMatch(/evidence root certificates\[0\]\.selfIssued: true in A, false in B/);
    expect(unexpected).toMatch(/extensions\.basicConstraints\.pathLen: \(absent\) in A, 0 in B/);
    expect(unexpected).toMatch(/evidence root certificates\[0\]\.validityDays/);
    expect(unexpected).not.toMatch(/serial/);
    expect(step?.expected.join('\n')).toMatch(/evidence root certificates\[0\]\.serial:/);
  });
});
