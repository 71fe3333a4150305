/**
 * The coordinator's live session: a core Coordinator whose `persist` hook writes every accepted
 * entry and evidence item to the journal (fsynced) before the Coordinator commits it, so the UI
 * only ever shows what is on disk. After a restart the session is rebuilt with Coordinator.restore,
 * which re-checks every entry under the same rules. Operations run one at a time.
 */
import { KeywitnessError } from '../../src/core/errors.js';
import { checkEvidence } from '../../src/core/evidence/checks.js';
import type { SessionMode } from '../../src/core/protocol/bodies.js';
import type { Signer } from '../../src/core/protocol/identity.js';
import { Coordinator, type PersistRecord } from '../../src/core/session/coordinator.js';
import { parseScript } from '../../src/core/script/parse.js';
import type { Script } from '../../src/core/script/types.js';
import { toHex } from '../../src/core/util/bytes.js';
import { appendRecord, indexSession, newSessionId, readRecords } from './device.js';
import { decodeCoordinatorRecord, encodeCoordinatorRecord } from './records.js';

export interface CoordinatorSession {
  readonly sessionId: string;
  readonly coordinator: Coordinator;
  readonly script: Script;
  readonly scriptBytes: Uint8Array;
  readonly mode: SessionMode;
  readonly name: string;
  /** Run an operation after every earlier one has finished (the Coordinator is not re-entrant). */
  run<T>(op: (c: Coordinator) => Promise<T>): Promise<T>;
}

function serialise(coordinator: Coordinator): CoordinatorSession['run'] {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(op: (c: Coordinator) => Promise<T>): Promise<T> => {
    const next = tail.then(() => op(coordinator));
    tail = next.catch(() => undefined);
    return next;
  };
}

function persistTo(sessionId: string): (record: PersistRecord) => Promise<void> {
  return (record) => appendRecord(sessionId, encodeCoordinatorRecord(record));
}

/** Open a new session: index it, journal its metadata, sign and journal the genesis. */
export async function createCoordinatorSession(options: {
  script: Script;
  scriptBytes: Uint8Array;
  signer: Signer;
  name: string;
  mode: SessionMode;
  app: string;
}): Promise<CoordinatorSession> {
  const sid = newSessionId();
  const sessionId = toHex(sid);
  await indexSession({
    t: 'session',
    sid: sessionId,
    role: 'coordinator',
    title: options.script.title,
    at: Date.now(),
  });
  await appendRecord(
    sessionId,
    encodeCoordinatorRecord({ t: 'meta', script: options.scriptBytes, name: options.name, mode: options.mode }),
  );
  const coordinator = await Coordinator.open({
    script: options.script,
    scriptBytes: options.scriptBytes,
    signer: options.signer,
    name: options.name,
    checker: checkEvidence,
    persist: persistTo(sessionId),
    mode: options.mode,
    app: options.app,
    sessionId: sid,
  });
  return {
    sessionId,
    coordinator,
    script: options.script,
    scriptBytes: options.scriptBytes,
    mode: options.mode,
    name: options.name,
    run: serialise(coordinator),
  };
}

/** Rebuild a session from its journal after a restart, re-checking every entry. */
export async function restoreCoordinatorSession(
  sessionId: string,
  signer: Signer,
): Promise<CoordinatorSession & { droppedTailBytes: number }> {
  const { records, droppedTailBytes } = await readRecords(sessionId);
  const decoded = records.map((r, i) => decodeCoordinatorRecord(r, i));
  const meta = decoded[0];
  if (!meta || !('t' in meta))
    throw new KeywitnessError(
      'JOURNAL_CORRUPT',
      `the journal of session ${sessionId} does not start with its metadata`,
    );
  const script = parseScript(meta.script);
  const rest = decoded.slice(1).map((r, i) => {
    if ('t' in r)
      throw new KeywitnessError('JOURNAL_CORRUPT', `coordinator journal record ${i + 1} repeats the session metadata`);
    return r;
  });
  const coordinator = await Coordinator.restore(
    {
      script,
      scriptBytes: meta.script,
      signer,
      name: meta.name,
      checker: checkEvidence,
      persist: persistTo(sessionId),
    },
    rest,
  );
  if (!coordinator.state.genesis)
    throw new KeywitnessError('JOURNAL_CORRUPT', `the journal of session ${sessionId} holds no genesis`);
  if (toHex(coordinator.genesis.envelope.by) !== toHex(signer.fingerprint)) {
    throw new KeywitnessError(
      'JOURNAL_CORRUPT',
      `session ${sessionId} was opened with another identity than this device's`,
    );
  }
  return {
    sessionId,
    coordinator,
    script,
    scriptBytes: meta.script,
    mode: coordinator.genesis.envelope.body.mode,
    name: meta.name,
    run: serialise(coordinator),
    droppedTailBytes,
  };
}
