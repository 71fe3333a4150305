import { describe, it, expect } from 'vitest';
import { buildBridge } from '../../../src/preload/bridge.js';
import { CONTRACT } from '../../../src/shared/ipc.js';

describe('preload bridge', () => {
  const calls: [string, unknown, number][] = [];
  const bridge = buildBridge(CONTRACT, async (...args: unknown[]) => {
    calls.push([args[0] as string, args[1], args.length]);
    return { ok: true, value: null };
  }) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;

  it('has exactly one function per contract row and nothing else', () => {
    expect(Object.keys(bridge).sort()).toEqual(Object.keys(CONTRACT).sort());
    for (const f of Object.values(bridge)) expect(typeof f).toBe('function');
    expect(Object.getPrototypeOf(bridge)).toBeNull();
    expect('ipcRenderer' in bridge).toBe(false);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(bridge)).toBe(true);
    expect(() => {
      bridge['appInfo'] = async () => 'hijacked';
    }).toThrow(TypeError);
  });

  it('forwards each call on its own channel with exactly one argument', async () => {
    calls.length = 0;
    await bridge['journalAppend']!({ sessionId: 'x' }, 'extra', 'arguments');
    await bridge['appInfo']!();
    expect(calls).toEqual([
      [CONTRACT.journalAppend.channel, { sessionId: 'x' }, 2],
      [CONTRACT.appInfo.channel, undefined, 2],
    ]);
  });
});
