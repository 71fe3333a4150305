/**
 * The check the coordinator's scanner applies before a message is released: CRCs are never
 * trusted, only signatures (a participant's scanner uses core's participantScanVerifier). A
 * refusal is a sentence the scanner shows.
 */
import { decodeMessage, verifyMessage } from '../../src/core/protocol/message.js';
import type { Coordinator } from '../../src/core/session/coordinator.js';
import { publicKeyFor } from '../../src/core/session/keys.js';
import type { VerifyFn } from '../../src/core/transfer/assembler.js';

const FROM_PARTICIPANTS = new Set(['enroll', 'ack', 'attest']);

/** The coordinator accepts enrolments (self-signed) and answers from enrolled participants. */
export function coordinatorVerifier(coordinator: Coordinator): VerifyFn {
  return async (wire) => {
    const m = decodeMessage(wire);
    if (!FROM_PARTICIPANTS.has(m.envelope.t))
      return `a ${m.envelope.t} is not something a participant sends; point the camera at a participant's device`;
    const key = publicKeyFor(m, coordinator.state);
    if (!key) return `this ${m.envelope.t} is signed by a device that has not enrolled in this session`;
    return (await verifyMessage(m, key)) || `the signature on this ${m.envelope.t} does not verify`;
  };
}
