/**
 * The ceremony script module (docs/architecture.md, "Formats: the ceremony script"): parse a
 * script file strictly, and show its hash. Everything other modules need is exported here.
 */
export { parseScript, SCRIPT_FIELDS } from './parse.js';
export type { ParseScriptOptions } from './parse.js';
export { scriptHashText } from './hash-text.js';
export type { ScriptHashText } from './hash-text.js';
export { matchesInputPattern } from './steps.js';
export { DEFAULT_MAX_SCRIPT_BYTES } from './source-text.js';
export { ID_PATTERN } from './fields.js';
export { EXPECTED_NAME_PATTERN, EVIDENCE_REFERENCE_KEYS } from './references.js';
export { EVIDENCE_KINDS, SCRIPT_FORMAT } from './types.js';
export type {
  AckSpec,
  EvidenceKind,
  EvidenceSpec,
  ExpectedValue,
  Expectations,
  InputSpec,
  PinnedParticipant,
  RoleSpec,
  Script,
  StepSpec,
} from './types.js';
