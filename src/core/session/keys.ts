/** Which public key a message must verify under. */
import type { PublicIdentity, SignatureAlgorithm } from '../protocol/identity.js';
import type { SignedMessage } from '../protocol/message.js';
import { equalBytes, toHex } from '../util/bytes.js';
import type { SessionState } from './state.js';

/**
 * The key a message claims to be signed by: genesis and enroll carry their own key (self-signed,
 * which is the proof of possession); every other message is signed by the coordinator or an
 * enrolled participant, looked up by the `by` fingerprint. Undefined when nobody in the session
 * holds that fingerprint. verifyMessage still checks the fingerprint against the key.
 */
export function publicKeyFor(
  message: SignedMessage,
  state: Pick<SessionState, 'coordinator' | 'participants'>,
): PublicIdentity | undefined {
  const { envelope } = message;
  if (envelope.t === 'genesis' || envelope.t === 'enroll') {
    const body = (message as SignedMessage<'genesis' | 'enroll'>).envelope.body;
    return { alg: body.alg as SignatureAlgorithm, publicKey: body.key, fingerprint: envelope.by };
  }
  if (state.coordinator && equalBytes(state.coordinator.fingerprint, envelope.by)) return state.coordinator;
  return state.participants.get(toHex(envelope.by))?.identity;
}
