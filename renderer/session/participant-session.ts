/**
 * A participant's live session: a core ParticipantDevice whose every accepted genesis and every
 * signed message is journaled (fsynced) before the UI shows it, together with the inputs that
 * produced it. After a restart the device is rebuilt by replaying those inputs with the recorded
 * clock readings: Ed25519 signatures are deterministic (RFC 8032 §5.1.6), and the replay signer
 * hands back the recorded signature for exactly the recorded bytes, so the rebuilt device's log is
 * byte for byte the one it had; any difference is refused as a corrupt journal.
 */
import { KeywitnessError } from '../../src/core/errors.js';
import { checkEvidence } from '../../src/core/evidence/checks.js';
import { signedBytes, type Signer } from '../../src/core/protocol/identity.js';
import { decodeMessage, type SignedMessage } from '../../src/core/protocol/message.js';
import { ParticipantDevice, type Review } from '../../src/core/session/participant.js';
import { parseScript } from '../../src/core/script/parse.js';
import type { Script } from '../../src/core/script/types.js';
import { equalBytes, toHex } from '../../src/core/util/bytes.js';
import { appendRecord, indexSession, readRecords } from './device.js';
import { decodeParticipantRecord, encodeParticipantRecord, type ParticipantRecord } from './records.js';

export interface ParticipantSession {
  readonly device: ParticipantDevice;
  readonly script: Script;
  readonly scriptBytes: Uint8Array;
  /** Journal id: the session id once the genesis is accepted. */
  readonly sessionId: () => string | undefined;
  acceptGenesis(wire: Uint8Array): Promise<SignedMessage<'genesis'>>;
  enroll(): Promise<SignedMessage<'enroll'>>;
  acknowledge(
    review: Review,
    related: readonly Uint8Array[],
    decision: 'confirm' | 'object',
    options: { reason?: string; challengePassed?: boolean },
  ): Promise<SignedMessage<'ack'>>;
  attest(closeWire: Uint8Array, agree: boolean, reason?: string): Promise<SignedMessage<'attest'>>;
  /** Messages signed so far, in order (enroll, acks, attest). */
  readonly signed: SignedMessage[];
}

/** Signs with the real key, except that a recorded signature is returned for the exact recorded bytes. */
class ReplaySigner implements Signer {
  readonly alg;
  readonly publicKey;
  readonly fingerprint;
  expected: { data: Uint8Array; signature: Uint8Array } | undefined;
  constructor(private readonly inner: Signer) {
    this.alg = inner.alg;
    this.publicKey = inner.publicKey;
    this.fingerprint = inner.fingerprint;
  }
  async signRaw(data: Uint8Array): Promise<Uint8Array> {
    const e = this.expected;
    this.expected = undefined;
    if (e && equalBytes(e.data, data)) return e.signature.slice();
    return this.inner.signRaw(data);
  }
  exportPkcs8(): Promise<Uint8Array> {
    return this.inner.exportPkcs8();
  }
}

