/**
 * What each expectation evaluator needs: a result builder that names the check `<evidence>.<check>`,
 * and resolution of other evidence items for cross-evidence checks (spki_equals, signed_by).
 */
import type { CheckResult, EvidenceItem } from '../checks.js';
import type { KeyFacts } from './keys.js';
import { parseEvidence, type ParsedEvidence } from './parse.js';

export interface CheckContext {
  readonly where: string;
  /** The exact bytes of the evidence being checked (for checks that re-read them, as `verify` does). */
  readonly bytes: Uint8Array;
  /** Build a result with id `<evidence id>.<check>`. */
  result(check: string, ok: boolean, expected: string, observed: string): CheckResult;
  /** Parsed other evidence, or a sentence saying why it is not available. */
  resolve(id: string): ParsedEvidence | string;
  /** Public keys an evidence item holds (certificate: the first certificate's; HSM output: all found). */
  keysOf(p: ParsedEvidence): KeyFacts[];
}

/** All public keys an item holds. */
export function keysOf(p: ParsedEvidence): KeyFacts[] {
  switch (p.kind) {
    case 'certificate':
      return [p.certificates[0].key];
    case 'csr':
      return [p.csr.key];
    case 'public-key':
      return [p.key];
    case 'hsm-output':
      return [...p.hsm.publicKeys];
    default:
      return [];
  }
}

/** A context for one evidence item. */
export function makeContext(item: EvidenceItem, all: ReadonlyMap<string, EvidenceItem>): CheckContext {
  const id = item.spec.id;
  const where = `evidence ${id}`;
  return {
    where,
    bytes: item.bytes,
    result: (check, ok, expected, observed) => ({ id: `${id}.${check}`, ok, expected, observed }),
    resolve(otherId) {
      if (otherId === id) return `${otherId} is this evidence itself`;
      const other = all.get(otherId);
      if (!other) return `no evidence "${otherId}" has been imported`;
      try {
        return parseEvidence(other.spec.kind, other.bytes, other.spec.parser, `evidence ${otherId}`);
      } catch (e) {
        return `evidence "${otherId}" could not be parsed: ${(e as Error).message}`;
      }
    },
    keysOf,
  };
}
