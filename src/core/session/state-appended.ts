/**
 * The `appended` rule: every coordinator chained message lists, in transcript order, the ids of
 * the entries appended after the coordinator's previous entry (the genesis counts). Participant
 * devices fold those ids into their own copy of the head (device-head.ts); the fold over the
 * transcript (state.ts) holds the coordinator to them, so a list that does not say exactly what
 * the transcript holds is a broken chain, not a detail.
 */
import { toHex } from '../util/bytes.js';
import { spokenWords } from '../protocol/words.js';
import type { SignedMessage } from '../protocol/message.js';

/** What an entry between two coordinator messages is, for saying which one a list got wrong. */
export type Describe = (id: Uint8Array) => string;

/**
 * Why `listed` is not exactly `expected` (ids in transcript order), or undefined when it is. Names
 * what is missing, what is extra, or that the order differs, in that order of importance.
 */
export function appendedMismatch(
  expected: readonly Uint8Array[],
  listed: readonly Uint8Array[],
  describe: Describe,
): string | undefined {
  const want = expected.map(toHex);
  const got = listed.map(toHex);
  if (want.length === got.length && want.every((id, i) => id === got[i])) return undefined;
  const wantSet = new Set(want);
  const gotSet = new Set(got);
  const missing = expected.filter((_, i) => !gotSet.has(want[i] ?? ''));
  const extra = listed.filter((_, i) => !wantSet.has(got[i] ?? ''));
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`leaves out ${missing.map(describe).join(', ')}`);
  if (extra.length > 0) parts.push(`lists ${extra.map(describe).join(', ')}, not appended since its previous message`);
  if (parts.length === 0) parts.push('lists the entries appended since its previous message in another order');
  return `the coordinator's list of entries appended since its previous message ${parts.join('; and ')}`;
}

/** "the ack of Cathy Novak (…)" for a message, or the id's first bytes for anything else. */
export function describeEntry(
  message: SignedMessage | undefined,
  id: Uint8Array,
  label: (fingerprint: Uint8Array) => string | undefined,
): string {
  if (!message) return `entry ${toHex(id).slice(0, 16)}…`;
  const who = label(message.envelope.by) ?? `key ${spokenWords(message.envelope.by)}`;
  return `the ${message.t} of ${who}`;
}
