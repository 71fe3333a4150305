import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdir, mkdtemp, rm, readFile, writeFile, appendFile, stat } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal, readJournalRecords, scanJournal } from '../../../src/node/journal.js';
import { FILE_MAGIC, encodeRecord } from '../../../src/node/journal-format.js';
import { isKeywitnessError } from '../../../src/core/errors.js';
import { utf8, fromUtf8, concatBytes } from '../../../src/core/util/bytes.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-journal-'));
  path = join(dir, 's.kwjournal');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function withRecords(texts: string[]): Promise<void> {
  const j = await Journal.open(path);
  for (const t of texts) await j.append(utf8(t));
  await j.close();
}

async function texts(): Promise<string[]> {
  const j = await Journal.open(path);
  try {
    return (await j.readAll()).map(fromUtf8);
  } finally {
    await j.close();
  }
}

async function expectCode(p: Promise<unknown>, code: string): Promise<Error> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(isKeywitnessError(e), `expected a KeywitnessError ${code}, got ${String(e)}`).toBe(true);
  expect((e as { code: string }).code).toBe(code);
  return e as Error;
}

describe('journal: append and reopen', () => {
  it('returns sequence numbers, persists records in order and reopens with the same content', async () => {
    const j = await Journal.open(path);
    expect(j.count).toBe(0);
    expect(await Promise.all(['a', 'bb', '', 'dddd'].map((t) => j.append(utf8(t))))).toEqual([0, 1, 2, 3]);
    await j.close();
    expect(await texts()).toEqual(['a', 'bb', '', 'dddd']);
    const raw = await readFile(path);
    expect(raw.subarray(0, FILE_MAGIC.length)).toEqual(Buffer.from(FILE_MAGIC));
    expect(raw.length).toBe(FILE_MAGIC.length + [1, 2, 0, 4].reduce((a, n) => a + 12 + n + 32, 0));
  });

  it("copies the payload, so changing the caller's buffer after append changes nothing", async () => {
    const j = await Journal.open(path);
    const buf = utf8('original');
    const pending = j.append(buf);
    buf.fill(0);
    await pending;
    await j.close();
    expect(await texts()).toEqual(['original']);
  });

  it.each([
    ['oversized record', () => new Uint8Array(65), 'INPUT_TOO_LARGE'],
    ['not bytes', () => 'text' as unknown as Uint8Array, 'INPUT_INVALID'],
  ])('refuses %s', async (_name, make, code) => {
    const j = await Journal.open(path, { maxRecordBytes: 64 });
    await expectCode(j.append(make()), code);
    expect(j.count).toBe(0);
    await j.close();
  });

  it.each([0, -1, 1.5, 17 * 1024 * 1024])('refuses maxRecordBytes %s', async (m) => {
    await expectCode(Journal.open(path, { maxRecordBytes: m }), 'INPUT_INVALID');
  });
});

describe('journal: torn tail recovery', () => {
  it('drops a torn final record at every possible cut and truncates the file to the valid prefix', async () => {
    await withRecords(['first', 'second', 'third record, the one being written when the power went']);
    const full = await readFile(path);
    const lastLen = 12 + utf8('third record, the one being written when the power went').length + 32;
    const validEnd = full.length - lastLen;
    for (let cut = validEnd + 1; cut < full.length; cut++) {
      await writeFile(path, full.subarray(0, cut));
      const j = await Journal.open(path);
      expect(j.count, `cut at ${cut}`).toBe(2);
      expect(j.droppedTailBytes).toBe(cut - validEnd);
      expect((await stat(path)).size).toBe(validEnd);
      expect((await j.readAll()).map(fromUtf8)).toEqual(['first', 'second']);
      // The next append lands on the record boundary and is readable after a reopen.
      expect(await j.append(utf8('again'))).toBe(2);
      await j.close();
      expect(await texts()).toEqual(['first', 'second', 'again']);
    }
  });

  it.each([
    ['zeros (a file extended before its data reached the disk)', new Uint8Array(300)],
    ['random bytes', Uint8Array.from({ length: 300 }, (_, i) => (i * 151 + 7) & 0xff)],
    [
      'a record header with a hostile length',
      concatBytes(utf8('KWR1'), Uint8Array.of(0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff)),
    ],
    ['a duplicate of the previous record', encodeRecord(1, utf8('two'))],
    [
      'a record with a wrong hash',
      (() => {
        const r = encodeRecord(2, utf8('three'));
        r[r.length - 1]! ^= 1;
        return r;
      })(),
    ],
  ])('drops a tail of %s', async (_name, tail) => {
    await withRecords(['one', 'two']);
    const before = (await stat(path)).size;
    await appendFile(path, tail);
    const j = await Journal.open(path);
    expect(j.count).toBe(2);
    expect(j.droppedTailBytes).toBe(tail.length);
    await j.close();
    expect((await stat(path)).size).toBe(before);
  });

  it('refuses, without reading it into memory, a tail longer than any record could tear', async () => {
    await withRecords(['one']);
    // 64 MiB of record markers claiming 1 MiB payloads that are never there.
    const unit = concatBytes(utf8('KWR1'), Uint8Array.of(0, 0, 0, 1, 0, 0x10, 0, 0));
    const chunk = new Uint8Array(4 * 1024 * 1024);
    for (let i = 0; i + unit.length <= chunk.length; i += unit.length) chunk.set(unit, i);
    for (let i = 0; i < 16; i++) await appendFile(path, chunk);
    const heapBefore = process.memoryUsage().arrayBuffers;
    const e = await expectCode(Journal.open(path), 'JOURNAL_CORRUPT');
    expect(e.message).toMatch(/more than one record could ever tear/);
    expect(process.memoryUsage().arrayBuffers - heapBefore).toBeLessThan(8 * 1024 * 1024);
  });

  it('refuses a one-record tail stuffed with record markers rather than scanning it forever', async () => {
    await withRecords(['one']);
    const tail = new Uint8Array(64 * 1024);
    for (let i = 0; i + 12 <= tail.length; i += 12)
      tail.set(concatBytes(utf8('KWR1'), Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 0)), i);
    await appendFile(path, tail);
    const e = await expectCode(Journal.open(path), 'JOURNAL_CORRUPT');
    expect(e.message).toMatch(/too many record markers/);
  });
});

