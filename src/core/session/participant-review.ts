/**
 * A participant device's own review of what the room is answering: it finds the statement behind
 * the target, checks that the statement fits this device's script, gathers the evidence bytes the
 * coordinator vouched for (the step's own and earlier evidence its checks refer to), and recomputes
 * every input and evidence check itself. What it cannot do yet it says, in the witness's words.
 */
import type { CheckResult, EvidenceChecker, EvidenceItem } from '../checks.js';
import type { SignedMessage } from '../protocol/message.js';
import type { Script, StepSpec } from '../script/types.js';
import { checkInputs } from './input-checks.js';
import { referencedEvidence, type MessagePool } from './message-pool.js';

/** A check where the statement's claim differs from this device's own result. */
export interface Disagreement {
  readonly id: string;
  readonly claimed: boolean | undefined;
  readonly own: boolean;
}

/** What this device found for a statement or exception, before anyone answers it. */
export interface Assessed {
  readonly target: SignedMessage<'statement' | 'exception'>;
  readonly statement: SignedMessage<'statement'>;
  readonly step: StepSpec;
  /** Checks this device recomputed itself (inputs always; evidence when it holds the bytes). */
  readonly recomputed: readonly CheckResult[];
  readonly disagreements: readonly Disagreement[];
  /** The step's own evidence whose bytes this device holds, verified against the statement's digests. */
  readonly evidence: readonly EvidenceItem[];
  /** Earlier evidence the step's checks refer to, with the step whose statement vouched for it. */
  readonly referenced: readonly { readonly item: EvidenceItem; readonly step: string }[];
  /** True when the device recomputed every evidence item of the step. */
  readonly recomputedAll: boolean;
}

export type Assessment =
  | { readonly kind: 'ready'; readonly assessed: Assessed }
  | {
      readonly kind: 'waiting';
      readonly target: SignedMessage<'statement' | 'exception'>;
      readonly waitingFor: readonly string[];
    }
  | { readonly kind: 'refused'; readonly target: SignedMessage<'statement' | 'exception'>; readonly reason: string };

/** Why a statement does not fit this device's script, or undefined when it does. */
export function misfit(script: Script, statement: SignedMessage<'statement'>): string | undefined {
  const { body } = statement.envelope;
  const step = script.steps[body.n];
  if (!step || step.id !== body.step) {
    return `the statement is for step "${body.step}", which this device's script does not have at position ${body.n + 1}`;
  }
  for (const ref of body.evidence) {
    const spec = step.evidence.find((e) => e.id === ref.id);
    if (!spec) return `the statement records evidence "${ref.id}", which step ${step.id} does not declare`;
    if (spec.kind !== ref.kind) {
      return `the statement records evidence "${ref.id}" as ${ref.kind}; this device's script declares ${spec.kind}`;
    }
  }
  return undefined;
}

/**
 * Assess a statement or exception against the pool. `checker` recomputes evidence checks; without
 * one only the inputs are recomputed and `recomputedAll` is false.
 */
export async function assess(
  script: Script,
  pool: MessagePool,
  target: SignedMessage<'statement' | 'exception'>,
  checker: EvidenceChecker | undefined,
): Promise<Assessment> {
  const statement = target.t === 'statement' ? target : pool.statement(target.envelope.body.ref);
  if (!statement) {
    return { kind: 'waiting', target, waitingFor: ['the statement this exception concerns (it travels with it)'] };
  }
  const wrong = misfit(script, statement);
  if (wrong) return { kind: 'refused', target, reason: wrong };
  const { body } = statement.envelope;
  const step = script.steps[body.n];
  if (!step) return { kind: 'refused', target, reason: `no step at position ${body.n + 1}` };
  if (target.t === 'exception' && target.envelope.body.step !== body.step) {
    return {
      kind: 'refused',
      target,
      reason: `the exception names step ${target.envelope.body.step} but concerns the statement for step ${body.step}`,
    };
  }

  const waitingFor: string[] = [];
  const evidence: EvidenceItem[] = [];
  for (const ref of body.evidence) {
    const bytes = pool.blob(ref.sha256);
    const spec = step.evidence.find((e) => e.id === ref.id);
    if (bytes && spec) evidence.push({ spec, bytes });
    else if (step.acks.recompute) waitingFor.push(`evidence "${ref.id}" (${ref.name})`);
  }
  const referenced: { item: EvidenceItem; step: string }[] = [];
  for (const id of referencedEvidence(step)) {
    if (body.evidence.some((r) => r.id === id)) continue;
    const found = pool.evidence(id);
    if (found) referenced.push({ item: found.item, step: found.statement.envelope.body.step });
    else if (step.acks.recompute) waitingFor.push(`earlier evidence "${id}", with the statement that recorded it`);
  }
  if (waitingFor.length > 0) return { kind: 'waiting', target, waitingFor };

  const recomputed: CheckResult[] = checkInputs(step, body.inputs);
  const all = new Map<string, EvidenceItem>();
  for (const { item } of referenced) all.set(item.spec.id, item);
  for (const item of evidence) all.set(item.spec.id, item);
  if (checker) for (const item of evidence) recomputed.push(...(await checker(item, all)));
  const claimed = new Map(body.checks.map((c) => [c.id, c.ok]));
  const disagreements = recomputed
    .filter((c) => claimed.get(c.id) !== c.ok)
    .map((c) => ({ id: c.id, claimed: claimed.get(c.id), own: c.ok }));
  const recomputedAll = checker !== undefined && evidence.length === body.evidence.length;
  return {
    kind: 'ready',
    assessed: { target, statement, step, recomputed, disagreements, evidence, referenced, recomputedAll },
  };
}
