/**
 * What the people in the rehearsal do, step by step: the values the administrator types, where
 * each piece of evidence comes from (file, pasted text, or a plain QR code made by `qrencode`), who
 * answers, and the fingerprints the witnesses read from independent sources — computed here with
 * OpenSSL's own output and Node's crypto, never with the app's code.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseScript } from '../../../src/core/script/parse.js';
import type { Script, StepSpec } from '../../../src/core/script/types.js';
import { EVIDENCE, SCRIPT } from './fixtures.js';
import { REPO_ROOT } from '../../support/app/build.js';

export { EVIDENCE_FILES } from '../../../src/cli/demo-plan.js';
/** How each evidence reaches the coordinator (the rest: import from the export media). */
export const EVIDENCE_BY: Readonly<Record<string, 'file' | 'paste' | 'qr'>> = { token_empty: 'paste', root_pub: 'qr' };

export const script: Script = parseScript(new Uint8Array(readFileSync(SCRIPT)));

export const PEOPLE = {
  W1: { name: 'Wanda Okafor', role: 'witness' },
  W2: { name: 'Walter Lindqvist', role: 'witness' },
  K1: { name: 'Carol Mbeki', role: 'custodian' },
  K2: { name: 'Chris Tanaka', role: 'custodian' },
  K3: { name: 'Cathy Novak', role: 'custodian' },
} as const;
export type Who = keyof typeof PEOPLE;

/**
 * Custodians take turns at the witness+custodian steps, in script order, with no regard for which
 * earlier evidence a step's checks refer to: each device must get that evidence from the
 * coordinator's statement itself. With this rotation the custodian at 4.1 (whose root certificate
 * is checked with `spki_equals: keygen`) did not answer 3.2, where `keygen` was recorded.
 */
const CUSTODIAN_TURNS: readonly Who[] = ['K1', 'K3', 'K2'];

export function answering(step: StepSpec): Who[] {
  if (!step.acks.roles.includes('custodian')) return ['W1', 'W2'];
  const turn = script.steps.filter((s) => s.acks.roles.includes('custodian')).findIndex((s) => s.id === step.id);
  return ['W1', 'W2', CUSTODIAN_TURNS[turn % CUSTODIAN_TURNS.length]!];
}

/** Steps whose checks refer to earlier evidence: the check and the step that recorded the evidence. */
export const CROSS_STEP_CHECKS: Readonly<Record<string, { readonly check: string; readonly source: string }>> = {
  '3.3': { check: 'root_pub.spki_equals', source: '3.2' },
  '4.1': { check: 'root.spki_equals', source: '3.2' },
};

export const OBJECTION = {
  step: '3.2',
  by: 'K2' as Who,
  reason: 'I read the key label on the laptop screen as root-ca-p348, not root-ca-p384.',
  resolution:
    'The administrator scrolled the ceremony laptop output back in view of all; the label reads root-ca-p384 as the imported transcript shows. The custodian agrees he misread it.',
};

/** The fingerprint typed at 4.2, as OpenSSL printed it when make-evidence.sh ran (its answers file). */
function typedFingerprint(): string {
  const answers = parseYaml(readFileSync(join(EVIDENCE, 'inputs.yaml'), 'utf8')) as Record<
    string,
    Record<string, string>
  >;
  return answers['4.2']!.fingerprint!;
}

export function inputsFor(step: StepSpec): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of step.inputs) out[i.id] = i.expect ? i.expect.value : typedFingerprint();
  return out;
}

/** The fingerprint a witness reads from the independent source, as bytes. */
export function independentFingerprint(evidenceId: string): Uint8Array {
  if (evidenceId === 'root') {
    // OpenSSL's own output (`openssl x509 -fingerprint -sha256`), as printed at the ceremony.
    return Uint8Array.from(
      typedFingerprint()
        .split(':')
        .map((h) => parseInt(h, 16)),
    );
  }
  if (evidenceId === 'keygen') {
    // The public key exported from the token (step 3.3's file), hashed as SubjectPublicKeyInfo DER.
    const der = createPublicKey(readFileSync(join(EVIDENCE, '3.3', 'root_pub.pem'))).export({
      type: 'spki',
      format: 'der',
    });
    return new Uint8Array(createHash('sha256').update(der).digest());
  }
  throw new Error(`no independent source for ${evidenceId}`);
}

const WORDS = JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'vectors', 'pgp-wordlist.json'), 'utf8')) as {
  even: string[];
  odd: string[];
};

/** What a witness types for position `p` (1-based): the PGP word from the reference list, or the hex digits. */
export function challengeAnswer(fp: Uint8Array, p: number, form: 'word' | 'hex'): string {
  const byte = fp[p - 1]!;
  if (form === 'hex') return byte.toString(16).padStart(2, '0').toUpperCase();
  return ((p - 1) % 2 === 0 ? WORDS.even : WORDS.odd)[byte]!;
}
