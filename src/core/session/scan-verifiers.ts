/**
 * The checks each scanner applies before the assembler releases a message: CRCs are never trusted,
 * only signatures (docs/qr-format.md). A refusal is the sentence the scanner shows; the session
 * that receives the released message then applies its full rules.
 */
import type { PublicIdentity } from '../protocol/identity.js';
import {
  decodeMessage,
  isMessageOf,
  selfCertifiedIdentity,
  verifyMessage,
  type SignedMessage,
} from '../protocol/message.js';
import type { VerifyFn } from '../transfer/assembler.js';
import { equalBytes } from '../util/bytes.js';
import { publicKeyFor } from './keys.js';
import type { SessionState } from './state.js';

/** The coordinator accepts enrolments (self-signed) and answers from enrolled participants. */
export function coordinatorScanVerifier(state: Pick<SessionState, 'coordinator' | 'participants'>): VerifyFn {
  return async (wire) => {
    const m = decodeMessage(wire);
    if (!isMessageOf(m, 'enroll', 'ack', 'attest')) {
      return `a ${m.t} is not something a participant sends; point the camera at a participant's device`;
    }
    const key = publicKeyFor(m, state);
    if (!key) return `this ${m.t} is signed by a device that has not enrolled in this session`;
    return (await verifyMessage(m, key)) || `the signature on this ${m.t} does not verify`;
  };
}

/**
 * The check a participant's scanner applies before it releases a message: before joining, a genesis
 * signed by the key it carries; after, a message signed by this session's coordinator. A refusal is
 * the sentence the scanner shows.
 */
export function participantScanVerifier(
  session: { readonly genesis: SignedMessage<'genesis'>; readonly coordinator: PublicIdentity } | undefined,
): VerifyFn {
  return async (wire) => {
    const m = decodeMessage(wire);
    if (!session) {
      if (m.t !== 'genesis') return `waiting for the session genesis, this is a ${m.t}`;
      return (
        (await verifyMessage(m, selfCertifiedIdentity(m))) ||
        'the genesis signature does not verify with the key it carries'
      );
    }
    if (!equalBytes(m.envelope.by, session.coordinator.fingerprint)) {
      return `this ${m.t} is not from this session's coordinator (another participant's screen?)`;
    }
    return (await verifyMessage(m, session.coordinator)) || `the signature on this ${m.t} does not verify`;
  };
}
