/**
 * NSEC3 chain completeness of a signed zone (RFC 5155 §7.1, §8.3): the apex holds one NSEC3PARAM;
 * every NSEC3 carries its hash algorithm, iterations and salt; every authoritative name (the apex,
 * names below it, delegation points, and the empty non-terminals between them, RFC 5155 §7.1) has
 * exactly one NSEC3 whose owner is the base32hex of its hash (§5: SHA-1 iterated over the
 * canonical wire name and the salt); in hash order each names the next hashed owner, the last the
 * first, so the chain closes; each type bitmap lists the types at the name it hashes. An insecure
 * delegation (no DS), and an empty non-terminal above only such, may be left out when the NSEC3
 * that covers its hash has the opt-out flag (§6). The RRSIGs over NSEC3 RRsets are checked with
 * every other RRSIG; this checks what they sign.
 */
import { sha1 } from '../util/hash.js';
import { concatBytes } from '../util/bytes.js';
import { bitmapTypes, keyOf, typeList } from './dnssec-nsec.js';
import { isAtOrBelow, nameText, nameWire, namesEqualDns, RR_TYPES } from './dnssec-zone.js';
import type { DnsName, Zone, ZoneRecord } from './dnssec-zone.js';
import type { SignatureCheck } from './verify-signatures.js';

const TYPE_NSEC3 = RR_TYPES.NSEC3 ?? 50;
const TYPE_NSEC3PARAM = RR_TYPES.NSEC3PARAM ?? 51;
const TYPE_NS = RR_TYPES.NS ?? 2;
const TYPE_DS = RR_TYPES.DS ?? 43;
const TYPE_RRSIG = RR_TYPES.RRSIG ?? 46;
/** RFC 5155 §10.3's ceiling for the largest keys; more is refused before hashing (RFC 9276 asks for 0). */
const MAX_ITERATIONS = 2500;
const SHOWN = 10;
/** SHA-1 computations one chain check may make (names × (iterations + 1)): seconds, not hours. */
const MAX_HASHES = 5_000_000;
const B32HEX = '0123456789abcdefghijklmnopqrstuv';

/** Base32hex without padding (RFC 4648 §7), as NSEC3 owner labels are written. */
function base32hex(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += B32HEX.charAt((acc >> bits) & 31);
    }
  }
  if (bits > 0) out += B32HEX.charAt((acc << (5 - bits)) & 31);
  return out;
}

/** RFC 5155 §5: IH(salt, x, 0) = H(x || salt); IH(salt, x, k) = H(IH(salt, x, k − 1) || salt). */
export function nsec3Hash(name: DnsName, salt: Uint8Array, iterations: number): Uint8Array {
  let h = sha1(concatBytes(nameWire(name, true), salt));
  for (let i = 0; i < iterations; i++) h = sha1(concatBytes(h, salt));
  return h;
}

interface Params {
  readonly algorithm: number;
  readonly iterations: number;
  readonly salt: Uint8Array;
}

function readParams(rdata: Uint8Array): (Params & { flags: number; end: number }) | undefined {
  const saltLength = rdata[4];
  if (rdata.length < 5 || saltLength === undefined || rdata.length < 5 + saltLength) return undefined;
  return {
    algorithm: rdata[0] ?? 0,
    flags: rdata[1] ?? 0,
    iterations: ((rdata[2] ?? 0) << 8) | (rdata[3] ?? 0),
    salt: rdata.subarray(5, 5 + saltLength),
    end: 5 + saltLength,
  };
}

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('') || '-';
const sameParams = (a: Params, b: Params): boolean =>
  a.algorithm === b.algorithm && a.iterations === b.iterations && hex(a.salt) === hex(b.salt);
const paramText = (p: Params): string => `algorithm ${p.algorithm}, ${p.iterations} iterations, salt ${hex(p.salt)}`;

interface Link {
  readonly record: ZoneRecord;
  readonly hash: string;
  readonly next: string;
  readonly optOut: boolean;
  readonly types: readonly number[];
}

/**
 * Check the NSEC3 chain of a zone whose apex is `apex`; undefined when the zone holds no NSEC3 or
 * NSEC3PARAM record. One check: `valid` when the chain is complete and closes, `invalid` naming
 * each problem with its line.
 */
