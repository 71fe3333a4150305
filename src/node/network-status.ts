/**
 * Network interface status (docs/security.md, "No network"): the app cannot use the network, but a
 * ceremony room wants to know when a machine that should be air-gapped has a live interface at all.
 *
 * Two sources, because each misses something: os.networkInterfaces() lists only interfaces that
 * are up, running and addressed, while Linux sysfs also shows an interface that is configured up
 * but has no cable or address yet — the one that comes alive when someone plugs a cable in.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One non-loopback interface. */
export interface InterfaceStatus {
  readonly name: string;
  /** Administratively up (IFF_UP), whether or not a cable is connected. */
  readonly up: boolean;
  /** Addresses other than loopback ones. */
  readonly addresses: string[];
}

/** What the UI shows: `warning` when any non-loopback interface is up or addressed. */
export interface NetworkStatus {
  readonly warning: boolean;
  readonly interfaces: InterfaceStatus[];
}

/** An interface as Linux sysfs describes it. */
export interface SysfsInterface {
  readonly name: string;
  /** The `flags` file: IFF_UP is 0x1, IFF_LOOPBACK 0x8 (linux/if.h). */
  readonly flags: number;
}

const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;

function isLoopbackAddress(a: NetworkInterfaceInfo): boolean {
  return a.internal || a.address.startsWith('127.') || a.address === '::1';
}

/**
 * Combine both views. An interface counts when it is not a loopback and is up in sysfs or has a
 * non-loopback address; the warning is raised when any interface counts.
 */
export function assessNetwork(
  osView: Readonly<Record<string, readonly NetworkInterfaceInfo[] | undefined>>,
  sysfs: readonly SysfsInterface[],
): NetworkStatus {
  const byName = new Map<string, { up: boolean; addresses: string[] }>();
  for (const s of sysfs) {
    if (s.flags & IFF_LOOPBACK) continue;
    if (s.flags & IFF_UP) byName.set(s.name, { up: true, addresses: [] });
  }
  for (const [name, infos] of Object.entries(osView)) {
    const addresses = (infos ?? []).filter((a) => !isLoopbackAddress(a)).map((a) => a.cidr ?? a.address);
    if (addresses.length === 0) continue;
    const entry = byName.get(name) ?? { up: true, addresses: [] };
    entry.addresses.push(...addresses);
    byName.set(name, entry);
  }
  const interfaces = [...byName.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, v]) => ({ name, up: v.up, addresses: v.addresses }));
  return { warning: interfaces.length > 0, interfaces };
}

/** Read /sys/class/net (empty off Linux or when sysfs is not mounted). */
export async function readSysfsInterfaces(root = '/sys/class/net'): Promise<SysfsInterface[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const out: SysfsInterface[] = [];
  for (const name of names) {
    try {
      const flags = Number.parseInt((await readFile(join(root, name, 'flags'), 'utf8')).trim(), 16);
      if (Number.isFinite(flags)) out.push({ name, flags });
    } catch {
      // An interface that vanished between readdir and read.
    }
  }
  return out;
}

/** The current status of this machine. */
export async function networkStatus(): Promise<NetworkStatus> {
  return assessNetwork(networkInterfaces(), await readSysfsInterfaces());
}
