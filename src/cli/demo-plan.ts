/**
 * The plan `keywitness demo` plays: the sample root-CA rehearsal script, its evidence captured from
 * a real SoftHSM2 run (assets/ceremonies/root-ca-rehearsal/make-evidence.sh regenerates it), the
 * values the administrator types, simulated participants, and one objection: resolved by an
 * exception (scenario `objection`), or silently left out by a dishonest coordinator (scenario
 * `dropped-objection`, which the audit must find from the bundle alone).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { KeywitnessError } from '../core/errors.js';
import { fromUtf8 } from '../core/util/bytes.js';
import type { Script } from '../core/script/types.js';
import type { SimulatedParticipant, SimulatedStep } from '../core/session/simulate.js';

/** The assets folder of the installed package (beside dist/ and src/). */
export const ASSETS_DIR = fileURLToPath(new URL('../../assets/', import.meta.url));
export const DEMO_SCRIPT = `${ASSETS_DIR}ceremonies/root-ca-rehearsal.yaml`;
const EVIDENCE_DIR = `${ASSETS_DIR}ceremonies/root-ca-rehearsal/`;

export const DEMO_PARTICIPANTS: readonly SimulatedParticipant[] = [
  { name: 'Wanda Okafor', role: 'witness' },
  { name: 'Walter Lindqvist', role: 'witness', alg: 'p256' },
  { name: 'Carol Mbeki', role: 'custodian' },
  { name: 'Chris Tanaka', role: 'custodian' },
  { name: 'Cathy Novak', role: 'custodian', alg: 'p256' },
  { name: 'Arjun Rao', role: 'auditor' },
];

/** What the demo plays: an honest room with one objection, or a coordinator that drops it. */
export const DEMO_SCENARIOS = ['objection', 'dropped-objection'] as const;
export type DemoScenario = (typeof DEMO_SCENARIOS)[number];

/** Evidence file of each evidence id in the sample script. */
export const EVIDENCE_FILES: Readonly<Record<string, string>> = {
  token_init: '2.2-show-slots.txt',
  token_empty: '3.1-list-objects.txt',
  keygen: '3.2-keypairgen.txt',
  root_pub: 'root-ca-p384.pub.pem',
  root: 'root-ca.pem',
  backup_archive: '5.1-backup.txt',
  backup_check: '5.2-restore-check.txt',
};

/** Build each step's inputs and evidence from the script's expected values and the evidence files. */
export async function loadDemoSteps(
  script: Script,
  scenario: DemoScenario = 'objection',
): Promise<Record<string, SimulatedStep>> {
  const evidence = new Map<string, { name: string; bytes: Uint8Array }>();
  for (const [id, name] of Object.entries(EVIDENCE_FILES))
    evidence.set(id, { name, bytes: new Uint8Array(await readFile(EVIDENCE_DIR + name)) });
  const fingerprintLine = fromUtf8(new Uint8Array(await readFile(`${EVIDENCE_DIR}4.2-fingerprint.txt`))).trim();
  const fingerprint = fingerprintLine.slice(fingerprintLine.indexOf('=') + 1);
  const steps: Record<string, SimulatedStep> = {};
  for (const step of script.steps) {
    const inputs: Record<string, string> = {};
    for (const input of step.inputs) {
      if (input.expect) inputs[input.id] = input.expect.value;
      else if (input.id === 'fingerprint') inputs[input.id] = fingerprint;
      else throw new KeywitnessError('INPUT_INVALID', `the demo has no value for input ${step.id}.${input.id}`);
    }
    const stepEvidence = step.evidence.map((e) => {
      const file = evidence.get(e.id);
      if (!file) throw new KeywitnessError('INPUT_INVALID', `the demo has no evidence file for ${step.id}.${e.id}`);
      return { id: e.id, name: file.name, bytes: file.bytes };
    });
    steps[step.id] = { inputs, evidence: stepEvidence };
  }
  const keygen = script.steps.find((s) => s.evidence.some((e) => e.id === 'keygen'));
  if (keygen) {
    steps[keygen.id] = {
      ...steps[keygen.id],
      objection: {
        by: 'Chris Tanaka',
        reason: 'I read the key label on the laptop screen as root-ca-p348, not root-ca-p384.',
        resolution:
          'The administrator scrolled the ceremony laptop output back in view of all; the label reads root-ca-p384 as the imported transcript shows. The custodian agrees he misread it.',
        ...(scenario === 'dropped-objection' ? { dropped: true } : {}),
      },
    };
  }
  return steps;
}
