/**
 * Every error shown to a person says what happened and what to do next. Errors arrive as
 * KeywitnessErrors from core (stable codes), BridgeErrors from the main process (the same codes),
 * or, for bugs, anything else; this maps each to the two sentences a screen shows.
 */
import { isKeywitnessError } from '../../src/core/errors.js';
import { SessionRejectedError } from '../../src/core/session/coordinator.js';
import { FINDING_DESCRIPTIONS } from '../../src/core/audit/findings.js';
import { BridgeError } from '../bridge/api.js';

export interface Explained {
  readonly code: string;
  /** What happened, in the words of the component that refused. */
  readonly what: string;
  /** What the person should do next. */
  readonly next: string;
}

/** What to do next, for every code an error shown here can carry. */
const NEXT: Readonly<Record<BridgeError['code'], string>> = {
  SCRIPT_INVALID:
    'Nothing was opened. Compare the file with the published copy of the script; fix or replace it, then open it again.',
  INPUT_INVALID: 'Nothing was recorded. Correct the value shown and try again.',
  INPUT_TOO_LARGE:
    'Nothing was read. Check that you picked the right file; it is larger than Keywitness accepts for this kind of file.',
  ENCODING_INVALID: 'Nothing was recorded. Check the text for typing mistakes and enter it again.',
  CBOR_INVALID:
    'The message was ignored. Scan the QR code again; if this repeats, the other device is not showing a Keywitness message.',
  MESSAGE_INVALID:
    'The message was ignored. Scan the QR code again; if this repeats, ask the other device to show its message again.',
  KEY_INVALID:
    'Nothing was signed or stored. The device key could not be used; do not continue on this device and tell the ceremony administrator.',
  SIGNATURE_INVALID:
    "The message was ignored. Make sure the camera sees the right screen (this session's coordinator); if this repeats, stop and tell the room.",
  SESSION_REJECTED:
    'Nothing was recorded. Read the reason: fix what it names (the right session, step, participant or message) and scan again.',
  BUNDLE_INVALID:
    'Nothing was audited. Check that you picked the session bundle (*.keywitness.json) and that the copy is complete.',
  RECEIPT_INVALID:
    'That receipt was not added. Check that you picked a participant receipt and that the copy is complete.',
  EVIDENCE_INVALID:
    'The evidence was not accepted. Check that you imported the file the step names, from the export media, and try again.',
  EVIDENCE_UNSUPPORTED: 'The evidence was not accepted. Import it as the kind of file the step declares.',
  TRANSFER_INVALID: 'The QR code was ignored. Keep the camera on the code until the message is complete.',
  TRANSFER_REFUSED: "The QR code was ignored. Make sure the camera sees this session's screen only.",
  JOURNAL_CORRUPT:
    'The session on this device cannot be trusted as stored. Do not continue it here; export what you can and tell the ceremony administrator.',
  JOURNAL_LOCKED: 'Another Keywitness window is using this session. Close the other window, then try again.',
  IO_FAILED: 'Nothing was changed. Check the removable media (inserted, mounted, not full) and try again.',
  ALREADY_EXISTS: 'Nothing was overwritten. Choose another folder, or remove the old file yourself after checking it.',
  STORAGE_FULL: 'Nothing was written. Free space on the media (or use other media) and try again.',
  STORAGE_READ_ONLY: 'Nothing was written. The media is write-protected or mounted read-only; use writable media.',
  NOT_FOUND: 'Nothing was read. The file or folder is no longer there; pick it again.',
  IPC_REJECTED: 'The app refused the request. Restart Keywitness; if this repeats, report it.',
  POLICY_DENIED: 'The app refused the request by policy. This action is not allowed on a ceremony machine.',
  BRIDGE_MISSING:
    'Start Keywitness itself (or `npm run preview` for development); this page alone cannot store or read files.',
  INTERNAL_ERROR:
    'This is a fault in Keywitness, not in your input. Nothing further was recorded; note the time and report it.',
};

/** Explain any thrown value for display. */
export function explain(e: unknown): Explained {
  if (e instanceof SessionRejectedError) {
    const first = e.findings[0];
    return {
      code: first?.code ?? 'SESSION_REJECTED',
      what: e.findings.map((f) => `${f.message} (${FINDING_DESCRIPTIONS[f.code]})`).join(' '),
      next: NEXT.SESSION_REJECTED,
    };
  }
  if (isKeywitnessError(e) || e instanceof BridgeError) {
    return {
      code: e.code,
      what: e.message,
      next: NEXT[e.code] ?? 'Nothing was recorded. Try again; if this repeats, tell the ceremony administrator.',
    };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL_ERROR', what: `Unexpected error: ${message}`, next: NEXT.INTERNAL_ERROR };
}
