/**
 * The sample ceremony scripts in assets/ceremonies, with their committed evidence: every script
 * lints, every committed evidence file passes every check its script declares, each sample plays
 * end to end through simulated devices and audits with zero findings, and substituted or altered
 * evidence fails exactly the checks that pin it. The DNSSEC sample's values are also compared with
 * what ldns printed for the same keys when make-evidence.sh ran.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditBundle } from '../../../src/core/audit/audit.js';
import { checkEvidence } from '../../../src/core/evidence/checks.js';
import { parseDnssec } from '../../../src/core/evidence/dnssec.js';
import { decodePem, encodePem } from '../../../src/core/evidence/pem.js';
import { decodeMessage, isMessageOf } from '../../../src/core/protocol/message.js';
import { EVIDENCE_REFERENCE_KEYS } from '../../../src/core/script/index.js';
import { parseScript } from '../../../src/core/script/parse.js';
import { simulateCeremony } from '../../../src/core/session/simulate.js';
import { fromUtf8, toHex, utf8 } from '../../../src/core/util/bytes.js';
import { installCryptoEngine } from '../../../src/node/crypto-engine.js';
import {
  CEREMONIES_DIR,
  SAMPLES,
  TOOLING_FILES,
  checkAll,
  failures,
  loadSample,
  scriptBytesWith,
  type SampleCeremony,
} from './sample-ceremonies.js';

const sample = (script: string): SampleCeremony => SAMPLES.find((s) => s.script === script)!;
const committed = (s: SampleCeremony, file: string): Uint8Array =>
  new Uint8Array(readFileSync(join(CEREMONIES_DIR, s.evidenceDir, file)));
const text = (s: SampleCeremony, file: string): string => fromUtf8(committed(s, file));
/** The committed evidence file of an evidence id. */
const ev = (s: SampleCeremony, id: string): Uint8Array => committed(s, s.evidence[id]!);
const evText = (s: SampleCeremony, id: string): string => fromUtf8(ev(s, id));

beforeAll(() => {
  installCryptoEngine();
});