export function checkNsec3Chain(zone: Zone, apex: DnsName, where: string): SignatureCheck | undefined {
  const inZone = zone.records.filter((r) => isAtOrBelow(r.owner, apex));
  const nsec3s = inZone.filter((r) => r.type === TYPE_NSEC3);
  const paramRecords = inZone.filter((r) => r.type === TYPE_NSEC3PARAM);
  if (nsec3s.length === 0 && paramRecords.length === 0) return undefined;
  const problems: string[] = [];
  const result = (names: number): SignatureCheck => {
    const base = {
      object: `NSEC3 chain of ${nameText(apex)} (${names} name${names === 1 ? '' : 's'})`,
      signer: 'none',
      where,
      window: undefined,
      notes,
    };
    if (problems.length === 0)
      return {
        ...base,
        status: 'valid',
        detail:
          'every authoritative name and empty non-terminal has one NSEC3 at its hash (RFC 5155 §5, with the NSEC3PARAM’s algorithm, iterations and salt), each names the next hash, the last the first, and each type bitmap lists the name’s types; opt-out honoured (§6)',
      };
    const shown = problems.slice(0, SHOWN).join('; ');
    return {
      ...base,
      status: 'invalid',
      detail: `${shown}${problems.length > SHOWN ? `; and ${problems.length - SHOWN} more` : ''} (RFC 5155 §7.1)`,
    };
  };

  const notes: string[] = [];
  const [paramRecord, secondParam] = paramRecords;
  if (secondParam)
    problems.push(
      `${paramRecords.length} NSEC3PARAM records (lines ${paramRecords.map((r) => r.line).join(', ')}); one is expected`,
    );
  if (paramRecord && !namesEqualDns(paramRecord.owner, apex))
    problems.push(`NSEC3PARAM (line ${paramRecord.line}) is at ${nameText(paramRecord.owner)}, not at the apex`);
  // Validators never read NSEC3PARAM (RFC 5155 §4); without one, the first NSEC3's parameters stand.
  const source = paramRecord ?? nsec3s[0];
  const params = source && readParams(source.rdata);
  if (!source || !params || (paramRecord && params.end !== paramRecord.rdata.length)) {
    problems.push(`${paramRecord ? 'NSEC3PARAM' : 'NSEC3'} (line ${source?.line ?? 0}) is malformed`);
    return result(0);
  }
  if (!paramRecord)
    notes.push(`no NSEC3PARAM at the apex: the parameters of the NSEC3 at line ${source.line} are used`);
  if (params.algorithm !== 1) {
    problems.push(
      `NSEC3PARAM (line ${source.line}) names hash algorithm ${params.algorithm}; only 1 (SHA-1) is defined`,
    );
    return result(0);
  }
  if (params.iterations > MAX_ITERATIONS) {
    problems.push(
      `NSEC3PARAM (line ${source.line}) asks for ${params.iterations} iterations, over the ${MAX_ITERATIONS} RFC 5155 §10.3 allows`,
    );
    return result(0);
  }

  // The names NSEC3 must cover: owners that are not NSEC3 owners, not below a cut; and the empty
  // non-terminals above them. Insecure delegations and what exists only above them are optional.
  const nsec3Owners = new Set(nsec3s.map((r) => keyOf(r.owner)));
  const typesAt = new Map<string, { name: DnsName; types: Set<number>; line: number }>();
  for (const r of inZone) {
    const k = keyOf(r.owner);
    if (nsec3Owners.has(k) && (r.type === TYPE_NSEC3 || r.type === TYPE_RRSIG)) continue;
    const o = typesAt.get(k) ?? { name: r.owner, types: new Set<number>(), line: r.line };
    o.types.add(r.type);
    typesAt.set(k, o);
  }
  const cuts = new Set(
    [...typesAt.entries()].filter(([, o]) => o.types.has(TYPE_NS) && !namesEqualDns(o.name, apex)).map(([k]) => k),
  );
  const depth = apex.labels.length;
  const belowCut = (n: DnsName): boolean => {
    for (let k = 1; k < n.labels.length - depth; k++) if (cuts.has(keyOf({ labels: n.labels.slice(k) }))) return true;
    return false;
  };
  const names = new Map<string, { name: DnsName; types: Set<number>; line: number; required: boolean }>();
  for (const [k, o] of typesAt) {
    if (belowCut(o.name)) continue;
    const required = !cuts.has(k) || o.types.has(TYPE_DS);
    names.set(k, { ...o, required: required || (names.get(k)?.required ?? false) });
    for (let a = 1; a < o.name.labels.length - depth; a++) {
      const anc = { labels: o.name.labels.slice(a) };
      const ak = keyOf(anc);
      const had = names.get(ak) ?? typesAt.get(ak);
      const prev = names.get(ak);
      names.set(ak, {
        name: anc,
        types: had?.types ?? new Set(),
        line: had?.line ?? o.line,
        required: required || (prev?.required ?? (!cuts.has(ak) && typesAt.has(ak))),
      });
    }
  }

  // The NSEC3 records, by the hash their owner label carries.
  const links = new Map<string, Link>();
  for (const r of nsec3s) {
    const at = `NSEC3 at ${nameText(r.owner)} (line ${r.line})`;
    const p = readParams(r.rdata);
    const hashLength = p ? r.rdata[p.end] : undefined;
    if (!p || hashLength === undefined || r.rdata.length < p.end + 1 + hashLength) {
      problems.push(`${at} is malformed`);
      continue;
    }
    if (!sameParams(p, params)) problems.push(`${at} has ${paramText(p)}, the NSEC3PARAM ${paramText(params)}`);
    const label = r.owner.labels[0];
    const owner = label ? new TextDecoder().decode(label).toLowerCase() : '';
    if (r.owner.labels.length !== depth + 1 || !/^[0-9a-v]{32}$/.test(owner))
      problems.push(`${at}: the owner is not a SHA-1 hash in base32hex directly below the apex`);
    const types = bitmapTypes(r.rdata, p.end + 1 + hashLength);
    if (typeof types === 'string') {
      problems.push(`${at}: the type bitmap is malformed: ${types}`);
      continue;
    }
    if (links.has(owner)) problems.push(`${at}: a second NSEC3 for the same hash`);
    links.set(owner, {
      record: r,
      hash: owner,
      next: base32hex(r.rdata.subarray(p.end + 1, p.end + 1 + hashLength)),
      optOut: (p.flags & 1) === 1,
      types,
    });
  }
  const order = [...links.keys()].sort();
  order.forEach((h, i) => {
    const link = links.get(h);
    const next = order[(i + 1) % order.length];
    if (!link || next === undefined || link.next === next) return;
    const at = `NSEC3 at ${nameText(link.record.owner)} (line ${link.record.line})`;
    problems.push(
      i === order.length - 1
        ? `${at} is the last in hash order and names ${link.next} as next, not the first ${next}: the chain does not close`
        : `${at} names ${link.next} as next, but the next hash in the zone is ${next}`,
    );
  });
  // Which NSEC3 covers a hash that has none: the last owner hash before it, cyclically.
  const covering = (h: string): Link | undefined =>
    links.get([...order].reverse().find((o) => o < h) ?? order[order.length - 1] ?? '');

  if (names.size * (params.iterations + 1) > MAX_HASHES) {
    problems.push(
      `${names.size} names at ${params.iterations} iterations would take ${names.size * (params.iterations + 1)} SHA-1 computations, over the ${MAX_HASHES} checked here`,
    );
    return result(names.size);
  }
  const hashed = new Set<string>();
  for (const [k, n] of names) {
    const h = base32hex(nsec3Hash(n.name, params.salt, params.iterations));
    hashed.add(h);
    const link = links.get(h);
    const what = `${nameText(n.name)} (line ${n.line}${n.types.size ? '' : ', an empty non-terminal'})`;
    if (!link) {
      if (n.required) problems.push(`${what} has no NSEC3 (its hash ${h})`);
      else if (!covering(h)?.optOut)
        problems.push(
          `${what} is an insecure delegation without an NSEC3, and the NSEC3 covering its hash ${h} has no opt-out flag`,
        );
      continue;
    }
    const cut = cuts.has(k);
    const want = [...n.types].filter((t) => !cut || [TYPE_NS, TYPE_DS, TYPE_RRSIG].includes(t)).sort((a, b) => a - b);
    const got = new Set(link.types);
    const missing = want.filter((t) => !got.has(t));
    const extra = [...got].filter((t) => !want.includes(t)).sort((a, b) => a - b);
    if (missing.length || extra.length)
      problems.push(
        `NSEC3 at ${nameText(link.record.owner)} (line ${link.record.line}) for ${nameText(n.name)} lists ${typeList(link.types)}, but the name holds ${typeList(want)}` +
          `${missing.length ? ` (missing ${typeList(missing)})` : ''}${extra.length ? ` (not held: ${typeList(extra)})` : ''}`,
      );
  }
  for (const h of order)
    if (!hashed.has(h)) {
      const link = links.get(h);
      if (link)
        problems.push(
          `NSEC3 at ${nameText(link.record.owner)} (line ${link.record.line}) is the hash of no name in the zone`,
        );
    }
  return result(names.size);
}
