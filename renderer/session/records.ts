/**
 * The records of this device's session index and coordinator journals (docs/architecture.md,
 * "Storage: journals and files"), as small JSON records with bytes in base64:
 *  - the device's session index (a reserved id), one record per session opened on this device, so
 *    the start screen can offer to resume after a restart;
 *  - a coordinator session: its metadata, then every record the Coordinator persists (transcript
 *    entries as exact wire bytes, evidence bytes, devices' clocks measured at enrolment), which
 *    Coordinator.restore re-checks.
 * A participant session's journal holds core's own records (src/core/session/participant-journal.ts).
 * Parsing is strict: unknown record types or fields are a JOURNAL_CORRUPT error naming the record.
 */
import { KeywitnessError } from '../../src/core/errors.js';
import type { SessionMode } from '../../src/core/protocol/bodies.js';
import type { PersistRecord } from '../../src/core/session/coordinator.js';
import { fromBase64, toBase64 } from '../../src/core/util/base64.js';
import { fromUtf8, utf8 } from '../../src/core/util/bytes.js';

/** The reserved journal that lists this device's sessions (a random session id is never all zero). */
export const INDEX_JOURNAL_ID = '0'.repeat(32);

export type DeviceRole = 'coordinator' | 'participant';

export interface IndexRecord {
  readonly t: 'session';
  readonly sid: string;
  readonly role: DeviceRole;
  readonly title: string;
  readonly at: number;
}

export type CoordinatorRecord =
  | { readonly t: 'meta'; readonly script: Uint8Array; readonly name: string; readonly mode: SessionMode }
  | PersistRecord;

type Json = Record<string, unknown>;

function corrupt(where: string, message: string): never {
  throw new KeywitnessError('JOURNAL_CORRUPT', message, { where });
}

function parse(bytes: Uint8Array, where: string, fields: Readonly<Record<string, readonly string[]>>): Json {
  let value: unknown;
  try {
    value = JSON.parse(fromUtf8(bytes));
  } catch {
    corrupt(where, 'the record is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    corrupt(where, 'the record is not an object');
  const obj = value as Json;
  const t = obj.t;
  if (typeof t !== 'string' || !Object.hasOwn(fields, t)) corrupt(where, `unknown record type ${JSON.stringify(t)}`);
  const allowed = fields[t] ?? [];
  for (const k of Object.keys(obj))
    if (k !== 't' && !allowed.includes(k)) corrupt(where, `unknown field "${k}" in a ${t} record`);
  return obj;
}

const str = (o: Json, k: string, where: string): string => {
  const v = o[k];
  return typeof v === 'string' ? v : corrupt(where, `"${k}" must be text`);
};
const num = (o: Json, k: string, where: string): number =>
  Number.isSafeInteger(o[k]) ? (o[k] as number) : corrupt(where, `"${k}" must be a whole number`);
const b64 = (o: Json, k: string, where: string): Uint8Array => fromBase64(str(o, k, where), `${where}.${k}`);

const encode = (value: Json): Uint8Array => utf8(JSON.stringify(value));

/** Encode an index record. */
export function encodeIndexRecord(r: IndexRecord): Uint8Array {
  return encode({ ...r });
}

/** Decode an index record (record `n` of the index journal). */
export function decodeIndexRecord(bytes: Uint8Array, n: number): IndexRecord {
  const where = `session index record ${n}`;
  const o = parse(bytes, where, { session: ['sid', 'role', 'title', 'at'] });
  const sid = str(o, 'sid', where);
  if (!/^[0-9a-f]{32}$/.test(sid)) corrupt(where, 'session id must be 32 lower-case hex digits');
  const role = str(o, 'role', where);
  if (role !== 'coordinator' && role !== 'participant') corrupt(where, `unknown device role "${role}"`);
  return { t: 'session', sid, role, title: str(o, 'title', where), at: num(o, 'at', where) };
}

/** Encode a coordinator journal record. */
export function encodeCoordinatorRecord(r: CoordinatorRecord): Uint8Array {
  if ('t' in r) return encode({ t: 'meta', script: toBase64(r.script), name: r.name, mode: r.mode });
  switch (r.kind) {
    case 'entry':
      return encode({ t: 'entry', wire: toBase64(r.wire) });
    case 'evidence':
      return encode({ t: 'evidence', data: toBase64(r.data) });
    case 'clock':
      return encode({ t: 'clock', who: toBase64(r.who), skew_ms: r.skew_ms });
  }
}

/** Decode a coordinator journal record. */
export function decodeCoordinatorRecord(bytes: Uint8Array, n: number): CoordinatorRecord {
  const where = `coordinator journal record ${n}`;
  const o = parse(bytes, where, {
    meta: ['script', 'name', 'mode'],
    entry: ['wire'],
    evidence: ['data'],
    clock: ['who', 'skew_ms'],
  });
  if (o.t === 'entry') return { kind: 'entry', wire: b64(o, 'wire', where) };
  if (o.t === 'clock') {
    const who = b64(o, 'who', where);
    if (who.length !== 32) corrupt(where, 'a clock record names a 32-byte key fingerprint');
    return { kind: 'clock', who, skew_ms: num(o, 'skew_ms', where) };
  }
  if (o.t === 'evidence') return { kind: 'evidence', data: b64(o, 'data', where) };
  const mode = str(o, 'mode', where);
  if (mode !== 'rehearsal' && mode !== 'production') corrupt(where, `unknown session mode "${mode}"`);
  return { t: 'meta', script: b64(o, 'script', where), name: str(o, 'name', where), mode };
}
