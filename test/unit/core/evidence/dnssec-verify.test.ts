/**
 * DNSSEC RRSIG verification over zones signed during the test by ldns-signzone (every algorithm
 * ldns has: 8, 10, 13, 14, 15, 16; NSEC and NSEC3) and dnssec-signzone, each verdict compared with
 * ldns-verify-zone's; one-field changes to a signed zone (RDATA, key tag, window, order, case,
 * signature, keys, algorithm, signer, labels, unsigned data) each caught or, where DNSSEC says
 * they do not matter, accepted; DS links against the real root KSK vectors.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dsDigest, readDnskey, readDs, sigTimeNear } from '../../../../src/core/evidence/dnssec-verify.js';
import { canonicalRdata, nameText, parseZone, RR_TYPES } from '../../../../src/core/evidence/dnssec-zone.js';
import {
  readTrustMaterial,
  verifyEvidenceSignatures,
  type EvidenceVerification,
} from '../../../../src/core/evidence/verify-signatures.js';
import { isKeywitnessError } from '../../../../src/core/errors.js';
import { toHex } from '../../../../src/core/util/bytes.js';
import { installCryptoEngine } from '../../../../src/node/crypto-engine.js';
import { VECTORS_DIR } from '../../../support/vectors.js';
import {
  hasCommand,
  LDNS_ALGORITHMS,
  ldnsVerifies,
  signWithBind,
  signWithLdns,
  variant,
  type SignedZone,
} from './dnssec-fixtures.js';
import { missingTool } from '../../../support/tools.js';

beforeAll(() => {
  installCryptoEngine();
});

async function verifyPath(path: string, issuers: string[] = [], at = new Date()): Promise<EvidenceVerification> {
  const trust = readTrustMaterial(issuers.map((i) => ({ bytes: new Uint8Array(readFileSync(i)), where: i })));
  return verifyEvidenceSignatures(new Uint8Array(readFileSync(path)), path, trust, { at });
}

const statuses = (r: EvidenceVerification): string[] => [...new Set(r.checks.map((c) => c.status))];
const rrsigCount = (text: string): number => text.split('\n').filter((l) => /\tRRSIG\t/.test(l)).length;

describe('zones signed by ldns-signzone verify, as ldns-verify-zone says', () => {
  it.each(LDNS_ALGORITHMS)('%s (algorithm %i), with NSEC and with NSEC3', async (alg, number) => {
    for (const nsec3 of [false, true]) {
      const zone = signWithLdns(alg, { nsec3 });
      const r = await verifyPath(zone.signed, [zone.ds]);
      expect(ldnsVerifies(zone.signed)).toBe(true);
      expect(statuses(r)).toEqual(['valid']);
      expect(r.kinds).toEqual(['dnssec-zone']);
      // One check per RRSIG, the NSEC or NSEC3 chain's, the chain of trust.
      expect(r.checks).toHaveLength(rrsigCount(zone.text()) + 2);
      const chain = r.checks.find((c) => /^NSEC3? chain/.test(c.object));
      // NSEC3 also covers the empty non-terminals _tcp.example.org. and wild.example.org.
      expect(chain?.object).toBe(
        nsec3 ? 'NSEC3 chain of example.org. (12 names)' : 'NSEC chain of example.org. (10 names)',
      );
      expect(r.dnssec?.apex).toBe('example.org.');
      expect(r.dnssec?.keys.map((k) => [k.keyTag, k.algorithm, k.role]).sort()).toEqual(
        [
          [zone.kskTag, number, 'KSK'],
          [zone.zskTag, number, 'ZSK'],
        ].sort(),
      );
      const dnskeySig = r.checks.find((c) => c.object.startsWith('RRSIG over example.org. DNSKEY'));
      expect(dnskeySig?.signer).toMatch(new RegExp(`^DNSKEY ${zone.kskTag} \\(\\S+, KSK`));
      const link = r.checks.at(-1);
      expect(link?.object).toBe('chain of trust into example.org.');
      expect(link?.detail).toMatch(new RegExp(`matches DNSKEY ${zone.kskTag}, which signs the DNSKEY RRset`));
      const wildcard = r.checks.find((c) => c.object.startsWith('RRSIG over *.wild.example.org. A'));
      expect(wildcard?.status).toBe('valid');
      for (const c of r.checks.filter((x) => x.object.startsWith('RRSIG')))
        expect([c.window?.current, c.window?.until && c.window.until > new Date()]).toEqual([true, true]);
    }
  });

  it.skipIf(missingTool(hasCommand('dnssec-signzone'), 'dnssec-signzone (bind9-utils)'))(
    'zones signed by BIND dnssec-signzone (multi-line records, comments, blank owners) verify too',
    async () => {
      for (const alg of ['ECDSAP256SHA256', 'ECDSAP384SHA384', 'RSASHA256', 'ED25519']) {
        const zone = signWithBind(alg);
        expect(zone.text()).toMatch(/\(\n\t+\d+ ; serial/);
        const r = await verifyPath(zone.signed, [zone.ds]);
        expect(ldnsVerifies(zone.signed)).toBe(true);
        expect(statuses(r)).toEqual(['valid']);
        expect(r.checks).toHaveLength(rrsigCount(zone.text()) + 2);
        expect(r.checks.find((c) => c.object.startsWith('NSEC chain'))?.status).toBe('valid');
      }
    },
  );

  it('a bare DNSKEY RRset with its RRSIGs, as a KSK ceremony hands it over, verifies', async () => {
    const zone = signWithLdns('ECDSAP384SHA384');
    const lines = zone
      .text()
      .split('\n')
      .filter((l) => /\tDNSKEY\t/.test(l) || /\tRRSIG\tDNSKEY /.test(l));
    const path = variant(zone, 'dnskey-set', () => `${lines.join('\n')}\n`);
    const r = await verifyPath(path, [zone.ds]);
    expect(r.checks.map((c) => [c.object, c.status])).toEqual([
      [`RRSIG over example.org. DNSKEY (ECDSAP384SHA384, key tag ${zone.kskTag})`, 'valid'],
      ['chain of trust into example.org.', 'valid'],
    ]);
  });
});

describe('a signed zone changed in one place', () => {
  let zone: SignedZone;
  beforeAll(() => {
    zone = signWithLdns('ECDSAP256SHA256');
  });

  const line = (text: string, pattern: RegExp): string => {
    const found = text.split('\n').find((l) => pattern.test(l));
    if (!found) throw new Error(`no line matches ${String(pattern)}`);
    return found;
  };
  const inLine = (pattern: RegExp, from: string | RegExp, to: string) => (text: string) => {
    const l = line(text, pattern);
    return text.replace(l, l.replace(from, to));
  };

  const cases: {
    name: string;
    change: (text: string) => string;
    /** The check whose object starts so, and what it must say. */
    object: string;
    status: 'valid' | 'invalid' | 'unsupported';
    detail: RegExp;
    /** Other checks the change makes fail, by object. */
    alsoFailing?: string[];
  }[] = [
    {
      name: 'altered RDATA (an A record’s address)',
      change: inLine(/^ns1\.example\.org\.\t\d+\tIN\tA\t/, '192.0.2.1', '192.0.2.7'),
      object: 'RRSIG over ns1.example.org. A',
      status: 'invalid',
      detail: /^ECDSAP256SHA256 signature does not verify$/,
    },
    {
      name: 'altered RDATA (a TXT string)',
      change: inLine(/^txt\.example\.org\.\t\d+\tIN\tTXT/, 'hello world', 'hello World'),
      object: 'RRSIG over txt.example.org. TXT',
      status: 'invalid',
      detail: /does not verify/,
    },
    {
      name: 'wrong key tag in an RRSIG',
      change: (t) =>
        inLine(
          /^mail\.example\.org\.\t\d+\tIN\tRRSIG\tA /,
          ` ${zone.zskTag} example.org.`,
          ` ${zone.zskTag ^ 1} example.org.`,
        )(t),
      object: 'RRSIG over mail.example.org. A',
      status: 'invalid',
      detail: /^no DNSKEY at example\.org\. has key tag \d+ and algorithm 13 \(RFC 4035 §5\.3\.1\)$/,
    },
    {
      name: 'reordered RRset (the two NS records swapped): canonical order makes it no change',
      change: (t) => {
        const a = line(t, /^example\.org\.\t\d+\tIN\tNS\tns1/);
        const b = line(t, /^example\.org\.\t\d+\tIN\tNS\tns2/);
        return t.replace(a, '\u0000').replace(b, a).replace('\u0000', b);
      },
      object: 'RRSIG over example.org. NS',
      status: 'valid',
      detail: /verified/,
    },
    {
      name: 'owner name in upper case: canonical form makes it no change',
      change: inLine(/^ns1\.example\.org\.\t\d+\tIN\tAAAA/, 'ns1.example.org.', 'NS1.Example.ORG.'),
      object: 'RRSIG over ns1.example.org. AAAA',
      status: 'valid',
      detail: /verified/,
    },
    {
      name: 'a name inside RDATA in upper case (MX): canonical form makes it no change',
      change: inLine(/^example\.org\.\t\d+\tIN\tMX/, 'mail.example.org.', 'MAIL.example.org.'),
      object: 'RRSIG over example.org. MX',
      status: 'valid',
      detail: /verified/,
    },
    {
      name: 'one character of a signature changed',
      change: (t) => {
        const l = line(t, /\tRRSIG\tSOA /);
        const at = l.length - 12;
        return t.replace(l, `${l.slice(0, at)}${l[at] === 'A' ? 'B' : 'A'}${l.slice(at + 1)}`);
      },
      object: 'RRSIG over example.org. SOA',
      status: 'invalid',
      detail: /does not verify/,
    },
    {
      name: 'the KSK removed from the DNSKEY RRset',
      change: (t) => t.replace(line(t, /\tDNSKEY\t257 /), ''),
      object: 'RRSIG over example.org. DNSKEY',
      status: 'invalid',
      detail: /^no DNSKEY at example\.org\. has key tag \d+ and algorithm 13/,
      alsoFailing: ['chain of trust into example.org.'],
    },
    {
      name: 'an unknown algorithm',
      change: inLine(/^mail\.example\.org\.\t\d+\tIN\tRRSIG\tA /, /RRSIG\tA 13 /, 'RRSIG\tA 253 '),
      object: 'RRSIG over mail.example.org. A (algorithm 253',
      status: 'unsupported',
      detail: /^algorithm 253: this algorithm is not known here$/,
    },
    {
      name: 'type covered changed to a type the name does not hold',
      change: inLine(/^mail\.example\.org\.\t\d+\tIN\tRRSIG\tA /, /RRSIG\tA /, 'RRSIG\tAAAA '),
      object: 'RRSIG over mail.example.org. AAAA',
      status: 'invalid',
      detail: /^the zone holds no mail\.example\.org\. AAAA RRset for this RRSIG to cover$/,
      alsoFailing: ['mail.example.org. A RRset (1 record)'],
    },
    {
      name: 'signer’s name not the zone apex',
      change: inLine(/^mail\.example\.org\.\t\d+\tIN\tRRSIG\tA /, ' example.org. ', ' org. '),
      object: 'RRSIG over mail.example.org. A',
      status: 'invalid',
      detail: /^the signer's name org\. is not the zone apex example\.org\. \(RFC 4035 §5\.3\.1\)$/,
    },
    {
      name: 'Labels field larger than the owner’s labels',
      change: inLine(/^mail\.example\.org\.\t\d+\tIN\tRRSIG\tA /, /RRSIG\tA 13 3 /, 'RRSIG\tA 13 4 '),
      object: 'RRSIG over mail.example.org. A',
      status: 'invalid',
      detail: /^the Labels field is 4 but the owner has 3 labels/,
    },
    {
      name: 'an unsigned RRset added',
      change: (t) => `${t}extra.example.org.\t3600\tIN\tA\t192.0.2.99\n`,
      object: 'extra.example.org. A RRset',
      status: 'invalid',
      detail: /^no RRSIG covers this authoritative RRset \(RFC 4035 §2\.2\)$/,
      alsoFailing: ['NSEC chain of example.org. (11 names)'],
    },
  ];

  it.each(cases)('$name', async ({ name, change, object, status, detail, alsoFailing = [] as string[] }) => {
    const path = variant(zone, name.replace(/\W+/g, '-'), change);
    const r = await verifyPath(path, [zone.ds]);
    const check = r.checks.find((c) => c.object.startsWith(object));
    expect(check, `no check for ${object}`).toBeDefined();
    expect([check?.status, check?.detail]).toEqual([status, expect.stringMatching(detail)]);
    // Everything else still verifies: the change is found exactly where it was made.
    const others = r.checks.filter((c) => c !== check && c.status !== 'valid');
    expect(others.map((c) => c.object)).toEqual(alsoFailing);
    expect(ldnsVerifies(path)).toBe(status === 'valid');
  });

  it('a zone near the 1 MiB limit with 19,000 delegations is judged in linear time', async () => {
    const lines = Array.from({ length: 19_000 }, (_, i) => `d${i}.example.org.\t3600\tIN\tNS\tns.d${i}.example.org.\n`);
    const path = variant(zone, 'many-delegations', (t) => t + lines.join(''));
    expect(readFileSync(path).length).toBeGreaterThan(900_000);
    const started = Date.now();
    const r = await verifyPath(path, [zone.ds]);
    expect(Date.now() - started).toBeLessThan(5000);
    // The delegations were added without NSEC records: only the NSEC chain says so.
    expect(r.checks.filter((c) => c.status !== 'valid').map((c) => c.object)).toEqual([
      'NSEC chain of example.org. (19010 names)',
    ]);
    expect(r.checks.find((c) => c.object.startsWith('NSEC chain'))?.detail).toMatch(
      /has no NSEC record; .*; and \d+ more \(RFC 4035 §2\.3\)$/,
    );
  });

  describe('the NSEC chain', () => {
    const nsecCheck = (r: EvidenceVerification) => r.checks.find((c) => c.object.startsWith('NSEC chain'));
    const failing = (r: EvidenceVerification) => r.checks.filter((c) => c.status !== 'valid').map((c) => c.object);
    const drop = (owner: RegExp) => (t: string) =>
      t
        .split('\n')
        .filter((l) => !owner.test(l))
        .join('\n');

    it('an NSEC record removed with its RRSIG: that name has none', async () => {
      const path = variant(zone, 'nsec-removed', drop(/^ptr\.example\.org\.\t\d+\tIN\t(NSEC|RRSIG\tNSEC )/));
      const r = await verifyPath(path, [zone.ds]);
      expect(failing(r)).toEqual(['NSEC chain of example.org. (10 names)']);
      expect(nsecCheck(r)?.detail).toMatch(/^ptr\.example\.org\. \(line \d+\) has no NSEC record \(RFC 4035 §2\.3\)$/);
      expect(ldnsVerifies(path)).toBe(false);
    });

    it('a name removed with all its records: the NSEC before it names a name the zone lacks', async () => {
      const path = variant(zone, 'name-removed', drop(/^txt\.example\.org\.\t/));
      const r = await verifyPath(path, [zone.ds]);
      expect(failing(r)).toEqual(['NSEC chain of example.org. (9 names)']);
      expect(nsecCheck(r)?.detail).toMatch(
        /^NSEC at sub\.example\.org\. \(line \d+\) names txt\.example\.org\. as next, but the next name in the zone is \*\.wild\.example\.org\. /,
      );
      expect(ldnsVerifies(path)).toBe(false);
    });

    it('the last NSEC pointing elsewhere than the apex: the chain does not close', async () => {
      const path = variant(
        zone,
        'not-closing',
        inLine(/^www\.example\.org\.\t\d+\tIN\tNSEC\t/, /\tNSEC\texample\.org\./, '\tNSEC\tns1.example.org.'),
      );
      const r = await verifyPath(path, [zone.ds]);
      expect(failing(r)).toEqual([
        `RRSIG over www.example.org. NSEC (ECDSAP256SHA256, key tag ${zone.zskTag})`,
        'NSEC chain of example.org. (10 names)',
      ]);
      expect(nsecCheck(r)?.detail).toMatch(
        /^NSEC at www\.example\.org\. \(line \d+\) is the last and names ns1\.example\.org\. as next, not the apex example\.org\.: the chain does not close/,
      );
    });

    it('a type added at a name: its NSEC type bitmap no longer lists what the name holds', async () => {
      const path = variant(zone, 'type-added', (t) => `${t}txt.example.org.\t3600\tIN\tA\t192.0.2.77\n`);
      const r = await verifyPath(path, [zone.ds]);
      expect(failing(r)).toEqual(['txt.example.org. A RRset (1 record)', 'NSEC chain of example.org. (10 names)']);
      expect(nsecCheck(r)?.detail).toMatch(
        /^NSEC at txt\.example\.org\. \(line \d+\) lists TXT RRSIG NSEC, but the name holds A TXT RRSIG NSEC \(missing A\)/,
      );
    });
  });

  it('names where a bad RRSIG is: line and window', async () => {
    const path = variant(zone, 'where', inLine(/^ns1\.example\.org\.\t\d+\tIN\tA\t/, '192.0.2.1', '192.0.2.7'));
    const r = await verifyPath(path);
    const bad = r.checks.find((c) => c.status !== 'valid');
    const sigLine =
      zone
        .text()
        .split('\n')
        .findIndex((l) => /^ns1\.example\.org\.\t\d+\tIN\tRRSIG\tA /.test(l)) + 1;
    expect(bad?.where).toBe(`${path} line ${sigLine}`);
    expect(bad?.window?.current).toBe(true);
  });

  it('a signature outside its window fails; judged at a time inside it, it verifies', async () => {
    const expired = signWithLdns('ED25519', { inception: '20200101', expiration: '20200201' });
    const r = await verifyPath(expired.signed, [expired.ds]);
    const rrsigs = r.checks.filter((c) => c.object.startsWith('RRSIG'));
    expect(new Set(rrsigs.map((c) => c.status))).toEqual(new Set(['invalid']));
    expect(rrsigs[0]?.detail).toMatch(
      /^ED25519 signature verified, but the signature expired at 2020-02-01T00:00:00\.000Z \(RFC 4035 §5\.3\.1; judged at /,
    );
    expect(ldnsVerifies(expired.signed)).toBe(false);
    const then = new Date('2020-01-15T00:00:00Z');
    const past = await verifyPath(expired.signed, [expired.ds], then);
    expect(statuses(past)).toEqual(['valid']);
    expect(ldnsVerifies(expired.signed, then)).toBe(true);
    const future = signWithLdns('ED25519', { inception: '20600101', expiration: '20600201' });
    const early = await verifyPath(future.signed);
    expect(early.checks[0]?.detail).toMatch(/but the signature is not valid before 2060-01-01T00:00:00\.000Z/);
    expect(ldnsVerifies(future.signed)).toBe(false);
  });

  it('an RRSIG with truncated base64 is unreadable input, naming the line', async () => {
    const path = variant(zone, 'truncated-b64', inLine(/\tRRSIG\tSOA /, /.{3}$/, ''));
    const sigLine =
      zone
        .text()
        .split('\n')
        .findIndex((l) => /\tRRSIG\tSOA /.test(l)) + 1;
    await expect(verifyPath(path)).rejects.toThrow(
      new RegExp(
        `line ${sigLine}: RRSIG: the signature is not valid base64 \\(base64 length \\d+ is not a multiple of 4\\)`,
      ),
    );
  });
});

