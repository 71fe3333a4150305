/**
 * DNSSEC signatures verified, not just read: every RRSIG of a zone (or of a bare DNSKEY RRset)
 * checked against the zone's DNSKEYs as a validator checks it (RFC 4035 §5.3): owner, class and
 * type covered, signer's name at the zone apex, the Labels field, the validity window in serial
 * number arithmetic (RFC 4034 §3.1.5, RFC 1982), a key with the RRSIG's algorithm and key tag and
 * the Zone Key flag (RFC 4034 §2.1.1), and the signature over the RRSIG RDATA and the RRset in
 * canonical form and order (RFC 4034 §3.1.8.1, §6; wildcards per RFC 4035 §5.3.2). Algorithms 8
 * and 10 (RFC 5702), 13 and 14 (RFC 6605), 15 and 16 (RFC 8080) are verified through WebCrypto;
 * others are `unsupported`, never valid. A DS (RFC 4034 §5.2) or trust-anchor key given with
 * `--issuer` is checked to match a DNSKEY that signs the DNSKEY RRset (RFC 4035 §5.2). A zone with
 * NSEC records also gets its NSEC chain checked for completeness (`dnssec-nsec.ts`), and one with
 * NSEC3 records its NSEC3 chain (`dnssec-nsec3.ts`).
 */
import { KeywitnessError } from '../errors.js';
import { concatBytes, equalBytes, toHex } from '../util/bytes.js';
import { sha1, sha256, sha384 } from '../util/hash.js';
import { keyTag } from './dnssec.js';
import { checkNsecChain } from './dnssec-nsec.js';
import { checkNsec3Chain } from './dnssec-nsec3.js';
import {
  canonicalRdata,
  isAtOrBelow,
  labelCount,
  nameText,
  nameWire,
  namesEqualDns,
  readWireName,
  RR_TYPES,
  typeName,
  type DnsName,
  type Zone,
  type ZoneRecord,
} from './dnssec-zone.js';
import { describeSpki, spkiFromEcPoint, spkiFromEdwards, spkiFromRsa, type KeyFacts } from './keys.js';
import { currentSubtle, verifyEdwards, type VerifyResult } from './verify.js';
import type { SignatureCheck } from './verify-signatures.js';
import { must } from '../util/must.js';

/** DNSSEC algorithm numbers (IANA "DNS Security Algorithm Numbers") and how each is verified here. */
export const DNSSEC_ALGORITHMS: Readonly<
  Record<
    number,
    | { readonly name: string; readonly kind: 'rsa'; readonly hash: string; readonly minBits: number }
    | {
        readonly name: string;
        readonly kind: 'ecdsa';
        readonly hash: string;
        readonly curve: string;
        readonly size: number;
      }
    | { readonly name: string; readonly kind: 'eddsa'; readonly curve: 'Ed25519' | 'Ed448'; readonly size: number }
    | { readonly name: string; readonly kind: 'unsupported'; readonly why: string }
  >
> = {
  1: { name: 'RSAMD5', kind: 'unsupported', why: 'RSAMD5 must not be used (RFC 8624 §3.1)' },
  3: { name: 'DSA', kind: 'unsupported', why: 'DSA/SHA-1 is not accepted here (RFC 8624 §3.1: MUST NOT sign)' },
  5: {
    name: 'RSASHA1',
    kind: 'unsupported',
    why: 'RSA/SHA-1 is not accepted as ceremony evidence (RFC 8624 §3.1: NOT RECOMMENDED to sign)',
  },
  6: { name: 'DSA-NSEC3-SHA1', kind: 'unsupported', why: 'DSA/SHA-1 is not accepted here (RFC 8624 §3.1)' },
  7: {
    name: 'RSASHA1-NSEC3-SHA1',
    kind: 'unsupported',
    why: 'RSA/SHA-1 is not accepted as ceremony evidence (RFC 8624 §3.1)',
  },
  8: { name: 'RSASHA256', kind: 'rsa', hash: 'SHA-256', minBits: 512 },
  10: { name: 'RSASHA512', kind: 'rsa', hash: 'SHA-512', minBits: 1024 },
  12: {
    name: 'ECC-GOST',
    kind: 'unsupported',
    why: 'GOST R 34.10-2001 is not available in WebCrypto (RFC 8624 §3.1: MUST NOT)',
  },
  13: { name: 'ECDSAP256SHA256', kind: 'ecdsa', hash: 'SHA-256', curve: 'P-256', size: 32 },
  14: { name: 'ECDSAP384SHA384', kind: 'ecdsa', hash: 'SHA-384', curve: 'P-384', size: 48 },
  15: { name: 'ED25519', kind: 'eddsa', curve: 'Ed25519', size: 32 },
  16: { name: 'ED448', kind: 'eddsa', curve: 'Ed448', size: 57 },
};

