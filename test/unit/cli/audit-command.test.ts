/**
 * `keywitness audit` with the auditor's expectations and its JSON document, and `keywitness
 * script lint --production` (README, "Command line" and "Audit findings"), in-process over a demo
 * written to a temp folder.
 */
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { ASSETS_DIR } from '../../../src/cli/demo-plan.js';
import { generateSigner } from '../../../src/core/protocol/identity.js';
import { toWords } from '../../../src/core/protocol/words.js';
import { fromHex, toHex } from '../../../src/core/util/bytes.js';
import { sha256 } from '../../../src/core/util/hash.js';

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

interface AuditJson {
  format: string;
  bundle_sha256: string;
  script_sha256: string;
  coordinator: string;
  verdict: { consistent: boolean; findings: number; text: string; proves: string[]; does_not_prove: string[] };
  findings: { code: string; message: string }[];
  receipts: { name: string; role: string; fingerprint: string; enrolled: boolean }[];
  receipts_missing: { name: string; role: string; fingerprint: string }[];
  unpinned_roles: { id: string; title: string }[];
  expected: { script: string; coordinator: string };
}

let dir: string;
let bundle: string;
let receipts: string[];
let clean: AuditJson;

beforeAll(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'kw-audit-')), 'session');
  expect((await run('demo', '--out', dir)).code).toBe(0);
  bundle = join(dir, 'session.keywitness.json');
  receipts = (await readdir(dir)).filter((f) => f.endsWith('.receipt.json')).map((f) => join(dir, f));
  const r = await run('audit', bundle, '--json');
  expect(r.code).toBe(0);
  clean = JSON.parse(r.out) as AuditJson;
}, 120_000);

const withReceipts = (...files: string[]) => files.flatMap((f) => ['--receipt', f]);
const receipt = (name: string) => {
  const f = receipts.find((x) => x.endsWith(`${name}.receipt.json`));
  if (!f) throw new Error(`no receipt ${name}`);
  return f;
};

