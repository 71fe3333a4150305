/**
 * Rebuilds a transcript after an edit, re-signing every message with the holder's key, as an
 * attacker holding every key could. Tamper tests use it to produce transcripts that break exactly
 * one rule, so each mutation must be caught by that rule's own finding and nothing else.
 */
import { HAS_APPENDED, type MessageType } from '../../src/core/protocol/bodies.js';
import { decodeCbor, encodeCbor, type CborValue } from '../../src/core/protocol/cbor.js';
import { signedBytes, type Signer } from '../../src/core/protocol/identity.js';
import { decodeMessage, signMessage, type SignedMessage } from '../../src/core/protocol/message.js';
import { deviceLog, loggedIds } from '../../src/core/session/device-log.js';
import { equalBytes, toHex } from '../../src/core/util/bytes.js';
import { sha256 } from '../../src/core/util/hash.js';
import { EMPTY_HEAD, entryHash } from '../../src/core/session/transcript.js';

/** An envelope as a plain editable map. */
export type EnvelopeMap = Record<string, CborValue> & { t: string; by: Uint8Array; body: Record<string, CborValue> };

/** Decode a transcript's envelopes into editable maps. */
export function envelopes(transcript: readonly Uint8Array[]): EnvelopeMap[] {
  return transcript.map((w) => structuredClone(decodeCbor(decodeMessage(w).envelopeBytes) as unknown) as EnvelopeMap);
}

/** Coordinator messages that record the clocks of the enrolments before them (state-clocks.ts). */
const CLOCK_TYPES = new Set(['statement', 'roster', 'close']);

/**
 * Rewrites `clocks` as the coordinator would have signed it for the edited list: each
 * clock-bearing message records every enrolment since the previous one, once, with the skew the
 * original record gave (0 when there was none); records of enrolments no longer before it move on.
 */
function clockFixer(list: readonly EnvelopeMap[]): (env: EnvelopeMap) => void {
  const skews = new Map<string, number>();
  for (const e of list) {
    for (const c of (e.body.clocks as { who: Uint8Array; skew_ms: number }[] | undefined) ?? [])
      skews.set(toHex(c.who), c.skew_ms);
  }
  let pending: Uint8Array[] = [];
  const seen = new Set<string>();
  return (env) => {
    if (env.t === 'enroll' && !seen.has(toHex(env.by))) {
      seen.add(toHex(env.by));
      pending.push(env.by);
    }
    if (!CLOCK_TYPES.has(env.t)) return;
    const records = pending.map((who) => ({ who, skew_ms: skews.get(toHex(who)) ?? 0 }));
    pending = [];
    if (records.length > 0) env.body.clocks = records;
    else delete env.body.clocks;
  };
}

/** Whether a type carries `appended`; unknown (edited) types do not. */
function hasAppended(t: string): boolean {
  return Object.hasOwn(HAS_APPENDED, t) && HAS_APPENDED[t as MessageType];
}

/**
 * Re-sign edited envelopes in order. References (genesis, ref, objections, retry, abort) pointing
 * at an original message id are rewritten to the re-signed message's id; `prev` and the
 * coordinator's `appended` (the ids since its previous chained entry or the genesis) are recomputed
 * from the new chain, and so is each attestation's device log (an attacker with every key can sign
 * any log).
 * `originalIds` are the ids of the envelopes before editing, index-aligned with a reference list.
 * Each statement's and close's `clocks` are recomputed for the edited order too, unless
 * `keepClocks` (a test that edits the clock records themselves).
 */
