/**
 * The IPC handlers through the dispatcher, as the main process runs them, with real folders:
 * forged senders, wrong types, oversized payloads, unknown channels and hostile files.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtemp, rm, mkdir, writeFile, symlink, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createDispatcher, type SenderFacts } from '../../../../src/main/handlers/dispatch.js';
import { createHandlers, type HandlerDeps } from '../../../../src/main/handlers/handlers.js';
import { CONTRACT, LIMITS, type ChannelName } from '../../../../src/shared/ipc.js';
import { JournalStore } from '../../../../src/node/journal-store.js';
import { computeBuildHash } from '../../../../src/node/build-info.js';
import { networkStatus } from '../../../../src/node/network-status.js';
import { FONTS_DIR } from '../../../../src/node/pdf/fonts.js';
import { toHex, utf8 } from '../../../../src/core/util/bytes.js';
import { sha256 } from '../../../../src/core/util/hash.js';

const APP: SenderFacts = { url: 'app://keywitness/index.html', isMainFrame: true };
const SID = '00112233445566778899aabbccddeeff';

let dir: string;
let journals: JournalStore;
let exportFolder: string | null;
let importPath: string | null;
let dispatch: ReturnType<typeof createDispatcher>;
let logged: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-ipc-'));
  journals = new JournalStore(join(dir, 'journals'));
  exportFolder = join(dir, 'media');
  await mkdir(exportFolder);
  importPath = null;
  logged = [];
  const build = await computeBuildHash(dir, ['media']);
  const deps: HandlerDeps = {
    appInfo: {
      version: '0.1.0',
      flavour: 'release',
      buildHashHex: build.hex,
      buildHashWords: build.words,
      buildFileCount: build.fileCount,
    },
    networkStatus,
    journals,
    identityDir: dir,
    fontsDir: FONTS_DIR,
    chooseExportFolder: async () => exportFolder,
    chooseImportFile: async () => importPath,
  };
  dispatch = createDispatcher(createHandlers(deps), (level, message) => logged.push(`${level}: ${message}`));
});
afterEach(async () => {
  await journals.closeAll();
  await rm(dir, { recursive: true, force: true });
});

const call = (key: ChannelName, input: unknown, sender: SenderFacts = APP) =>
  dispatch(CONTRACT[key].channel, sender, input);

describe('sender checks', () => {
  const forged: [string, SenderFacts][] = [
    ['another origin', { url: 'https://evil.example/', isMainFrame: true }],
    ['a file:// page', { url: 'file:///tmp/index.html', isMainFrame: true }],
    ['a look-alike host', { url: 'app://keywitness.evil/index.html', isMainFrame: true }],
    ['a sub-frame of the app', { url: 'app://keywitness/frame.html', isMainFrame: false }],
    ['a destroyed frame', { url: undefined, isMainFrame: true }],
    ['about:blank', { url: 'about:blank', isMainFrame: true }],
    ['a data: URL', { url: 'data:text/html,<script>', isMainFrame: true }],
  ];
  it.each(forged)('refuses %s on every channel, before validating or running anything', async (_name, sender) => {
    for (const key of Object.keys(CONTRACT) as ChannelName[]) {
      const r = await call(key, key === 'journalAppend' ? { sessionId: SID, record: utf8('x') } : undefined, sender);
      expect(r).toMatchObject({ ok: false, code: 'IPC_REJECTED' });
    }
    const read = await call('journalRead', { sessionId: SID });
    expect(read).toEqual({ ok: true, value: { records: [], droppedTailBytes: 0 } });
  });

  it.each(['keywitness:nope', '', 'ELECTRON_BROWSER_REMOTE', 42 as unknown as string])(
    'refuses unknown channel %j',
    async (channel) => {
      expect(await dispatch(channel, APP, undefined)).toMatchObject({
        ok: false,
        code: 'IPC_REJECTED',
        message: 'unknown IPC channel',
      });
    },
  );
});

describe('input validation', () => {
  // Inputs are built lazily: a 64 MiB payload must not end up in a test title.
  const bad: [ChannelName, string, string, () => unknown][] = [
    ['appInfo', '{ extra: true }', 'INPUT_INVALID', () => ({ extra: true })],
    ['appInfo', 'null', 'INPUT_INVALID', () => null],
    ['journalAppend', 'undefined', 'INPUT_INVALID', () => undefined],
    ['journalAppend', '{ sessionId: SID }', 'INPUT_INVALID', () => ({ sessionId: SID })],
    [
      'journalAppend',
      "{ sessionId: SID, record: 'text' }",
      'INPUT_INVALID',
      () => ({ sessionId: SID, record: 'text' }),
    ],
    [
      'journalAppend',
      '{ sessionId: SID, record: [1, 2, 3] }',
      'INPUT_INVALID',
      () => ({ sessionId: SID, record: [1, 2, 3] }),
    ],
    [
      'journalAppend',
      '{ sessionId: SID, record: { length: 3, 0: 1 } }',
      'INPUT_INVALID',
      () => ({ sessionId: SID, record: { length: 3, 0: 1 } }),
    ],
    [
      'journalAppend',
      "{ sessionId: SID.toUpperCase(), record: utf8('x') }",
      'INPUT_INVALID',
      () => ({ sessionId: SID.toUpperCase(), record: utf8('x') }),
    ],
    [
      'journalAppend',
      "{ sessionId: '../../etc/passwd', record: utf8('x') }",
      'INPUT_INVALID',
      () => ({ sessionId: '../../etc/passwd', record: utf8('x') }),
    ],
    [
      'journalAppend',
      "{ sessionId: SID.slice(1), record: utf8('x') }",
      'INPUT_INVALID',
      () => ({ sessionId: SID.slice(1), record: utf8('x') }),
    ],
    [
      'journalAppend',
      "{ sessionId: SID, record: utf8('x'), more: 1 }",
      'INPUT_INVALID',
      () => ({ sessionId: SID, record: utf8('x'), more: 1 }),
    ],
    [
      'journalAppend',
      '{ sessionId: SID, record: new Uint8Array(LIMITS.journalRe...',
      'INPUT_TOO_LARGE',
      () => ({ sessionId: SID, record: new Uint8Array(LIMITS.journalRecordBytes + 1) }),
    ],
    ['journalRead', '{ sessionId: 7 }', 'INPUT_INVALID', () => ({ sessionId: 7 })],
    [
      'exportFile',
      "{ suggestedName: '../escape.json', bytes: utf8('x') }",
      'INPUT_INVALID',
      () => ({ suggestedName: '../escape.json', bytes: utf8('x') }),
    ],
    [
      'exportFile',
      "{ suggestedName: 'a/b.json', bytes: utf8('x') }",
      'INPUT_INVALID',
      () => ({ suggestedName: 'a/b.json', bytes: utf8('x') }),
    ],
    [
      'exportFile',
      "{ suggestedName: '.hidden', bytes: utf8('x') }",
      'INPUT_INVALID',
      () => ({ suggestedName: '.hidden', bytes: utf8('x') }),
    ],
    [
      'exportFile',
      "{ suggestedName: 'con:.json', bytes: utf8('x') }",
      'INPUT_INVALID',
      () => ({ suggestedName: 'con:.json', bytes: utf8('x') }),
    ],
    [
      'exportFile',
      "{ suggestedName: 'a\u0000b', bytes: utf8('x') }",
      'INPUT_INVALID',
      () => ({ suggestedName: 'a\u0000b', bytes: utf8('x') }),
    ],
    [
      'exportFile',
      "{ suggestedName: '', bytes: utf8('x') }",
      'INPUT_INVALID',
      () => ({ suggestedName: '', bytes: utf8('x') }),
    ],
    [
      'exportFile',
      "{ suggestedName: 'x'.repeat(LIMITS.fileNameChars + 1), by...",
      'INPUT_TOO_LARGE',
      () => ({ suggestedName: 'x'.repeat(LIMITS.fileNameChars + 1), bytes: utf8('x') }),
    ],
    [
      'exportFile',
      "{ suggestedName: 'ok.json', bytes: new Uint8Array(LIMITS....",
      'INPUT_TOO_LARGE',
      () => ({ suggestedName: 'ok.json', bytes: new Uint8Array(LIMITS.exportBytes + 1) }),
    ],
    ['importFile', "{ kind: 'executable' }", 'INPUT_INVALID', () => ({ kind: 'executable' })],
    ['importFile', '{}', 'INPUT_INVALID', () => ({})],
    [
      'identitySave',
      '{ pkcs8: new Uint8Array(LIMITS.identityBytes + 1) }',
      'INPUT_TOO_LARGE',
      () => ({ pkcs8: new Uint8Array(LIMITS.identityBytes + 1) }),
    ],
    ['identitySave', "{ pkcs8: 'MC4CAQAwBQYDK2VwBCIEI' }", 'INPUT_INVALID', () => ({ pkcs8: 'MC4CAQAwBQYDK2VwBCIEI' })],
  ];
  it.each(bad)('%s(%s) → %s with a message naming the problem', async (key, _label, code, input) => {
    const r = await call(key, input());
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe(code);
      expect(r.message.startsWith(`${key}: `)).toBe(true);
      expect(r.message).not.toMatch(/\n\s+at /); // no stack traces
    }
  });

  it('changes nothing when refusing (no journal file is even created)', async () => {
    await call('journalAppend', { sessionId: SID, record: 'text' });
    expect(await call('journalRead', { sessionId: SID })).toEqual({
      ok: true,
      value: { records: [], droppedTailBytes: 0 },
    });
    expect(existsSync(journals.pathOf(SID))).toBe(false);
  });
});

describe('handlers', () => {
  it('appInfo reports the build hash as hex and 32 PGP words', async () => {
    const r = await call('appInfo', undefined);
    expect(r.ok).toBe(true);
    const v = (r as { value: { buildHashHex: string; buildHashWords: string[] } }).value;
    expect(v.buildHashHex).toMatch(/^[0-9a-f]{64}$/);
    expect(v.buildHashWords).toHaveLength(32);
    expect(CONTRACT.appInfo.output.safeParse(v).success).toBe(true);
  });

  it('networkStatus matches its output schema', async () => {
    const r = await call('networkStatus', undefined);
    expect(r.ok && CONTRACT.networkStatus.output.safeParse(r.value).success).toBe(true);
  });

  it('journal append and read round-trip in order', async () => {
    for (const t of ['genesis', 'enroll', 'statement'])
      await call('journalAppend', { sessionId: SID, record: utf8(t) });
    const r = await call('journalRead', { sessionId: SID });
    expect(r).toEqual({
      ok: true,
      value: { records: ['genesis', 'enroll', 'statement'].map(utf8), droppedTailBytes: 0 },
    });
    expect(r.ok && CONTRACT.journalRead.output.safeParse(r.value).success).toBe(true);
  });

  it('export writes once, reports the SHA-256, and refuses to overwrite', async () => {
    const bytes = utf8('{"format":"keywitness-bundle/1"}');
    const r = await call('exportFile', { suggestedName: 'session.keywitness.json', bytes });
    expect(r).toEqual({
      ok: true,
      value: {
        status: 'written',
        path: join(exportFolder!, 'session.keywitness.json'),
        size: bytes.length,
        sha256Hex: toHex(sha256(bytes)),
      },
    });
    expect(new Uint8Array(await readFile(join(exportFolder!, 'session.keywitness.json')))).toEqual(bytes);
    const again = await call('exportFile', { suggestedName: 'session.keywitness.json', bytes: utf8('other') });
    expect(again).toMatchObject({ ok: false, code: 'ALREADY_EXISTS' });
    expect(new Uint8Array(await readFile(join(exportFolder!, 'session.keywitness.json')))).toEqual(bytes);
  });

  it('export and import report a cancelled dialog as a value', async () => {
    exportFolder = null;
    expect(await call('exportFile', { suggestedName: 'x.json', bytes: utf8('x') })).toEqual({
      ok: true,
      value: { status: 'cancelled' },
    });
    expect(await call('importFile', { kind: 'bundle' })).toEqual({ ok: true, value: { status: 'cancelled' } });
  });

  it('import reads and validates a file of ours', async () => {
    importPath = join(dir, 'media', 'b.keywitness.json');
    const bytes = utf8('{"format":"keywitness-bundle/1","transcript":[]}');
    await writeFile(importPath, bytes);
    const r = await call('importFile', { kind: 'bundle' });
    expect(r).toEqual({
      ok: true,
      value: {
        status: 'read',
        name: 'b.keywitness.json',
        bytes: new Uint8Array(bytes),
        size: bytes.length,
        sha256Hex: toHex(sha256(bytes)),
      },
    });
  });

  it.each([
    ['not ours', 'bundle', async (p: string) => writeFile(p, '{"format":"something-else/1"}'), 'INPUT_INVALID'],
    ['not JSON', 'receipt', async (p: string) => writeFile(p, 'garbage'), 'INPUT_INVALID'],
    [
      'binary as a script',
      'script',
      async (p: string) => writeFile(p, Buffer.from([0xff, 0xfe, 0x00])),
      'INPUT_INVALID',
    ],
    [
      'too large',
      'script',
      async (p: string) => writeFile(p, `format: keywitness-script/1\n${'#'.repeat(1024 * 1024)}`),
      'INPUT_TOO_LARGE',
    ],
    ['a folder', 'evidence', async (p: string) => mkdir(p), 'INPUT_INVALID'],
    [
      'a link out of the folder',
      'evidence',
      async (p: string) => {
        await writeFile(join(dir, 'outside.pem'), 'secret');
        await symlink(join(dir, 'outside.pem'), p);
      },
      'POLICY_DENIED',
    ],
    ['missing', 'evidence', async () => undefined, 'NOT_FOUND'],
  ] as const)('import refuses a file that is %s', async (_name, kind, make, code) => {
    importPath = join(dir, 'media', 'picked');
    await make(importPath);
    expect(await call('importFile', { kind })).toMatchObject({ ok: false, code });
  });

  it('identity: absent, saved once, loaded, never replaced', async () => {
    const key = Uint8Array.from(Buffer.from('302e020100300506032b657004220420' + '11'.repeat(32), 'hex'));
    expect(await call('identityLoad', undefined)).toEqual({ ok: true, value: { pkcs8: null } });
    expect(await call('identitySave', { pkcs8: key })).toEqual({ ok: true, value: { saved: true } });
    expect(await call('identityLoad', undefined)).toEqual({ ok: true, value: { pkcs8: key } });
    const other = key.slice();
    other[other.length - 1] = 0x22;
    expect(await call('identitySave', { pkcs8: other })).toMatchObject({ ok: false, code: 'ALREADY_EXISTS' });
    expect(await call('identityLoad', undefined)).toEqual({ ok: true, value: { pkcs8: key } });
  });

  it('identity: refuses bytes that are not a PKCS#8 key', async () => {
    expect(await call('identitySave', { pkcs8: utf8('not a key at all') })).toMatchObject({
      ok: false,
      code: 'KEY_INVALID',
    });
  });

  it('reports an unexpected bug as INTERNAL_ERROR without internals, and logs it', async () => {
    const broken = createDispatcher(
      {
        ...createHandlers({} as HandlerDeps),
        appInfo: async () => {
          throw new TypeError('secret internal detail');
        },
      },
      (level, message) => logged.push(`${level}: ${message}`),
    );
    const r = await broken(CONTRACT.appInfo.channel, APP, undefined);
    expect(r).toEqual({
      ok: false,
      code: 'INTERNAL_ERROR',
      message: 'appInfo failed unexpectedly; see the application log',
    });
    expect(logged.some((l) => l.startsWith('error: IPC handler appInfo failed'))).toBe(true);
  });
});
