/**
 * NSEC chain completeness of a signed zone (RFC 4034 §4.1, §6.1; RFC 4035 §2.3): every
 * authoritative owner name (the apex, names below it, delegation points; not glue or other names
 * below a cut) has exactly one NSEC record, each NSEC names as next the next owner in canonical
 * order, the last one names the apex so the chain closes, and each type bitmap lists exactly the
 * types at its owner. The RRSIGs over the NSEC RRsets are checked with every other RRSIG; this
 * checks what they sign. A zone with no NSEC record (a bare DNSKEY RRset, or an NSEC3 zone) has no
 * NSEC chain to check.
 */
import { isAtOrBelow, nameText, namesEqualDns, readWireName, RR_TYPES, typeName } from './dnssec-zone.js';
import type { DnsName, Zone, ZoneRecord } from './dnssec-zone.js';
import type { SignatureCheck } from './verify-signatures.js';

const TYPE_NSEC = RR_TYPES.NSEC ?? 47;
const TYPE_NS = RR_TYPES.NS ?? 2;
const TYPE_DS = RR_TYPES.DS ?? 43;
const TYPE_RRSIG = RR_TYPES.RRSIG ?? 46;
/** Problems named in the detail before it says how many more there are. */
const SHOWN = 10;

const lower = (b: number): number => (b >= 0x41 && b <= 0x5a ? b + 0x20 : b);
/** A name's canonical (lower-cased) form as a map key: each label as its length and octets. */
export function keyOf(n: DnsName): string {
  let k = '';
  for (const label of n.labels) {
    k += String.fromCharCode(label.length);
    for (const b of label) k += String.fromCharCode(lower(b));
  }
  return k;
}

/** RFC 4034 §6.1 canonical order: labels compared from the rightmost, as lower-cased octets. */
export function compareCanonical(a: DnsName, b: DnsName): number {
  const n = Math.min(a.labels.length, b.labels.length);
  for (let i = 1; i <= n; i++) {
    const x = a.labels[a.labels.length - i] ?? new Uint8Array();
    const y = b.labels[b.labels.length - i] ?? new Uint8Array();
    const m = Math.min(x.length, y.length);
    for (let j = 0; j < m; j++) {
      const d = lower(x[j] ?? 0) - lower(y[j] ?? 0);
      if (d !== 0) return d;
    }
    if (x.length !== y.length) return x.length - y.length;
  }
  return a.labels.length - b.labels.length;
}

/** The types an NSEC or NSEC3 type bitmap lists (RFC 4034 §4.1.2), or a sentence saying why it is malformed. */
export function bitmapTypes(rdata: Uint8Array, from: number): number[] | string {
  const types: number[] = [];
  let p = from;
  let lastWindow = -1;
  while (p < rdata.length) {
    const window = rdata[p] ?? 0;
    const length = rdata[p + 1];
    if (length === undefined || length < 1 || length > 32 || p + 2 + length > rdata.length)
      return `window ${window} has a bitmap length ${length ?? 'missing'} (1 to 32, within the RDATA)`;
    if (window <= lastWindow) return `window ${window} does not come after window ${lastWindow}`;
    lastWindow = window;
    for (let i = 0; i < length; i++) {
      const byte = rdata[p + 2 + i] ?? 0;
      for (let bit = 0; bit < 8; bit++) if (byte & (0x80 >> bit)) types.push(window * 256 + i * 8 + bit);
    }
    p += 2 + length;
  }
  return types;
}

/** Type mnemonics separated by spaces, `(none)` for none. */
export const typeList = (types: Iterable<number>): string => [...types].map(typeName).join(' ') || '(none)';

/**
 * Check the NSEC chain of a zone whose apex is `apex`; undefined when the zone holds no NSEC
 * record. One check: `valid` when the chain is complete and closes, `invalid` naming each problem
 * with its line.
 */
