/**
 * Each sample's make-evidence.sh, run for real (SoftHSM2, OpenSC, OpenSSL's pkcs11 engine, ldns)
 * into a fresh folder, must produce evidence that passes its script.
 *
 * What is reproducible and what is not: the signing samples pin in `expected` values that come
 * from random keys made before the ceremony (token serial, archive and certificate hashes, key
 * tags, DS digests), and a fresh run makes new keys, so its evidence cannot match the committed
 * values. The script therefore writes expected-values.yaml, and the tests check two things:
 * (1) with the fresh run's values pinned in place of the committed ones, every check of the
 * script passes and the ceremony plays and audits clean; (2) with the committed script as it
 * is, every check that does not depend on those values passes, and every check pinned to a
 * hash or serial fails (a fresh key cannot collide with the committed one), which shows the
 * pins are live. Key tags are 16 bits, so whether a fresh key tag differs is not asserted.
 * The root rehearsal pins nothing random: its fresh evidence must pass its script unchanged.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { main } from '../../../src/cli/main.js';
import { auditBundle } from '../../../src/core/audit/audit.js';
import { checkEvidence } from '../../../src/core/evidence/checks.js';
import { parseDnssec } from '../../../src/core/evidence/dnssec.js';
import { simulateCeremony } from '../../../src/core/session/simulate.js';
import { utf8 } from '../../../src/core/util/bytes.js';
import { installCryptoEngine } from '../../../src/node/crypto-engine.js';
import {
  CEREMONIES_DIR,
  SAMPLES,
  checkAll,
  failures,
  loadSample,
  scriptBytesWith,
  scriptPath,
  type SampleCeremony,
} from './sample-ceremonies.js';
import { missingTool } from '../../support/tools.js';

const haveSofthsm = spawnSync('sh', ['-c', 'command -v softhsm2-util']).status === 0;
if (!haveSofthsm)
  console.warn('SKIPPING make-evidence.sh runs: softhsm2-util is not on PATH (Debian package softhsm2)');

const OWN = SAMPLES.filter((s) => s.ownEvidence);
const PAIRED = OWN.filter((s) => s.script !== 'root-ca-rehearsal.yaml');

interface Run {
  readonly dir: string;
  /** The run's expected-values.yaml, or undefined when the script pins nothing random. */
  readonly values: string | undefined;
}

/** Names in expected-values.yaml. */
function valueNames(values: string): string[] {
  return values.split('\n').flatMap((l) => /^ {2}([a-z0-9_]+): /.exec(l)?.[1] ?? []);
}

/**
 * Check ids whose expectation refers to one of `names` (`$expected.name`). Keys that yield one
 * result per list item (present, absent, ds) are resolved to the item's own check id.
 */
function pinnedChecks(sample: SampleCeremony, names: readonly string[]): Set<string> {
  const doc = parseYaml(readFileSync(scriptPath(sample), 'utf8')) as {
    steps: { evidence?: { id: string; expect?: Record<string, unknown> }[] }[];
  };
  const refers = (v: unknown): boolean => names.some((n) => JSON.stringify(v).includes(`"$expected.${n}"`));
  const out = new Set<string>();
  for (const e of doc.steps.flatMap((s) => s.evidence ?? [])) {
    for (const [key, value] of Object.entries(e.expect ?? {})) {
      if (['present', 'absent', 'ds'].includes(key) && Array.isArray(value) && value.length > 1) {
        value.forEach((v, i) => refers(v) && out.add(`${e.id}.${key}[${i}]`));
      } else if (refers(value)) out.add(`${e.id}.${key}`);
    }
  }
  return out;
}