describe('DS links and trust anchors', () => {
  let zone: SignedZone;
  beforeAll(() => {
    zone = signWithLdns('ECDSAP384SHA384');
  });

  it('the KSK’s DS links it; a wrong digest, the ZSK’s DS, or a DS for another zone do not', async () => {
    const ds = readFileSync(zone.ds, 'utf8');
    const wrong = variant(zone, 'wrong.ds', () =>
      ds.replace(/([0-9a-f])(\s*)$/i, (_m, c: string, tail: string) => `${c === '0' ? '1' : '0'}${tail}`),
    );
    const other = variant(zone, 'other.ds', () => ds.replace(/^example\.org\./, 'example.net.'));
    const zskDs = zone.zskDs;
    const chain = async (issuer: string) => (await verifyPath(zone.signed, [issuer])).checks.at(-1);
    expect(await chain(zone.ds)).toMatchObject({ status: 'valid', signer: expect.stringMatching(/KSK/) });
    expect(await chain(wrong)).toMatchObject({
      status: 'invalid',
      notes: [expect.stringMatching(/the SHA-\d+ digest of DNSKEY \d+ is not the DS digest \(RFC 4034 §5\.1\.4\)/)],
    });
    expect(await chain(other)).toMatchObject({
      status: 'invalid',
      detail: 'none of the DS records or trust anchors given (for example.net.) is for this zone and current',
    });
    expect(await chain(zskDs)).toMatchObject({
      status: 'invalid',
      notes: [
        expect.stringMatching(
          /matches DNSKEY \d+, but no valid RRSIG by it covers the DNSKEY RRset \(RFC 4035 §5\.2\)/,
        ),
      ],
    });
    // One DS that links is enough, as in a KSK rollover; the other is noted.
    const both = variant(zone, 'both.ds', () => ds + readFileSync(zskDs, 'utf8'));
    expect(await chain(both)).toMatchObject({
      status: 'valid',
      notes: [expect.stringMatching(/but no valid RRSIG by it/)],
    });
    // The KSK's own DNSKEY record as a trust anchor links too.
    const key = zone.kskKey;
    expect(await chain(key)).toMatchObject({
      status: 'valid',
      detail: expect.stringMatching(/a DNSKEY of the zone that signs/),
    });
  });

  it('the DS digests of the real root KSKs equal root.ds and root-anchors.xml (test/vectors/dnssec)', () => {
    const V = join(VECTORS_DIR, 'dnssec');
    const keys = parseZone(
      new Uint8Array(readFileSync(join(V, 'debian-dns-root-data/root.key'))),
      'root.key',
    ).records.map((r) => readDnskey(r, 'root.key'));
    const ds = parseZone(new Uint8Array(readFileSync(join(V, 'debian-dns-root-data/root.ds'))), 'root.ds').records.map(
      (r) => readDs(r, 'root.ds', 'root.ds'),
    );
    expect(keys.map((k) => k.keyTag)).toEqual([20326, 38696]);
    expect(ds.map((d) => d.keyTag)).toEqual([20326, 38696]);
    for (const [i, key] of keys.entries())
      expect(toHex(dsDigest(key, 2) ?? new Uint8Array())).toBe(toHex(ds[i]?.digest ?? new Uint8Array()));
    const anchors = readTrustMaterial([
      { bytes: new Uint8Array(readFileSync(join(V, 'iana/root-anchors.xml'))), where: 'root-anchors.xml' },
    ]);
    expect(anchors.dnssec.ds.map((d) => [nameText(d.owner), d.keyTag, d.validUntil?.toISOString() ?? null])).toEqual([
      ['.', 19036, '2019-01-11T00:00:00.000Z'],
      ['.', 20326, null],
      ['.', 38696, null],
    ]);
    for (const key of keys) {
      const anchor = anchors.dnssec.ds.find((d) => d.keyTag === key.keyTag);
      expect(toHex(anchor?.digest ?? new Uint8Array())).toBe(toHex(dsDigest(key, 2) ?? new Uint8Array()));
    }
  });

  it('a file of DNSKEYs without RRSIGs has nothing to verify; an --issuer DNS file holds only DS and DNSKEY', async () => {
    const V = join(VECTORS_DIR, 'dnssec');
    const r = await verifyPath(join(V, 'debian-dns-root-data/root.key'));
    expect(r.checks.map((c) => [c.status, c.detail])).toEqual([
      ['unsupported', 'the zone carries no RRSIG: there is no signature to verify'],
    ]);
    expect(() =>
      readTrustMaterial([{ bytes: new Uint8Array(readFileSync(zone.signed)), where: 'zone.signed' }]),
    ).toThrow(
      /zone\.signed line 1: an --issuer DNS file may hold only DS and DNSKEY records \(the trust anchors\); this is SOA/,
    );
  });
});

