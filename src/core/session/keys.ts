/** Which public key a message must verify under. */
import type { PublicIdentity } from '../protocol/identity.js';
import { isMessageOf, selfCertifiedIdentity, type SignedMessage } from '../protocol/message.js';
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
  if (isMessageOf(message, 'genesis', 'enroll')) return selfCertifiedIdentity(message);
  if (state.coordinator && equalBytes(state.coordinator.fingerprint, envelope.by)) return state.coordinator;
  return state.participants.get(toHex(envelope.by))?.identity;
}
