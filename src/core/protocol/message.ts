/**
 * Signed messages (DESIGN §3.3). The envelope is a deterministic CBOR map
 * `{v, t, sid, by, at, prev?, body}`; the wire form is the CBOR array `[envelope bytes, signature]`;
 * a message's id is SHA-256 of the wire form. Verifiers work from the exact received bytes only.
 */
import { KeywitnessError } from '../errors.js';
import { equalBytes } from '../util/bytes.js';
import { sha256 } from '../util/hash.js';
import { type BodyOf, BODY_SCHEMAS, HAS_PREV, MESSAGE_TYPES, type MessageType } from './bodies.js';
import { type CborMap, type CborValue, DEFAULT_MAX_CBOR_BYTES, decodeCbor, encodeCbor } from './cbor.js';
import { anyMap, checkField, checkMap, expectMap, type Schema, bytes, mapOf, oneOf, uint } from './fields.js';
import {
  SIGNATURE_LENGTH,
  type PublicIdentity,
  type Signer,
  fingerprintOf,
  signedBytes,
  verifySignature,
} from './identity.js';

export const PROTOCOL_VERSION = 1;

export interface Envelope<T extends MessageType = MessageType> {
  readonly v: 1;
  readonly t: T;
  /** Session id, 16 random bytes. */
  readonly sid: Uint8Array;
  /** Signer's key fingerprint. */
  readonly by: Uint8Array;
  /** Signer's clock, ms since the Unix epoch. */
  readonly at: number;
  /** Transcript head the signer saw, for the types that carry one. */
  readonly prev?: Uint8Array;
  readonly body: BodyOf[T];
}

/** A decoded message together with the exact bytes it came from. */
export interface SignedMessage<T extends MessageType = MessageType> {
  readonly envelope: Envelope<T>;
  readonly envelopeBytes: Uint8Array;
  readonly signature: Uint8Array;
  /** The wire form: CBOR `[envelope bytes, signature]`. */
  readonly wire: Uint8Array;
  /** SHA-256 of the wire form. */
  readonly id: Uint8Array;
}

const ENVELOPE_SCHEMA: Schema = {
  v: [uint, true],
  t: [oneOf(...MESSAGE_TYPES), true],
  sid: [bytes(16), true],
  by: [bytes(32), true],
  at: [uint, true],
  prev: [bytes(32), false],
  body: [anyMap, true],
};

/** Fields of an envelope to sign; `v`, the signer and the encoding are filled in. */
export interface Draft<T extends MessageType> {
  readonly t: T;
  readonly sid: Uint8Array;
  readonly at: number;
  readonly prev?: Uint8Array;
  readonly body: BodyOf[T];
}

/** Sign a draft: validate it as a verifier would, encode deterministically, sign domain-separated. */
export async function signMessage<T extends MessageType>(signer: Signer, draft: Draft<T>): Promise<SignedMessage<T>> {
  const map: Record<string, CborValue> = {
    v: PROTOCOL_VERSION,
    t: draft.t,
    sid: draft.sid,
    by: signer.fingerprint,
    at: draft.at,
    body: stripUndefined(draft.body as unknown as CborMap),
  };
  if (draft.prev !== undefined) map.prev = draft.prev;
  const envelopeBytes = encodeCbor(map);
  // Validate with the decoder's own rules so nothing is signed that a verifier would refuse.
  parseEnvelope(envelopeBytes);
  const signature = await signer.signRaw(signedBytes(draft.t, envelopeBytes));
  const wire = encodeCbor([envelopeBytes, signature]);
  return decodeMessage(wire) as SignedMessage<T>;
}

function stripUndefined(body: CborMap): CborMap {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) as CborMap;
}

/**
 * Decode a wire message strictly (structure only; the signature is checked by verifyMessage).
 * @throws KeywitnessError CBOR_INVALID / MESSAGE_INVALID / INPUT_TOO_LARGE naming the field.
 */