function build(
  script: Script,
  scriptBytes: Uint8Array,
  signer: Signer,
  name: string,
  role: string,
  journal: { id: string | undefined },
  replaying: { on: boolean },
) {
  const replay = new ReplaySigner(signer);
  let clockValue: number | undefined;
  const device = new ParticipantDevice({
    signer: replay,
    name,
    role,
    script,
    checker: checkEvidence,
    clock: () => clockValue ?? Date.now(),
  });
  const signed: SignedMessage[] = [];
  const pending: ParticipantRecord[] = [];
  const write = async (record: ParticipantRecord): Promise<void> => {
    if (replaying.on) return;
    if (!journal.id) throw new KeywitnessError('SESSION_REJECTED', 'scan the session genesis first');
    for (const r of pending.splice(0)) await appendRecord(journal.id, encodeParticipantRecord(r));
    await appendRecord(journal.id, encodeParticipantRecord(record));
  };
  // A restored session's metadata is already in its journal.
  if (!replaying.on) pending.push({ t: 'meta', script: scriptBytes, name, role });
  const session: ParticipantSession = {
    device,
    script,
    scriptBytes,
    signed,
    sessionId: () => journal.id,
    async acceptGenesis(wire) {
      const genesis = await device.acceptGenesis(wire);
      const first = journal.id === undefined;
      journal.id = toHex(genesis.envelope.sid);
      if (first && !replaying.on)
        await indexSession({ t: 'session', sid: journal.id, role: 'participant', title: script.title, at: Date.now() });
      if (first) await write({ t: 'genesis', wire });
      return genesis;
    },
    async enroll() {
      const m = await device.enroll();
      await write({ t: 'enroll', wire: m.wire });
      signed.push(m);
      return m;
    },
    async acknowledge(review, related, decision, options) {
      const m = await device.acknowledge(review, decision, options);
      await write({
        t: 'ack',
        target: review.target.wire,
        related: [...related],
        decision,
        reason: options.reason?.trim() || undefined,
        challenge: options.challengePassed === true,
        wire: m.wire,
      });
      signed.push(m);
      return m;
    },
    async attest(closeWire, agree, reason) {
      const m = await device.attest(closeWire, agree, reason);
      await write({ t: 'attest', close: closeWire, agree, reason: reason?.trim() || undefined, wire: m.wire });
      signed.push(m);
      return m;
    },
  };
  const expect = (wire: Uint8Array): void => {
    const m = decodeMessage(wire);
    clockValue = m.envelope.at;
    replay.expected = { data: signedBytes(m.envelope.t, m.envelopeBytes), signature: m.signature };
  };
  return {
    session,
    expect,
    stopReplay: () => {
      clockValue = undefined;
      replaying.on = false;
    },
  };
}

/** A new participant session for this device's own copy of the script. Nothing is journaled before the genesis. */
export function createParticipantSession(options: {
  script: Script;
  scriptBytes: Uint8Array;
  signer: Signer;
  name: string;
  role: string;
}): ParticipantSession {
  return build(
    options.script,
    options.scriptBytes,
    options.signer,
    options.name,
    options.role,
    { id: undefined },
    { on: false },
  ).session;
}

/** Rebuild a participant session from its journal by replaying what the device did. */
export async function restoreParticipantSession(
  sessionId: string,
  signer: Signer,
): Promise<ParticipantSession & { droppedTailBytes: number }> {
  const { records, droppedTailBytes } = await readRecords(sessionId);
  const decoded = records.map((r, i) => decodeParticipantRecord(r, i));
  const meta = decoded[0];
  if (meta?.t !== 'meta')
    throw new KeywitnessError(
      'JOURNAL_CORRUPT',
      `the journal of session ${sessionId} does not start with its metadata`,
    );
  const script = parseScript(meta.script);
  const replaying = { on: true };
  const { session, expect, stopReplay } = build(
    script,
    meta.script,
    signer,
    meta.name,
    meta.role,
    { id: undefined },
    replaying,
  );
  for (const [i, r] of decoded.slice(1).entries()) {
    let produced: SignedMessage | undefined;
    const recorded = 'wire' in r ? r.wire : undefined;
    switch (r.t) {
      case 'meta':
        throw new KeywitnessError(
          'JOURNAL_CORRUPT',
          `participant journal record ${i + 1} repeats the session metadata`,
        );
      case 'genesis':
        await session.acceptGenesis(r.wire);
        break;
      case 'enroll':
        expect(r.wire);
        produced = await session.enroll();
        break;
      case 'ack': {
        const review = await session.device.review(r.target, r.related);
        expect(r.wire);
        produced = await session.acknowledge(review, r.related, r.decision, {
          ...(r.reason ? { reason: r.reason } : {}),
          challengePassed: r.challenge,
        });
        break;
      }
      case 'attest':
        expect(r.wire);
        produced = await session.attest(r.close, r.agree, r.reason);
        break;
    }
    if (produced && recorded && !equalBytes(produced.wire, recorded)) {
      throw new KeywitnessError(
        'JOURNAL_CORRUPT',
        `participant journal record ${i + 1}: replaying it does not reproduce the signed ${r.t}`,
      );
    }
  }
  if (session.sessionId() !== sessionId)
    throw new KeywitnessError('JOURNAL_CORRUPT', `the journal of session ${sessionId} holds another session's genesis`);
  stopReplay();
  return Object.assign(session, { droppedTailBytes });
}
