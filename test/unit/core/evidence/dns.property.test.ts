/**
 * Properties of the DNS readers over untrusted text (zone files, DNSKEY records, trust anchors),
 * with the suite's fixed seed and bounded runs (test/support/property.ts). Seeds: the RFC 4034
 * example, the root KSK and IANA's anchors, the DNSSEC sample ceremony's records, the fixtures'
 * zone with every ordinary type, and that zone signed by ldns-signzone during the test (NSEC and
 * NSEC3). Damaged files and zones built from presentation-format tokens end within the per-case
 * ceiling, read or refused with an evidence error, and nothing else.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDnssec } from '../../../../src/core/evidence/dnssec.js';
import { parseZone } from '../../../../src/core/evidence/dnssec-zone.js';
import { utf8 } from '../../../../src/core/util/bytes.js';
import { missingTool } from '../../../support/tools.js';
import { vectorBytes } from '../../../support/vectors.js';
import { failsClosed, fragmentText, mutated, params } from '../../../support/property.js';
import { BASE_ZONE, hasCommand, signWithLdns } from './dnssec-fixtures.js';

const CEREMONY = join(import.meta.dirname, '../../../../assets/ceremonies/dnssec-ksk-signing');
const CODES = ['EVIDENCE_INVALID', 'EVIDENCE_UNSUPPORTED', 'INPUT_TOO_LARGE', 'ENCODING_INVALID'];

const DNSKEY_SEEDS = [
  vectorBytes('dnssec', 'debian-dns-root-data', 'root.key'),
  vectorBytes('dnssec', 'iana', 'root-anchors.xml'),
  vectorBytes('dnssec', 'rfc4034', 'dskey.example.com.zone'),
  new Uint8Array(readFileSync(join(CEREMONY, '3.1/ksk_dnskey.dnskey'))),
  new Uint8Array(readFileSync(join(CEREMONY, '3.2/ksr.dnskey'))),
];
const zoneSeeds: Uint8Array[] = [utf8(BASE_ZONE), vectorBytes('dnssec', 'rfc4034', 'dskey.example.com.zone')];

beforeAll(() => {
  if (missingTool(hasCommand('ldns-signzone'), 'ldns-signzone (ldnsutils)')) return;
  for (const nsec3 of [false, true]) {
    zoneSeeds.push(new Uint8Array(readFileSync(signWithLdns('ECDSAP256SHA256', { nsec3 }).signed)));
  }
});

function readsOrRefuses<T>(parse: () => T): void {
  const read = failsClosed(parse);
  if (!read.ok) expect(CODES).toContain(read.error.code);
}

describe('DNS text', () => {
  it('the seeds are read', () => {
    for (const bytes of DNSKEY_SEEDS) expect(() => parseDnssec(bytes, 'seed')).not.toThrow();
    for (const bytes of zoneSeeds) expect(parseZone(bytes, 'seed').records.length).toBeGreaterThan(0);
  });

  it('damaged DNSKEY records and trust anchors are read or refused with an evidence error', () => {
    fc.assert(
      fc.property(mutated(DNSKEY_SEEDS, 4), (bytes) => readsOrRefuses(() => parseDnssec(bytes, 'evidence'))),
      params(1500),
    );
  });

  it('damaged zone files are read or refused with an evidence error', () => {
    fc.assert(
      fc.property(mutated(zoneSeeds, 4), (bytes) => readsOrRefuses(() => parseZone(bytes, 'evidence'))),
      params(800),
    );
  });

  const TOKENS = [
    '$ORIGIN example.org.\n',
    '$ORIGIN .\n',
    '$TTL 3600\n',
    '$TTL 4294967296\n',
    '$INCLUDE /etc/passwd\n',
    '$GENERATE 1-1000000 a$ A 192.0.2.1\n',
    '@',
    'www',
    '*.',
    'a.b.c.',
    '\\.',
    '\\065',
    '\\999',
    'x'.repeat(64),
    '.',
    ' ',
    '\t',
    '\n',
    '\r\n',
    '(',
    ')',
    ';comment\n',
    '"',
    '"quoted text"',
    ' IN ',
    ' CH ',
    ' 300 ',
    ' A ',
    ' AAAA ',
    ' NS ',
    ' SOA ',
    ' TXT ',
    ' MX ',
    ' DS ',
    ' DNSKEY ',
    ' RRSIG ',
    ' NSEC ',
    ' NSEC3 ',
    ' CAA ',
    ' TYPE65534 ',
    ' \\# 4 c0000201',
    ' 192.0.2.1',
    ' 2001:db8::1',
    ' 256 3 13 ',
    ' 257 3 8 ',
    ' AwEAAa==',
    ' AQOeiiR0',
    ' 12345 13 2 ABCDEF',
    ' 20261201000000',
    ' 1 0 10 AABBCCDD',
    ' ns1',
    ' 10 mail',
    ' 0 issue "ca.example"',
  ];
  it('zones built from presentation-format tokens are read or refused with an evidence error', () => {
    fc.assert(
      fc.property(fragmentText(TOKENS, 80), (text) => {
        readsOrRefuses(() => parseZone(utf8(text), 'evidence'));
        readsOrRefuses(() => parseDnssec(utf8(text), 'evidence'));
      }),
      params(1500),
    );
  });
});
