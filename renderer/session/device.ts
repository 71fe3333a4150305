/**
 * This device's durable state through the bridge: its signing identity (created once, stored with
 * identitySave, never replaced) and its journals. Every append resolves only once the main process
 * has fsynced it, so callers may report success after `await append(...)` and not before.
 */
import { KeywitnessError } from '../../src/core/errors.js';
import { generateSigner, signerFromPkcs8, type Signer } from '../../src/core/protocol/identity.js';
import { bridge, unwrap } from '../bridge/api.js';
import { decodeIndexRecord, encodeIndexRecord, INDEX_JOURNAL_ID, type IndexRecord } from './records.js';

/**
 * This device's signing identity: loaded from the identity store, or generated (Ed25519) and
 * stored once on first use. The key in memory is non-extractable either way.
 */
export async function loadOrCreateIdentity(): Promise<{ signer: Signer; created: boolean }> {
  const api = bridge();
  const stored = await unwrap(api.identityLoad());
  if (stored.pkcs8) return { signer: await signerFromPkcs8('ed25519', stored.pkcs8), created: false };
  const fresh = await generateSigner('ed25519', true);
  const pkcs8 = await fresh.exportPkcs8();
  await unwrap(api.identitySave({ pkcs8 }));
  // Use the stored form from now on, so what signs is exactly what was saved.
  return { signer: await signerFromPkcs8('ed25519', pkcs8), created: true };
}

/** Append one record to a session's journal; resolves after it is on disk. */
export async function appendRecord(sessionId: string, record: Uint8Array): Promise<void> {
  await unwrap(bridge().journalAppend({ sessionId, record }));
}

/** Every record of a session's journal, with how many torn-tail bytes were dropped on opening. */
export async function readRecords(sessionId: string): Promise<{ records: Uint8Array[]; droppedTailBytes: number }> {
  return unwrap(bridge().journalRead({ sessionId }));
}

/** Sessions opened on this device, newest first. */
export async function listSessions(): Promise<IndexRecord[]> {
  const { records } = await readRecords(INDEX_JOURNAL_ID);
  return records.map((r, i) => decodeIndexRecord(r, i)).reverse();
}

/** Record a new session in the device's index. */
export async function indexSession(record: IndexRecord): Promise<void> {
  await appendRecord(INDEX_JOURNAL_ID, encodeIndexRecord(record));
}

/** A fresh 128-bit session id as bytes and as the journal's hex name. */
export function newSessionId(): Uint8Array {
  const sid = globalThis.crypto.getRandomValues(new Uint8Array(16));
  if (sid.every((b) => b === 0))
    throw new KeywitnessError('INPUT_INVALID', 'the random number generator returned zeros');
  return sid;
}