describe('the sample scripts', () => {
  it('every script in assets/ceremonies has an entry in the sample table', () => {
    const scripts = readdirSync(CEREMONIES_DIR)
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    expect(scripts).toEqual(SAMPLES.map((s) => s.script).sort());
  });

  it.each(SAMPLES.filter((s) => s.ownEvidence))(
    'every file in $evidenceDir/ is evidence of the script, its answers file or its tooling',
    (s) => {
      const used = new Set([...Object.values(s.evidence), ...(s.answers ? [s.answers] : []), ...TOOLING_FILES]);
      const files = readdirSync(join(CEREMONIES_DIR, s.evidenceDir), { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => join(d.parentPath, d.name).slice(join(CEREMONIES_DIR, s.evidenceDir).length + 1));
      expect(files.filter((f) => !used.has(f))).toEqual([]);
      for (const f of Object.values(s.evidence))
        expect(existsSync(join(CEREMONIES_DIR, s.evidenceDir, f)), f).toBe(true);
    },
  );

  it.each(SAMPLES.filter((s) => s.ownEvidence))(
    '$evidenceDir/ is laid out as <step id>/<evidence id>.<extension>',
    (s) => {
      const script = parseScript(scriptBytesWith(s));
      for (const step of script.steps)
        for (const e of step.evidence)
          expect(s.evidence[e.id]?.startsWith(`${step.id}/${e.id}.`), `${e.id}: ${s.evidence[e.id]}`).toBe(true);
    },
  );

  it.each(SAMPLES)('$script lints', (s) => {
    const script = parseScript(new Uint8Array(readFileSync(join(CEREMONIES_DIR, s.script))));
    expect(script.steps.length).toBeGreaterThan(0);
    expect(Object.keys(s.evidence).sort()).toEqual(script.steps.flatMap((st) => st.evidence.map((e) => e.id)).sort());
  });

  // A participant's device recomputes a cross-evidence check (spki_equals, signed_by…) only with
  // evidence it received itself, i.e. in a step its role acknowledged with recompute.
  it.each(SAMPLES)('$script: every role that recomputes a step has seen the evidence its checks refer to', (s) => {
    const script = parseScript(scriptBytesWith(s));
    const stepOf = new Map(script.steps.flatMap((st) => st.evidence.map((e) => [e.id, st] as const)));
    const gaps: string[] = [];
    for (const step of script.steps.filter((st) => st.acks.recompute)) {
      for (const e of step.evidence) {
        for (const key of EVIDENCE_REFERENCE_KEYS.filter((k) => Object.hasOwn(e.expect, k))) {
          const source = stepOf.get(String(e.expect[key]))!;
          if (source === step) continue;
          const unseen = step.acks.roles.filter((r) => !source.acks.recompute || !source.acks.roles.includes(r));
          if (unseen.length) gaps.push(`${step.id} ${e.id}.${key} → ${source.id}: not seen by ${unseen.join(', ')}`);
        }
      }
    }
    expect(gaps).toEqual([]);
  });

  it('no two samples share a script id', () => {
    const ids = SAMPLES.map((s) => parseScript(scriptBytesWith(s)).id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  const paired = SAMPLES.filter(
    (s) => s.ownEvidence && existsSync(join(CEREMONIES_DIR, s.evidenceDir, 'expected-values.yaml')),
  );
  it('the signing samples commit the expected values their make-evidence.sh emitted', () => {
    expect(paired.map((s) => s.script).sort()).toEqual(['dnssec-ksk-signing.yaml', 'intermediate-ca-signing.yaml']);
  });

  it.each(paired)('$script holds every line of $evidenceDir/expected-values.yaml', (s) => {
    const script = readFileSync(join(CEREMONIES_DIR, s.script), 'utf8').split('\n');
    const lines = text(s, 'expected-values.yaml')
      .split('\n')
      .filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(script, line).toContain(line);
  });
});

describe('committed evidence', () => {
  it.each(SAMPLES)('$script: every declared check passes on the committed evidence', async (s) => {
    const { script, files } = loadSample(s);
    const results = await checkAll(script, files);
    expect(failures(results)).toEqual([]);
    // Every declared expectation produced at least one result, so none was silently skipped.
    for (const step of script.steps) {
      for (const e of step.evidence) {
        for (const key of Object.keys(e.expect)) {
          expect(
            results.some(
              (r) =>
                r.id === `${e.id}.${key}` || r.id.startsWith(`${e.id}.${key}.`) || r.id.startsWith(`${e.id}.${key}[`),
            ),
            `${e.id}.${key}`,
          ).toBe(true);
        }
      }
    }
  });

  it.each(SAMPLES)('$script plays end to end and audits with zero findings', async (s) => {
    const { script, scriptBytes, steps } = loadSample(s);
    const result = await simulateCeremony({
      script,
      scriptBytes,
      coordinatorName: 'Ada Lovelace',
      participants: s.participants,
      steps,
      checker: checkEvidence,
    });
    const report = await auditBundle(result.bundle, result.receipts, { checker: checkEvidence });
    expect(report.findings).toEqual([]);
    const messages = result.bundle.transcript.map((w) => decodeMessage(w));
    // Nothing was excepted: every step completed on its own checks and confirmations.
    expect(messages.filter((m) => m.envelope.t === 'exception')).toHaveLength(0);
    const statements = messages.filter((m) => isMessageOf(m, 'statement'));
    expect(statements).toHaveLength(script.steps.length);
    const checks = statements.flatMap((m) => m.envelope.body.checks);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.length).toBeGreaterThan(script.steps.length);
    expect(result.bundle.evidence.length).toBe(new Set(Object.values(s.evidence)).size);
  });
});

describe('substituted or altered evidence fails exactly the checks that pin it', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kw-samples-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const ica = sample('intermediate-ca-signing.yaml');
  const dns = sample('dnssec-ksk-signing.yaml');
  const root = sample('root-ca-rehearsal.yaml');
  const replaceText = (s: SampleCeremony, id: string, edit: (t: string) => string) => (): Uint8Array => {
    const out = edit(evText(s, id));
    if (out === evText(s, id)) throw new Error(`the edit of ${id} changed nothing`);
    return utf8(out);
  };
  /** The certificate with the last byte of its signature value flipped (still valid DER). */
  const flipSignature = (): Uint8Array => {
    const der = decodePem(evText(ica, 'ica'), ['CERTIFICATE'], 'test')[0]!.der.slice();
    der[der.length - 1]! ^= 0x01;
    return utf8(encodePem('CERTIFICATE', der));
  };
  /** A new request with the same subject and key type, as an attacker who swaps the CSR would make. */
  const otherCsr = (): Uint8Array => {
    const out = join(dir, 'other.csr.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-384',
        '-nodes',
        '-keyout',
        join(dir, 'other.key'),
        '-sha384',
        '-subj',
        '/C=GB/O=Example Trust Services Ltd/CN=Example Issuing CA G1 2026',
        '-out',
        out,
      ],
      { stdio: 'ignore' },
    );
    return new Uint8Array(readFileSync(out));
  };

  const cases: readonly {
    name: string;
    sample: SampleCeremony;
    id: string;
    bytes: () => Uint8Array;
    fails: string[];
  }[] = [
    {
      name: "another root with the same name (the root rehearsal's)",
      sample: ica,
      id: 'root_cert',
      bytes: () => ev(root, 'root'),
      fails: ['root_cert.sha256', 'token_objects.spki_equals', 'ica.signed_by', 'ica.aki_matches'],
    },
    {
      name: 'a swapped CSR with the same subject',
      sample: ica,
      id: 'csr',
      bytes: otherCsr,
      fails: ['csr.sha256', 'ica.spki_equals'],
    },
    {
      name: 'a certificate whose signature was altered',
      sample: ica,
      id: 'ica',
      bytes: flipSignature,
      fails: ['ica.signed_by'],
    },
    {
      name: 'another token with the same label',
      sample: ica,
      id: 'token_restored',
      bytes: () => ev(root, 'token_init'),
      fails: ['token_restored.serial'],
    },
    {
      name: 'another backup archive',
      sample: ica,
      id: 'backup_check',
      bytes: () => ev(root, 'backup_archive'),
      fails: ['backup_check.present[0]'],
    },
    {
      name: 'a token erase that left the token',
      sample: ica,
      id: 'token_erased',
      bytes: () => ev(ica, 'token_restored'),
      fails: ['token_erased.absent[0]', 'token_erased.absent[1]'],
    },
    {
      name: 'the KSK published as a ZSK (flags 256)',
      sample: dns,
      id: 'ksk_dnskey',
      bytes: replaceText(dns, 'ksk_dnskey', (t) => t.replace(' 257 3 13 ', ' 256 3 13 ')),
      fails: ['ksk_dnskey.flags', 'ksk_dnskey.key_tags', 'ksk_dnskey.ds'],
    },
    {
      name: 'the KSK under another owner name',
      sample: dns,
      id: 'ksk_dnskey',
      bytes: replaceText(dns, 'ksk_dnskey', (t) => t.replace(/^example\. /, 'example.com. ')),
      fails: ['ksk_dnskey.owner', 'ksk_dnskey.ds'],
    },
    {
      name: 'a key signing request missing a ZSK',
      sample: dns,
      id: 'ksr',
      bytes: replaceText(dns, 'ksr', (t) => t.split('\n').slice(1).join('\n')),
      fails: ['ksr.sha256', 'ksr.key_tags'],
    },
    {
      name: 'a signed RRset without the KSK',
      sample: dns,
      id: 'skr',
      bytes: replaceText(dns, 'skr', (t) =>
        t
          .split('\n')
          .filter((l) => !/\sDNSKEY\s+257 /.test(l))
          .join('\n'),
      ),
      fails: ['skr.key_tags', 'skr.ds', 'skr.signatures'],
    },
    {
      name: "another token's key listing (the P-384 root)",
      sample: dns,
      id: 'token_objects',
      bytes: () => ev(ica, 'token_objects'),
      fails: [
        'token_objects.label',
        'token_objects.key_type',
        'token_objects.curve',
        'token_objects.id',
        'token_objects.spki_sha256',
        'token_objects.present',
        'token_objects.object.local',
        'token_objects.object.sensitive',
        'token_objects.object.extractable',
        'token_objects.object.never_extractable',
        'ksk_pub.spki_equals',
      ],
    },
    {
      name: 'a key listing whose private key is extractable',
      sample: dns,
      id: 'token_objects',
      bytes: replaceText(dns, 'token_objects', (t) =>
        t.replace('always sensitive, never extractable', 'always sensitive, extractable'),
      ),
      fails: ['token_objects.object.extractable', 'token_objects.object.never_extractable'],
    },
    {
      name: 'a DS record of another key',
      sample: dns,
      id: 'ds_record',
      bytes: replaceText(dns, 'ds_record', (t) =>
        t.replace(/ 13 2 ([0-9a-f])/, (_, c: string) => ` 13 2 ${c === '0' ? '1' : '0'}`),
      ),
      fails: ['ds_record.present[1]'],
    },
  ];

  it.each(cases)('$sample.script, $id: $name', async (c) => {
    const { script, files } = loadSample(c.sample);
    const altered = new Map(files).set(c.id, c.bytes());
    const failed = (await checkAll(script, altered)).filter((r) => !r.ok).map((r) => r.id);
    expect(failed.sort()).toEqual([...c.fails].sort());
  });
});

describe('the DNSSEC sample agrees with ldns', () => {
  const dns = sample('dnssec-ksk-signing.yaml');

  it('the DS that ldns-key2ds printed is the one Keywitness derives from the KSK record', () => {
    const [key] = parseDnssec(ev(dns, 'ksk_dnskey'), 'ksk_dnskey').keys;
    const m = /^(\S+)\s+\d+\s+IN\s+DS\s+(\d+) (\d+) 2 ([0-9a-f]{64})\s*$/.exec(evText(dns, 'ds_record'));
    expect(m).not.toBeNull();
    expect([m![1], Number(m![2]), Number(m![3]), m![4]!.toUpperCase()]).toEqual([
      key!.owner,
      key!.keyTag,
      key!.algorithm,
      key!.ds[2],
    ]);
  });

  it('the key tags that ldns-keygen and ldns-signzone printed are the ones Keywitness computes', () => {
    for (const file of ['ksr', 'skr']) {
      const records = evText(dns, file)
        .split('\n')
        .filter((l) => /\sIN\s+DNSKEY\s/.test(l));
      const ldnsTags = records.map((l) => Number(/;\{id = (\d+) /.exec(l)?.[1]));
      const ours = parseDnssec(ev(dns, file), file).keys.map((k) => k.keyTag);
      expect(ours.length).toBe(records.length);
      expect(ours).toEqual(ldnsTags);
    }
  });

  it("the KSK record holds the token's public key: X || Y of the exported P-256 point (RFC 6605 §4)", () => {
    const spki = decodePem(evText(dns, 'ksk_pub'), ['PUBLIC KEY'], 'ksk_pub')[0]!.der;
    const [key] = parseDnssec(ev(dns, 'ksk_dnskey'), 'ksk_dnskey').keys;
    expect(spki.length).toBe(91);
    expect(toHex(key!.publicKey)).toBe(toHex(spki.subarray(spki.length - 64)));
  });
});
