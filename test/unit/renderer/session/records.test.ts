import { describe, expect, it } from 'vitest';
import { KeywitnessError } from '../../../../src/core/errors.js';
import { utf8 } from '../../../../src/core/util/bytes.js';
import {
  decodeCoordinatorRecord,
  decodeIndexRecord,
  encodeCoordinatorRecord,
  encodeIndexRecord,
  type CoordinatorRecord,
} from '../../../../renderer/session/records.js';

const bytes = (...v: number[]): Uint8Array => new Uint8Array(v);

describe('journal records', () => {
  it.each<CoordinatorRecord>([
    { t: 'meta', script: utf8('format: keywitness-script/1\n'), name: 'Alex', mode: 'rehearsal' },
    { kind: 'entry', wire: bytes(0x82, 1, 2) },
    { kind: 'evidence', data: bytes(0, 255) },
    { kind: 'clock', who: new Uint8Array(32).fill(7), skew_ms: -1234 },
  ])('coordinator record round-trips: %j', (r) => {
    expect(decodeCoordinatorRecord(encodeCoordinatorRecord(r), 0)).toEqual(r);
  });

  it('index record round-trips', () => {
    const r = { t: 'session' as const, sid: 'ab'.repeat(16), role: 'participant' as const, title: 'Root', at: 1 };
    expect(decodeIndexRecord(encodeIndexRecord(r), 0)).toEqual(r);
  });

  it.each<[string, (b: Uint8Array) => unknown, string, RegExp]>([
    ['not JSON', (b) => decodeCoordinatorRecord(b, 3), '{', /record 3: the record is not JSON/],
    ['array', (b) => decodeCoordinatorRecord(b, 0), '[]', /not an object/],
    ['unknown type', (b) => decodeCoordinatorRecord(b, 0), '{"t":"statement"}', /unknown record type "statement"/],
    ['unknown field', (b) => decodeCoordinatorRecord(b, 0), '{"t":"entry","wire":"AA==","x":1}', /unknown field "x"/],
    ['short clock key', (b) => decodeCoordinatorRecord(b, 0), '{"t":"clock","who":"AA==","skew_ms":1}', /32-byte/],
    [
      'fractional skew',
      (b) => decodeCoordinatorRecord(b, 0),
      `{"t":"clock","who":"${'A'.repeat(43)}=","skew_ms":1.5}`,
      /whole number/,
    ],
    ['bad base64', (b) => decodeCoordinatorRecord(b, 0), '{"t":"entry","wire":"!!"}', /wire/],
    [
      'bad mode',
      (b) => decodeCoordinatorRecord(b, 0),
      '{"t":"meta","script":"","name":"a","mode":"live"}',
      /unknown session mode "live"/,
    ],
    [
      'bad session id',
      (b) => decodeIndexRecord(b, 0),
      '{"t":"session","sid":"XY","role":"coordinator","title":"t","at":1}',
      /32 lower-case hex/,
    ],
    [
      'bad role',
      (b) => decodeIndexRecord(b, 0),
      `{"t":"session","sid":"${'0'.repeat(32)}","role":"auditor","title":"t","at":1}`,
      /unknown device role/,
    ],
    [
      'fractional time',
      (b) => decodeIndexRecord(b, 0),
      `{"t":"session","sid":"${'0'.repeat(32)}","role":"coordinator","title":"t","at":1.5}`,
      /whole number/,
    ],
  ])('refuses %s with JOURNAL_CORRUPT naming the record', (_name, decode, json, message) => {
    let error: unknown;
    try {
      decode(utf8(json));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KeywitnessError);
    expect((error as KeywitnessError).message).toMatch(message);
  });
});
