/**
 * Checks of the typed inputs of a step against the script: the expected value and the pattern.
 * The coordinator runs them to build a statement; witnesses and the auditor run them again.
 */
import type { CheckResult } from '../checks.js';
import { matchesInputPattern } from '../script/steps.js';
import type { StepSpec } from '../script/types.js';

/** Evaluate every input expectation of a step; one result per declared expectation. */
export function checkInputs(step: StepSpec, inputs: Readonly<Record<string, string>>): CheckResult[] {
  const results: CheckResult[] = [];
  for (const input of step.inputs) {
    const value = inputs[input.id];
    const observed = value === undefined ? '(not recorded)' : value;
    if (input.expect) {
      results.push({
        id: `${input.id}.value`,
        ok: value !== undefined && normalise(value) === normalise(input.expect.value),
        expected: input.expect.ref ? `${input.expect.value} (${input.expect.ref})` : input.expect.value,
        observed,
      });
    }
    if (input.pattern !== undefined) {
      results.push({
        id: `${input.id}.pattern`,
        ok: value !== undefined && matchesInputPattern(input.pattern, value),
        expected: `matches /${input.pattern}/`,
        observed,
      });
    }
  }
  return results;
}

/**
 * Bag numbers and serials are read aloud and typed by people: surrounding whitespace is not part of
 * the value, but every other character (including case) is, because serials are case-sensitive on
 * some vendors' bags.
 */
function normalise(value: string): string {
  return value.trim();
}
