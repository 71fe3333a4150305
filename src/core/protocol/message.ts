/**
 * Signed messages (docs/architecture.md, "Formats: messages"). The envelope is a deterministic CBOR map
 * `{v, t, sid, by, at, prev?, appended?, body}`; the wire form is the CBOR array `[envelope bytes, signature]`;
 * a message's id is SHA-256 of the wire form. Verifiers work from the exact received bytes only.
 */
import { KeywitnessError } from '../errors.js';
import { isLowS } from './low-s.js';
import { equalBytes, toHex } from '../util/bytes.js';
import { sha256 } from '../util/hash.js';
import {
  type BodyOf,
  BODY_SCHEMAS,
  type ChainedType,
  type CoordinatorChainedType,
  HAS_APPENDED,
  HAS_PREV,
  MAX_APPENDED,
  MESSAGE_TYPES,
  type MessageType,
} from './bodies.js';
import { type CborMap, type CborValue, DEFAULT_MAX_CBOR_BYTES, decodeCbor, encodeCbor } from './cbor.js';
import { anyMap, arrayOf, checkField, checkMap, expectMap, type Schema, bytes, mapOf, oneOf, uint } from './fields.js';
import {
  SIGNATURE_LENGTH,
  type PublicIdentity,
  type Signer,
  fingerprintOf,
  signedBytes,
  verifySignature,
} from './identity.js';

export const PROTOCOL_VERSION = 1;

/** `prev` is required for the chained types and absent for the others, as the decoder enforces. */
type PrevOf<T extends MessageType> = T extends ChainedType
  ? { /** Transcript head the signer saw. */ readonly prev: Uint8Array }
  : { readonly prev?: undefined };

/** `appended` is required for the coordinator's chained types and absent for the others. */
type AppendedOf<T extends MessageType> = T extends CoordinatorChainedType
  ? {
      /** Ids of the entries appended to the transcript since the coordinator's previous entry, in order. */
      readonly appended: readonly Uint8Array[];
    }
  : { readonly appended?: undefined };

type EnvelopeOf<T extends MessageType> = PrevOf<T> &
  AppendedOf<T> & {
    readonly v: 1;
    readonly t: T;
    /** Session id, 16 random bytes. */
    readonly sid: Uint8Array;
    /** Signer's key fingerprint. */
    readonly by: Uint8Array;
    /** Signer's clock, ms since the Unix epoch. */
    readonly at: number;
    readonly body: BodyOf[T];
  };

interface SignedMessageOf<T extends MessageType> {
  /** The message type, `envelope.t` repeated here so that checking it narrows the whole message. */
  readonly t: T;
  readonly envelope: EnvelopeOf<T>;
  readonly envelopeBytes: Uint8Array;
  readonly signature: Uint8Array;
  /** The wire form: CBOR `[envelope bytes, signature]`. */
  readonly wire: Uint8Array;
  /** SHA-256 of the wire form. */
  readonly id: Uint8Array;
}

/** An envelope; for a union of types, a union discriminated by `t`. */
export type Envelope<T extends MessageType = MessageType> = T extends MessageType ? EnvelopeOf<T> : never;

/**
 * A decoded message together with the exact bytes it came from. For a union of types this is a
 * union discriminated by `t`: `if (m.t === 'ack')` narrows `m` to `SignedMessage<'ack'>`.
 */
export type SignedMessage<T extends MessageType = MessageType> = T extends MessageType ? SignedMessageOf<T> : never;

const ENVELOPE_SCHEMA: Schema = {
  v: [uint, true],
  t: [oneOf(...MESSAGE_TYPES), true],
  sid: [bytes(16), true],
  by: [bytes(32), true],
  at: [uint, true],
  prev: [bytes(32), false],
  appended: [arrayOf(bytes(32), MAX_APPENDED), false],
  body: [anyMap, true],
};

/** Fields of an envelope to sign; `v`, the signer and the encoding are filled in. */
export type Draft<T extends MessageType> = T extends MessageType
  ? PrevOf<T> &
      AppendedOf<T> & {
        readonly t: T;
        readonly sid: Uint8Array;
        readonly at: number;
        readonly body: BodyOf[T];
      }
  : never;

/**
 * The envelope bytes `by` would sign for a draft, validated with the decoder's own rules so that
 * nothing is signed that a verifier would refuse. A device restoring its journal re-derives the
 * envelope of each message it signed and compares these bytes with the recorded ones.
 */