describe('journal: damage that is not a torn tail', () => {
  it.each([
    [
      'a flipped payload byte in the middle',
      (raw: Buffer) => {
        raw[FILE_MAGIC.length + 12 + 1]! ^= 0x40;
      },
    ],
    [
      'a flipped sequence number',
      (raw: Buffer) => {
        raw[FILE_MAGIC.length + 7]! ^= 1;
      },
    ],
    [
      'a length field made huge',
      (raw: Buffer) => {
        raw[FILE_MAGIC.length + 8] = 0x7f;
      },
    ],
  ])('refuses %s followed by valid records, leaving the file untouched', async (_name, damage) => {
    await withRecords(['one', 'two', 'three']);
    const raw = await readFile(path);
    damage(raw);
    await writeFile(path, raw);
    const e = await expectCode(Journal.open(path), 'JOURNAL_CORRUPT');
    expect(e.message).toMatch(/valid records follow/);
    expect(await readFile(path)).toEqual(raw);
    const scan = await scanJournal(path);
    expect(scan.tornTail).toBe(false);
    expect(scan.count).toBe(0);
  });

  it('refuses swapped records', async () => {
    await withRecords(['one', 'two', 'three']);
    const r1 = encodeRecord(1, utf8('two'));
    const r2 = encodeRecord(2, utf8('three'));
    const r0 = encodeRecord(0, utf8('one'));
    await writeFile(path, concatBytes(FILE_MAGIC, r0, r2, r1));
    await expectCode(Journal.open(path), 'JOURNAL_CORRUPT');
  });

  it.each([
    ['an empty file', new Uint8Array(0)],
    ['another file type', utf8('{"format":"keywitness-bundle/1"}')],
    ['a truncated header', FILE_MAGIC.subarray(0, 10)],
  ])('refuses %s as not a journal', async (_name, bytes) => {
    await writeFile(path, bytes);
    const e = await expectCode(Journal.open(path), 'JOURNAL_CORRUPT');
    expect(e.message).toMatch(/not a Keywitness journal/);
  });

  it('reads without changing anything through readJournalRecords', async () => {
    await withRecords(['one', 'two']);
    await appendFile(path, utf8('KWR1 torn'));
    const before = await readFile(path);
    const { records, scan } = await readJournalRecords(path);
    expect(records.map(fromUtf8)).toEqual(['one', 'two']);
    expect(scan.tailBytes).toBe(9);
    expect(await readFile(path)).toEqual(before);
  });
});

describe('journal: one writer', () => {
  it('refuses a second writer while the first holds the lock, and allows it after close', async () => {
    const a = await Journal.open(path);
    const e = await expectCode(Journal.open(path), 'JOURNAL_LOCKED');
    expect(e.message).toMatch(`pid ${process.pid}`);
    await a.close();
    const b = await Journal.open(path);
    await b.close();
  });

  it('takes over the lock of a process that died', async () => {
    await withRecords(['one']);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const pid = Number(dead.stdout);
    await writeFile(`${path}.lock`, JSON.stringify({ host: hostname(), pid, started: null, token: 'x' }));
    const j = await Journal.open(path);
    expect(j.count).toBe(1);
    await j.close();
  });

  it('takes over a garbled lock left by a crash between create and write', async () => {
    await writeFile(`${path}.lock`, '');
    const j = await Journal.open(path);
    await j.close();
  });

  it('takes over a lock whose pid was reused by another process (start time differs)', async () => {
    await writeFile(`${path}.lock`, JSON.stringify({ host: hostname(), pid: process.pid, started: '1', token: 'x' }));
    const j = await Journal.open(path);
    await j.close();
  });

  it('does not take over a lock held by another host', async () => {
    await writeFile(`${path}.lock`, JSON.stringify({ host: 'other-laptop', pid: 1, started: null, token: 'x' }));
    const e = await expectCode(Journal.open(path), 'JOURNAL_LOCKED');
    expect(e.message).toMatch(/other-laptop/);
  });
});

describe('journal: full medium', () => {
  it('reports STORAGE_FULL, keeps every acknowledged record and leaves no partial record', async () => {
    const mnt = join(dir, 'tiny');
    await mkdir(mnt);
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]);
    if (mount.status !== 0) throw new Error(`this test needs root to mount a small tmpfs: ${mount.stderr}`);
    try {
      const jp = join(mnt, 'j.kwjournal');
      const j = await Journal.open(jp);
      const acked: number[] = [];
      let failure: unknown = null;
      for (let i = 0; i < 100 && failure === null; i++) {
        await j.append(new Uint8Array(5000).fill(i)).then(
          (s) => acked.push(s),
          (e: unknown) => {
            failure = e;
          },
        );
      }
      expect(isKeywitnessError(failure, 'STORAGE_FULL')).toBe(true);
      await expectCode(j.append(utf8('after failure')), 'STORAGE_FULL');
      await j.close();
      const again = await Journal.open(jp);
      expect(again.count).toBe(acked.length);
      expect(again.droppedTailBytes).toBe(0);
      (await again.readAll()).forEach((r, i) => expect(r).toEqual(new Uint8Array(5000).fill(i)));
      await again.close();
    } finally {
      spawnSync('umount', [mnt]);
    }
  });
});
