import { describe, expect, it } from 'vitest';
import { encodeCbor, decodeCbor, type CborMap, type CborValue } from '../../../../src/core/protocol/cbor.js';
import { generateSigner, signerFromPkcs8, signedBytes, type Signer } from '../../../../src/core/protocol/identity.js';
import { decodeMessage, signMessage, verifyMessage, type Draft } from '../../../../src/core/protocol/message.js';
import { sha256 } from '../../../../src/core/util/hash.js';
import { MAX_APPENDED } from '../../../../src/core/protocol/bodies.js';
import { toHex } from '../../../../src/core/util/bytes.js';

const sid = new Uint8Array(16).fill(7);
const head = new Uint8Array(32).fill(9);

function ackDraft(): Draft<'ack'> {
  return {
    t: 'ack',
    sid,
    at: 1_700_000_000_000,
    prev: head,
    body: { ref: new Uint8Array(32).fill(1), decision: 'confirm', recomputed: true, challenge: false },
  };
}

/** Re-sign arbitrary envelope content, to build hostile-but-validly-signed inputs. */
async function forge(signer: Signer, type: string, envelope: CborMap): Promise<Uint8Array> {
  const envelopeBytes = encodeCbor(envelope);
  const signature = await signer.signRaw(signedBytes(type, envelopeBytes));
  return encodeCbor([envelopeBytes, signature]);
}

describe.each(['ed25519', 'p256'] as const)('signed messages with %s', (alg) => {
  it('round-trip: sign, decode from wire, verify; the id is SHA-256 of the wire', async () => {
    const signer = await generateSigner(alg);
    const msg = await signMessage(signer, ackDraft());
    const again = decodeMessage(msg.wire);
    expect(again.envelope).toEqual(msg.envelope);
    expect(toHex(again.id)).toBe(toHex(sha256(msg.wire)));
    expect(await verifyMessage(again, signer)).toBe(true);
  });

  it('any flipped bit in the wire form is either undecodable or fails verification', async () => {
    const signer = await generateSigner(alg);
    const msg = await signMessage(signer, ackDraft());
    for (let bit = 0; bit < msg.wire.length * 8; bit += 3) {
      const bad = msg.wire.slice();
      bad[bit >> 3]! ^= 1 << (bit & 7);
      let decoded;
      try {
        decoded = decodeMessage(bad);
      } catch {
        continue;
      }
      expect(await verifyMessage(decoded, signer)).toBe(false);
    }
  });

  it('a signature for one type does not verify as another (domain separation)', async () => {
    const signer = await generateSigner(alg);
    const msg = await signMessage(signer, ackDraft());
    const env = decodeCbor(msg.envelopeBytes) as Record<string, CborValue>;
    // Same envelope bytes relabelled as an attest with a compatible body would need a new
    // signature; here we keep the old signature and only swap the domain.
    const relabelled = encodeCbor({
      ...env,
      t: 'attest',
      body: { ref: new Uint8Array(32).fill(1), agree: true, log: new Uint8Array(32) },
    });
    const wire = encodeCbor([relabelled, msg.signature]);
    expect(await verifyMessage(decodeMessage(wire), signer)).toBe(false);
  });

  it('does not verify against another key, nor when `by` names another key', async () => {
    const a = await generateSigner(alg);
    const b = await generateSigner(alg);
    const msg = await signMessage(a, ackDraft());
    expect(await verifyMessage(msg, b)).toBe(false);
    expect(await verifyMessage(msg, { ...b, fingerprint: a.fingerprint })).toBe(false);
  });

  it('a stored PKCS#8 key signs as the same identity', async () => {
    const signer = await generateSigner(alg, true);
    const loaded = await signerFromPkcs8(alg, await signer.exportPkcs8());
    expect(toHex(loaded.fingerprint)).toBe(toHex(signer.fingerprint));
    const msg = await signMessage(loaded, ackDraft());
    expect(await verifyMessage(msg, signer)).toBe(true);
  });
});

