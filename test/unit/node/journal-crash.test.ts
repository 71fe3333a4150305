/**
 * Crash test: a child process appends to the journal and is SIGKILLed at random moments,
 * at least 200 times. After every kill the journal must be a valid prefix of the deterministic
 * record sequence that holds every record the child reported as acknowledged before it died.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { Journal, readJournalRecords } from '../../../src/node/journal.js';
import { equalBytes } from '../../../src/core/util/bytes.js';
import { expectedPayload } from './fixtures/journal-crash-payload.js';
import { FILE_MAGIC, RECORD_HEADER_BYTES, RECORD_TRAILER_BYTES } from '../../../src/node/journal-format.js';
import { mulberry32 } from '../../support/prng.js';

const KILLS = 200;
let dir: string;
let child: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-crash-'));
  child = join(dir, 'child.mjs');
  await build({
    entryPoints: [join(import.meta.dirname, 'fixtures/journal-crash-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: child,
    logLevel: 'silent',
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  acked: number[];
  opened: number | null;
  dropped: number;
}

/** Start the child, kill it after a random delay, and collect what it acknowledged. */
function runAndKill(journalPath: string, rand: () => number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, journalPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    const kill = () => proc.kill('SIGKILL');
    // A fifth of the kills land at a random moment after spawn (start-up, recovery, the first
    // append); the rest at a random moment after the first acknowledgement, so they interrupt a
    // running sequence of appends however slowly the machine starts processes.
    const early = rand() < 0.2;
    if (early) timer = setTimeout(kill, Math.floor(rand() * 250));
    // A child that never acknowledges anything is killed after 10 s rather than hanging the test.
    else timer = setTimeout(kill, 10_000);
    proc.stdout.on('data', (d: Buffer) => {
      const before = out;
      out += d.toString('latin1');
      if (!early && !before.includes('ack ') && out.includes('ack ')) {
        clearTimeout(timer);
        timer = setTimeout(kill, Math.floor(rand() * 25));
      }
    });
    proc.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    proc.on('error', reject);
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') return reject(new Error(`child exited on its own (${code}): ${err}`));
      const acked: number[] = [];
      let opened: number | null = null;
      let dropped = 0;
      for (const line of out.split('\n')) {
        const ack = /^ack (\d+)$/.exec(line);
        if (ack) acked.push(Number(ack[1]));
        const open = /^open (\d+) (\d+)$/.exec(line);
        if (open) {
          opened = Number(open[1]);
          dropped = Number(open[2]);
        }
      }
      resolve({ acked, opened, dropped });
    });
  });
}

/**
 * One lane: `kills` kill/verify rounds on its own journal. Two lanes run side by side so the
 * 200 kills fit in about half a minute on two cores (most of each round is Node's start-up).
 */
async function lane(path: string, kills: number, seed: number) {
  const rand = mulberry32(seed);
  let highestAcked = -1;
  let killsDuringAppends = 0;
  let tornTailsRecovered = 0;
  let tornTailsMade = 0;
  for (let i = 0; i < kills; i++) {
    const before = highestAcked;
    const run = await runAndKill(path, rand);
    if (run.acked.length > 0) killsDuringAppends++;
    if (run.dropped > 0) tornTailsRecovered++;
    // The child's own recovery must not have lost anything acknowledged by earlier children.
    if (run.opened !== null)
      expect(run.opened, `seed ${seed}, kill ${i}: records found on open`).toBeGreaterThanOrEqual(before + 1);
    for (const seq of run.acked) highestAcked = Math.max(highestAcked, seq);
    // A power cut can also lose bytes that were written but not yet synced. After some kills,
    // cut the file at a random point past the last acknowledged record, so the next child must
    // recover a torn tail; nothing acknowledged may be touched.
    if (rand() < 0.3) tornTailsMade += await loseUnsyncedBytes(path, highestAcked, rand);
    let records: Uint8Array[] = [];
    try {
      records = (await readJournalRecords(path)).records;
    } catch (e) {
      // Only the first kills may land before the journal file exists.
      if (!(highestAcked < 0 && (e as { code?: string }).code === 'NOT_FOUND')) throw e;
    }
    expect(records.length, `seed ${seed}, kill ${i}: records on disk vs highest acknowledged`).toBeGreaterThanOrEqual(
      highestAcked + 1,
    );
    records.forEach((r, seq) => {
      if (!equalBytes(r, expectedPayload(seq)))
        throw new Error(`seed ${seed}, kill ${i}: record ${seq} differs from what was appended`);
    });
  }
  // Final recovery through the writer path, which also takes over the dead child's lock.
  const journal = await Journal.open(path);
  try {
    expect(journal.count).toBeGreaterThanOrEqual(highestAcked + 1);
    const records = await journal.readAll();
    records.forEach((r, seq) => expect(equalBytes(r, expectedPayload(seq))).toBe(true));
  } finally {
    await journal.close();
  }
  return { highestAcked, killsDuringAppends, tornTailsRecovered, tornTailsMade };
}

/** Truncate the journal somewhere after the end of record `highestAcked`; returns 1 if it cut. */
async function loseUnsyncedBytes(path: string, highestAcked: number, rand: () => number): Promise<number> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    return 0;
  }
  let ackedEnd = FILE_MAGIC.length;
  for (let seq = 0; seq <= highestAcked; seq++)
    ackedEnd += RECORD_HEADER_BYTES + expectedPayload(seq).length + RECORD_TRAILER_BYTES;
  if (size <= ackedEnd + 1) return 0;
  await truncate(path, ackedEnd + 1 + Math.floor(rand() * (size - ackedEnd - 1)));
  return 1;
}

describe('journal survives SIGKILL at random moments', () => {
  it(`keeps every acknowledged append across ${KILLS} kills`, async () => {
    const seed = Number(process.env.KW_CRASH_SEED ?? Date.now() % 1_000_000);
    const lanes = await Promise.all([0, 1].map((n) => lane(join(dir, `lane${n}.kwjournal`), KILLS / 2, seed + n)));
    const during = lanes.reduce((a, l) => a + l.killsDuringAppends, 0);
    const made = lanes.reduce((a, l) => a + l.tornTailsMade, 0);
    const recovered = lanes.reduce((a, l) => a + l.tornTailsRecovered, 0);
    // Every torn tail the test made was found and dropped by the next child that opened the journal.
    expect(recovered).toBeGreaterThan(0);
    // The test means something only if many kills interrupted a running sequence of appends.
    expect(during).toBeGreaterThan(KILLS * 0.4);
    console.log(
      `crash test: seed ${seed}, ${KILLS} kills, ${during} during appends, ` +
        `${lanes.map((l) => l.highestAcked + 1).join(' + ')} records acknowledged, ` +
        `${made} torn tails made, ${recovered} recovered by a child`,
    );
  }, 300_000); // ~55 s alone on two cores; room for a loaded CI machine
});