describe.skipIf(missingTool(haveSofthsm, 'softhsm2'))('make-evidence.sh, run for real into a fresh folder', () => {
  const runs = new Map<string, Run>();

  beforeAll(() => {
    installCryptoEngine();
    for (const s of OWN) {
      const dir = mkdtempSync(join(tmpdir(), `kw-${s.evidenceDir}-`));
      const r = spawnSync('bash', [join(CEREMONIES_DIR, s.evidenceDir, 'make-evidence.sh'), dir], { encoding: 'utf8' });
      if (r.status !== 0)
        throw new Error(`${s.evidenceDir}/make-evidence.sh failed (${r.status}): ${r.stderr}${r.stdout}`);
      const values = PAIRED.includes(s) ? readFileSync(join(dir, 'expected-values.yaml'), 'utf8') : undefined;
      runs.set(s.script, { dir, values });
    }
  }, 180_000);
  afterAll(() => {
    for (const r of runs.values()) rmSync(r.dir, { recursive: true, force: true });
  });

  const run = (s: SampleCeremony): Run => runs.get(s.script)!;
  const fresh = (s: SampleCeremony) =>
    loadSample(s, { dir: run(s).dir, scriptBytes: scriptBytesWith(s, run(s).values) });

  it.each(PAIRED)('$script: the run emits a value for every name it pins, and nothing else', (s) => {
    const names = valueNames(run(s).values!);
    const committed = valueNames(readFileSync(join(CEREMONIES_DIR, s.evidenceDir, 'expected-values.yaml'), 'utf8'));
    expect(names.length).toBeGreaterThan(0);
    expect(names).toEqual(committed);
  });

  it.each(OWN)(
    "$script: every declared check passes on the fresh evidence, with the run's own values pinned",
    async (s) => {
      const { script, files } = fresh(s);
      const results = await checkAll(script, files);
      expect(failures(results)).toEqual([]);
      expect(results.length).toBeGreaterThan(files.size);
    },
  );

  it.each(OWN)(
    '$script: with the committed script, exactly the checks pinned to the committed keys can fail',
    async (s) => {
      const { script, files } = loadSample(s, { dir: run(s).dir });
      const failed = new Set((await checkAll(script, files)).filter((r) => !r.ok).map((r) => r.id));
      const names = run(s).values ? valueNames(run(s).values!) : [];
      const pinned = pinnedChecks(s, names);
      expect([...failed].filter((id) => !pinned.has(id))).toEqual([]);
      // Hashes, digests and token serials of fresh keys never equal the committed ones.
      const surely = pinnedChecks(
        s,
        names.filter((n) => !/key_tag/.test(n)),
      );
      expect([...surely].filter((id) => !failed.has(id))).toEqual([]);
      if (PAIRED.includes(s)) expect(surely.size).toBeGreaterThan(2);
    },
  );

  it.each(OWN)(
    "$script: keywitness rehearse from the fresh evidence folder, with the run's own values pinned, audits clean",
    async (s) => {
      const dir = mkdtempSync(join(tmpdir(), 'kw-rehearse-'));
      try {
        const script = join(dir, s.script);
        writeFileSync(script, scriptBytesWith(s, run(s).values));
        const out = join(dir, 'out');
        const args = ['rehearse', script, '--evidence', run(s).dir, '--out', out];
        if (s.answers) args.push('--inputs', join(run(s).dir, s.answers));
        let stdout = '';
        let stderr = '';
        const code = await main(args, {
          stdout: (t) => void (stdout += t),
          stderr: (t) => void (stderr += t),
          stdoutBytes: () => undefined,
        });
        expect(stderr).toBe('');
        expect(code, stdout).toBe(0);
        expect(stdout).toMatch(/Pre-check: \d+ checks, 0 failed; 0 missing; 0 other problems\./);
        expect(stdout).toContain('Consistent: 0 findings.');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it.each(OWN)('$script: plays end to end with the fresh evidence and audits with zero findings', async (s) => {
    const { script, scriptBytes, steps } = fresh(s);
    const result = await simulateCeremony({
      script,
      scriptBytes,
      coordinatorName: 'Ada Lovelace',
      participants: s.participants,
      steps,
      checker: checkEvidence,
    });
    expect((await auditBundle(result.bundle, result.receipts, { checker: checkEvidence })).findings).toEqual([]);
  });

  describe('DNSSEC: ldns and Keywitness agree, and a bad signature is caught', () => {
    const dns = SAMPLES.find((s) => s.script === 'dnssec-ksk-signing.yaml')!;
    const file = (name: string): string => readFileSync(join(run(dns).dir, name), 'utf8');

    it('the fresh DS and key tags that ldns printed are the ones Keywitness computes', () => {
      const [ksk] = parseDnssec(utf8(file('3.1/ksk_dnskey.dnskey')), 'ksk_dnskey').keys;
      const ds = /^\S+\s+\d+\s+IN\s+DS\s+(\d+) 13 2 ([0-9a-f]{64})\s*$/.exec(file('3.4/ds_record.txt'));
      expect([Number(ds?.[1]), ds?.[2]?.toUpperCase()]).toEqual([ksk!.keyTag, ksk!.ds[2]]);
      const skr = file('3.3/skr.txt');
      const ldnsTags = skr
        .split('\n')
        .filter((l) => /\sIN\s+DNSKEY\s/.test(l))
        .map((l) => Number(/;\{id = (\d+) /.exec(l)?.[1]));
      expect(parseDnssec(utf8(skr), 'skr').keys.map((k) => k.keyTag)).toEqual(ldnsTags);
      expect(ldnsTags).toContain(ksk!.keyTag);
    });

    /** The signed zone as ldns-verify-zone -V 5 printed it, verified again after `edit`. */
    async function reverify(edit: (zone: string) => string, anchor = '3.4/ds_record.txt'): Promise<string[]> {
      const zone =
        file('3.4/zone_verify.txt')
          .split('\n')
          .filter((l) => l.startsWith('example.\t'))
          .join('\n') + '\n';
      const path = join(run(dns).dir, 'reverify.zone');
      writeFileSync(path, edit(zone));
      const r = spawnSync(
        'ldns-verify-zone',
        ['-V', '5', '-k', join(run(dns).dir, anchor), '-t', '20261201000000', path],
        { encoding: 'utf8' },
      );
      const { script } = fresh(dns);
      const spec = script.steps.flatMap((st) => st.evidence).find((e) => e.id === 'zone_verify')!;
      const results = await checkEvidence({ spec, bytes: utf8(r.stdout + r.stderr) }, new Map());
      return results.filter((c) => !c.ok).map((c) => c.id);
    }

    it('the verifier output, reproduced from the zone it printed, passes', async () => {
      expect(await reverify((z) => z)).toEqual([]);
    });

    it('an altered DNSKEY signature fails the verification checks', async () => {
      const flipped = (z: string): string =>
        z.replace(
          /(\tRRSIG\tDNSKEY 13 .* )(\S)(\S+)$/m,
          (_, head: string, c: string, rest: string) => `${head}${c === 'A' ? 'B' : 'A'}${rest}`,
        );
      expect(flipped(file('3.4/zone_verify.txt'))).not.toBe(file('3.4/zone_verify.txt'));
      expect(await reverify(flipped)).toEqual([
        'zone_verify.present[0]',
        'zone_verify.absent[0]',
        'zone_verify.absent[1]',
      ]);
    });

    it('a DS of another key as the trust anchor fails the verification checks', async () => {
      const other = join(run(dns).dir, 'other.ds');
      writeFileSync(other, readFileSync(join(CEREMONIES_DIR, dns.evidenceDir, dns.evidence.ds_record!)));
      expect(await reverify((z) => z, 'other.ds')).toEqual([
        'zone_verify.present[0]',
        'zone_verify.absent[0]',
        'zone_verify.absent[1]',
      ]);
    });
  });

  it('intermediate CA: OpenSSL rejects the fresh certificate against another root of the same name, and so does the script', async () => {
    const ica = SAMPLES.find((s) => s.script === 'intermediate-ca-signing.yaml')!;
    const root = join(CEREMONIES_DIR, 'root-ca-rehearsal', '4.1', 'root.pem');
    // As the script runs it, on the export stick's file name (its output names the file).
    const stick = mkdtempSync(join(tmpdir(), 'kw-export-'));
    copyFileSync(join(run(ica).dir, ica.evidence.ica!), join(stick, 'issuing-ca-g1.pem'));
    const r = spawnSync('openssl', ['verify', '-x509_strict', '-CAfile', root, 'issuing-ca-g1.pem'], {
      cwd: stick,
      encoding: 'utf8',
    });
    rmSync(stick, { recursive: true, force: true });
    expect(r.status).not.toBe(0);
    const { script } = fresh(ica);
    const spec = script.steps.flatMap((st) => st.evidence).find((e) => e.id === 'openssl_verify')!;
    const results = await checkEvidence({ spec, bytes: utf8(r.stdout + r.stderr) }, new Map());
    expect(results.filter((c) => !c.ok).map((c) => c.id)).toEqual(['openssl_verify.present', 'openssl_verify.absent']);
    // The substitute carries the very name the intermediate was issued under.
    const subject = (f: string): string =>
      execFileSync('openssl', ['x509', '-in', f, '-noout', '-subject'], { encoding: 'utf8' });
    const issuer = execFileSync(
      'openssl',
      ['x509', '-in', join(run(ica).dir, ica.evidence.ica!), '-noout', '-issuer'],
      { encoding: 'utf8' },
    );
    expect(subject(root).replace(/^subject=/, '')).toBe(issuer.replace(/^issuer=/, ''));
  });
});
