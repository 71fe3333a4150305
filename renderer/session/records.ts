/**
 * What this device writes to its journals (DESIGN §7), as small JSON records with bytes in base64.
 * Three journals are used:
 *  - the device's session index (a reserved id), one record per session opened on this device, so
 *    the start screen can offer to resume after a restart;
 *  - a coordinator session: its metadata, then every record the Coordinator persists (transcript
 *    entries as exact wire bytes, evidence bytes), which Coordinator.restore re-checks;
 *  - a participant session: its metadata, then each message the device accepted or signed, with
 *    the inputs that produced it, so the device can be rebuilt by replaying them (participant-restore.ts).
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

export type ParticipantRecord =
  | { readonly t: 'meta'; readonly script: Uint8Array; readonly name: string; readonly role: string }
  | { readonly t: 'genesis'; readonly wire: Uint8Array }
  | { readonly t: 'enroll'; readonly wire: Uint8Array }
  | {
      readonly t: 'ack';
      readonly target: Uint8Array;
      readonly related: readonly Uint8Array[];
      readonly decision: 'confirm' | 'object';
      readonly reason: string | undefined;
      readonly challenge: boolean;
      readonly wire: Uint8Array;
    }
  | {
      readonly t: 'attest';
      readonly close: Uint8Array;
      readonly agree: boolean;
      readonly reason: string | undefined;
      readonly wire: Uint8Array;
    };

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
  const allowed = fields[t]!;
  for (const k of Object.keys(obj))
    if (k !== 't' && !allowed.includes(k)) corrupt(where, `unknown field "${k}" in a ${t} record`);
  return obj;
}

const str = (o: Json, k: string, where: string): string =>
  typeof o[k] === 'string' ? (o[k] as string) : corrupt(where, `"${k}" must be text`);
const optStr = (o: Json, k: string, where: string): string | undefined =>
  o[k] === undefined ? undefined : str(o, k, where);
const bool = (o: Json, k: string, where: string): boolean =>
  typeof o[k] === 'boolean' ? (o[k] as boolean) : corrupt(where, `"${k}" must be true or false`);
const num = (o: Json, k: string, where: string): number =>
  Number.isSafeInteger(o[k]) ? (o[k] as number) : corrupt(where, `"${k}" must be a whole number`);
const b64 = (o: Json, k: string, where: string): Uint8Array => fromBase64(str(o, k, where), `${where}.${k}`);
const b64list = (o: Json, k: string, where: string): Uint8Array[] =>
  Array.isArray(o[k])
    ? (o[k] as unknown[]).map((v, i) =>
        typeof v === 'string'
          ? fromBase64(v, `${where}.${k}[${i}]`)
          : corrupt(where, `"${k}[${i}]" must be base64 text`),
      )
    : corrupt(where, `"${k}" must be a list`);

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
  return r.kind === 'entry'
    ? encode({ t: 'entry', wire: toBase64(r.wire) })
    : encode({ t: 'evidence', data: toBase64(r.data) });
}

/** Decode a coordinator journal record. */
export function decodeCoordinatorRecord(bytes: Uint8Array, n: number): CoordinatorRecord {
  const where = `coordinator journal record ${n}`;
  const o = parse(bytes, where, { meta: ['script', 'name', 'mode'], entry: ['wire'], evidence: ['data'] });
  if (o.t === 'entry') return { kind: 'entry', wire: b64(o, 'wire', where) };
  if (o.t === 'evidence') return { kind: 'evidence', data: b64(o, 'data', where) };
  const mode = str(o, 'mode', where);
  if (mode !== 'rehearsal' && mode !== 'production') corrupt(where, `unknown session mode "${mode}"`);
  return { t: 'meta', script: b64(o, 'script', where), name: str(o, 'name', where), mode };
}

/** Encode a participant journal record. */
export function encodeParticipantRecord(r: ParticipantRecord): Uint8Array {
  switch (r.t) {
    case 'meta':
      return encode({ t: 'meta', script: toBase64(r.script), name: r.name, role: r.role });
    case 'genesis':
    case 'enroll':
      return encode({ t: r.t, wire: toBase64(r.wire) });
    case 'ack':
      return encode({
        t: 'ack',
        target: toBase64(r.target),
        related: r.related.map(toBase64),
        decision: r.decision,
        ...(r.reason !== undefined ? { reason: r.reason } : {}),
        challenge: r.challenge,
        wire: toBase64(r.wire),
      });
    case 'attest':
      return encode({
        t: 'attest',
        close: toBase64(r.close),
        agree: r.agree,
        ...(r.reason !== undefined ? { reason: r.reason } : {}),
        wire: toBase64(r.wire),
      });
  }
}

/** Decode a participant journal record. */
export function decodeParticipantRecord(bytes: Uint8Array, n: number): ParticipantRecord {
  const where = `participant journal record ${n}`;
  const o = parse(bytes, where, {
    meta: ['script', 'name', 'role'],
    genesis: ['wire'],
    enroll: ['wire'],
    ack: ['target', 'related', 'decision', 'reason', 'challenge', 'wire'],
    attest: ['close', 'agree', 'reason', 'wire'],
  });
  switch (o.t) {
    case 'meta':
      return { t: 'meta', script: b64(o, 'script', where), name: str(o, 'name', where), role: str(o, 'role', where) };
    case 'genesis':
      return { t: 'genesis', wire: b64(o, 'wire', where) };
    case 'enroll':
      return { t: 'enroll', wire: b64(o, 'wire', where) };
    case 'ack': {
      const decision = str(o, 'decision', where);
      if (decision !== 'confirm' && decision !== 'object') corrupt(where, `unknown decision "${decision}"`);
      return {
        t: 'ack',
        target: b64(o, 'target', where),
        related: b64list(o, 'related', where),
        decision,
        reason: optStr(o, 'reason', where),
        challenge: bool(o, 'challenge', where),
        wire: b64(o, 'wire', where),
      };
    }
    default:
      return {
        t: 'attest',
        close: b64(o, 'close', where),
        agree: bool(o, 'agree', where),
        reason: optStr(o, 'reason', where),
        wire: b64(o, 'wire', where),
      };
  }
}