export async function rechain(
  list: readonly EnvelopeMap[],
  signers: ReadonlyMap<string, Signer>,
  originalIds: ReadonlyMap<string, EnvelopeMap>,
  /**
   * Edits an envelope after its chain fields are recomputed, just before it is signed; or options:
   * `adjust` so, and `keepClocks`.
   */
  adjustOrOptions?:
    | ((env: EnvelopeMap, original: EnvelopeMap) => void)
    | {
        readonly keepClocks?: boolean;
        readonly adjust?: (env: EnvelopeMap, original: EnvelopeMap) => void;
      },
): Promise<Uint8Array[]> {
  const newId = new Map<EnvelopeMap, Uint8Array>();
  const byOld = (id: Uint8Array): EnvelopeMap | undefined => originalIds.get(toHex(id));
  const remap = (id: Uint8Array): Uint8Array => {
    const target = byOld(id);
    return (target && newId.get(target)) ?? id;
  };
  const prevOf = new Map<EnvelopeMap, Uint8Array>();
  const out: Uint8Array[] = [];
  const rebuilt: SignedMessage[] = [];
  let head = EMPTY_HEAD;
  const options = typeof adjustOrOptions === 'function' ? { adjust: adjustOrOptions } : (adjustOrOptions ?? {});
  const adjust = options.adjust;
  const clocks = options.keepClocks ? () => undefined : clockFixer(list);
  let sinceCoordinator: Uint8Array[] = [];
  for (const [seq, original] of list.entries()) {
    const env = structuredClone<EnvelopeMap>(original);
    const body = env.body;
    clocks(env);
    if (body.genesis instanceof Uint8Array) body.genesis = remap(body.genesis);
    if (body.ref instanceof Uint8Array) body.ref = remap(body.ref);
    if (Array.isArray(body.objections)) body.objections = (body.objections as Uint8Array[]).map(remap);
    if (body.retry instanceof Uint8Array) body.retry = remap(body.retry);
    if (body.abort instanceof Uint8Array) body.abort = remap(body.abort);
    if (hasAppended(env.t)) {
      env.prev = head;
      // An edit that removed `appended` on purpose keeps it removed (the decoder must refuse it).
      if ('appended' in original) env.appended = sinceCoordinator;
    } else if ((env.t === 'ack' || env.t === 'attest') && body.ref instanceof Uint8Array) {
      const target = byOld((original.body as { ref: Uint8Array }).ref);
      const p = target ? prevOf.get(target) : undefined;
      if (p) env.prev = p;
    }
    const genesis = rebuilt[0];
    if (env.t === 'attest' && genesis) body.log = deviceLog(genesis.id, loggedIds(env.by, rebuilt));
    adjust?.(env, original);
    const signer = signers.get(toHex(env.by));
    if (!signer) throw new Error(`no key for ${toHex(env.by)}`);
    const envelopeBytes = encodeCbor(env);
    const wire = encodeCbor([envelopeBytes, await signer.signRaw(signedBytes(env.t, envelopeBytes))]);
    newId.set(original, sha256(wire));
    if (env.prev instanceof Uint8Array) prevOf.set(original, env.prev);
    out.push(wire);
    // The coordinator's previous entry is its genesis or its latest chained message, not one a
    // participant's key signed in its place (the state's fold counts the same way).
    const byCoordinator = genesis === undefined || equalBytes(env.by, genesis.envelope.by);
    if (env.t === 'genesis' || (hasAppended(env.t) && byCoordinator)) sinceCoordinator = [];
    else sinceCoordinator.push(sha256(wire));
    rebuilt.push(decodeMessage(wire));
    head = entryHash(seq, head, sha256(wire));
  }
  return out;
}

/**
 * The coordinator's seal for a transcript, as an attacker holding the coordinator's key would
 * re-sign it after an edit (session/seal.ts defines what it commits to), or undefined when the
 * transcript has no close.
 */
export async function resealed(
  transcript: readonly Uint8Array[],
  coordinator: Signer,
): Promise<Uint8Array | undefined> {
  let head = EMPTY_HEAD;
  let close: SignedMessage | undefined;
  const attestations: Uint8Array[] = [];
  for (const [seq, wire] of transcript.entries()) {
    const id = sha256(wire);
    head = entryHash(seq, head, id);
    let m: SignedMessage | undefined;
    try {
      m = decodeMessage(wire);
    } catch {
      continue;
    }
    if (m.t === 'close' && !close) close = m;
    else if (m.t === 'attest' && close) attestations.push(id);
  }
  if (!close) return undefined;
  const seal = await signMessage(coordinator, {
    t: 'seal',
    sid: close.envelope.sid,
    at: close.envelope.at + 60_000,
    body: { close: close.id, attestations, head },
  });
  return seal.wire;
}
