/**
 * Properties of the bundle and receipt readers (strict JSON from removable media), with the
 * suite's fixed seed and bounded runs (test/support/property.ts): any bundle or receipt
 * round-trips through its encoder; damaged files and files with one field replaced by any JSON
 * value are refused with BUNDLE_INVALID / RECEIPT_INVALID naming the field (or read exactly as
 * JSON.parse reads them, so no second reader sees other content); nothing else is ever thrown.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeBundle,
  decodeReceipt,
  encodeBundle,
  encodeReceipt,
  type Bundle,
  type Receipt,
} from '../../../../src/core/session/files.js';
import { equalBytes, utf8 } from '../../../../src/core/util/bytes.js';
import { playDemo } from '../../../support/demo.js';
import { failsClosed, mutated, params } from '../../../support/property.js';

const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const bundle: fc.Arbitrary<Bundle> = fc.record(
  {
    script: bytes(200),
    evidence: fc.array(fc.record({ sha256: fc.uint8Array({ minLength: 32, maxLength: 32 }), data: bytes(100) }), {
      maxLength: 4,
    }),
    transcript: fc.array(bytes(120), { maxLength: 6 }),
    seal: bytes(120),
  },
  { requiredKeys: ['script', 'evidence', 'transcript'] },
);
const receipt: fc.Arbitrary<Receipt> = fc.record({
  participant: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  messages: fc.array(bytes(120), { maxLength: 6 }),
});

/** Read the file with JSON.parse, decoding the byte fields the way the format defines them. */
function plainReading(file: Uint8Array): unknown {
  const json = JSON.parse(new TextDecoder().decode(file)) as Record<string, unknown>;
  const b64 = (s: unknown) => new Uint8Array(Buffer.from(String(s), 'base64'));
  const hex = (s: unknown) => new Uint8Array(Buffer.from(String(s), 'hex'));
  if ('transcript' in json) {
    return {
      script: b64(json['script']),
      evidence: (json['evidence'] as { sha256: string; data: string }[]).map((e) => ({
        sha256: hex(e.sha256),
        data: b64(e.data),
      })),
      transcript: (json['transcript'] as string[]).map(b64),
      // The seal is the one optional field (a closed session's).
      ...('seal' in json ? { seal: b64(json['seal']) } : {}),
    };
  }
  return { participant: hex(json['participant']), messages: (json['messages'] as string[]).map(b64) };
}

/** Replace the value at one path of the file's JSON, or add an unknown field beside it. */
const jsonEdit = fc.record({
  pick: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
  value: fc.jsonValue({ maxDepth: 2 }),
  addInstead: fc.boolean(),
});

function paths(value: unknown, prefix: string[] = []): string[][] {
  if (Array.isArray(value))
    return value.flatMap((v, i) => [[...prefix, String(i)], ...paths(v, [...prefix, String(i)])]);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
  }
  return [];
}

function edited(file: Uint8Array, edit: { pick: number; value: unknown; addInstead: boolean }) {
  const json = JSON.parse(new TextDecoder().decode(file)) as Record<string, unknown>;
  const all = paths(json);
  const path = all[Math.floor(edit.pick * all.length)]!;
  let parent = json;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
  const last = path.at(-1)!;
  if (edit.addInstead && !Array.isArray(parent)) parent['unexpected'] = edit.value;
  else parent[last] = edit.value;
  return {
    bytes: utf8(JSON.stringify(json)),
    path: edit.addInstead && !Array.isArray(parent) ? [...path.slice(0, -1), 'unexpected'] : path,
  };
}

type Reader = {
  name: string;
  decode: (b: Uint8Array) => unknown;
  /** Re-encode what was read; comparing encodings is much faster than a deep comparison. */
  encode: (v: never) => Uint8Array;
  code: string;
  files: () => Uint8Array[];
};
let files: { bundle: Uint8Array[]; receipt: Uint8Array[] };

beforeAll(async () => {
  const demo = await playDemo();
  files = { bundle: [encodeBundle(demo.bundle)], receipt: demo.receipts.map(encodeReceipt) };
});

const READERS: Reader[] = [
  { name: 'bundle', decode: decodeBundle, encode: encodeBundle, code: 'BUNDLE_INVALID', files: () => files.bundle },
  {
    name: 'receipt',
    decode: decodeReceipt,
    encode: encodeReceipt,
    code: 'RECEIPT_INVALID',
    files: () => files.receipt,
  },
];

describe('round trips', () => {
  it('any bundle', () => {
    fc.assert(
      fc.property(bundle, (b) => {
        expect(decodeBundle(encodeBundle(b))).toEqual(b);
      }),
      params(300),
    );
  });
  it('any receipt', () => {
    fc.assert(
      fc.property(receipt, (r) => {
        expect(decodeReceipt(encodeReceipt(r))).toEqual(r);
      }),
      params(300),
    );
  });
});

describe.each(READERS)('the $name reader', ({ decode, encode, code, files: seeds }) => {
  const sameReading = (value: unknown, file: Uint8Array) =>
    expect(equalBytes(encode(value as never), encode(plainReading(file) as never))).toBe(true);
  it('refuses damaged files with its own code, or reads them exactly as JSON.parse does', () => {
    fc.assert(
      fc.property(mutated(seeds(), 3), (file) => {
        const read = failsClosed(() => decode(file));
        if (read.ok) sameReading(read.value, file);
        else expect([code, 'INPUT_TOO_LARGE']).toContain(read.error.code);
      }),
      params(400),
    );
  });

  it('refuses a field replaced by any JSON value, or an unknown field, naming where', () => {
    fc.assert(
      fc.property(jsonEdit, (edit) => {
        const { bytes: file, path } = edited(seeds()[0]!, edit);
        const read = failsClosed(() => decode(file));
        if (read.ok) {
          sameReading(read.value, file);
          return;
        }
        expect(read.error.code).toBe(code);
        // The error names the edited field, or one that encloses it (a whole array refused at once).
        const top = path[0]!;
        expect(read.error.where ?? '', `${read.error.message} for an edit at ${path.join('.')}`).toMatch(
          new RegExp(`^(${top}|bundle|receipt)`),
        );
      }),
      params(400),
    );
  });
});
