/**
 * The sample ceremony scripts of assets/ceremonies, with what a rehearsal of each needs: which
 * committed evidence file is imported as which evidence id (the folders are laid out as
 * `keywitness rehearse` reads them, `<step id>/<evidence id>.<extension>`), the answers file with
 * the values typed without a pinned `expect`, and who takes part. The tests play, check and
 * regenerate every sample from this table; a script added to assets/ceremonies without an entry
 * here fails them.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { fileURLToPath } from 'node:url';
import type { CheckResult, EvidenceItem } from '../../../src/core/checks.js';
import { checkEvidence } from '../../../src/core/evidence/checks.js';
import { parseScript } from '../../../src/core/script/parse.js';
import type { Script } from '../../../src/core/script/types.js';
import type { SimulatedParticipant, SimulatedStep } from '../../../src/core/session/simulate.js';
import { utf8 } from '../../../src/core/util/bytes.js';

export const CEREMONIES_DIR = fileURLToPath(new URL('../../../assets/ceremonies/', import.meta.url));

export interface SampleCeremony {
  /** Script file name in assets/ceremonies. */
  readonly script: string;
  /** Folder (in assets/ceremonies) of the evidence files; holds make-evidence.sh when `ownEvidence`. */
  readonly evidenceDir: string;
  /** The folder's files are this script's own, made by its make-evidence.sh. */
  readonly ownEvidence: boolean;
  /** Evidence id → file in the evidence folder, `<step id>/<evidence id>.<extension>`. */
  readonly evidence: Readonly<Record<string, string>>;
  /** The answers file in the evidence folder (`keywitness rehearse --inputs`), if the script needs one. */
  readonly answers: string | undefined;
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
    // Step 2 imports it as `slots`; in the folder it is step 2.2's token_init.
    evidence: { slots: '2.2/token_init.txt' },
    answers: undefined,
    participants: [{ name: 'Wanda Okafor', role: 'witness' }],
  },
  {
    script: 'root-ca-rehearsal.yaml',
    evidenceDir: 'root-ca-rehearsal',
    ownEvidence: true,
    evidence: {
      token_init: '2.2/token_init.txt',
      token_empty: '3.1/token_empty.txt',
      keygen: '3.2/keygen.txt',
      root_pub: '3.3/root_pub.pem',
      root: '4.1/root.pem',
      backup_archive: '5.1/backup_archive.txt',
      backup_check: '5.2/backup_check.txt',
    },
    answers: 'inputs.yaml',
    participants: people([]),
  },
  {
    script: 'intermediate-ca-signing.yaml',
    evidenceDir: 'intermediate-ca-signing',
    ownEvidence: true,
    evidence: {
      backup_check: '2.2/backup_check.txt',
      token_restored: '2.3/token_restored.txt',
      root_cert: '2.4/root_cert.pem',
      token_objects: '2.5/token_objects.txt',
      csr: '3.1/csr.pem',
      ica: '3.2/ica.pem',
      chain: '3.3/chain.pem',
      openssl_verify: '3.3/openssl_verify.txt',
      token_erased: '5.1/token_erased.txt',
    },
    answers: 'inputs.yaml',
    participants: people([{ name: 'Rosa Delgado', role: 'requester' }]),
  },
  {
    script: 'dnssec-ksk-signing.yaml',
    evidenceDir: 'dnssec-ksk-signing',
    ownEvidence: true,
    evidence: {
      backup_check: '2.2/backup_check.txt',
      token_restored: '2.3/token_restored.txt',
      token_objects: '2.4/token_objects.txt',
      ksk_pub: '2.5/ksk_pub.pem',
      ksk_dnskey: '3.1/ksk_dnskey.dnskey',
      ksr: '3.2/ksr.dnskey',
      skr: '3.3/skr.txt',
      ds_record: '3.4/ds_record.txt',
      zone_verify: '3.4/zone_verify.txt',
      token_erased: '5.1/token_erased.txt',
    },
    answers: undefined,
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

/** The answers file of a sample: step id → input id → typed value. */
export function readAnswers(sample: SampleCeremony, dir: string): Record<string, Record<string, string>> {
  if (sample.answers === undefined) return {};
  return parseYaml(readFileSync(dir + sample.answers, 'utf8')) as Record<string, Record<string, string>>;
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
  const answers = readAnswers(sample, dir);
  const steps: Record<string, SimulatedStep> = {};
  for (const step of script.steps) {
    const inputs: Record<string, string> = {};
    for (const input of step.inputs) {
      const typed = answers[step.id]?.[input.id];
      if (typed !== undefined) inputs[input.id] = typed;
      else if (input.expect) inputs[input.id] = input.expect.value;
      else throw new Error(`${sample.script}: no value for input ${step.id}/${input.id}`);
    }
    const evidence = step.evidence.map((e) => {
      const bytes = files.get(e.id);
      if (!bytes) throw new Error(`${sample.script}: no evidence file for ${step.id}/${e.id}`);
      return { id: e.id, name: sample.evidence[e.id]!.split('/').pop()!, bytes };
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