export function encodeEnvelope<T extends MessageType>(by: Uint8Array, draft: Draft<T>): Uint8Array {
  const map: Record<string, CborValue> = {
    v: PROTOCOL_VERSION,
    t: draft.t,
    sid: draft.sid,
    by,
    at: draft.at,
    body: stripUndefined(draft.body as unknown as CborMap),
  };
  if (draft.prev !== undefined) map.prev = draft.prev;
  if (draft.appended !== undefined) map.appended = [...draft.appended];
  const envelopeBytes = encodeCbor(map);
  parseEnvelope(envelopeBytes);
  return envelopeBytes;
}

/** Sign a draft: validate it as a verifier would, encode deterministically, sign domain-separated. */
export async function signMessage<T extends MessageType>(signer: Signer, draft: Draft<T>): Promise<SignedMessage<T>> {
  const envelopeBytes = encodeEnvelope(signer.fingerprint, draft);
  const signature = await signer.signRaw(signedBytes(draft.t, envelopeBytes));
  const wire = encodeCbor([envelopeBytes, signature]);
  // A distributive Draft<T> types `t` as the whole union; the decoded type is the drafted one.
  return expectType<T>(decodeMessage(wire), draft.t as T);
}

function stripUndefined(body: CborMap): CborMap {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
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
  // parseEnvelope checked the body against the schema of envelope.t, so the pair is consistent.
  return { t: envelope.t, envelope, envelopeBytes, signature, wire, id: sha256(wire) } as SignedMessage;
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
  checkAppended(t, map.appended as readonly Uint8Array[] | undefined);
  return map as unknown as Envelope;
}

/**
 * `appended` is the coordinator's: required on its chained types, forbidden on every other (a
 * participant never speaks for the transcript), and never names an entry twice. Its length was
 * bounded by the schema (MAX_APPENDED) before the duplicate check builds anything from it; the
 * decoder itself allocates no more items than the 16 KiB input can hold.
 */
function checkAppended(t: MessageType, appended: readonly Uint8Array[] | undefined): void {
  if (HAS_APPENDED[t] && appended === undefined)
    throw new KeywitnessError(
      'MESSAGE_INVALID',
      `a ${t} must list the entries appended since the coordinator's previous message`,
      {
        where: 'appended',
      },
    );
  if (!HAS_APPENDED[t] && appended !== undefined)
    throw new KeywitnessError('MESSAGE_INVALID', `a ${t} must not carry appended`, { where: 'appended' });
  if (!appended) return;
  const seen = new Set<string>();
  for (const [i, id] of appended.entries()) {
    const key = toHex(id);
    if (seen.has(key))
      throw new KeywitnessError('MESSAGE_INVALID', 'names an entry already listed', { where: `appended[${i}]` });
    seen.add(key);
  }
}

/**
 * The identity a genesis or an enrolment certifies for itself: the key it carries, with the
 * fingerprint computed from that key (not taken from `by`). Its signature proves possession.
 */
export function selfCertifiedIdentity(message: SignedMessage<'genesis' | 'enroll'>): PublicIdentity {
  const { alg, key } = message.envelope.body;
  return { alg, publicKey: key, fingerprint: fingerprintOf(key) };
}

/** True when the message is of one of the given types (a type guard over the message union). */
export function isMessageOf<T extends MessageType>(
  message: SignedMessage,
  ...types: readonly T[]
): message is SignedMessage<T> {
  return (types as readonly MessageType[]).includes(message.t);
}

/** Narrow a decoded message to a type, or fail naming both types. */
export function expectType<T extends MessageType>(message: SignedMessage, type: T): SignedMessage<T> {
  if (!isMessageOf(message, type)) {
    throw new KeywitnessError('MESSAGE_INVALID', `expected a ${type} message, got a ${message.t}`);
  }
  return message;
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
  // A high-s P-256 signature verifies mathematically but is never one Keywitness made: refusing it
  // keeps every message's bytes, and so its id, unique (low-s.ts).
  if (signer.alg === 'p256' && !isLowS(message.signature)) return Promise.resolve(false);
  return verifySignature(
    signer.alg,
    signer.publicKey,
    signedBytes(message.envelope.t, message.envelopeBytes),
    message.signature,
  );
}