/** Name of a DNSSEC algorithm number (RFC 4034 Appendix A.1, RFC 8624 §3.1). */
export function algorithmName(n: number): string {
  return DNSSEC_ALGORITHMS[n]?.name ?? `algorithm ${n}`;
}

function invalid(message: string, where: string): never {
  throw new KeywitnessError('EVIDENCE_INVALID', message, { where });
}

const TYPE_RRSIG = RR_TYPES.RRSIG ?? 46;
const TYPE_DNSKEY = RR_TYPES.DNSKEY ?? 48;
const TYPE_SOA = RR_TYPES.SOA ?? 6;
const TYPE_NS = RR_TYPES.NS ?? 2;
const TYPE_DS = RR_TYPES.DS ?? 43;
const TYPE_NSEC = RR_TYPES.NSEC ?? 47;

/** The fields of an RRSIG (RFC 4034 §3.1). */
export interface RrsigFields {
  readonly typeCovered: number;
  readonly algorithm: number;
  readonly labels: number;
  readonly originalTtl: number;
  /** Seconds modulo 2^32. */
  readonly expiration: number;
  readonly inception: number;
  readonly keyTag: number;
  readonly signer: DnsName;
  readonly signature: Uint8Array;
  /** RRSIG RDATA without the signature, signer's name in canonical form: the first part signed. */
  readonly signedPrefix: Uint8Array;
}

const be = (b: Uint8Array, at: number, n: number): number => {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + (b[at + i] ?? 0);
  return v;
};

/** Read RRSIG RDATA (RFC 4034 §3.1). */
export function readRrsig(rdata: Uint8Array, where: string): RrsigFields {
  if (rdata.length < 19) invalid(`RRSIG RDATA of ${rdata.length} octets is shorter than its fixed fields`, where);
  const { name: signer, end } = readWireName(rdata, 18, where);
  const signature = rdata.subarray(end);
  if (signature.length === 0) invalid('RRSIG has an empty signature', where);
  return {
    typeCovered: be(rdata, 0, 2),
    algorithm: be(rdata, 2, 1),
    labels: be(rdata, 3, 1),
    originalTtl: be(rdata, 4, 4),
    expiration: be(rdata, 8, 4),
    inception: be(rdata, 12, 4),
    keyTag: be(rdata, 16, 2),
    signer,
    signature,
    signedPrefix: concatBytes(rdata.subarray(0, 18), nameWire(signer, true)),
  };
}

/** A DNSKEY of the zone (RFC 4034 §2.1), with its key tag and what it is for. */
export interface ZoneKey {
  readonly owner: DnsName;
  readonly flags: number;
  readonly protocol: number;
  readonly algorithm: number;
  readonly publicKey: Uint8Array;
  readonly rdata: Uint8Array;
  readonly keyTag: number;
  /** Flag bit 7: may verify RRSIGs over RRsets (RFC 4034 §2.1.1). */
  readonly zoneKey: boolean;
  /** Flag bit 15: Secure Entry Point, conventionally a KSK (RFC 4034 §2.1.1). */
  readonly sep: boolean;
  /** Flag bit 8: REVOKE (RFC 5011 §3). */
  readonly revoked: boolean;
  readonly line: number;
}

/** Read DNSKEY RDATA (RFC 4034 §2.1). */
export function readDnskey(r: ZoneRecord, where: string): ZoneKey {
  if (r.rdata.length < 5) invalid(`DNSKEY RDATA of ${r.rdata.length} octets has no public key`, where);
  const flags = be(r.rdata, 0, 2);
  return {
    owner: r.owner,
    flags,
    protocol: be(r.rdata, 2, 1),
    algorithm: be(r.rdata, 3, 1),
    publicKey: r.rdata.subarray(4),
    rdata: r.rdata,
    keyTag: keyTag(r.rdata),
    zoneKey: (flags & 0x0100) !== 0,
    sep: (flags & 0x0001) !== 0,
    revoked: (flags & 0x0080) !== 0,
    line: r.line,
  };
}

