import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dsRecord, keyTag, parseDnssec } from '../../../../src/core/evidence/dnssec.js';
import { KeywitnessError } from '../../../../src/core/errors.js';
import { VECTORS_DIR } from '../../../support/vectors.js';

const V = join(VECTORS_DIR, 'dnssec');
const read = (p: string): Uint8Array => new Uint8Array(readFileSync(join(V, p)));
const expected = JSON.parse(readFileSync(join(V, 'expected.json'), 'utf8')) as {
  root_ksk_dnskeys_from_debian_root_key: {
    key_tag: number;
    ds_sha1: string;
    ds_sha256: string;
    ds_sha384: string;
    rdata_hex: string;
  }[];
  iana_root_anchors_xml: { key_digests: { KeyTag: string; Digest: string }[] };
  rfc4034_section_5_4_example: { key_tag: number; ds_sha1: string; ds_sha256: string; ds_sha384: string };
};

describe('DNSSEC key tags and DS digests', () => {
  it('reproduces the root KSKs 20326 and 38696 from the Debian root.key', () => {
    const facts = parseDnssec(read('debian-dns-root-data/root.key'), 'root.key');
    expect(facts.keys.map((k) => k.keyTag)).toEqual([20326, 38696]);
    for (const [i, want] of expected.root_ksk_dnskeys_from_debian_root_key.entries()) {
      const k = facts.keys[i]!;
      expect([k.keyTag, k.ds[1], k.ds[2], k.ds[4]]).toEqual([
        want.key_tag,
        want.ds_sha1,
        want.ds_sha256,
        want.ds_sha384,
      ]);
      expect(k.sep).toBe(true);
    }
  });

  it('matches the DS records of root.ds and the digests of root-anchors.xml', () => {
    const facts = parseDnssec(read('iana/root-anchors.xml'), 'root-anchors.xml');
    expect(facts.format).toBe('root-anchors-xml');
    expect(facts.anchors.map((a) => a.keyTag)).toEqual(
      expected.iana_root_anchors_xml.key_digests.map((d) => Number(d.KeyTag)),
    );
    for (const a of facts.anchors) {
      const k = facts.keys.find((key) => key.keyTag === a.keyTag);
      if (a.keyTag === 19036)
        expect(k).toBeUndefined(); // the 2010 KSK is listed without its key
      else expect(k!.ds[2]).toBe(a.digest);
    }
    const ds = new TextDecoder().decode(read('debian-dns-root-data/root.ds')).trim().split('\n');
    const fromKey = parseDnssec(read('debian-dns-root-data/root.key'), 'root.key').keys.map((k) => dsRecord(k, 2));
    expect(fromKey).toEqual(ds);
  });

  it('reproduces the RFC 4034 §5.4 example (key tag 60485, DS SHA-1) from the multi-line zone file', () => {
    const [k] = parseDnssec(read('rfc4034/dskey.example.com.zone'), 'zone').keys;
    const want = expected.rfc4034_section_5_4_example;
    expect([k!.owner, k!.flags, k!.algorithm, k!.keyTag, k!.ds[1], k!.ds[2], k!.ds[4]]).toEqual([
      'dskey.example.com.',
      256,
      5,
      want.key_tag,
      want.ds_sha1,
      want.ds_sha256,
      want.ds_sha384,
    ]);
    expect(k!.sep).toBe(false);
  });

  it('uses the algorithm 1 key tag rule of RFC 4034 B.1', () => {
    expect(keyTag(Uint8Array.of(1, 0, 3, 1, 0xaa, 0xbb, 0x12, 0x34, 0x56))).toBe(0x1234);
  });

  const bad: [string, string, RegExp][] = [
    ['empty', '', /empty input/],
    ['not a record', 'hello world\n', /is not a DNSKEY record/],
    ['only DS records', '. IN DS 20326 8 2 E06D44B8\n', /no DNSKEY record found/],
    ['protocol not 3', '. IN DNSKEY 257 4 8 AwEAAQ==\n', /protocol field is 4/],
    ['relative owner', 'example IN DNSKEY 257 3 8 AwEAAQ==\n', /not fully qualified/],
    ['bad base64', '. IN DNSKEY 257 3 8 AwE*AQ==\n', /invalid base64 character/],
    ['missing key', '. IN DNSKEY 257 3 8\n', /needs flags, protocol, algorithm and a public key/],
    ['flags not a number', '. IN DNSKEY x 3 8 AwEAAQ==\n', /flags "x" is not a number/],
    [
      'XML with an entity',
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><TrustAnchor></TrustAnchor>',
      /DTDs and entities/,
    ],
    ['XML without KeyDigest', '<TrustAnchor id="x"><Zone>.</Zone></TrustAnchor>', /no <KeyDigest> found/],
    [
      'XML digest not hex',
      '<TrustAnchor><Zone>.</Zone><KeyDigest id="a"><KeyTag>1</KeyTag><Algorithm>8</Algorithm><DigestType>2</DigestType><Digest>zz</Digest></KeyDigest></TrustAnchor>',
      /<Digest> is missing or not hex/,
    ],
  ];
  it.each(bad)('rejects %s with a specific error', (_name, text, pattern) => {
    let err: unknown;
    try {
      parseDnssec(new TextEncoder().encode(text), 'dnskey');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KeywitnessError);
    expect((err as Error).message).toMatch(pattern);
  });
});
