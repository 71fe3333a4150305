/**
 * The signature checks each scanner applies before a message is released (DESIGN §5: CRCs are
 * never trusted, only signatures). A refusal is a sentence the scanner shows.
 */
import { fingerprintOf, type SignatureAlgorithm } from '../../src/core/protocol/identity.js';
import { decodeMessage, verifyMessage, type SignedMessage } from '../../src/core/protocol/message.js';
import type { Coordinator } from '../../src/core/session/coordinator.js';
import { publicKeyFor } from '../../src/core/session/keys.js';
import type { VerifyFn } from '../../src/core/transfer/assembler.js';
import { equalBytes } from '../../src/core/util/bytes.js';

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

/**
 * A participant accepts, before joining, only a genesis (signed by the key it carries); after,
 * only messages signed by that session's coordinator.
 */
export function participantVerifier(genesis: SignedMessage<'genesis'> | undefined): VerifyFn {
  return async (wire) => {
    const m = decodeMessage(wire);
    if (!genesis) {
      if (m.envelope.t !== 'genesis') return `waiting for the session genesis, this is a ${m.envelope.t}`;
      const body = (m as SignedMessage<'genesis'>).envelope.body;
      return (
        (await verifyMessage(m, {
          alg: body.alg as SignatureAlgorithm,
          publicKey: body.key,
          fingerprint: fingerprintOf(body.key),
        })) || 'the genesis signature does not verify with the key it carries'
      );
    }
    const body = genesis.envelope.body;
    if (!equalBytes(m.envelope.by, genesis.envelope.by))
      return `this ${m.envelope.t} is not from this session's coordinator (another participant's screen?)`;
    return (
      (await verifyMessage(m, {
        alg: body.alg as SignatureAlgorithm,
        publicKey: body.key,
        fingerprint: genesis.envelope.by,
      })) || `the signature on this ${m.envelope.t} does not verify`
    );
  };
}