export function decodeMessage(wire: Uint8Array, maxBytes = DEFAULT_MAX_CBOR_BYTES): SignedMessage {
  const outer = decodeCbor(wire, maxBytes);
  if (!Array.isArray(outer) || outer.length !== 2) {
    throw new KeywitnessError('MESSAGE_INVALID', 'wire form must be a CBOR array [envelope, signature]');
  }
  const [envelopeBytes, signature] = outer as CborValue[];
  if (!(envelopeBytes instanceof Uint8Array))
    throw new KeywitnessError('MESSAGE_INVALID', 'must be a byte string', { where: 'wire[0]' });
  if (!(signature instanceof Uint8Array))
    throw new KeywitnessError('MESSAGE_INVALID', 'must be a byte string', { where: 'wire[1]' });
  if (signature.length !== 64)
    throw new KeywitnessError('MESSAGE_INVALID', `signature must be 64 bytes, got ${signature.length}`, {
      where: 'wire[1]',
    });
  const envelope = parseEnvelope(envelopeBytes);
  return { envelope, envelopeBytes, signature, wire, id: sha256(wire) };
}

function parseEnvelope(envelopeBytes: Uint8Array): Envelope {
  const map = expectMap(decodeCbor(envelopeBytes), 'envelope');
  checkMap(map, ENVELOPE_SCHEMA, '');
  if (map.v !== PROTOCOL_VERSION)
    throw new KeywitnessError('MESSAGE_INVALID', `unsupported version ${String(map.v)}`, { where: 'v' });
  const t = map.t as MessageType;
  checkField(map.body, mapOf(BODY_SCHEMAS[t]), 'body');
  if (HAS_PREV[t] && map.prev === undefined)
    throw new KeywitnessError('MESSAGE_INVALID', `a ${t} must carry the transcript head`, { where: 'prev' });
  if (!HAS_PREV[t] && map.prev !== undefined)
    throw new KeywitnessError('MESSAGE_INVALID', `a ${t} must not carry prev`, { where: 'prev' });
  return map as unknown as Envelope;
}

/** Narrow a decoded message to a type, or fail naming both types. */
export function expectType<T extends MessageType>(message: SignedMessage, type: T): SignedMessage<T> {
  if (message.envelope.t !== type) {
    throw new KeywitnessError('MESSAGE_INVALID', `expected a ${type} message, got a ${message.envelope.t}`);
  }
  return message as SignedMessage<T>;
}

// Identities whose fingerprint was found to match their key, with copies of the key and
// fingerprint it was checked for: an audit verifies thousands of messages per identity, and
// comparing bytes costs far less than hashing again. Changed arrays no longer match their copies.
const matchedKeys = new WeakMap<PublicIdentity, { readonly key: Uint8Array; readonly fingerprint: Uint8Array }>();

function fingerprintMatches(identity: PublicIdentity): boolean {
  const checked = matchedKeys.get(identity);
  if (checked && equalBytes(checked.key, identity.publicKey) && equalBytes(checked.fingerprint, identity.fingerprint))
    return true;
  if (!equalBytes(fingerprintOf(identity.publicKey), identity.fingerprint)) return false;
  matchedKeys.set(identity, { key: identity.publicKey.slice(), fingerprint: identity.fingerprint.slice() });
  return true;
}

/**
 * Check a message's signature against the signer's public identity: the envelope's `by` must be the
 * identity's fingerprint and the signature must verify over the domain-separated envelope bytes.
 */
export function verifyMessage(message: SignedMessage, signer: PublicIdentity): Promise<boolean> {
  if (!equalBytes(message.envelope.by, signer.fingerprint)) return Promise.resolve(false);
  if (!fingerprintMatches(signer)) return Promise.resolve(false);
  if (message.signature.length !== SIGNATURE_LENGTH[signer.alg]) return Promise.resolve(false);
  return verifySignature(
    signer.alg,
    signer.publicKey,
    signedBytes(message.envelope.t, message.envelopeBytes),
    message.signature,
  );
}
