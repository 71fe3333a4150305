/**
 * NSEC3 chain completeness (RFC 5155) over zones signed during the test by ldns-signzone -n and
 * BIND's dnssec-signzone -3, with and without salt, iterations and opt-out, each first held to
 * ldns-verify-zone's verdict; then one-record changes, each rejected naming what and where.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  readTrustMaterial,
  verifyEvidenceSignatures,
  type EvidenceVerification,
} from '../../../../src/core/evidence/verify-signatures.js';
import { nsec3Hash } from '../../../../src/core/evidence/dnssec-nsec3.js';
import { parseNameText } from '../../../../src/core/evidence/dnssec-zone.js';
import { toHex } from '../../../../src/core/util/bytes.js';
import { installCryptoEngine } from '../../../../src/node/crypto-engine.js';
import { missingTool } from '../../../support/tools.js';
import {
  BASE_ZONE,
  hasCommand,
  ldnsVerifies,
  signWithBind,
  signWithLdns,
  variant,
  type SignedZone,
} from './dnssec-fixtures.js';

const hasLdns = hasCommand('ldns-signzone') && hasCommand('ldns-verify-zone');
const hasBind = hasCommand('dnssec-signzone');

beforeAll(() => {
  installCryptoEngine();
});

async function verifyPath(path: string, issuers: string[] = []): Promise<EvidenceVerification> {
  const trust = readTrustMaterial(issuers.map((i) => ({ bytes: new Uint8Array(readFileSync(i)), where: i })));
  return verifyEvidenceSignatures(new Uint8Array(readFileSync(path)), path, trust, { at: new Date() });
}
const chainOf = (r: EvidenceVerification) => r.checks.find((c) => c.object.startsWith('NSEC3 chain'));
const failing = (r: EvidenceVerification): string[] =>
  r.checks.filter((c) => c.status !== 'valid').map((c) => c.object);

/** BASE_ZONE with an insecure delegation (no DS) under an empty non-terminal, for opt-out. */
const OPT_OUT_ZONE = `${BASE_ZONE}insecure IN NS ns.example.net.\nleaf.ent IN NS ns.example.net.\n`;

describe('NSEC3 hashes (RFC 5155 Appendix A)', () => {
  it.each([
    ['example.', '0p9mhaveqvm6t7vbl5lop2u3t2rp3tom'],
    ['a.example.', '35mthgpgcu1qg68fab165klnsnk3dpvl'],
    ['*.w.example.', 'r53bq7cc2uvmubfu5ocmm6pers9tk9en'],
  ])('%s hashes to %s with salt aabbccdd and 12 iterations', (name, b32) => {
    const h = nsec3Hash(parseNameText(name, undefined, 'test'), Uint8Array.from([0xaa, 0xbb, 0xcc, 0xdd]), 12);
    const B = '0123456789abcdefghijklmnopqrstuv';
    let bits = '';
    for (const c of b32) bits += B.indexOf(c).toString(2).padStart(5, '0');
    expect(toHex(h)).toBe(BigInt(`0b${bits}`).toString(16).padStart(40, '0'));
  });
});