export function checkNsecChain(zone: Zone, apex: DnsName, where: string): SignatureCheck | undefined {
  const inZone = zone.records.filter((r) => isAtOrBelow(r.owner, apex));
  if (!inZone.some((r) => r.type === TYPE_NSEC)) return undefined;
  const cuts = new Set(
    inZone.filter((r) => r.type === TYPE_NS && !namesEqualDns(r.owner, apex)).map((r) => keyOf(r.owner)),
  );
  const belowCut = (name: DnsName): boolean => {
    for (let k = 1; k < name.labels.length - apex.labels.length; k++)
      if (cuts.has(keyOf({ labels: name.labels.slice(k) }))) return true;
    return false;
  };
  // Every owner with its types and NSEC records, in file order first.
  const owners = new Map<string, { name: DnsName; types: Set<number>; nsec: ZoneRecord[]; line: number }>();
  for (const r of inZone) {
    const k = keyOf(r.owner);
    const o = owners.get(k) ?? { name: r.owner, types: new Set<number>(), nsec: [], line: r.line };
    o.types.add(r.type);
    if (r.type === TYPE_NSEC) o.nsec.push(r);
    owners.set(k, o);
  }
  const problems: string[] = [];
  const chain = [...owners.values()].filter((o) => !belowCut(o.name));
  for (const o of owners.values())
    if (belowCut(o.name) && o.nsec.length > 0)
      problems.push(`${nameText(o.name)} (line ${o.nsec[0]?.line ?? o.line}) is below a delegation but has an NSEC`);
  chain.sort((a, b) => compareCanonical(a.name, b.name));
  chain.forEach((o, i) => {
    const next = chain[(i + 1) % chain.length];
    const [nsec, second] = o.nsec;
    if (!nsec) return void problems.push(`${nameText(o.name)} (line ${o.line}) has no NSEC record`);
    if (second)
      problems.push(
        `${nameText(o.name)} has ${o.nsec.length} NSEC records (lines ${o.nsec.map((r) => r.line).join(', ')})`,
      );
    const at = `NSEC at ${nameText(o.name)} (line ${nsec.line})`;
    let named: { name: DnsName; end: number };
    try {
      named = readWireName(nsec.rdata, 0, `${where} line ${nsec.line}`);
    } catch (e) {
      return void problems.push(`${at}: ${(e as Error).message}`);
    }
    if (next && !namesEqualDns(named.name, next.name))
      problems.push(
        i === chain.length - 1
          ? `${at} is the last and names ${nameText(named.name)} as next, not the apex ${nameText(apex)}: the chain does not close`
          : `${at} names ${nameText(named.name)} as next, but the next name in the zone is ${nameText(next.name)}`,
      );
    const listed = bitmapTypes(nsec.rdata, named.end);
    if (typeof listed === 'string') return void problems.push(`${at}: the type bitmap is malformed: ${listed}`);
    // At a delegation only NS, DS, NSEC and their RRSIGs are the zone's own (RFC 4035 §2.3).
    const cut = cuts.has(keyOf(o.name));
    const held = [...o.types].filter((t) => !cut || [TYPE_NS, TYPE_DS, TYPE_NSEC, TYPE_RRSIG].includes(t));
    const want = new Set(held);
    const got = new Set(listed);
    const missing = [...want].filter((t) => !got.has(t)).sort((a, b) => a - b);
    const extra = [...got].filter((t) => !want.has(t)).sort((a, b) => a - b);
    if (missing.length || extra.length)
      problems.push(
        `${at} lists ${typeList(listed)}, but the name holds ${typeList([...want].sort((a, b) => a - b))}` +
          `${missing.length ? ` (missing ${typeList(missing)})` : ''}${extra.length ? ` (not held: ${typeList(extra)})` : ''}`,
      );
  });
  const object = `NSEC chain of ${nameText(apex)} (${chain.length} name${chain.length === 1 ? '' : 's'})`;
  const base = { object, signer: 'none', where, window: undefined, notes: [] };
  if (problems.length === 0)
    return {
      ...base,
      status: 'valid',
      detail:
        'every authoritative name has one NSEC, each names the next in canonical order, the last the apex (RFC 4034 §4.1, §6.1), and each type bitmap lists the name’s types',
    };
  const shown = problems.slice(0, SHOWN).join('; ');
  return {
    ...base,
    status: 'invalid',
    detail: `${shown}${problems.length > SHOWN ? `; and ${problems.length - SHOWN} more` : ''} (RFC 4035 §2.3)`,
  };
}