describe('keywitness audit --json', () => {
  it('is one object: format, bundle hash, verdict, findings, receipts given and missing, unpinned roles', async () => {
    expect(clean.format).toBe('keywitness-audit/1');
    expect(clean.bundle_sha256).toBe(toHex(sha256(new Uint8Array(await readFile(bundle)))));
    expect(clean.verdict).toMatchObject({ consistent: true, findings: 0 });
    expect(clean.verdict.text).toMatch(
      /^Consistent: 0 findings\. Receipts from 0 of 6 enrolled participants \(missing: /,
    );
    expect(clean.findings).toEqual([]);
    expect(clean.receipts).toEqual([]);
    expect(clean.receipts_missing.map((p) => p.name)).toEqual([
      'Wanda Okafor',
      'Walter Lindqvist',
      'Carol Mbeki',
      'Chris Tanaka',
      'Cathy Novak',
      'Arjun Rao',
    ]);
    expect(clean.unpinned_roles.map((r) => r.id)).toEqual(['admin', 'witness', 'custodian', 'auditor']);
    expect(clean.expected).toEqual({ script: 'not given', coordinator: 'not given' });
  });

  it('names whose receipts were given', async () => {
    const r = await run('audit', bundle, ...withReceipts(receipt('cathy-novak'), receipt('arjun-rao')), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as AuditJson;
    expect(j.receipts.map((p) => [p.name, p.role, p.enrolled])).toEqual([
      ['Cathy Novak', 'custodian', true],
      ['Arjun Rao', 'auditor', true],
    ]);
    expect(j.receipts_missing).toHaveLength(4);
  });
});

describe('keywitness audit --expect-script / --expect-coordinator', () => {
  type Case = [string, () => string[], number, readonly string[], RegExp];
  const cases: Case[] = [
    [
      'both as expected (hex)',
      () => ['--expect-script', clean.script_sha256, '--expect-coordinator', clean.coordinator],
      0,
      [],
      /The script hash and coordinator key equal the expected values given\./,
    ],
    [
      'both as expected (PGP words, colon hex)',
      () => [
        '--expect-script',
        toWords(fromHex(clean.script_sha256)).join(' '),
        '--expect-coordinator',
        clean.coordinator.replace(/(..)(?!$)/g, '$1:').toUpperCase(),
      ],
      0,
      [],
      /equal the expected values given/,
    ],
    [
      'another script',
      () => ['--expect-script', '11'.repeat(32)],
      1,
      ['SCRIPT_NOT_EXPECTED'],
      /The script hash differs from the expected value given\. Compare the coordinator key with the paper record\./,
    ],
    [
      'another coordinator',
      () => ['--expect-coordinator', '22'.repeat(32)],
      1,
      ['COORDINATOR_NOT_EXPECTED'],
      /The coordinator key differs from the expected value given\. Compare the script hash with the paper record\./,
    ],
  ];
  it.each(cases)('%s: exit %i', async (_name, args, code, codes, verdict) => {
    const r = await run('audit', bundle, ...args(), '--json');
    expect(r.code).toBe(code);
    const j = JSON.parse(r.out) as AuditJson;
    expect(j.findings.map((f) => f.code)).toEqual(codes);
    expect(j.verdict.text).toMatch(verdict);
    const text = await run('audit', bundle, ...args());
    expect(text.code).toBe(code);
    // One note a line: the verdict's sentences are the first lines of the text report.
    expect(text.out.split('\n').slice(0, 6).join(' ')).toMatch(verdict);
  });

  it.each([
    [['--expect-script', 'abcd'], /INPUT_INVALID: --expect-script: is 2 bytes/],
    [
      ['--expect-coordinator', 'not a fingerprint'],
      /ENCODING_INVALID: --expect-coordinator: is neither hex nor PGP words/,
    ],
    [['--expect-script'], /argument missing/],
  ])('refuses %j with exit 2 and one line', async (args, message) => {
    const r = await run('audit', bundle, ...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it('the same receipt given twice is a finding, exit 1', async () => {
    const r = await run('audit', bundle, ...withReceipts(receipt('cathy-novak'), receipt('cathy-novak')), '--json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as AuditJson;
    expect(j.findings.map((f) => f.code)).toEqual(['RECEIPT_DUPLICATE']);
    expect(j.receipts.map((p) => p.name)).toEqual(['Cathy Novak']);
  });
});

describe('keywitness script lint --production', () => {
  it('a script that leaves roles unpinned: exit 1, naming them', async () => {
    const r = await run('script', 'lint', '--production', `${ASSETS_DIR}ceremonies/minimal.yaml`);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/: OK — minimal-example/);
    expect(r.out).toContain(
      'production NOT READY: script minimal-example pins no participant for roles "admin" (Ceremony Administrator), "witness" (Witness)',
    );
  });

  it('without --production, lint passes and names the unpinned roles', async () => {
    const r = await run('script', 'lint', `${ASSETS_DIR}ceremonies/minimal.yaml`);
    expect(r.code).toBe(0);
    expect(r.out).toContain('unpinned admin, witness (a production session needs every role pinned)');
  });

  it('a script that pins every role: exit 0, ready', async () => {
    const text = (await readFile(`${ASSETS_DIR}ceremonies/minimal.yaml`, 'utf8')).replace(
      'expected:',
      `participants:\n${await Promise.all(
        [
          ['Ada', 'admin'],
          ['Wes', 'witness'],
        ].map(
          async ([n, role]) =>
            `  - { name: ${n}, role: ${role}, fingerprint: "${toHex((await generateSigner()).fingerprint)}" }\n`,
        ),
      ).then((lines) => lines.join(''))}expected:`,
    );
    const file = join(await mkdtemp(join(tmpdir(), 'kw-lint-')), 'pinned.yaml');
    await writeFile(file, text);
    const r = await run('script', 'lint', '--production', file);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('production ready: every role is pinned');
    expect((await run('script', 'lint', file)).out).toContain('pinned   every role');
  });

  it('hash takes no --production', async () => {
    const r = await run('script', 'hash', '--production', `${ASSETS_DIR}ceremonies/minimal.yaml`);
    expect(r.code).toBe(2);
    expect(r.err).toBe("keywitness script hash: INPUT_INVALID: arguments: Unknown option '--production'\n");
  });
});
