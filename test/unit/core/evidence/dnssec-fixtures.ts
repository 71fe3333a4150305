/**
 * Zones signed during the test run: keys made by `ldns-keygen` (or BIND's `dnssec-keygen`), zones
 * signed by `ldns-signzone` (or `dnssec-signzone`), and `ldns-verify-zone` as the independent
 * verdict every result is compared with. ldnsutils is installed by .ci/run; bind9-utils is optional
 * and its tests say so when it is missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every ordinary record type of a zone, a delegation with glue, a wildcard and a TXT with escapes. */
export const BASE_ZONE = `$ORIGIN example.org.
$TTL 3600
@ IN SOA ns1 hostmaster ( 2026010101 ; serial
        7200 3600 1209600 300 )
  IN NS ns1
  IN NS ns2.example.net.
  IN MX 10 mail
  IN TXT "v=spf1 -all"
  IN CAA 0 issue "ca.example.net"
ns1 IN A 192.0.2.1
ns1 IN AAAA 2001:db8::1
mail 300 IN A 192.0.2.2
www IN CNAME @
txt IN TXT "hello world" "semi;colon" "quote\\"d" "\\065scii"
_sip._tcp IN SRV 10 60 5060 sip
sip IN A 192.0.2.60
*.wild IN A 192.0.2.9
ptr IN PTR www.example.org.
sub IN NS ns.sub
sub IN DS 12345 13 2 ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789
ns.sub IN A 192.0.2.53
`;

/** The algorithms ldns-keygen names, with their DNSSEC numbers. */
export const LDNS_ALGORITHMS = [
  ['RSASHA256', 8],
  ['RSASHA512', 10],
  ['ECDSAP256SHA256', 13],
  ['ECDSAP384SHA384', 14],
  ['ED25519', 15],
  ['ED448', 16],
] as const;

export type LdnsAlgorithm = (typeof LDNS_ALGORITHMS)[number][0];

export interface SignedZone {
  readonly dir: string;
  /** The signed zone file. */
  readonly signed: string;
  /** The KSK's DS record file (`.ds` from ldns-keygen, dnssec-dsfromkey for BIND). */
  readonly ds: string;
  /** The KSK's DNSKEY record file (`.key`). */
  readonly kskKey: string;
  /** A DS record file for the ZSK (ldns-key2ds; dnssec-dsfromkey for BIND). */
  readonly zskDs: string;
  readonly kskTag: number;
  readonly zskTag: number;
  text(): string;
}

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }).trim();
}

/** Whether a command is installed. */
export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

const tagOf = (base: string): number => Number(/\+(\d{5})$/.exec(base)?.[1] ?? 'NaN');

/**
 * Sign BASE_ZONE with a KSK and a ZSK of `algorithm` with ldns. `inception`/`expiration` are
 * ldns-signzone dates (YYYYMMDD or seconds); `nsec3` signs with NSEC3 instead of NSEC.
 */
export function signWithLdns(
  algorithm: LdnsAlgorithm,
  options: {
    nsec3?: boolean;
    /** ldns-signzone's -s SALT, -t ITERATIONS and -p (opt-out), with NSEC3. */
    salt?: string;
    iterations?: number;
    optOut?: boolean;
    inception?: string;
    expiration?: string;
    zone?: string;
  } = {},
): SignedZone {
  const dir = mkdtempSync(join(tmpdir(), `kw-zone-${algorithm}-`));
  writeFileSync(join(dir, 'zone'), options.zone ?? BASE_ZONE);
  const bits = algorithm.startsWith('RSA') ? ['-b', '2048'] : [];
  const ksk = run('ldns-keygen', ['-a', algorithm, ...bits, '-k', 'example.org'], dir);
  const zsk = run('ldns-keygen', ['-a', algorithm, ...bits, 'example.org'], dir);
  const args = ['-f', 'zone.signed'];
  if (options.nsec3) args.push('-n');
  if (options.salt) args.push('-s', options.salt);
  if (options.iterations !== undefined) args.push('-t', String(options.iterations));
  if (options.optOut) args.push('-p');
  if (options.inception) args.push('-i', options.inception);
  if (options.expiration) args.push('-e', options.expiration);
  run('ldns-signzone', [...args, 'zone', ksk, zsk], dir);
  writeFileSync(join(dir, 'zsk.ds'), `${run('ldns-key2ds', ['-f', '-n', '-2', `${zsk}.key`], dir)}\n`);
  return {
    dir,
    signed: join(dir, 'zone.signed'),
    ds: join(dir, `${ksk}.ds`),
    kskKey: join(dir, `${ksk}.key`),
    zskDs: join(dir, 'zsk.ds'),
    kskTag: tagOf(ksk),
    zskTag: tagOf(zsk),
    text: () => readFileSync(join(dir, 'zone.signed'), 'utf8'),
  };
}

/**
 * Sign BASE_ZONE (or `options.zone`) with BIND's dnssec-keygen and dnssec-signzone (bind9-utils);
 * `nsec3` is dnssec-signzone's `-3 SALT` (`-` for none), with `optOut` its `-A`.
 */
export function signWithBind(
  algorithm: string,
  options: { nsec3?: string; optOut?: boolean; iterations?: number; zone?: string } = {},
): SignedZone {
  const dir = mkdtempSync(join(tmpdir(), `kw-bind-${algorithm}-`));
  const ksk = run('dnssec-keygen', ['-q', '-a', algorithm, '-f', 'KSK', 'example.org'], dir);
  const zsk = run('dnssec-keygen', ['-q', '-a', algorithm, 'example.org'], dir);
  const keys = [ksk, zsk].map((k) => readFileSync(join(dir, `${k}.key`), 'utf8')).join('\n');
  writeFileSync(join(dir, 'zone'), `${options.zone ?? BASE_ZONE}${keys}`);
  const nsec3 = options.nsec3 === undefined ? [] : ['-3', options.nsec3, '-H', String(options.iterations ?? 0)];
  if (options.optOut) nsec3.push('-A');
  run('dnssec-signzone', ['-q', ...nsec3, '-o', 'example.org', '-f', 'zone.signed', 'zone', ksk, zsk], dir);
  writeFileSync(join(dir, 'ds'), `${run('dnssec-dsfromkey', ['-2', ksk], dir)}\n`);
  writeFileSync(join(dir, 'zsk.ds'), `${run('dnssec-dsfromkey', ['-2', zsk], dir)}\n`);
  return {
    dir,
    signed: join(dir, 'zone.signed'),
    ds: join(dir, 'ds'),
    kskKey: join(dir, `${ksk}.key`),
    zskDs: join(dir, 'zsk.ds'),
    kskTag: tagOf(ksk),
    zskTag: tagOf(zsk),
    text: () => readFileSync(join(dir, 'zone.signed'), 'utf8'),
  };
}

/** `ldns-verify-zone`'s verdict on a zone file: true when it says the zone is verified. */
export function ldnsVerifies(file: string, at?: Date): boolean {
  const args = at ? ['-t', at.toISOString().replace(/[-:T]/g, '').slice(0, 14), file] : [file];
  return spawnSync('ldns-verify-zone', args, { encoding: 'utf8' }).status === 0;
}

/** Write a variant of a signed zone next to it and return its path. */
export function variant(zone: SignedZone, name: string, change: (text: string) => string): string {
  const path = join(zone.dir, name);
  const before = zone.text();
  const after = change(before);
  if (after === before) throw new Error(`variant ${name} changed nothing`);
  writeFileSync(path, after);
  return path;
}
