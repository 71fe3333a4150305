/**
 * `keywitness verify` through the CLI entry point: exit codes (0 every signature valid, 1 any
 * invalid or unsupported, 2 unreadable input or bad arguments), the text report and `--json`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { signWithLdns, variant } from '../core/evidence/dnssec-fixtures.js';
import { makeSignedFixtures, type SignedFixtures } from '../core/evidence/signed-fixtures.js';
import { VECTORS_DIR } from '../../support/vectors.js';

let fx: SignedFixtures;
let bad: string;

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    stdoutBytes: () => {
      throw new Error('verify prints text only');
    },
  });
  return { code, out, err };
}

beforeAll(() => {
  fx = makeSignedFixtures();
  bad = mkdtempSync(join(tmpdir(), 'kw-verify-cli-'));
  writeFileSync(join(bad, 'trailing.der'), Buffer.concat([Buffer.from(fx.read('root.der')), Buffer.from([0])]));
  writeFileSync(join(bad, 'huge.der'), Buffer.alloc(1024 * 1024 + 1, 0x30));
  writeFileSync(join(bad, 'empty.pem'), '');
});

describe('keywitness verify', () => {
  it('exits 0 when every signature verifies, and says what signed each', async () => {
    const r = await run(
      'verify',
      fx.path('chain.pem'),
      fx.path('root.crl'),
      fx.path('leaf.csr'),
      '--issuer',
      fx.path('root.pem'),
    );
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toContain(
      '  VALID: certificate "CN=sub.example"\n    signed by: "CN=Verify Issuing CA,O=Example" (this file, block 2)',
    );
    expect(r.out).toContain('  VALID: CRL of "CN=Verify Root,O=Example" number 1 (1 revoked)');
    expect(r.out).toContain(`    signed by: "CN=Verify Root,O=Example" (${fx.path('root.pem')})`);
    expect(r.out).toContain('    signed by: its own key (proof of possession, RFC 2986 §3)');
    expect(r.out).toMatch(/\n5 signatures: 5 valid, 0 invalid, 0 unsupported \(at \d{4}-/);
  });

  it('exits 1 when a signature fails, and 1 when one cannot be checked', async () => {
    const failed = await run('verify', fx.path('sub-by-impostor.pem'), '--issuer', fx.path('root.pem'));
    expect(failed.code).toBe(1);
    expect(failed.out).toContain('  INVALID: certificate "CN=sub.example"');
    const unchecked = await run('verify', fx.path('sub.pem'));
    expect(unchecked.code).toBe(1);
    expect(unchecked.out).toContain('  UNSUPPORTED: certificate "CN=sub.example"');
    expect(unchecked.out).toContain('1 signature: 0 valid, 0 invalid, 1 unsupported');
  });

  it('exits 2 for unreadable input, naming the file and the problem', async () => {
    const cases: [string, RegExp][] = [
      [
        join(bad, 'trailing.der'),
        /trailing\.der: ERROR EVIDENCE_INVALID: .*trailing\.der: 1 trailing bytes after the DER element/,
      ],
      [join(bad, 'huge.der'), /huge\.der: ERROR INPUT_TOO_LARGE: .*1048577 bytes/],
      [join(bad, 'empty.pem'), /empty\.pem: ERROR EVIDENCE_INVALID: .*empty input/],
      [join(bad, 'missing.pem'), /missing\.pem: ERROR (IO_FAILED|NOT_FOUND): .*no such file/],
    ];
    for (const [file, message] of cases) {
      const r = await run('verify', fx.path('root.pem'), file);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.out).toContain('VALID: certificate "CN=Verify Root,O=Example"');
    }
  });

  it('exits 2 for a bad --issuer file and for bad arguments', async () => {
    const issuer = await run('verify', fx.path('root.pem'), '--issuer', fx.path('root.crl'));
    expect(issuer.code).toBe(2);
    expect(issuer.err).toMatch(
      /^keywitness verify: EVIDENCE_INVALID: .*root\.crl: an --issuer file must hold certificates; this one holds a crl\n$/,
    );
    expect((await run('verify')).err).toMatch(/no file given; usage: keywitness verify FILE/);
    expect((await run('verify', fx.path('root.pem'), '--at', 'yesterday')).err).toMatch(
      /--at "yesterday" is not a UTC time such as 2026-10-30/,
    );
    expect((await run('verify', fx.path('root.pem'), '--frobnicate')).code).toBe(2);
  });

  it('--at judges validity windows at that time', async () => {
    const r = await run('verify', fx.path('root.crl'), '--issuer', fx.path('root.pem'), '--at', '2001-01-01');
    expect(r.code).toBe(0);
    expect(r.out).toContain('(NOT current)');
    expect(r.out).toContain('note: not current at 2001-01-01T00:00:00.000Z');
  });

  it('--json prints every check with its window, and the errors', async () => {
    const r = await run(
      'verify',
      fx.path('ocsp-delegated.der'),
      join(bad, 'trailing.der'),
      '--issuer',
      fx.path('root.pem'),
      '--json',
    );
    expect(r.code).toBe(2);
    const json = JSON.parse(r.out) as {
      format: string;
      files: {
        file: string;
        ok: boolean;
        kinds?: string[];
        checks?: { status: string; window: unknown }[];
        error?: { code: string };
      }[];
      summary: unknown;
    };
    expect(json.format).toBe('keywitness-verify/1');
    expect(json.files[0]).toMatchObject({ ok: true, kinds: ['ocsp-response'] });
    expect(json.files[0]?.checks?.map((c) => c.status)).toEqual(['valid', 'valid']);
    expect(json.files[0]?.checks?.[0]?.window).toMatchObject({ current: true, from: expect.stringMatching(/Z$/) });
    expect(json.files[1]).toMatchObject({ ok: false, error: { code: 'EVIDENCE_INVALID' } });
    expect(json.summary).toEqual({ valid: 2, invalid: 0, unsupported: 0 });
  });

  it('verifies a signed zone and its DS link: 0, 1 for a changed record, 2 for a broken file', async () => {
    const zone = signWithLdns('ECDSAP256SHA256');
    const ok = await run('verify', zone.signed, '--issuer', zone.ds);
    expect([ok.code, ok.err]).toEqual([0, '']);
    expect(ok.out).toMatch(
      /VALID: RRSIG over example\.org\. DNSKEY \(ECDSAP256SHA256, key tag \d+\)\n {4}signed by: DNSKEY \d+ \(ECDSAP256SHA256, KSK, 256 bits, line \d+\)/,
    );
    expect(ok.out).toContain('  VALID: chain of trust into example.org.');
    const changed = variant(zone, 'changed', (t) => t.replace('192.0.2.60', '192.0.2.61'));
    const bad = await run('verify', changed, '--json');
    expect(bad.code).toBe(1);
    const json = JSON.parse(bad.out) as {
      files: { kinds: string[]; dnssec: { apex: string }; checks: { object: string; status: string }[] }[];
    };
    expect(json.files[0]?.kinds).toEqual(['dnssec-zone']);
    expect(json.files[0]?.dnssec.apex).toBe('example.org.');
    expect(json.files[0]?.checks.filter((c) => c.status !== 'valid').map((c) => c.object)).toEqual([
      'RRSIG over sip.example.org. A (ECDSAP256SHA256, key tag ' + String(zone.zskTag) + ')',
    ]);
    const broken = variant(zone, 'broken', (t) => `${t}oops.example.org. IN A 300.1.1.1\n`);
    const r = await run('verify', broken);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /broken: ERROR EVIDENCE_INVALID: .*broken line \d+: A: "300\.1\.1\.1" is not an IPv4 address/,
    );
  });

  it('verifies a YubiHSM 2 key attestation against its device certificate and prints what it attests', async () => {
    const dir = join(VECTORS_DIR, 'attestation', 'yubihsm2-psf-2020', '0013200460');
    const text = await run(
      'verify',
      join(dir, '0013200460_root_attestation.der'),
      '--issuer',
      join(dir, '0013200460_cert.der'),
    );
    expect(text.code).toBe(0);
    expect(text.out).toContain('  VALID: key attestation "CN=YubiHSM Attestation id:0x0003"');
    expect(text.out).toContain(
      'note: YubiHSM 2 serial 13200460 (firmware 2.1.2) attests object 0x0003; label "tuf-root"; origin generated;',
    );
    const json = await run(
      'verify',
      join(dir, '0013200460_root_attestation.der'),
      '--issuer',
      join(dir, '0013200460_cert.der'),
      '--json',
    );
    const parsed = JSON.parse(json.out) as { files: { attestations: unknown[] }[] };
    expect(parsed.files[0]?.attestations).toEqual([
      expect.objectContaining({
        serial: 13200460,
        label: 'tuf-root',
        origin: { value: 1, text: 'generated', generatedOnDevice: true },
        key: { algorithm: 'ECDSA', size: 384, curve: 'P-384', spkiSha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      }),
    ]);
    const other = join(VECTORS_DIR, 'attestation', 'yubihsm2-psf-2020', '0013200461', '0013200461_cert.der');
    const wrong = await run('verify', join(dir, '0013200460_root_attestation.der'), '--issuer', other);
    expect(wrong.code).toBe(1);
    expect(wrong.out).toContain('  INVALID: key attestation "CN=YubiHSM Attestation id:0x0003"');
  });

  it('lints each certificate without changing the exit code', async () => {
    const r = await run('verify', fx.path('chain.pem'));
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      '    lint warning SERIAL_SHORT: the serial number has 10 bits; at least 64 bits of CSPRNG output are expected',
    );
    expect(r.out).toContain('    lint notice ROOT_NO_AUTHORITY_KEY_IDENTIFIER: a root without authorityKeyIdentifier');
    const json = JSON.parse((await run('verify', fx.path('chain.pem'), '--json')).out) as {
      files: { checks: { lints: { code: string; severity: string }[] }[] }[];
    };
    expect(json.files[0]?.checks.map((c) => c.lints.map((l) => `${l.severity} ${l.code}`))).toEqual([
      ['warning SERIAL_SHORT'],
      ['warning SERIAL_SHORT'],
      ['notice ROOT_NO_AUTHORITY_KEY_IDENTIFIER'],
    ]);
  });

  it('is listed in the help', async () => {
    const r = await run('help');
    expect(r.out).toContain('keywitness verify FILE... [--issuer FILE]... [--at TIME] [--json]');
  });
});
