/**
 * The plan `keywitness demo` plays: the sample root-CA rehearsal script, its evidence captured from
 * a real SoftHSM2 run (assets/ceremonies/root-ca-rehearsal/make-evidence.sh regenerates it) in the
 * folder layout `keywitness rehearse` reads (`<step id>/<evidence id>.<extension>`, with the typed
 * values the script does not fix in `inputs.yaml`), simulated participants, and one objection:
 * resolved by an exception (scenario `objection`), or silently left out by a dishonest coordinator
 * (scenario `dropped-objection`, which the audit must find from the bundle alone). The scenarios
 * `retry`, `late-join`, `suspend` and `abort` play the room deviating from the script: a step redone,
 * a witness arriving late and a custodian's laptop replaced, a break overnight, a ceremony abandoned.
 */
import { fileURLToPath } from 'node:url';
import { rehearsalSteps } from '../core/session/rehearsal-check.js';
import type { Script } from '../core/script/types.js';
import type { SimulatedParticipant, SimulatedStep } from '../core/session/simulate.js';
import { readRehearsalFiles } from './rehearse-command.js';

/** The assets folder of the installed package (beside dist/ and src/). */
export const ASSETS_DIR = fileURLToPath(new URL('../../assets/', import.meta.url));
export const DEMO_SCRIPT = `${ASSETS_DIR}ceremonies/root-ca-rehearsal.yaml`;
/** The sample's evidence folder, laid out as `keywitness rehearse --evidence` reads it. */
export const DEMO_EVIDENCE_DIR = `${ASSETS_DIR}ceremonies/root-ca-rehearsal`;
/** The sample's answers file (`keywitness rehearse --inputs`): the fingerprint typed at step 4.2. */
export const DEMO_INPUTS = `${DEMO_EVIDENCE_DIR}/inputs.yaml`;

export const DEMO_PARTICIPANTS: readonly SimulatedParticipant[] = [
  { name: 'Wanda Okafor', role: 'witness' },
  { name: 'Walter Lindqvist', role: 'witness', alg: 'p256' },
  { name: 'Carol Mbeki', role: 'custodian' },
  { name: 'Chris Tanaka', role: 'custodian' },
  { name: 'Cathy Novak', role: 'custodian', alg: 'p256' },
  { name: 'Arjun Rao', role: 'auditor' },
];

/**
 * What the demo plays: an honest room with one objection, a coordinator that drops it, a step
 * redone after the room decides to repeat it, a session suspended overnight and resumed, and a
 * ceremony aborted mid-way and closed as aborted.
 */
export const DEMO_SCENARIOS = ['objection', 'dropped-objection', 'retry', 'late-join', 'suspend', 'abort'] as const;
export type DemoScenario = (typeof DEMO_SCENARIOS)[number];

/**
 * Evidence file of each evidence id in the sample script, relative to DEMO_EVIDENCE_DIR. The demo
 * finds them by the folder layout, as `keywitness rehearse` does; the tests check this table
 * against it.
 */
export const EVIDENCE_FILES: Readonly<Record<string, string>> = {
  token_init: '2.2/token_init.txt',
  token_empty: '3.1/token_empty.txt',
  keygen: '3.2/keygen.txt',
  root_pub: '3.3/root_pub.pem',
  root: '4.1/root.pem',
  backup_archive: '5.1/backup_archive.txt',
  backup_check: '5.2/backup_check.txt',
};

/**
 * Build each step's inputs and evidence from the sample's evidence folder and answers file (the
 * inputs the answers file leaves out take the script's expected values).
 */
export async function loadDemoSteps(
  script: Script,
  scenario: DemoScenario = 'objection',
): Promise<Record<string, SimulatedStep>> {
  const { folder, evidence, answers } = await readRehearsalFiles(script, DEMO_EVIDENCE_DIR, DEMO_INPUTS);
  const steps = rehearsalSteps(script, folder, evidence, answers);
  const keygen = script.steps.find((s) => s.evidence.some((e) => e.id === 'keygen'));
  const tokenInit = script.steps.find((s) => s.evidence.some((e) => e.id === 'token_init'));
  const rootPub = script.steps.find((s) => s.evidence.some((e) => e.id === 'root_pub'));
  if (scenario === 'retry' && tokenInit) {
    steps[tokenInit.id] = {
      ...steps[tokenInit.id],
      repeat: {
        by: 'Wanda Okafor',
        objection: 'The SO PIN was typed while the room camera could see the keyboard.',
        reason:
          'The room agrees the PINs may have been filmed: the token is initialised again with fresh PINs, typed out of the camera’s view.',
      },
    };
    return steps;
  }
  const bootMedia = script.steps.find((s) => s.id === '1.2');
  if (scenario === 'late-join' && bootMedia && keygen) {
    steps[bootMedia.id] = {
      ...steps[bootMedia.id],
      lateJoin: {
        name: 'Wen Li',
        role: 'witness',
        reason: 'Wen Li, the third internal witness, arrived after the ceremony started (train delay).',
      },
    };
    steps[keygen.id] = {
      ...steps[keygen.id],
      replaceBefore: {
        name: 'Chris Tanaka',
        alg: 'p256',
        reason:
          "Chris Tanaka's laptop failed its self-test; he enrols the spare laptop from sealed bag TEB-2026-00151 in its place.",
      },
    };
    return steps;
  }
  if (scenario === 'suspend' && rootPub) {
    steps[rootPub.id] = {
      ...steps[rootPub.id],
      suspendAfter: {
        reason:
          'The building is closing for the night; the laptop and token are sealed in the safe under bag TEB-2026-00142.',
        resume:
          'Both witnesses checked bag TEB-2026-00142 intact and unopened; the laptop and token are back on the table.',
        laterMs: 24 * 60 * 60 * 1000,
      },
    };
    return steps;
  }
  if (scenario === 'abort' && keygen) {
    steps[keygen.id] = {
      ...steps[keygen.id],
      abort: {
        reason:
          'The token reported a device error after the key generation; the ceremony is abandoned and will be held again with new media.',
      },
    };
    return steps;
  }
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