/** A DS record (RFC 4034 §5.1) or an equivalent trust-anchor digest. */
export interface DsLink {
  readonly owner: DnsName;
  readonly keyTag: number;
  readonly algorithm: number;
  readonly digestType: number;
  readonly digest: Uint8Array;
  /** Where it came from, for the report. */
  readonly source: string;
  readonly validFrom?: Date | undefined;
  readonly validUntil?: Date | undefined;
}

/** Read DS RDATA (RFC 4034 §5.1). */
export function readDs(r: ZoneRecord, source: string, where: string): DsLink {
  if (r.rdata.length < 5) invalid(`DS RDATA of ${r.rdata.length} octets has no digest`, where);
  return {
    owner: r.owner,
    keyTag: be(r.rdata, 0, 2),
    algorithm: be(r.rdata, 2, 1),
    digestType: be(r.rdata, 3, 1),
    digest: r.rdata.subarray(4),
    source,
  };
}

/** DS digest of a DNSKEY (RFC 4034 §5.1.4): digest(canonical owner | DNSKEY RDATA). */
export function dsDigest(key: ZoneKey, digestType: number): Uint8Array | undefined {
  const input = concatBytes(nameWire(key.owner, true), key.rdata);
  if (digestType === 1) return sha1(input);
  if (digestType === 2) return sha256(input);
  if (digestType === 4) return sha384(input);
  return undefined;
}

/** SPKI for a DNSKEY public key (RFC 3110 §2, RFC 6605 §4, RFC 8080 §3), or why there is none. */
export function dnskeySpki(key: ZoneKey, where: string): { spki: Uint8Array; facts: KeyFacts } | string {
  const alg = DNSSEC_ALGORITHMS[key.algorithm];
  if (!alg) return `DNSSEC algorithm ${key.algorithm} is not one this verifier knows`;
  const k = key.publicKey;
  let spki: Uint8Array;
  switch (alg.kind) {
    case 'unsupported':
      return alg.why;
    case 'rsa': {
      const first = k[0] ?? 0;
      const expLen = first === 0 ? be(k, 1, 2) : first;
      const start = first === 0 ? 3 : 1;
      const exponent = k.subarray(start, start + expLen);
      const modulus = k.subarray(start + expLen);
      if (expLen === 0 || exponent.length !== expLen || modulus.length === 0)
        return 'the RSA public key is truncated (RFC 3110 §2)';
      if (exponent[0] === 0 || modulus[0] === 0) return 'the RSA public key has leading zero octets (RFC 3110 §2)';
      spki = spkiFromRsa(modulus, exponent);
      break;
    }
    case 'ecdsa':
      if (k.length !== 2 * alg.size)
        return `the ${alg.curve} public key is ${k.length} octets; RFC 6605 §4 requires ${2 * alg.size}`;
      spki = spkiFromEcPoint(alg.curve, concatBytes(Uint8Array.of(4), k), where);
      break;
    case 'eddsa':
      if (k.length !== alg.size)
        return `the ${alg.curve} public key is ${k.length} octets; RFC 8080 §3 requires ${alg.size}`;
      spki = spkiFromEdwards(alg.curve, k, where);
      break;
  }
  const facts = describeSpki(spki, where);
  if (alg.kind === 'rsa' && (facts.size ?? 0) < alg.minBits)
    return `the RSA modulus is ${facts.size ?? 0} bits; ${alg.name} keys must have at least ${alg.minBits} (RFC 5702 §2)`;
  if (alg.kind === 'rsa' && (facts.size ?? 0) > 4096)
    return `the RSA modulus is ${facts.size ?? 0} bits; ${alg.name} keys have at most 4096 (RFC 5702 §2)`;
  return { spki, facts };
}

function own(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(b);
}

