/**
 * Devices' clocks as the coordinator measured them at enrolment (README, "Clocks"). Each
 * enrolment's envelope `at` is the device's clock; the coordinator measures the difference from
 * its own when it scans the enrolment, shows it to the room, and records it (`clocks`) in the
 * next statement, roster change or close it signs. This module is the part of the session fold
 * (state.ts) that checks those records: every accepted enrolment has its clock recorded exactly
 * once, by the first such message after it, and within the script's `clock_tolerance`.
 */
import type { Finding, FindingCode } from '../audit/findings.js';
import type { ClockRecord } from '../protocol/bodies.js';
import { toHex } from '../util/bytes.js';

type Add = (code: FindingCode, text: string, extra?: Omit<Finding, 'code' | 'message' | 'seq'>) => void;

/** Describe a skew for people: "12 s ahead of", "3 min 5 s behind", "the same as". */
export function describeSkew(skewMs: number): string {
  const seconds = Math.round(Math.abs(skewMs) / 1000);
  if (seconds === 0) return 'within a second of';
  const text = seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;
  return `${text} ${skewMs > 0 ? 'ahead of' : 'behind'}`;
}

/** Whether a measured skew is outside the script's tolerance (either direction). */
export function skewExceeds(skewMs: number, toleranceMs: number): boolean {
  return Math.abs(skewMs) > toleranceMs;
}

/** The clock records the fold has seen, and the enrolments still waiting for theirs. */
export class ClockLedger {
  /** Enrolments accepted whose clock no coordinator message has recorded yet: fingerprint hex → label, in order. */
  private readonly pending = new Map<string, string>();
  /** Recorded skew by participant fingerprint hex. */
  readonly recorded = new Map<string, number>();
  /** Labels of every enrolment seen, accepted or not, for findings about later records. */
  private readonly labels = new Map<string, string>();

  /**
   * An enrolment entered the transcript: its clock is due in the coordinator's next clock-bearing
   * message. An enrolment the fold refused was still scanned and measured, so it counts too: its
   * own finding says what is wrong with it, and no second finding about its clock follows.
   */
  enrolled(fpHex: string, label: string): void {
    if (this.recorded.has(fpHex)) return;
    this.pending.set(fpHex, label);
    this.labels.set(fpHex, label);
  }

  /** Fingerprints (hex) of enrolments whose clock is not recorded yet, in enrolment order. */
  unrecorded(): readonly string[] {
    return [...this.pending.keys()];
  }

  /**
   * Judge the `clocks` of a statement, roster change or close: it must record each enrolment
   * accepted since the previous such message, once, and nothing else; a recorded skew beyond the
   * tolerance is CLOCK_SKEW. Returns the commit that marks the records as made.
   */
  evaluate(what: string, clocks: readonly ClockRecord[] | undefined, toleranceMs: number, add: Add): () => void {
    const seen = new Map<string, number>();
    for (const record of clocks ?? []) {
      const hex = toHex(record.who);
      const label = this.labels.get(hex) ?? `key ${hex.slice(0, 16)}…`;
      const who = { participant: label };
      if (seen.has(hex)) {
        add('CLOCK_RECORD_INVALID', `this ${what} records the clock of ${label} twice`, who);
        continue;
      }
      if (!this.pending.has(hex)) {
        add(
          'CLOCK_RECORD_INVALID',
          this.recorded.has(hex)
            ? `this ${what} records the clock of ${label} again; an earlier message recorded it`
            : `this ${what} records a clock for ${label}, who has no enrolment before it`,
          who,
        );
        continue;
      }
      seen.set(hex, record.skew_ms);
      if (skewExceeds(record.skew_ms, toleranceMs)) {
        add(
          'CLOCK_SKEW',
          `${label}'s clock was ${describeSkew(record.skew_ms)} the coordinator's at enrolment; the script allows ${toleranceMs / 1000} s`,
          who,
        );
      }
    }
    for (const [hex, label] of this.pending) {
      if (!seen.has(hex))
        add('CLOCK_NOT_RECORDED', `this ${what} does not record the clock of ${label}, enrolled before it`, {
          participant: label,
        });
    }
    // Whatever this message left out can no longer be recorded as measured at enrolment: it is
    // reported once, here, and not again at every later message.
    return () => {
      for (const [hex, skew] of seen) this.recorded.set(hex, skew);
      this.pending.clear();
    };
  }
}
