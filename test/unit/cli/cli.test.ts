/**
 * The keywitness CLI through its entry point: exit codes, output and refusals. Commands run
 * in-process with captured output; files live in a fresh temp folder per test.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { DEMO_SCENARIOS, DEMO_SCRIPT } from '../../../src/cli/demo-plan.js';
import { DEMO_SPEC } from '../../../src/cli/commands.js';
import { toWords } from '../../../src/core/protocol/words.js';

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    stdoutBytes: (b) => void (out += new TextDecoder().decode(b)),
  });
  return { code, out, err };
}

const tempDir = () => mkdtemp(join(tmpdir(), 'kw-cli-'));

let demoDir: string;
beforeAll(async () => {
  demoDir = join(await tempDir(), 'session');
  const r = await run('demo', '--out', demoDir);
  expect(r.code).toBe(0);
}, 120_000);

describe('keywitness script', () => {
  it('lint accepts the sample script and prints its hash', async () => {
    const r = await run('script', 'lint', DEMO_SCRIPT);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/OK — example-root-p384-2026-rehearsal, 16 steps/);
  });

  it('lint names the steps the script forbids repeating', async () => {
    expect((await run('script', 'lint', DEMO_SCRIPT)).out).toMatch(/^repeat {3}every step may be repeated$/m);
    const file = join(await tempDir(), 'no-repeat.yaml');
    const text = (await readFile(DEMO_SCRIPT, 'utf8')).replace(
      '    title: Back up the token storage\n',
      '    title: Back up the token storage\n    repeatable: false\n',
    );
    await writeFile(file, text);
    const r = await run('script', 'lint', file);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^repeat {3}not: 5\.1 \(repeatable: false\)$/m);
  });

  it('hash prints SHA-256 of the exact bytes as hex and 32 PGP words', async () => {
    const bytes = await readFile(DEMO_SCRIPT);
    const hex = createHash('sha256').update(bytes).digest('hex');
    const r = await run('script', 'hash', DEMO_SCRIPT);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`SHA-256  ${hex}`);
    expect(r.out).toContain(`words    ${toWords(Buffer.from(hex, 'hex')).join(' ')}`);
  });

  it('lint names the YAML path and line of an error, exits 2, prints no stack trace', async () => {
    const dir = await tempDir();
    const file = join(dir, 'bad.yaml');
    const text = (await readFile(DEMO_SCRIPT, 'utf8')).replace(
      'acks: { roles: [witness], min: 2 }',
      'acks: { roles: [witness], mni: 2 }',
    );
    await writeFile(file, text);
    const r = await run('script', 'lint', file);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^keywitness script lint: SCRIPT_INVALID: steps\[0\]\.acks\.mni \(line \d+\): /);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it.each([
    [['script'], /usage: keywitness script lint FILE/],
    [['script', 'lint'], /usage/],
    [['script', 'check', 'x'], /usage/],
    [
      ['script', 'lint', '/nonexistent/x.yaml'],
      /^keywitness script lint: NOT_FOUND: \/nonexistent\/x\.yaml: no such file\n$/,
    ],
    [['script', 'lint', '--strict', 'x.yaml'], /Unknown option '--strict'/],
  ])('refuses %j with exit 2', async (args, message) => {
    const r = await run(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});

describe('keywitness words', () => {
  it('prints the published example', async () => {
    const r = await run('words', '09F9:1102:9D74:E35B', 'D84156C5635688C0');
    expect(r.out.split('\n')[0]).toBe(
      'Algol Waterloo Athens aftermath quadrant hydraulic tissue exodus stormy decadence egghead resistor flatfoot escapade newborn recipe',
    );
  });

  it.each([['zz'], ['abc'], ['']])('refuses %j', async (hex) => {
    expect((await run('words', hex)).code).toBe(2);
  });
});

describe('keywitness demo --scenario retry|late-join|suspend|abort', () => {
  it.each([
    ['retry', /Consistent: 0 findings\./],
    ['late-join', /Consistent: 0 findings\.\nReceipts from all 8 enrolled participants\./],
    ['suspend', /Consistent: 0 findings\./],
    ['abort', /Consistent: 0 findings\. ABORTED at step 3\.2/],
  ])(
    '%s writes the bundle and every receipt and audits them clean (exit 0)',
    async (scenario, verdict) => {
      const dir = join(await tempDir(), scenario);
      const r = await run('demo', '--scenario', scenario, '--out', dir);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(verdict);
      const files = await readdir(dir);
      expect(files).toContain('session.keywitness.json');
      expect(files.filter((f) => f.includes('receipt') && f.endsWith('.json')).length).toBeGreaterThanOrEqual(3);
      if (scenario === 'late-join')
        expect(files).toEqual(
          expect.arrayContaining(['wen-li.receipt.json', 'chris-tanaka-replaced-device.receipt.json']),
        );
    },
    60_000,
  );

  it('the command table names every scenario the demo plays', () => {
    for (const scenario of DEMO_SCENARIOS) expect(DEMO_SPEC.usage[0]).toContain(scenario);
  });

  it('refuses an unknown scenario, naming the known ones', async () => {
    const r = await run('demo', '--scenario', 'fire-drill', '--out', join(await tempDir(), 'x'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/objection, dropped-objection, retry, late-join, suspend, abort/);
  });
});

describe('keywitness demo and audit', () => {
  it('demo wrote the bundle and one receipt per participant, and its audit was clean', async () => {
    const files = (await readdir(demoDir)).sort();
    expect(files).toEqual([
      'arjun-rao.receipt.json',
      'carol-mbeki.receipt.json',
      'cathy-novak.receipt.json',
      'chris-tanaka.receipt.json',
      'session.keywitness.json',
      'walter-lindqvist.receipt.json',
      'wanda-okafor.receipt.json',
    ]);
  });

  it('audit of the demo bundle with its receipts: exit 0, "Consistent"; --json has no findings', async () => {
    const receipts = (await readdir(demoDir))
      .filter((f) => f.endsWith('.receipt.json'))
      .flatMap((f) => ['--receipt', join(demoDir, f)]);
    const r = await run('audit', join(demoDir, 'session.keywitness.json'), ...receipts);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Consistent: 0 findings\.\nReceipts from all 6 enrolled participants\./);
    expect(r.out).toContain('3.2 Generate the root key pair: complete (by exception)');
    const j = await run('audit', join(demoDir, 'session.keywitness.json'), '--json');
    expect(JSON.parse(j.out)).toMatchObject({ format: 'keywitness-audit/1', findings: [] });
  });

  it("the demo's bundle carries the coordinator's seal; without it the audit says SEAL_MISSING", async () => {
    const bundle = JSON.parse(await readFile(join(demoDir, 'session.keywitness.json'), 'utf8'));
    expect(typeof bundle.seal).toBe('string');
    delete bundle.seal;
    const file = join(await tempDir(), 'unsealed.keywitness.json');
    await writeFile(file, JSON.stringify(bundle));
    const r = await run('audit', file, '--json');
    expect(r.code).toBe(1);
    expect((JSON.parse(r.out) as { findings: { code: string }[] }).findings.map((f) => f.code)).toEqual([
      'SEAL_MISSING',
    ]);
  });

  it('audit of a bundle with a changed transcript entry: exit 1 and the findings', async () => {
    const bundle = JSON.parse(await readFile(join(demoDir, 'session.keywitness.json'), 'utf8'));
    bundle.transcript.splice(12, 1);
    const file = join(await tempDir(), 'tampered.keywitness.json');
    await writeFile(file, JSON.stringify(bundle));
    const r = await run('audit', file, '--json');
    expect(r.code).toBe(1);
    const { findings } = JSON.parse(r.out) as { findings: { code: string }[] };
    expect(findings.map((f) => f.code)).toContain('CHAIN_BROKEN');
    const text = await run('audit', file);
    expect(text.out).toMatch(/^NOT CONSISTENT: \d+ findings?\.\n/);
    expect(text.out).toMatch(/\nFindings \(\d+\):\n {2}CHAIN_BROKEN/);
  });

  it.each([
    ['not JSON', 'this is not json', /BUNDLE_INVALID: .*bundle: not valid JSON/],
    ['truncated', null, /BUNDLE_INVALID: .*not valid JSON.*truncated/],
    [
      'an unknown field',
      '{"format":"keywitness-bundle/1","script":"","evidence":[],"transcript":[],"signature":"x"}',
      /BUNDLE_INVALID: .*signature: unknown field/,
    ],
    [
      'non-canonical base64',
      '{"format":"keywitness-bundle/1","script":"QQ=","evidence":[],"transcript":[]}',
      /BUNDLE_INVALID: .*script: base64 length 3/,
    ],
    [
      'a seal that is not base64',
      '{"format":"keywitness-bundle/1","script":"","evidence":[],"transcript":[],"seal":"QQ="}',
      /BUNDLE_INVALID: .*seal: base64 length 3/,
    ],
    [
      'a seal that is not a string',
      '{"format":"keywitness-bundle/1","script":"","evidence":[],"transcript":[],"seal":[]}',
      /BUNDLE_INVALID: .*seal: must be a base64 string/,
    ],
    [
      'the wrong format',
      '{"format":"keywitness-bundle/2","script":"","evidence":[],"transcript":[]}',
      /BUNDLE_INVALID: .*format: expected "keywitness-bundle\/1"/,
    ],
  ])('audit refuses a bundle that is %s: exit 2, one clear line', async (_name, content, message) => {
    const file = join(await tempDir(), 'x.keywitness.json');
    const text = content ?? (await readFile(join(demoDir, 'session.keywitness.json'), 'utf8')).slice(0, 5000);
    await writeFile(file, text);
    const r = await run('audit', file);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it('audit refuses an oversized bundle before reading it', async () => {
    const file = join(await tempDir(), 'huge.keywitness.json');
    await writeFile(file, '');
    await truncate(file, 65 * 1024 * 1024);
    const r = await run('audit', file);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^keywitness audit: INPUT_TOO_LARGE: .*huge\.keywitness\.json is 68157440 bytes; at most 67108864/,
    );
  });

  it('demo refuses a folder that already holds its files and writes nothing', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'carol-mbeki.receipt.json'), 'mine');
    const r = await run('demo', '--out', dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/ALREADY_EXISTS/);
    expect(await readdir(dir)).toEqual(['carol-mbeki.receipt.json']);
    expect(await readFile(join(dir, 'carol-mbeki.receipt.json'), 'utf8')).toBe('mine');
  });
});

it('unknown commands exit 2 with the usage', async () => {
  const r = await run('frobnicate');
  expect(r.code).toBe(2);
  expect(r.err).toMatch(/unknown command "frobnicate"/);
});
