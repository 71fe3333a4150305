/**
 * Network status on real interfaces: each case runs in its own network namespace (unshare, as
 * root) with a fresh sysfs, where the test makes exactly the interfaces it wants.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { assessNetwork, networkStatus, type NetworkStatus } from '../../../src/node/network-status.js';

let dir: string;
let probe: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-net-'));
  probe = join(dir, 'probe.mjs');
  await build({
    stdin: {
      contents:
        "import { networkStatus } from './src/node/network-status.ts';\nconsole.log(JSON.stringify(await networkStatus()));",
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: probe,
    logLevel: 'silent',
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function inNamespace(setup: string): NetworkStatus {
  const script = `mount -t sysfs sysfs /sys && ${setup} "${process.execPath}" "${probe}"`;
  const r = spawnSync('unshare', ['--net', '--mount', 'sh', '-c', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`needs root, unshare (util-linux) and ip (iproute2): ${r.stderr}`);
  return JSON.parse(r.stdout) as NetworkStatus;
}

describe('network status in a namespace', () => {
  it('no warning with only a loopback (down or up)', () => {
    expect(inNamespace('')).toEqual({ warning: false, interfaces: [] });
    expect(inNamespace('ip link set lo up &&')).toEqual({ warning: false, interfaces: [] });
  });

  it('warns for an interface that is up without cable or address (sysfs sees it, Node does not)', () => {
    const s = inNamespace('ip link add kw0 type veth peer name kw1 && ip link set kw0 up &&');
    expect(s).toEqual({ warning: true, interfaces: [{ name: 'kw0', up: true, addresses: [] }] });
  });

  it('warns with the addresses of an interface that is up and addressed', () => {
    const s = inNamespace(
      'ip link add kw0 type veth peer name kw1 && ip addr add 192.0.2.10/24 dev kw0 && ip link set kw1 up && ip link set kw0 up && sleep 0.2 &&',
    );
    expect(s.warning).toBe(true);
    const kw0 = s.interfaces.find((i) => i.name === 'kw0');
    expect(kw0?.up).toBe(true);
    expect(kw0?.addresses).toContain('192.0.2.10/24');
  });

  it('no warning for an interface that exists but is down', () => {
    expect(inNamespace('ip link add kw0 type veth peer name kw1 && ip addr add 192.0.2.10/24 dev kw0 &&')).toEqual({
      warning: false,
      interfaces: [],
    });
  });
});

describe('network status on this machine', () => {
  it('lists every non-internal interface that Node reports', async () => {
    const s = await networkStatus();
    const { networkInterfaces } = await import('node:os');
    for (const [name, infos] of Object.entries(networkInterfaces())) {
      if ((infos ?? []).some((i) => !i.internal)) expect(s.interfaces.map((i) => i.name)).toContain(name);
    }
    expect(s.warning).toBe(s.interfaces.length > 0);
  });
});

describe('assessNetwork', () => {
  it('ignores loopback addresses and loopback-flagged interfaces, sorts by name', () => {
    const s = assessNetwork(
      {
        lo: [
          {
            address: '127.0.0.1',
            netmask: '255.0.0.0',
            family: 'IPv4',
            mac: '00:00:00:00:00:00',
            internal: true,
            cidr: '127.0.0.1/8',
          },
        ],
        wlan0: [
          {
            address: 'fe80::1',
            netmask: 'ffff:ffff:ffff:ffff::',
            family: 'IPv6',
            mac: '02:00:00:00:00:01',
            internal: false,
            cidr: 'fe80::1/64',
            scopeid: 3,
          },
        ],
      },
      [
        { name: 'lo', flags: 0x9 },
        { name: 'eth0', flags: 0x1003 },
        { name: 'eth1', flags: 0x1002 },
        { name: 'wlan0', flags: 0x1003 },
      ],
    );
    expect(s).toEqual({
      warning: true,
      interfaces: [
        { name: 'eth0', up: true, addresses: [] },
        { name: 'wlan0', up: true, addresses: ['fe80::1/64'] },
      ],
    });
  });
});