/** Verify one DNSSEC signature over `data` with a zone key (RFC 5702 §3, RFC 6605 §4, RFC 8080 §4). */
export async function verifyDnssecSignature(
  key: ZoneKey,
  data: Uint8Array,
  signature: Uint8Array,
  where: string,
): Promise<VerifyResult> {
  const alg = DNSSEC_ALGORITHMS[key.algorithm];
  const spki = dnskeySpki(key, where);
  if (!alg || alg.kind === 'unsupported' || typeof spki === 'string')
    return { status: 'unsupported', detail: typeof spki === 'string' ? spki : `algorithm ${key.algorithm} is unknown` };
  const subtle = currentSubtle();
  if (!subtle) return { status: 'unsupported', detail: 'no WebCrypto implementation is available on this device' };
  if (alg.kind === 'eddsa') {
    if (signature.length !== 2 * alg.size)
      return {
        status: 'invalid',
        detail: `the ${alg.name} signature is ${signature.length} octets; RFC 8080 §4 requires ${2 * alg.size}`,
      };
    const r = await verifyEdwards(subtle, alg.curve, spki.spki, signature, data);
    return { status: r.status, detail: r.detail.replace(alg.curve, alg.name) };
  }
  let importAlg: RsaHashedImportParams | EcKeyImportParams;
  let verifyAlg: AlgorithmIdentifier | EcdsaParams;
  if (alg.kind === 'rsa') {
    importAlg = { name: 'RSASSA-PKCS1-v1_5', hash: alg.hash };
    verifyAlg = { name: 'RSASSA-PKCS1-v1_5' };
  } else {
    if (signature.length !== 2 * alg.size)
      return {
        status: 'invalid',
        detail: `the ${alg.name} signature is ${signature.length} octets; RFC 6605 §4 requires ${2 * alg.size}`,
      };
    importAlg = { name: 'ECDSA', namedCurve: alg.curve };
    verifyAlg = { name: 'ECDSA', hash: alg.hash };
  }
  let cryptoKey: CryptoKey;
  try {
    cryptoKey = await subtle.importKey('spki', own(spki.spki), importAlg, false, ['verify']);
  } catch (e) {
    return {
      status: 'unsupported',
      detail: `this device's WebCrypto cannot import the ${alg.name} key: ${(e as Error).message}`,
    };
  }
  try {
    const ok = await subtle.verify(verifyAlg, cryptoKey, own(signature), own(data));
    return ok
      ? { status: 'valid', detail: `${alg.name} signature verified` }
      : { status: 'invalid', detail: `${alg.name} signature does not verify` };
  } catch (e) {
    return { status: 'invalid', detail: `${alg.name} verification failed: ${(e as Error).message}` };
  }
}

// ---------------------------------------------------------------------------------------------
// Time (RFC 4034 §3.1.5: serial number arithmetic, RFC 1982)

/** The instant a 32-bit RRSIG time stands for, taken as the one nearest `at` (RFC 1982 §3.2). */
export function sigTimeNear(value: number, at: Date): Date {
  const now = Math.floor(at.getTime() / 1000);
  let delta = (value - now) % 2 ** 32;
  if (delta < 0) delta += 2 ** 32;
  if (delta >= 2 ** 31) delta -= 2 ** 32;
  return new Date((now + delta) * 1000);
}

// ---------------------------------------------------------------------------------------------
// The zone

/** What a signed zone holds, for the report. */
export interface DnssecSummary {
  readonly apex: string;
  readonly records: number;
  readonly rrsets: number;
  readonly rrsigs: number;
  readonly keys: readonly {
    readonly keyTag: number;
    readonly algorithm: number;
    readonly algorithmName: string;
    readonly flags: number;
    readonly role: 'KSK' | 'ZSK' | 'not a zone key';
    readonly key: string;
    readonly line: number;
  }[];
}

/** Trust material for a zone: DS records and trust-anchor DNSKEYs given with `--issuer`. */
export interface DnssecTrust {
  readonly ds: readonly DsLink[];
  readonly keys: readonly { readonly key: ZoneKey; readonly source: string }[];
}

interface RRset {
  readonly owner: DnsName;
  readonly type: number;
  readonly records: ZoneRecord[];
}

function rrsetKey(owner: DnsName, type: number): string {
  return `${toHex(nameWire(owner, true))}/${type}`;
}