describe('strict message decoding', () => {
  const base = (): Record<string, CborValue> => ({
    v: 1,
    t: 'ack',
    sid,
    by: new Uint8Array(32).fill(3),
    at: 5,
    prev: head,
    body: { ref: new Uint8Array(32), decision: 'confirm', recomputed: false, challenge: false },
  });
  const withBody = (patch: Record<string, CborValue | undefined>) => {
    const e = base();
    const body = { ...(e.body as CborMap), ...patch };
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    return { ...e, body: body as CborMap };
  };
  const cases: [string, () => Record<string, CborValue>, RegExp][] = [
    ['unknown envelope field', () => ({ ...base(), extra: 1 }), /extra: unknown field/],
    ['unknown body field', () => withBody({ extra: 'x' }), /body\.extra: unknown field/],
    ['missing body field', () => withBody({ decision: undefined }), /body\.decision: missing/],
    ['wrong version', () => ({ ...base(), v: 2 }), /v: unsupported version 2/],
    ['unknown type', () => ({ ...base(), t: 'gossip' }), /t: must be one of/],
    ['short session id', () => ({ ...base(), sid: new Uint8Array(15) }), /sid: must be 16 bytes, got 15/],
    ['long signer fingerprint', () => ({ ...base(), by: new Uint8Array(33) }), /by: must be 32 bytes, got 33/],
    ['short ref', () => withBody({ ref: new Uint8Array(31) }), /body\.ref: must be 32 bytes, got 31/],
    ['bad decision', () => withBody({ decision: 'maybe' }), /body\.decision: must be one of "confirm", "object"/],
    ['empty reason', () => withBody({ reason: '' }), /body\.reason: must not be empty/],
    ['text where bool', () => withBody({ recomputed: 'yes' }), /body\.recomputed: must be true or false/],
    ['negative time', () => ({ ...base(), at: -1 }), /at: must be an unsigned integer/],
    [
      'ack without prev',
      () => {
        const e = base();
        delete e.prev;
        return e;
      },
      /prev: a ack must carry the transcript head/,
    ],
    [
      'enroll with prev',
      () => ({
        ...base(),
        t: 'enroll',
        body: { genesis: head, name: 'A', role: 'w', alg: 'ed25519', key: new Uint8Array(32) },
      }),
      /prev: a enroll must not carry prev/,
    ],
    ['body not a map', () => ({ ...base(), body: [1] }), /body: must be a map/],
    ['ack with appended', () => ({ ...base(), appended: [] }), /appended: a ack must not carry appended/],
    [
      'close without appended',
      () => ({ ...base(), t: 'close', body: { steps: 1 } }),
      /appended: a close must list the entries appended/,
    ],
    [
      'appended naming an entry twice',
      () => ({
        ...base(),
        t: 'close',
        body: { steps: 1 },
        appended: [head, new Uint8Array(32), head],
      }),
      /appended\[2\]: names an entry already listed/,
    ],
    [
      'appended with a short id',
      () => ({ ...base(), t: 'close', body: { steps: 1 }, appended: [new Uint8Array(31)] }),
      /appended\[0\]: must be 32 bytes, got 31/,
    ],
    [
      'appended longer than MAX_APPENDED',
      () => ({
        ...base(),
        t: 'close',
        body: { steps: 1 },
        appended: Array.from({ length: MAX_APPENDED + 1 }, (_, i) => new Uint8Array(32).fill(i & 0xff)),
      }),
      /appended: more than 256 items/,
    ],
  ];

  it.each(cases)('rejects %s, naming the field', async (_name, make, message) => {
    const signer = await generateSigner('ed25519');
    const wire = await forge(signer, 'ack', make());
    expect(() => decodeMessage(wire)).toThrow(message);
  });

  it.each([
    ['not an array', () => encodeCbor({ a: 1 }), /wire form must be a CBOR array/],
    ['three elements', () => encodeCbor([new Uint8Array(1), new Uint8Array(64), 1]), /wire form must be a CBOR array/],
    ['envelope not bytes', () => encodeCbor(['x', new Uint8Array(64)]), /wire\[0\]: must be a byte string/],
    [
      'short signature',
      () => encodeCbor([encodeCbor(base()), new Uint8Array(63)]),
      /wire\[1\]: signature must be 64 bytes, got 63/,
    ],
    [
      'trailing bytes',
      () => new Uint8Array([...encodeCbor([encodeCbor(base()), new Uint8Array(64)]), 0]),
      /trailing byte/,
    ],
    [
      'envelope with trailing bytes',
      () => encodeCbor([new Uint8Array([...encodeCbor(base()), 0]), new Uint8Array(64)]),
      /trailing byte/,
    ],
  ])('rejects a wire form that is %s', (_name, make, message) => {
    expect(() => decodeMessage(make())).toThrow(message);
  });
});