describe.skipIf(missingTool(hasLdns, 'ldns-utils (ldns-signzone, ldns-verify-zone)'))('NSEC3 chains', () => {
  const signed: [string, () => SignedZone][] = [
    ['ldns-signzone -n', () => signWithLdns('ECDSAP256SHA256', { nsec3: true })],
    ['ldns-signzone -n -s -t', () => signWithLdns('ECDSAP256SHA256', { nsec3: true, salt: 'aabbccdd', iterations: 5 })],
    ['ldns-signzone -n -p (opt-out)', () => signWithLdns('ED25519', { nsec3: true, optOut: true, zone: OPT_OUT_ZONE })],
  ];
  if (!missingTool(hasBind, 'dnssec-signzone (bind9-utils)'))
    signed.push(
      ['dnssec-signzone -3 -', () => signWithBind('ECDSAP256SHA256', { nsec3: '-' })],
      ['dnssec-signzone -3 SALT -H 3', () => signWithBind('ECDSAP256SHA256', { nsec3: 'beef', iterations: 3 })],
      [
        'dnssec-signzone -3 - -A (opt-out)',
        () => signWithBind('ECDSAP256SHA256', { nsec3: '-', optOut: true, zone: OPT_OUT_ZONE }),
      ],
    );

  it.each(signed)('%s: complete, as ldns-verify-zone says', async (_how, sign) => {
    const zone = sign();
    expect(ldnsVerifies(zone.signed)).toBe(true);
    const r = await verifyPath(zone.signed, [zone.ds]);
    expect(chainOf(r)).toMatchObject({ status: 'valid' });
    expect(failing(r)).toEqual([]);
  });

  describe('one-record changes are rejected', () => {
    let zone: SignedZone;
    beforeAll(() => {
      zone = signWithLdns('ECDSAP256SHA256', { nsec3: true, salt: 'aabbccdd', iterations: 2 });
    });
    const lines = (): string[] => zone.text().split('\n');
    const nsec3Lines = (): string[] => lines().filter((l) => /\tNSEC3\t/.test(l));
    const drop = (line: string) => (t: string) =>
      t
        .split('\n')
        .filter((l) => l !== line)
        .join('\n');
    const replace = (line: string, by: string) => (t: string) =>
      t
        .split('\n')
        .map((l) => (l === line ? by : l))
        .join('\n');
    const hashOf = (l: string): string => (l.split('.')[0] ?? '').toLowerCase();

    it.each<[string, () => (t: string) => string, RegExp, boolean?]>([
      ['an NSEC3 removed', () => drop(nsec3Lines()[3] ?? ''), /has no NSEC3 \(its hash [0-9a-v]{32}\)/],
      [
        'a next hashed owner changed',
        () => {
          const l = nsec3Lines()[2] ?? '';
          return replace(
            l,
            l.replace(
              /(\tNSEC3\t\S+ \S+ \S+ \S+\s+\S+)\S/,
              (_m, head: string) => `${head}${/0$/i.test(_m) ? '1' : '0'}`,
            ),
          );
        },
        /names [0-9a-v]{32} as next, but the next hash in the zone is [0-9a-v]{32}/,
      ],
      [
        'the last NSEC3 pointing to itself: the chain does not close',
        () => {
          const sorted = [...nsec3Lines()].sort((a, b) => (hashOf(a) < hashOf(b) ? -1 : 1));
          const last = sorted.at(-1) ?? '';
          return replace(last, last.replace(/(\tNSEC3\t\S+ \S+ \S+ \S+\s+)(\S+)/, `$1${hashOf(last).toUpperCase()}`));
        },
        /is the last in hash order .*: the chain does not close/,
      ],
      [
        'a type added at a name',
        () => (t: string) => `${t}\nptr.example.org.\t3600\tIN\tTXT\t"added"\n`,
        /for ptr\.example\.org\. lists .*PTR.*\(missing TXT\)/,
      ],
      [
        'a name added',
        () => (t: string) => `${t}\nnew.example.org.\t3600\tIN\tA\t192.0.2.99\n`,
        /new\.example\.org\. \(line \d+\) has no NSEC3/,
      ],
      [
        'the salt of one NSEC3 changed',
        () => {
          const l = nsec3Lines()[1] ?? '';
          return replace(l, l.replace(' aabbccdd ', ' aabbccde '));
        },
        /has algorithm 1, 2 iterations, salt aabbccde, the NSEC3PARAM algorithm 1, 2 iterations, salt aabbccdd/,
      ],
      [
        'the NSEC3PARAM iterations changed',
        () => {
          const l = lines().find((x) => /\tNSEC3PARAM\t/.test(x)) ?? '';
          return replace(l, l.replace(/\tNSEC3PARAM\t1 0 2 /, '\tNSEC3PARAM\t1 0 3 '));
        },
        /the NSEC3PARAM algorithm 1, 3 iterations/,
      ],
      [
        'an NSEC3 for a name not in the zone',
        () => {
          const l = nsec3Lines()[0] ?? '';
          return (t: string) =>
            `${t}\n${l.replace(hashOf(l), '0000000000000000000000000000000' + (hashOf(l).endsWith('0') ? '1' : '0'))}\n`;
        },
        /is the hash of no name in the zone/,
        // ldns-verify-zone checks each name's NSEC3, not that every NSEC3 is some name's.
        false,
      ],
    ])('%s', async (name, change, detail, ldnsToo = true) => {
      const path = variant(zone, name.replace(/\W+/g, '-'), change());
      const r = await verifyPath(path, [zone.ds]);
      expect(chainOf(r)?.status).toBe('invalid');
      expect(chainOf(r)?.detail).toMatch(detail);
      if (ldnsToo) expect(ldnsVerifies(path)).toBe(false);
    });

    it('an NSEC3PARAM asking for more iterations than RFC 5155 §10.3 allows is refused before hashing', async () => {
      const l = lines().find((x) => /\tNSEC3PARAM\t/.test(x)) ?? '';
      const path = variant(
        zone,
        'iterations-65535',
        replace(l, l.replace(/\tNSEC3PARAM\t1 0 2 /, '\tNSEC3PARAM\t1 0 65535 ')),
      );
      const started = Date.now();
      const r = await verifyPath(path, [zone.ds]);
      expect(chainOf(r)?.detail).toMatch(/asks for 65535 iterations, over the 2500 RFC 5155 §10\.3 allows/);
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('without an NSEC3PARAM the NSEC3 records give the parameters; the apex bitmap still lists it', async () => {
      const param = lines().filter((x) => /\tNSEC3PARAM\t|\tRRSIG\tNSEC3PARAM /.test(x));
      const path = variant(zone, 'no-nsec3param', (t) =>
        t
          .split('\n')
          .filter((l) => !param.includes(l))
          .join('\n'),
      );
      // ldns-verify-zone accepts this zone: it does not hold the apex's bitmap to the apex's types.
      expect(ldnsVerifies(path)).toBe(true);
      const r = await verifyPath(path, [zone.ds]);
      expect(chainOf(r)).toMatchObject({
        status: 'invalid',
        notes: [expect.stringMatching(/^no NSEC3PARAM at the apex/)],
      });
      expect(chainOf(r)?.detail).toMatch(
        /^NSEC3 at \S+ \(line \d+\) for example\.org\. lists .* \(not held: NSEC3PARAM\) \(RFC 5155 §7\.1\)$/,
      );
    });

    it('an insecure delegation without an NSEC3 and no opt-out is named', async () => {
      const path = variant(
        zone,
        'insecure-added',
        (t) => `${t}\ninsecure.example.org.\t3600\tIN\tNS\tns.example.net.\n`,
      );
      const r = await verifyPath(path, [zone.ds]);
      expect(chainOf(r)?.detail).toMatch(
        /insecure\.example\.org\. \(line \d+\) is an insecure delegation without an NSEC3, and the NSEC3 covering its hash [0-9a-v]{32} has no opt-out flag/,
      );
    });
  });
});
