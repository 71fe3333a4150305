/**
 * The sample ceremony scripts of assets/ceremonies, with what a rehearsal of each needs: which
 * committed evidence file is imported as which evidence id, where the values typed without a
 * pinned `expect` come from, and who takes part. The tests play, check and regenerate every
 * sample from this table; a script added to assets/ceremonies without an entry here fails them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CheckResult, EvidenceItem } from '../../../src/core/checks.js';
import { checkEvidence } from '../../../src/core/evidence/checks.js';
import { parseScript } from '../../../src/core/script/parse.js';
import type { Script } from '../../../src/core/script/types.js';
import type { SimulatedParticipant, SimulatedStep } from '../../../src/core/session/simulate.js';
import { fromUtf8, utf8 } from '../../../src/core/util/bytes.js';

export const CEREMONIES_DIR = fileURLToPath(new URL('../../../assets/ceremonies/', import.meta.url));

export interface SampleCeremony {
  /** Script file name in assets/ceremonies. */
  readonly script: string;
  /** Folder (in assets/ceremonies) of the evidence files; holds make-evidence.sh when `ownEvidence`. */
  readonly evidenceDir: string;
  /** The folder's files are this script's own, made by its make-evidence.sh. */
  readonly ownEvidence: boolean;
  /** Evidence id → file name in the evidence folder. */
  readonly evidence: Readonly<Record<string, string>>;
  /** `step/input` → fingerprint file (`sha256 Fingerprint=…`) the typed value is read from. */
  readonly fingerprints: Readonly<Record<string, string>>;
  readonly participants: readonly SimulatedParticipant[];
}

const people = (extra: readonly SimulatedParticipant[]): SimulatedParticipant[] => [
  { name: 'Wanda Okafor', role: 'witness' },
  { name: 'Walter Lindqvist', role: 'witness', alg: 'p256' },
  { name: 'Carol Mbeki', role: 'custodian' },
  { name: 'Chris Tanaka', role: 'custodian' },
  { name: 'Cathy Novak', role: 'custodian', alg: 'p256' },
  ...extra,
  { name: 'Arjun Rao', role: 'auditor' },
];

export const SAMPLES: readonly SampleCeremony[] = [
  {
    script: 'minimal.yaml',
    // Its one evidence item is `softhsm2-util --show-slots` output; the root rehearsal's serves.
    evidenceDir: 'root-ca-rehearsal',
    ownEvidence: false,
    evidence: { slots: '2.2-show-slots.txt' },
    fingerprints: {},
    participants: [{ name: 'Wanda Okafor', role: 'witness' }],
  },
  {
    script: 'root-ca-rehearsal.yaml',
    evidenceDir: 'root-ca-rehearsal',
    ownEvidence: true,
    evidence: {
      token_init: '2.2-show-slots.txt',
      token_empty: '3.1-list-objects.txt',
      keygen: '3.2-keypairgen.txt',
      root_pub: 'root-ca-p384.pub.pem',
      root: 'root-ca.pem',
      backup_archive: '5.1-backup.txt',
      backup_check: '5.2-restore-check.txt',
    },
    fingerprints: { '4.2/fingerprint': '4.2-fingerprint.txt' },
    participants: people([]),
  },
  {
    script: 'intermediate-ca-signing.yaml',
    evidenceDir: 'intermediate-ca-signing',
    ownEvidence: true,
    evidence: {
      backup_check: '2.2-backup-check.txt',
      token_restored: '2.3-show-slots.txt',
      root_cert: 'root-ca.pem',
      token_objects: '2.5-list-objects.txt',
      csr: 'issuing-ca-g1.csr.pem',
      ica: 'issuing-ca-g1.pem',
      chain: 'issuing-ca-g1-chain.pem',
      openssl_verify: '3.3-verify.txt',
      token_erased: '5.1-erased.txt',
    },
    fingerprints: { '4.1/fingerprint': '4.1-fingerprint.txt' },
    participants: people([{ name: 'Rosa Delgado', role: 'requester' }]),
  },
  {
    script: 'dnssec-ksk-signing.yaml',
    evidenceDir: 'dnssec-ksk-signing',
    ownEvidence: true,
    evidence: {
      backup_check: '2.2-backup-check.txt',
      token_restored: '2.3-show-slots.txt',
      token_objects: '2.4-list-objects.txt',
      ksk_pub: 'ksk.pub.pem',
      ksk_dnskey: 'ksk.dnskey',
      ksr: 'example-ksr.dnskey',
      skr: 'example-skr.txt',
      ds_record: 'ksk.ds',
      zone_verify: '3.4-verify.txt',
      token_erased: '5.1-erased.txt',
    },
    fingerprints: {},
    participants: people([{ name: 'Olu Adeyemi', role: 'operator' }]),
  },
];

