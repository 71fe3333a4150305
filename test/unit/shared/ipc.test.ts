/** The IPC contract itself: one row per channel, unique wire names, schemas that mean what they say. */
import { describe, it, expect } from 'vitest';
import {
  BRIDGE_NAME,
  CONTRACT,
  IMPORT_KINDS,
  LIMITS,
  bytesSchema,
  channelKey,
  fileNameSchema,
  sessionIdSchema,
  type ChannelName,
  type KeywitnessApi,
} from '../../../src/shared/ipc.js';
import { createHandlers } from '../../../src/main/handlers/handlers.js';

const keys = Object.keys(CONTRACT) as ChannelName[];

describe('IPC contract', () => {
  it('has unique, namespaced wire names that map back to their rows', () => {
    const channels = keys.map((k) => CONTRACT[k].channel);
    expect(new Set(channels).size).toBe(channels.length);
    for (const k of keys) {
      expect(CONTRACT[k].channel).toMatch(/^keywitness:[a-z-]+$/);
      expect(channelKey(CONTRACT[k].channel)).toBe(k);
    }
    expect(channelKey('keywitness:unknown')).toBeNull();
    expect(channelKey('constructor')).toBeNull();
  });

  it('has the channels the shell provides, and a handler for every one', () => {
    expect(keys.sort()).toEqual([
      'appInfo',
      'exportFile',
      'identityLoad',
      'identitySave',
      'importFile',
      'journalAppend',
      'journalRead',
      'networkStatus',
      'printWorksheet',
    ]);
    const handlers = createHandlers({} as unknown as Parameters<typeof createHandlers>[0]);
    expect(Object.keys(handlers).sort()).toEqual(keys.sort());
    expect(BRIDGE_NAME).toBe('keywitness');
  });

  it.each([
    ['0123456789abcdef0123456789abcdef', true],
    ['0123456789ABCDEF0123456789ABCDEF', false],
    ['0123456789abcdef0123456789abcde', false],
    ['0123456789abcdef0123456789abcdef0', false],
    ['0123456789abcdef0123456789abcdeg', false],
    ['../../../../etc/passwd', false],
  ])('session id %j valid: %s', (id, ok) => {
    expect(sessionIdSchema.safeParse(id).success).toBe(ok);
  });

  it.each([
    ['session.keywitness.json', true],
    ['receipt – Alice.json', true],
    ['a'.repeat(LIMITS.fileNameChars), true],
    ['a'.repeat(LIMITS.fileNameChars + 1), false],
    ['', false],
    ['.', false],
    ['..', false],
    ['.bashrc', false],
    ['dir/x', false],
    ['dir\\x', false],
    ['x:y', false],
    ['x*', false],
    ['x?', false],
    ['x"', false],
    ['x<', false],
    ['x|', false],
    ['x\n', false],
    ['x.', false],
    ['x ', false],
  ])('file name %j valid: %s', (name, ok) => {
    expect(fileNameSchema.safeParse(name).success).toBe(ok);
  });

  it('byte schemas accept Uint8Array and Buffer up to the limit and nothing else', () => {
    const s = bytesSchema(4);
    expect(s.safeParse(new Uint8Array(4)).success).toBe(true);
    expect(s.safeParse(Buffer.alloc(4)).success).toBe(true);
    expect(s.safeParse(new Uint8Array(5)).success).toBe(false);
    for (const bad of [[1, 2], 'abcd', new Uint16Array(2), new ArrayBuffer(4), { length: 1, 0: 1 }, null])
      expect(s.safeParse(bad).success).toBe(false);
  });

  it('import kinds are the ones with limits and validators', () => {
    expect([...IMPORT_KINDS].sort()).toEqual(['bundle', 'evidence', 'receipt', 'script']);
  });

  it('types the bridge: no-argument channels take none', () => {
    type NoArg = Parameters<KeywitnessApi['appInfo']>;
    type OneArg = Parameters<KeywitnessApi['journalAppend']>;
    const none: NoArg = [];
    const one: OneArg = [{ sessionId: '0'.repeat(32), record: new Uint8Array(1) }];
    expect(none).toHaveLength(0);
    expect(one).toHaveLength(1);
  });
});
