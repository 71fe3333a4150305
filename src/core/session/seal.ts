/**
 * The seal's content, defined once for the coordinator that signs it and the audit that checks it:
 * the close, the attestations after it in transcript order, and the head after the last entry.
 * Nothing in the transcript follows the attestations, so without the seal a changed attestation
 * (a P-256 signature flipped to its high-s twin, one dropped at the end) would leave no trace in
 * the chain; with it, each changes what the coordinator signed at export.
 */
import type { SealBody } from '../protocol/bodies.js';
import type { SessionState } from './state.js';

/** What the coordinator's seal commits to for this transcript, or undefined while it is open. */
export function expectedSeal(state: SessionState): SealBody | undefined {
  const close = state.close;
  if (!close) return undefined;
  const at = state.entries.findIndex((e) => e.message === close);
  const attestations = state.entries
    .slice(at + 1)
    .filter((e) => e.message?.t === 'attest')
    .map((e) => e.id);
  return { close: close.id, attestations, head: state.head };
}