describe('zone file parser', () => {
  const parse = (text: string) => parseZone(new TextEncoder().encode(text), 'z');
  const error = (text: string): string => {
    try {
      parse(text);
    } catch (e) {
      if (isKeywitnessError(e)) return `${e.code}: ${e.message}`;
      throw e;
    }
    return 'accepted';
  };
  const O = '$ORIGIN example.org.\n$TTL 60\n';

  it('reads the RFC 4034 §5.4 example zone (multi-line record, comment) and the ordinary types', () => {
    const rfc = parseZone(
      new Uint8Array(readFileSync(join(VECTORS_DIR, 'dnssec/rfc4034/dskey.example.com.zone'))),
      'zone',
    );
    expect(rfc.records.map((r) => [nameText(r.owner), r.ttl, readDnskey(r, 'z').keyTag])).toEqual([
      ['dskey.example.com.', 86400, 60485],
    ]);
    const z = parse(
      `${O}@ SOA ns1 h ( 1 2 3 4 5 )\n 1h30m A 192.0.2.1\nb IN 60 AAAA ::ffff:192.0.2.1\nc TXT "a\\"b" c\\032d\nd MX 0 .\ne TYPE65280 \\# 3 abcdef\nf NSEC3PARAM 1 0 10 -\n`,
    );
    expect(z.records.map((r) => [nameText(r.owner), r.ttl, r.type, toHex(r.rdata)])).toEqual([
      [
        'example.org.',
        60,
        6,
        `036e7331076578616d706c65036f7267000168076578616d706c65036f726700${'00000001000000020000000300000004'}00000005`,
      ],
      ['example.org.', 5400, 1, 'c0000201'],
      ['b.example.org.', 60, 28, '00000000000000000000ffffc0000201'],
      ['c.example.org.', 60, 16, '0361226203632064'],
      ['d.example.org.', 60, 15, '000000'],
      ['e.example.org.', 60, 65280, 'abcdef'],
      ['f.example.org.', 60, 51, '0100000a00'],
    ]);
  });

  it('lower-cases the names of canonical RDATA, but not NSEC’s next name (RFC 6840 §5.1)', () => {
    const z = parse(`${O}a NS NS1.Example.ORG.\nb NSEC Next.Example.ORG. A\n`);
    const [ns, nsec] = z.records;
    expect(new TextDecoder().decode(canonicalRdata(RR_TYPES.NS ?? 0, ns?.rdata ?? new Uint8Array(), 'z'))).toContain(
      'ns1',
    );
    expect(
      new TextDecoder().decode(canonicalRdata(RR_TYPES.NSEC ?? 0, nsec?.rdata ?? new Uint8Array(), 'z')),
    ).toContain('Next');
  });

  it('takes RRSIG times as serial numbers: the instant nearest the verification time (RFC 1982)', () => {
    const at = new Date('2105-12-31T00:00:00Z');
    const wrapped = Math.floor(Date.parse('2106-03-01T00:00:00Z') / 1000) % 2 ** 32;
    expect(sigTimeNear(wrapped, at).toISOString()).toBe('2106-03-01T00:00:00.000Z');
  });

  const table: [string, string, RegExp][] = [
    [
      'unclosed parenthesis',
      `${O}@ SOA ns1 h ( 1 2 3 4 5\n`,
      /^EVIDENCE_INVALID: z: line 3: "\(" is not closed before the end of the file$/,
    ],
    ['")" without "("', `${O}a A 192.0.2.1 )\n`, /line 3: "\)" without "\("/],
    ['unclosed quote', `${O}a TXT "abc\n`, /a quoted string is not closed/],
    ['$INCLUDE', `${O}$INCLUDE other.zone\n`, /line 3: \$INCLUDE is not followed: evidence must be one file/],
    ['unknown directive', `${O}$GENERATE 1-2 a A 1.2.3.4\n`, /unknown directive \$GENERATE/],
    [
      'unknown type',
      `${O}a FOO 1\n`,
      /line 3: FOO: "FOO" is not a record type this reader knows \(use TYPEnnn, RFC 3597 §5\)/,
    ],
    ['bad IPv4', `${O}a A 192.0.2.256\n`, /line 3: A: "192\.0\.2\.256" is not an IPv4 address/],
    ['bad IPv6', `${O}a AAAA 2001:db8::1::2\n`, /AAAA: "2001:db8::1::2" is not an IPv6 address/],
    [
      'trailing field',
      `${O}a A 192.0.2.1 192.0.2.2\n`,
      /line 3: A: 1 unexpected field\(s\) after the RDATA, starting "192\.0\.2\.2"/,
    ],
    [
      'character-string over 255',
      `${O}a TXT "${'x'.repeat(256)}"\n`,
      /TXT: a character-string of 256 octets; at most 255/,
    ],
    ['generic length mismatch', `${O}a TYPE999 \\# 4 abcdef\n`, /generic RDATA says 4 octets but holds 3/],
    [
      'type without RFC 3597 form',
      `${O}a TYPE999 abc\n`,
      /TYPE999: give this type's RDATA in the RFC 3597 "\\# length hex" form/,
    ],
    ['relative name without origin', 'a 60 A 192.0.2.1\n', /name "a" is relative but no \$ORIGIN is set/],
    ['@ without origin', '@ 60 A 192.0.2.1\n', /"@" is used but no \$ORIGIN is set/],
    ['label over 63', `${O}${'a'.repeat(64)} A 192.0.2.1\n`, /has a label of 64 octets; at most 63/],
    [
      'name over 255',
      `${O}${Array.from({ length: 5 }, () => 'b'.repeat(60)).join('.')} A 192.0.2.1\n`,
      /is longer than 255 octets/,
    ],
    ['empty label', `${O}a..b A 192.0.2.1\n`, /name "a\.\.b" has an empty label/],
    ['class CH', `${O}a CH A 192.0.2.1\n`, /class CH is not supported/],
    ['bad base64 key', `${O}@ DNSKEY 257 3 13 abc*\n`, /DNSKEY: the public key is not valid base64/],
    [
      'bad RRSIG time',
      `${O}@ RRSIG A 13 2 60 20261301000000 20261201000000 1 example.org. AAAA\n`,
      /RRSIG: the expiration "20261301000000" is not a valid date and time/,
    ],
    ['bad type in a bitmap', `${O}@ NSEC a.example.org. A BOGUS\n`, /"BOGUS" is not a record type/],
    ['bad NSEC3 hash', `${O}@ NSEC3 1 0 0 - zzzz A\n`, /next hashed owner "zzzz" is not base32hex/],
    ['odd hex', `${O}@ DS 1 13 2 abc\n`, /DS: the digest "abc" is not hex of whole octets/],
    ['number out of range', `${O}@ MX 65536 mail\n`, /MX: the preference "65536" is not a number from 0 to 65535/],
    ['no owner for the first record', `${O}  A 192.0.2.1\n`, /the first record has no owner name/],
    ['NUL character', `${O}a A 192.0.2.1\u0000\n`, /must not contain NUL characters/],
    ['nothing but directives', O, /no resource record found/],
    ['\\DDD over 255', `${O}a\\256 A 192.0.2.1\n`, /"\\256" is larger than 255/],
  ];
  it.each(table)('refuses: %s', (_name, text, message) => {
    expect(error(text)).toMatch(message);
  });

  it('refuses input over 1 MiB before decoding it, and bytes that are not UTF-8', () => {
    expect(() => parseZone(new Uint8Array(1024 * 1024 + 1), 'z')).toThrow(
      /1048577 bytes is over the 1048576-byte limit/,
    );
    expect(() => parseZone(Uint8Array.of(0x61, 0xff), 'z')).toThrow(/a zone file must be UTF-8 text/);
  });
});
