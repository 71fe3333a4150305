/**
 * The ceremony script model (docs/architecture.md, "Formats: the ceremony script") after strict
 * parsing. Every value here has been checked: ids are unique, `$expected.x` references are
 * resolved, counts are consistent.
 */

/** Format tag every script starts with. */
export const SCRIPT_FORMAT = 'keywitness-script/1';

/** Default `clock_tolerance`, seconds: five minutes catches a wrong time zone or a forged timeline, not drift. */
export const DEFAULT_CLOCK_TOLERANCE_S = 300;
/** Largest `clock_tolerance`, seconds (one day): beyond it, times in the record would prove nothing. */
export const MAX_CLOCK_TOLERANCE_S = 86400;

/** A role in the ceremony. */
export interface RoleSpec {
  readonly id: string;
  readonly title: string;
  /** Exactly one role is the coordinator's. */
  readonly coordinator: boolean;
  /** Least number of enrolled participants with this role before steps may start. */
  readonly min: number;
  /** Most participants with this role (undefined: no limit). */
  readonly max: number | undefined;
}

/** A participant identity pinned in advance. */
export interface PinnedParticipant {
  readonly name: string;
  readonly role: string;
  /** SHA-256 of the raw public key, 32 bytes (given in the script as hex or 32 PGP words). */
  readonly fingerprint: Uint8Array;
}

/** A value an input or check must equal: a literal, or a reference into `expected`. */
export interface ExpectedValue {
  readonly value: string;
  /** The `$expected.name` it came from, for display and error messages. */
  readonly ref: string | undefined;
}

/** A typed input the coordinator records during a step (bag serials, HSM serials…). */
export interface InputSpec {
  readonly id: string;
  readonly label: string;
  readonly expect: ExpectedValue | undefined;
  /**
   * Anchored regular expression (source text, `^(?:…)$`, RE2 syntax) the whole value must match;
   * test it with `matchesInputPattern`, which runs it on RE2 in linear time.
   */
  readonly pattern: string | undefined;
}

export type EvidenceKind = 'hsm-output' | 'certificate' | 'csr' | 'public-key' | 'dnskey' | 'crl' | 'ocsp' | 'file';
export const EVIDENCE_KINDS: readonly EvidenceKind[] = [
  'hsm-output',
  'certificate',
  'csr',
  'public-key',
  'dnskey',
  'crl',
  'ocsp',
  'file',
];

/**
 * Expectations declared for one piece of evidence. Values are plain YAML data after `$expected`
 * substitution; the evidence module validates and evaluates them (its `validateExpectations` is
 * called by the script parser so that unknown keys are still reported with their YAML path).
 */
export type Expectations = Readonly<Record<string, unknown>>;

/** A piece of evidence a step imports. */
export interface EvidenceSpec {
  readonly id: string;
  readonly kind: EvidenceKind;
  /** HSM output parser name (for kind hsm-output), e.g. `pkcs11-tool`; undefined: auto-detect. */
  readonly parser: string | undefined;
  readonly expect: Expectations;
  /** Whether the statement may be issued without it. Default true. */
  readonly required: boolean;
}

/** Who must acknowledge a step. */
export interface AckSpec {
  readonly roles: readonly string[];
  readonly min: number;
  /** Witnesses recompute evidence checks on their own device (evidence travels with the statement). */
  readonly recompute: boolean;
  /** Witnesses confirm by typing words at two random positions of a fingerprint. */
  readonly challenge: boolean;
}

/** One step of the ceremony. */
export interface StepSpec {
  readonly id: string;
  /** Position in the script, from 0. */
  readonly index: number;
  readonly title: string;
  readonly actor: string | undefined;
  readonly instructions: string;
  readonly inputs: readonly InputSpec[];
  readonly evidence: readonly EvidenceSpec[];
  readonly acks: AckSpec;
  /** For irreversible steps: the text the coordinator must type before the statement is issued. */
  readonly irreversible: { readonly confirm: string } | undefined;
  /** False when the script forbids repeating the step (a repeat exception is refused). */
  readonly repeatable: boolean;
}

/** A parsed, validated ceremony script plus the hash of its exact bytes. */
export interface Script {
  readonly format: typeof SCRIPT_FORMAT;
  readonly id: string;
  readonly title: string;
  readonly description: string | undefined;
  readonly roles: readonly RoleSpec[];
  readonly participants: readonly PinnedParticipant[];
  readonly expected: Readonly<Record<string, string>>;
  /**
   * How far apart two devices' clocks may be before their times are a finding (`clock_tolerance`,
   * in seconds in the script; default five minutes), in milliseconds.
   */
  readonly clockToleranceMs: number;
  readonly steps: readonly StepSpec[];
  /** SHA-256 over the exact file bytes. */
  readonly hash: Uint8Array;
}