/** RFC 4034 §6.3: RRs of an RRset sorted by their canonical RDATA, duplicates removed. */
function canonicalRdatas(set: RRset, where: string): Uint8Array[] {
  const all = set.records.map((r) => canonicalRdata(set.type, r.rdata, `${where} line ${r.line}`));
  all.sort(compareBytes);
  return all.filter((r, i) => i === 0 || !equalBytes(r, all[i - 1] ?? new Uint8Array()));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** RFC 4034 §3.1.8.1 signed data: RRSIG RDATA (without signature) | each RR in canonical form and order. */
export function signedData(sig: RrsigFields, owner: DnsName, rdatas: readonly Uint8Array[]): Uint8Array {
  // RFC 4035 §5.3.2: a wildcard expansion is signed under "*." + the rightmost `labels` labels.
  const count = labelCount(owner);
  const name =
    sig.labels < count
      ? { labels: [Uint8Array.of(0x2a), ...owner.labels.slice(owner.labels.length - sig.labels)] }
      : owner;
  const ownerBytes = nameWire(name, true);
  const fixed = Uint8Array.of(
    sig.typeCovered >> 8,
    sig.typeCovered & 0xff,
    0,
    1,
    (sig.originalTtl >>> 24) & 0xff,
    (sig.originalTtl >>> 16) & 0xff,
    (sig.originalTtl >>> 8) & 0xff,
    sig.originalTtl & 0xff,
  );
  const parts: Uint8Array[] = [sig.signedPrefix];
  for (const rdata of rdatas)
    parts.push(ownerBytes, fixed, Uint8Array.of(rdata.length >> 8, rdata.length & 0xff), rdata);
  return concatBytes(...parts);
}

function keyLabel(key: ZoneKey, facts: KeyFacts | undefined): string {
  const role = !key.zoneKey ? 'not a zone key' : key.sep ? 'KSK' : 'ZSK';
  const size = facts?.size ? `, ${facts.size} bits` : '';
  return `DNSKEY ${key.keyTag} (${algorithmName(key.algorithm)}, ${role}${size}, line ${key.line})`;
}

function apexOf(zone: Zone, where: string): DnsName {
  const soas = zone.records.filter((r) => r.type === TYPE_SOA);
  const [soa, second] = soas;
  if (second)
    invalid(
      `the zone has ${soas.length} SOA records (lines ${soas.map((s) => s.line).join(', ')}); a zone has one`,
      where,
    );
  if (soa) return soa.owner;
  const keyOwners = new Map(
    zone.records.filter((r) => r.type === TYPE_DNSKEY).map((r) => [rrsetKey(r.owner, 0), r.owner]),
  );
  const [only, other] = [...keyOwners.values()];
  if (only && !other) return only;
  const signers = new Map(
    zone.records
      .filter((r) => r.type === TYPE_RRSIG)
      .map((r) => {
        const s = readRrsig(r.rdata, `${where} line ${r.line}`).signer;
        return [rrsetKey(s, 0), s];
      }),
  );
  const [signer, otherSigner] = [...signers.values()];
  if (signer && !otherSigner) return signer;
  return invalid('cannot tell the zone apex: no SOA, and the DNSKEY owners or signer names differ', where);
}

/**
 * Verify every RRSIG of a parsed zone against the DNSKEYs at its apex (RFC 4035 §5.3), report every authoritative
 * RRset no RRSIG covers, and check each DS or trust-anchor key in `trust` against the zone's keys.
 * @throws KeywitnessError EVIDENCE_INVALID for a zone that cannot be judged at all (no apex, an
 *   RRSIG whose RDATA is malformed); every signature problem is a check, not an error.
 */
export async function verifyZone(
  zone: Zone,
  where: string,
  trust: DnssecTrust,
  at: Date,
): Promise<{ checks: SignatureCheck[]; summary: DnssecSummary }> {
  const apex = apexOf(zone, where);
  const rrsets = new Map<string, RRset>();
  const sigs: { record: ZoneRecord; fields: RrsigFields }[] = [];
  for (const r of zone.records) {
    if (r.type === TYPE_RRSIG) {
      sigs.push({ record: r, fields: readRrsig(r.rdata, `${where} line ${r.line}`) });
      continue;
    }
    const k = rrsetKey(r.owner, r.type);
    const set = rrsets.get(k) ?? { owner: r.owner, type: r.type, records: [] };
    set.records.push(r);
    rrsets.set(k, set);
  }
  const keys = (rrsets.get(rrsetKey(apex, TYPE_DNSKEY))?.records ?? []).map((r) =>
    readDnskey(r, `${where} line ${r.line}`),
  );
  const keyFacts = new Map<ZoneKey, KeyFacts | undefined>();
  for (const key of keys) {
    const s = dnskeySpki(key, `${where} line ${key.line}`);
    keyFacts.set(key, typeof s === 'string' ? undefined : s.facts);
  }
  // Delegation points, by canonical name, so each owner is checked against its own ancestors only.
  const cuts = new Set(
    [...rrsets.values()]
      .filter((s) => s.type === TYPE_NS && !namesEqualDns(s.owner, apex) && isAtOrBelow(s.owner, apex))
      .map((s) => rrsetKey(s.owner, 0)),
  );
  const keysByTag = new Map<string, ZoneKey[]>();
  for (const k of keys) {
    const list = keysByTag.get(`${k.keyTag}/${k.algorithm}`) ?? [];
    list.push(k);
    keysByTag.set(`${k.keyTag}/${k.algorithm}`, list);
  }
  const checks: SignatureCheck[] = [];
  const validSigners = new Map<string, ZoneKey[]>();

  for (const { record, fields } of sigs) {
    const at_ = `${where} line ${record.line}`;
    const covered = rrsets.get(rrsetKey(record.owner, fields.typeCovered));
    const object = `RRSIG over ${nameText(record.owner)} ${typeName(fields.typeCovered)} (${algorithmName(fields.algorithm)}, key tag ${fields.keyTag})`;
    const from = sigTimeNear(fields.inception, at);
    const until = sigTimeNear(fields.expiration, at);
    const window = { from, until, current: from.getTime() <= at.getTime() && at.getTime() <= until.getTime() };
    const base = { object, where: at_, window };
    const fail = (
      status: SignatureCheck['status'],
      detail: string,
      signer = `${nameText(fields.signer)} key tag ${fields.keyTag}`,
      extra: string[] = [],
    ): void => void checks.push({ ...base, signer, status, detail, notes: extra });
    if (!covered) {
      fail(
        'invalid',
        `the zone holds no ${nameText(record.owner)} ${typeName(fields.typeCovered)} RRset for this RRSIG to cover`,
      );
      continue;
    }
    if (!namesEqualDns(fields.signer, apex)) {
      fail(
        'invalid',
        `the signer's name ${nameText(fields.signer)} is not the zone apex ${nameText(apex)} (RFC 4035 §5.3.1)`,
      );
      continue;
    }
    if (fields.labels > labelCount(record.owner)) {
      fail(
        'invalid',
        `the Labels field is ${fields.labels} but the owner has ${labelCount(record.owner)} labels (RFC 4035 §5.3.1)`,
      );
      continue;
    }
    const tagged = keysByTag.get(`${fields.keyTag}/${fields.algorithm}`) ?? [];
    const usable = tagged.filter((k) => k.protocol === 3 && k.zoneKey);
    if (usable.length === 0) {
      const alg = DNSSEC_ALGORITHMS[fields.algorithm];
      if (alg?.kind === 'unsupported' || !alg) {
        fail(
          'unsupported',
          `${algorithmName(fields.algorithm)}: ${alg?.kind === 'unsupported' ? alg.why : 'this algorithm is not known here'}`,
        );
        continue;
      }
      fail(
        'invalid',
        tagged.length > 0
          ? `DNSKEY ${fields.keyTag} at line ${tagged.map((k) => k.line).join(', ')} ${tagged.some((k) => k.protocol !== 3) ? 'has a protocol other than 3' : 'does not have the Zone Key flag'} (RFC 4034 §2.1.1-2)`
          : `no DNSKEY at ${nameText(apex)} has key tag ${fields.keyTag} and algorithm ${fields.algorithm} (RFC 4035 §5.3.1)`,
      );
      continue;
    }
    const data = signedData(fields, record.owner, canonicalRdatas(covered, where));
    const extra: string[] = [];
    if (fields.labels < labelCount(record.owner))
      extra.push(
        `a wildcard expansion: signed as *.${nameText({ labels: record.owner.labels.slice(record.owner.labels.length - fields.labels) })}`,
      );
    const ttls = new Set(covered.records.map((r) => r.ttl));
    if (ttls.size === 1 && !ttls.has(undefined) && !ttls.has(fields.originalTtl))
      extra.push(`the RRset's TTL ${[...ttls].join()} differs from the RRSIG's original TTL ${fields.originalTtl}`);
    let result: VerifyResult | undefined;
    let signer: ZoneKey | undefined;
    const failures: string[] = [];
    for (const key of usable) {
      const r = await verifyDnssecSignature(key, data, fields.signature, at_);
      if (r.status === 'valid') {
        result = r;
        signer = key;
        break;
      }
      failures.push(r.detail);
      result = r;
    }
    const shown = signer ?? must(usable[0], 'a usable key');
    const label = keyLabel(shown, keyFacts.get(shown));
    if (!result || !signer) {
      fail(result?.status === 'unsupported' ? 'unsupported' : 'invalid', failures.join('; '), label, extra);
      continue;
    }
    if (!window.current) {
      const when =
        at.getTime() < from.getTime()
          ? `is not valid before ${from.toISOString()}`
          : `expired at ${until.toISOString()}`;
      fail(
        'invalid',
        `${result.detail}, but the signature ${when} (RFC 4035 §5.3.1; judged at ${at.toISOString()})`,
        label,
        extra,
      );
      continue;
    }
    const byKey = validSigners.get(rrsetKey(record.owner, fields.typeCovered)) ?? [];
    byKey.push(signer);
    validSigners.set(rrsetKey(record.owner, fields.typeCovered), byKey);
    checks.push({ ...base, signer: label, status: 'valid', detail: result.detail, notes: extra });
  }

  if (sigs.length === 0) {
    checks.push({
      object: `zone ${nameText(apex)}`,
      signer: 'none',
      status: 'unsupported',
      detail: 'the zone carries no RRSIG: there is no signature to verify',
      where,
      window: undefined,
      notes: [],
    });
  } else {
    const signedSets = new Set(sigs.map((s) => rrsetKey(s.record.owner, s.fields.typeCovered)));
    for (const set of rrsets.values()) {
      if (!isAtOrBelow(set.owner, apex)) continue;
      const ancestors = set.owner.labels.length - apex.labels.length;
      let below = false;
      for (let k = 1; k < ancestors && !below; k++)
        below = cuts.has(rrsetKey({ labels: set.owner.labels.slice(k) }, 0));
      const atCut = cuts.has(rrsetKey(set.owner, 0));
      if (below || (atCut && set.type !== TYPE_DS && set.type !== TYPE_NSEC)) continue;
      if (signedSets.has(rrsetKey(set.owner, set.type))) continue;
      const [firstRecord] = set.records;
      checks.push({
        object: `${nameText(set.owner)} ${typeName(set.type)} RRset (${set.records.length} record${set.records.length === 1 ? '' : 's'})`,
        signer: 'none',
        status: 'invalid',
        detail: 'no RRSIG covers this authoritative RRset (RFC 4035 §2.2)',
        where: `${where} line ${firstRecord?.line ?? 0}`,
        window: undefined,
        notes: [],
      });
    }
  }

  const nsec = checkNsecChain(zone, apex, where);
  if (nsec) checks.push(nsec);
  const nsec3 = checkNsec3Chain(zone, apex, where);
  if (nsec3) checks.push(nsec3);

  const dnskeySigners = validSigners.get(rrsetKey(apex, TYPE_DNSKEY)) ?? [];
  const link = chainOfTrust(trust, apex, keys, dnskeySigners, keyFacts, at);
  if (link) checks.push(link);

  return {
    checks,
    summary: {
      apex: nameText(apex),
      records: zone.records.length,
      rrsets: rrsets.size,
      rrsigs: sigs.length,
      keys: keys.map((k) => ({
        keyTag: k.keyTag,
        algorithm: k.algorithm,
        algorithmName: algorithmName(k.algorithm),
        flags: k.flags,
        role: !k.zoneKey ? 'not a zone key' : k.sep ? 'KSK' : 'ZSK',
        key: (() => {
          const f = keyFacts.get(k);
          return f
            ? `${f.algorithm}${f.curve ? ` ${f.curve}` : ''}${f.size ? ` ${f.size} bits` : ''}`
            : 'not usable here';
        })(),
        line: k.line,
      })),
    },
  };
}

const DIGEST_NAMES: Readonly<Record<number, string>> = { 1: 'SHA-1', 2: 'SHA-256', 4: 'SHA-384' };

interface LinkOutcome {
  readonly text: string;
  readonly key: ZoneKey | undefined;
  readonly ok: boolean;
  readonly unsupported: boolean;
  readonly notes: readonly string[];
}

/** RFC 4035 §5.2: a DS authenticates a DNSKEY of the child that signs the child's DNSKEY RRset. */
function linkDs(ds: DsLink, keys: readonly ZoneKey[], dnskeySigners: readonly ZoneKey[]): LinkOutcome {
  const text = `DS ${ds.keyTag} ${ds.algorithm} ${ds.digestType} (${ds.source})`;
  const notes = ds.digestType === 1 ? [`${text}: a SHA-1 digest (RFC 8624 §3.3: MUST NOT be published)`] : [];
  const name = DIGEST_NAMES[ds.digestType];
  if (name === undefined)
    return {
      text: `${text}: digest type ${ds.digestType} is not supported (1, 2 and 4 are)`,
      key: undefined,
      ok: false,
      unsupported: true,
      notes,
    };
  const tagged = keys.filter((k) => k.keyTag === ds.keyTag && k.algorithm === ds.algorithm);
  const key = tagged.find((k) => equalBytes(dsDigest(k, ds.digestType) ?? new Uint8Array(), ds.digest));
  if (!key)
    return {
      text: tagged.length
        ? `${text}: the ${name} digest of DNSKEY ${ds.keyTag} is not the DS digest (RFC 4034 §5.1.4)`
        : `${text}: no DNSKEY of the zone has key tag ${ds.keyTag} and algorithm ${ds.algorithm}`,
      key: tagged[0],
      ok: false,
      unsupported: false,
      notes,
    };
  if (!dnskeySigners.includes(key))
    return {
      text: `${text}: matches DNSKEY ${key.keyTag}, but no valid RRSIG by it covers the DNSKEY RRset (RFC 4035 §5.2)`,
      key,
      ok: false,
      unsupported: false,
      notes,
    };
  return {
    text: `${text}: the ${name} digest matches DNSKEY ${key.keyTag}, which signs the DNSKEY RRset`,
    key,
    ok: true,
    unsupported: false,
    notes,
  };
}

function linkAnchor(
  anchor: DnssecTrust['keys'][number],
  keys: readonly ZoneKey[],
  dnskeySigners: readonly ZoneKey[],
): LinkOutcome {
  const text = `trust anchor DNSKEY ${anchor.key.keyTag} (${anchor.source})`;
  const key = keys.find((k) => equalBytes(k.rdata, anchor.key.rdata));
  if (!key)
    return {
      text: `${text}: no DNSKEY of the zone equals it`,
      key: undefined,
      ok: false,
      unsupported: false,
      notes: [],
    };
  const ok = dnskeySigners.includes(key);
  return {
    text: ok
      ? `${text}: a DNSKEY of the zone that signs the DNSKEY RRset`
      : `${text}: a DNSKEY of the zone, but no valid RRSIG by it covers the DNSKEY RRset (RFC 4035 §5.2)`,
    key,
    ok,
    unsupported: false,
    notes: [],
  };
}

/**
 * The link from the given DS records and trust-anchor keys into the zone (RFC 4035 §5.2, RFC 5011
 * §2): one check per zone, valid when at least one of those that apply links a key that signs the
 * zone's DNSKEY RRset; the others are noted (a pre-published DS or anchor is normal in a rollover).
 */
function chainOfTrust(
  trust: DnssecTrust,
  apex: DnsName,
  keys: readonly ZoneKey[],
  dnskeySigners: readonly ZoneKey[],
  keyFacts: ReadonlyMap<ZoneKey, KeyFacts | undefined>,
  at: Date,
): SignatureCheck | undefined {
  const given = trust.ds.length + trust.keys.length;
  if (given === 0) return undefined;
  const notes: string[] = [];
  const current = (d: DsLink): boolean => {
    const ok = (!d.validFrom || d.validFrom <= at) && (!d.validUntil || at <= d.validUntil);
    if (!ok && namesEqualDns(d.owner, apex))
      notes.push(
        `DS ${d.keyTag} (${d.source}) is not used: its trust-anchor window does not include ${at.toISOString()}`,
      );
    return ok;
  };
  const outcomes = [
    ...trust.ds.filter((d) => namesEqualDns(d.owner, apex) && current(d)).map((d) => linkDs(d, keys, dnskeySigners)),
    ...trust.keys.filter((k) => namesEqualDns(k.key.owner, apex)).map((k) => linkAnchor(k, keys, dnskeySigners)),
  ];
  const object = `chain of trust into ${nameText(apex)}`;
  const base = { object, where: trust.ds[0]?.source ?? trust.keys[0]?.source ?? '', window: undefined };
  if (outcomes.length === 0) {
    const owners = [
      ...new Set([...trust.ds.map((d) => nameText(d.owner)), ...trust.keys.map((k) => nameText(k.key.owner))]),
    ];
    return {
      ...base,
      signer: 'none',
      status: 'invalid',
      detail: `none of the DS records or trust anchors given (for ${owners.join(', ')}) is for this zone and current`,
      notes,
    };
  }
  const linked = outcomes.filter((o) => o.ok);
  const [first] = linked;
  for (const o of outcomes) notes.push(...o.notes);
  for (const o of outcomes.filter((x) => !x.ok)) notes.push(o.text);
  if (first?.key) {
    return {
      ...base,
      signer: keyLabel(first.key, keyFacts.get(first.key)),
      status: 'valid',
      detail: linked.map((o) => o.text).join('; '),
      notes: notes.filter((n) => !linked.some((o) => o.text === n)),
    };
  }
  return {
    ...base,
    signer: 'none',
    status: outcomes.every((o) => o.unsupported) ? 'unsupported' : 'invalid',
    detail: `no DS or trust anchor given links a key that signs the DNSKEY RRset of ${nameText(apex)}`,
    notes,
  };
}