/** Files in an own evidence folder that are not evidence. */
export const TOOLING_FILES = ['make-evidence.sh', 'expected-values.yaml'];

export function scriptPath(sample: SampleCeremony): string {
  return `${CEREMONIES_DIR}${sample.script}`;
}

export function evidencePath(sample: SampleCeremony, dir = `${CEREMONIES_DIR}${sample.evidenceDir}`): string {
  return dir.endsWith('/') ? dir : `${dir}/`;
}

/** The script's bytes, with `expected-values.yaml` lines (from a fresh run) replacing the same names' lines. */
export function scriptBytesWith(sample: SampleCeremony, expectedValues?: string): Uint8Array {
  let text = readFileSync(scriptPath(sample), 'utf8');
  for (const line of (expectedValues ?? '').split('\n').filter((l) => l.trim() !== '')) {
    const name = /^ {2}([a-z0-9_]+): "[^"]*"$/.exec(line)?.[1];
    if (!name) throw new Error(`not an expected-values line: ${JSON.stringify(line)}`);
    const pattern = new RegExp(`^ {2}${name}: .*$`, 'm');
    if (!pattern.test(text)) throw new Error(`${sample.script} has no expected value "${name}"`);
    text = text.replace(pattern, line);
  }
  return utf8(text);
}

/** The fingerprint as OpenSSL printed it: the text after `=` of `sha256 Fingerprint=…`. */
export function fingerprintFrom(bytes: Uint8Array): string {
  const m = /^sha256 Fingerprint=((?:[0-9A-F]{2}:){31}[0-9A-F]{2})\s*$/.exec(fromUtf8(bytes));
  if (!m) throw new Error('not an `openssl x509 -fingerprint -sha256` line');
  return m[1]!;
}

export interface LoadedSample {
  readonly script: Script;
  readonly scriptBytes: Uint8Array;
  readonly files: ReadonlyMap<string, Uint8Array>;
  readonly steps: Record<string, SimulatedStep>;
}

/** Parse the script and read every evidence file, building each step's typed inputs and evidence. */
export function loadSample(
  sample: SampleCeremony,
  options: { readonly dir?: string; readonly scriptBytes?: Uint8Array } = {},
): LoadedSample {
  const scriptBytes = options.scriptBytes ?? scriptBytesWith(sample);
  const script = parseScript(scriptBytes);
  const dir = evidencePath(sample, options.dir);
  const files = new Map(
    Object.entries(sample.evidence).map(([id, file]) => [id, new Uint8Array(readFileSync(dir + file))] as const),
  );
  const steps: Record<string, SimulatedStep> = {};
  for (const step of script.steps) {
    const inputs: Record<string, string> = {};
    for (const input of step.inputs) {
      const file = sample.fingerprints[`${step.id}/${input.id}`];
      if (input.expect) inputs[input.id] = input.expect.value;
      else if (file) inputs[input.id] = fingerprintFrom(new Uint8Array(readFileSync(dir + file)));
      else throw new Error(`${sample.script}: no value for input ${step.id}/${input.id}`);
    }
    const evidence = step.evidence.map((e) => {
      const bytes = files.get(e.id);
      if (!bytes) throw new Error(`${sample.script}: no evidence file for ${step.id}/${e.id}`);
      return { id: e.id, name: sample.evidence[e.id]!, bytes };
    });
    steps[step.id] = { inputs, evidence };
  }
  return { script, scriptBytes, files, steps };
}

/** Run every declared check of every evidence item in script order, as the coordinator would. */
export async function checkAll(script: Script, files: ReadonlyMap<string, Uint8Array>): Promise<CheckResult[]> {
  const all = new Map<string, EvidenceItem>();
  const results: CheckResult[] = [];
  for (const step of script.steps) {
    for (const spec of step.evidence) {
      const bytes = files.get(spec.id);
      if (!bytes) throw new Error(`no evidence bytes for ${spec.id}`);
      const item = { spec, bytes };
      all.set(spec.id, item);
      results.push(...(await checkEvidence(item, all)));
    }
  }
  return results;
}

/** Check ids that did not pass, with what was expected and seen, for readable failures. */
export function failures(results: readonly CheckResult[]): string[] {
  return results.filter((r) => !r.ok).map((r) => `${r.id}: expected ${r.expected}; observed ${r.observed}`);
}
