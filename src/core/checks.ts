/**
 * The contract between the session (which records and re-verifies check results) and the evidence
 * module (which knows how to evaluate a script's expectations against evidence bytes).
 */
import type { EvidenceSpec } from './script/types.js';

/** One evaluated expectation: what the script expected and what the evidence showed. */
export interface CheckResult {
  /** Stable id `<evidence or input id>.<check>`, e.g. `root.subject`, `keygen.curve`, `bag.value`. */
  readonly id: string;
  readonly ok: boolean;
  /** Human-readable expected value, as the script states it. */
  readonly expected: string;
  /** Human-readable observed value, as found in the evidence. */
  readonly observed: string;
}

/** A piece of evidence as imported into a step. */
export interface EvidenceItem {
  readonly spec: EvidenceSpec;
  readonly bytes: Uint8Array;
}

/**
 * Evaluates every expectation of one evidence item. `all` holds every evidence item imported so far
 * in the session (by evidence id) so cross-evidence checks such as `spki_equals` can resolve.
 * Must not throw for bad evidence bytes: unparsable evidence is a failed check whose `observed`
 * says what failed.
 */
export type EvidenceChecker = (
  item: EvidenceItem,
  all: ReadonlyMap<string, EvidenceItem>,
) => Promise<readonly CheckResult[]>;
