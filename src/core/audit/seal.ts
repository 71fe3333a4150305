/**
 * The audit's check of the coordinator's seal (session/seal.ts): a closed session's bundle must
 * carry one, signed by the genesis's coordinator key for this session, committing to exactly the
 * close, the attestations and the head the transcript holds. Anything else is a finding that says
 * what differs; an open session carries none.
 */
import { decodeMessage, verifyMessage } from '../protocol/message.js';
import { spokenWords } from '../protocol/words.js';
import { equalBytes, toHex } from '../util/bytes.js';
import { expectedSeal } from '../session/seal.js';
import type { SessionState } from '../session/state.js';
import type { Finding } from './findings.js';

const short = (bytes: Uint8Array): string => `${toHex(bytes.subarray(0, 8))}…`;

/** Findings for the bundle's seal (the wire bytes beside the transcript, if any). */
export async function sealFindings(seal: Uint8Array | undefined, state: SessionState): Promise<Finding[]> {
  if (!state.genesis || !state.coordinator) return [];
  const expected = expectedSeal(state);
  const mismatch = (message: string): Finding[] => [{ code: 'SEAL_MISMATCH', message }];
  if (!expected) return seal ? mismatch('the bundle carries a seal, but the session was never closed') : [];
  if (!seal) {
    return [
      {
        code: 'SEAL_MISSING',
        message:
          'the session was closed, but the bundle carries no coordinator seal over the close and its attestations',
      },
    ];
  }
  let message;
  try {
    message = decodeMessage(seal);
  } catch (e) {
    return mismatch(`the seal is not a valid message: ${(e as Error).message}`);
  }
  if (message.t !== 'seal') return mismatch(`the bundle's seal is a ${message.t}, not a seal`);
  const { sid, by, body } = message.envelope;
  if (!equalBytes(sid, state.genesis.envelope.sid)) return mismatch(`the seal belongs to session ${toHex(sid)}`);
  if (!equalBytes(by, state.coordinator.fingerprint))
    return mismatch(`the seal is signed by key ${spokenWords(by)}, not by the session's coordinator`);
  if (!(await verifyMessage(message, state.coordinator)))
    return mismatch("the seal's signature does not verify with the coordinator's key");
  const problems: string[] = [];
  if (!equalBytes(body.close, expected.close)) problems.push(`names close ${short(body.close)}, not the transcript's`);
  const want = expected.attestations.map(toHex);
  const got = body.attestations.map(toHex);
  if (want.length !== got.length || want.some((id, i) => id !== got[i])) {
    const missing = want.filter((id) => !got.includes(id)).length;
    const extra = got.filter((id) => !want.includes(id)).length;
    problems.push(
      missing + extra > 0
        ? `lists ${got.length} attestations; ${missing} of the transcript's ${want.length} are not among them and ${extra} it lists are not in the transcript`
        : 'lists the attestations in another order than the transcript',
    );
  }
  if (!equalBytes(body.head, expected.head))
    problems.push(`commits to head ${short(body.head)}, the transcript's head is ${short(expected.head)}`);
  return problems.length > 0 ? mismatch(`the coordinator's seal ${problems.join('; ')}`) : [];
}
