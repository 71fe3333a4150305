import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectHsmFormat, parseHsmOutput } from '../../../../src/core/evidence/hsm/index.js';
import { KeywitnessError } from '../../../../src/core/errors.js';
import { VECTORS_DIR } from '../../../support/vectors.js';

const V = join(VECTORS_DIR, 'hsm-outputs');
const S = join(import.meta.dirname, 'samples');

interface Want {
  format: string;
  success: boolean | undefined;
  facts?: Record<string, string>;
  objects?: { class?: string; keyType?: string; label?: string; id?: string; bits?: number; curve?: string }[];
  spki?: string[];
}

/** Every vendor sample and what must be read from it. */
const SAMPLES: Record<string, Want> = {
  'aws-cloudhsm/aws-docs-cloudhsm_cli-key-generate-asymmetric-pair-ec-example1.txt': {
    format: 'cloudhsm-cli',
    success: true,
    facts: { command: 'key generate-asymmetric-pair ec' },
    objects: [
      {
        class: 'public-key',
        keyType: 'EC',
        label: 'ec-public-key-example',
        id: '0x000000000012000b',
        curve: 'P-224',
        bits: 224,
      },
      { class: 'private-key', keyType: 'EC', label: 'ec-private-key-example', curve: 'P-224' },
    ],
    spki: ['1fa38d9bca09a8e2a7b4adbac4e774176ef9332b6c82d5ec8103f0f42352a0c0'],
  },
  'aws-cloudhsm/awsdocs-cloudhsm_cli-user-list-block02.txt': {
    format: 'cloudhsm-cli',
    success: true,
    facts: { user_count: '3' },
  },
  'aws-cloudhsm/awsdocs-key_mgmt_util-exportPubKey-block02.txt': {
    format: 'cloudhsm-kmu',
    success: true,
    facts: { command: 'exportPubKey' },
  },
  'aws-cloudhsm/awsdocs-key_mgmt_util-findKey-block02.txt': {
    format: 'cloudhsm-kmu',
    success: true,
    facts: { key_count: '13' },
  },
  'aws-cloudhsm/awsdocs-key_mgmt_util-findKey-block06.txt': {
    format: 'cloudhsm-kmu',
    success: true,
    facts: { key_count: '10' },
  },
  'aws-cloudhsm/awsdocs-key_mgmt_util-genECCKeyPair-block02.txt': {
    format: 'cloudhsm-kmu',
    success: true,
    facts: { public_key_handle: '262179', private_key_handle: '262177' },
    objects: [{ class: 'key-pair', keyType: 'EC', label: 'ecc14', curve: 'P-384', bits: 384 }],
  },
  'aws-cloudhsm/awsdocs-key_mgmt_util-genECCKeyPair-block03.txt': {
    format: 'cloudhsm-kmu',
    success: true,
    facts: { command: 'getAttribute' },
  },
  'aws-cloudhsm/awsdocs-key_mgmt_util-genECCKeyPair-block05.txt': { format: 'cloudhsm-kmu', success: false },
  'aws-cloudhsm/awsdocs-key_mgmt_util-genRSAKeyPair-block02.txt': {
    format: 'cloudhsm-kmu',
    success: true,
    objects: [{ keyType: 'RSA', label: 'rsa_test', bits: 2048 }],
  },
  'aws-cloudhsm/awsdocs-key_mgmt_util-genRSAKeyPair-block03.txt': {
    format: 'cloudhsm-kmu',
    success: true,
    objects: [{ class: 'public-key', keyType: 'RSA', label: 'rsa_test', bits: 2048 }],
    spki: ['6312cbff23d762fc53815c4946da41dd856ffe0e9a888747a882511084d5f189'],
  },
  'aws-cloudhsm/awsdocs-key_mgmt_util-genRSAKeyPair-block04.txt': {
    format: 'cloudhsm-kmu',
    success: true,
    objects: [{ keyType: 'RSA', label: 'rsa_mofn', bits: 2048, id: '28' }],
  },
  'aws-cloudhsm/awsdocs-key_mgmt_util-getAttribute-block05.txt': { format: 'cloudhsm-kmu', success: true },
  'aws-cloudhsm/awsdocs-key_mgmt_util-getKeyInfo-block02.txt': {
    format: 'cloudhsm-kmu',
    success: true,
    facts: { command: 'getKeyInfo' },
  },
  'aws-cloudhsm/awsdocs-key_mgmt_util-getKeyInfo-block03.txt': { format: 'cloudhsm-kmu', success: true },
  'aws-cloudhsm/awsdocs-key_mgmt_util-getKeyInfo-block04.txt': { format: 'cloudhsm-kmu', success: true },
  'aws-cloudhsm/awsdocs-key_mgmt_util-getKeyInfo-block05.txt': {
    format: 'cloudhsm-kmu',
    success: true,
    facts: { key_count: '8' },
  },
  'aws-cloudhsm/awsdocs-key_mgmt_util-getKeyInfo-block06.txt': {
    format: 'cloudhsm-kmu',
    success: true,
    objects: [{ keyType: 'RSA', bits: 2048 }],
  },
  'aws-cloudhsm/awsdocs-key_mgmt_util-getKeyInfo-block07.txt': { format: 'cloudhsm-kmu', success: true },
  'aws-cloudhsm/awsdocs-key_mgmt_util-verify-block02.txt': {
    format: 'cloudhsm-kmu',
    success: true,
    facts: { verification: 'successful' },
  },
  'aws-cloudhsm/awsdocs-key_mgmt_util-verify-block03.txt': { format: 'cloudhsm-kmu', success: false },
  'thales-luna/ibm-cloud-docs-citrix-netscaler-vpx-hsm-create-partition-block02.txt': {
    format: 'luna',
    success: undefined,
    facts: { serial: '534071', hsm_label: 'jpmonge', firmware: '6.10.9', hsm_model: 'K6 Base' },
  },
  'thales-luna/ibm-cloud-docs-citrix-netscaler-vpx-hsm-create-partition-block03.txt': {
    format: 'luna',
    success: true,
    objects: [{ class: 'partition', label: 'partition1', id: '534071016' }],
  },
  'thales-luna/ibm-cloud-docs-citrix-netscaler-vpx-hsm-create-partition-block06.txt': { format: 'luna', success: true },
  'thales-luna/ibm-cloud-docs-citrix-netscaler-vpx-hsm-csr-block01.txt': { format: 'luna', success: undefined },
  'thales-luna/ibm-cloud-docs-citrix-netscaler-vpx-hsm-csr-block02.txt': {
    format: 'luna',
    success: true,
    facts: { partition_sn: '534071053', partition_object_count: '0' },
  },
  'thales-luna/ibm-cloud-docs-citrix-netscaler-vpx-hsm-csr-block04.txt': {
    format: 'luna',
    success: undefined,
    objects: [{ keyType: 'RSA', bits: 2048, label: 'NSkey_s6dr' }],
  },
  'thales-luna/ibm-cloud-docs-citrix-netscaler-vpx-hsm-csr-block05.txt': {
    format: 'luna',
    success: undefined,
    objects: [
      { id: '76', label: 'NSkey_s6dr' },
      { id: '73', label: 'NSkey_s6dr' },
    ],
  },
  'thales-luna/ibm-cloud-docs-citrix-netscaler-vpx-hsm-csr-block06.txt': {
    format: 'luna',
    success: true,
    facts: { partition_object_count: '2' },
  },
  'thales-luna/ibm-cloud-docs-citrix-netscaler-vpx-hsm-fips-block01.txt': {
    format: 'luna',
    success: true,
    facts: { fips_mode: 'no', serial: '534071' },
  },
  'thales-luna/ibm-cloud-docs-citrix-netscaler-vpx-hsm-fips-block02.txt': {
    format: 'luna',
    success: true,
    facts: { serial: '534071' },
  },
  'thales-luna/ibm-cloud-docs-citrix-netscaler-vpx-hsm-fips-block05.txt': {
    format: 'luna',
    success: true,
    facts: { fips_mode: 'yes' },
  },
  'thales-luna/ibm-cloud-docs-citrix-netscaler-vpx-hsm-fips-block06.txt': { format: 'luna', success: true },
  'yubihsm/developers.yubico.com-generate-asymmetric.txt': {
    format: 'yubihsm-shell',
    success: true,
    facts: { generated_id: '0x2846' },
    objects: [{ keyType: 'EC', label: 'eckey', curve: 'P-256', bits: 256 }],
  },
  'yubihsm/developers.yubico.com-get-objectinfo.txt': {
    format: 'yubihsm-shell',
    success: true,
    objects: [{ id: '0x1e15', keyType: 'RSA', bits: 2048, label: 'rsakey', class: 'asymmetric-key' }],
  },
  // SHA-256 of this SPKI is recorded in test/vectors/hsm-outputs/SOURCES.md.
  'yubihsm/developers.yubico.com-get-pubkey.txt': {
    format: 'yubihsm-shell',
    success: true,
    spki: ['36bf5066cf8f27d64052de63e6b993f82eaa5a30ab553ed95f762e4ed8f42143'],
  },
  'yubihsm/developers.yubico.com-list-objects.txt': {
    format: 'yubihsm-shell',
    success: true,
    facts: { object_count: '4' },
  },
  'yubihsm/github-Yubico-yubihsm-shell-issue-423-get-wrapped-error.txt': { format: 'yubihsm-shell', success: false },
  'yubihsm/github-Yubico-yubihsm-shell-issue-423-objectinfo.txt': {
    format: 'yubihsm-shell',
    success: true,
    objects: [
      { class: 'wrap-key', id: '0x5971' },
      { class: 'asymmetric-key', label: 'CA-2', keyType: 'RSA', bits: 2048 },
    ],
  },
  'yubihsm/github-tendermint-tmkms-pr-180-list-objects.txt': {
    format: 'yubihsm-shell',
    success: true,
    facts: { object_count: '6' },
  },
};

function check(bytes: Uint8Array, want: Want, name: string): void {
  expect(detectHsmFormat(new TextDecoder().decode(bytes))).toBe(want.format);
  const h = parseHsmOutput(bytes, undefined, name);
  expect(h.format).toBe(want.format);
  expect(h.success).toBe(want.success);
  if (want.success === false) expect(h.errors.length).toBeGreaterThan(0);
  for (const [k, v] of Object.entries(want.facts ?? {})) expect([k, h.facts[k]]).toEqual([k, v]);
  for (const [i, o] of (want.objects ?? []).entries()) expect(h.objects[i]).toMatchObject(o);
  if (want.objects) expect(h.objects.length).toBeGreaterThanOrEqual(want.objects.length);
  expect(h.publicKeys.map((k) => k.spkiSha256.hex)).toEqual(want.spki ?? []);
}

describe('vendor HSM transcripts', () => {
  it('has an expectation for every sample in test/vectors/hsm-outputs', () => {
    const files = readdirSync(V, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.txt'))
      .sort();
    expect(files).toEqual(Object.keys(SAMPLES).sort());
  });
  it.each(Object.entries(SAMPLES))('%s', (file, want) =>
    check(new Uint8Array(readFileSync(join(V, file))), want, file),
  );
});

describe('real pkcs11-tool and softhsm2-util transcripts (SoftHSM 2.6, OpenSC)', () => {
  const read = (f: string): Uint8Array => new Uint8Array(readFileSync(join(S, f)));
  it('keypairgen: objects, curve and the SPKI rebuilt from EC_POINT equals the key read from the token', () => {
    const h = parseHsmOutput(read('pkcs11-tool-keypairgen-p384.txt'), 'pkcs11-tool', 'keygen');
    expect(h.facts.operation).toBe('keypairgen');
    expect(h.objects.map((o) => [o.class, o.keyType, o.label, o.id, o.curve])).toEqual([
      ['private-key', 'EC', 'root-ca-p384', '0a', undefined],
      ['public-key', 'EC', 'root-ca-p384', '0a', 'P-384'],
    ]);
    expect(h.objects[1]!.bits).toBe(384);
    expect(h.publicKeys).toHaveLength(1);
    expect(h.publicKeys[0]!.curve).toBe('P-384');
  });
  it('list-objects: EC, RSA and EC_EDWARDS keys with their curves and rebuilt SPKIs', () => {
    const h = parseHsmOutput(read('pkcs11-tool-list-objects.txt'), undefined, 'list');
    expect(h.format).toBe('pkcs11-tool');
    const pub = h.objects
      .filter((o) => o.class === 'public-key')
      .map((o) => [o.label, o.keyType, o.curve ?? null, o.bits]);
    expect(pub).toEqual(
      expect.arrayContaining([
        ['p256', 'EC', 'P-256', 256],
        ['p384', 'EC', 'P-384', 384],
        ['rsa3072', 'RSA', null, 3072],
        ['ed25519', 'EC_EDWARDS', 'Ed25519', 256],
      ]),
    );
    expect(h.publicKeys.map((k) => k.algorithm).sort()).toEqual(['ECDSA', 'ECDSA', 'Ed25519']);
  });
  it('list-slots, show-info and softhsm2-util --show-slots: token facts', () => {
    const slots = parseHsmOutput(read('pkcs11-tool-list-slots.txt'), undefined, 'slots');
    expect([slots.format, slots.facts.token_label, slots.facts.token_model]).toEqual([
      'pkcs11-tool',
      'kwtest',
      'SoftHSM v2',
    ]);
    expect(slots.facts.serial).toMatch(/^[0-9a-f]{16}$/);
    const info = parseHsmOutput(read('pkcs11-tool-show-info.txt'), undefined, 'info');
    expect(info.facts.cryptoki_version).toBe('2.40');
    const util = parseHsmOutput(read('softhsm2-util-show-slots.txt'), undefined, 'util');
    expect([util.format, util.facts.token_label, util.facts.serial]).toEqual([
      'softhsm2-util',
      'kwtest',
      slots.facts.serial,
    ]);
  });
  it('a failed login is a failure with its error line', () => {
    const h = parseHsmOutput(read('pkcs11-tool-wrong-pin.txt'), 'pkcs11-tool', 'pin');
    expect(h.success).toBe(false);
    expect(h.errors[0]).toMatch(/CKR_PIN_INCORRECT/);
  });
});

describe('bad HSM output', () => {
  const cases: [string, Uint8Array, string | undefined, RegExp][] = [
    ['empty', new Uint8Array(), undefined, /empty input/],
    ['not UTF-8', Uint8Array.of(0xff, 0xfe, 0xfd), undefined, /must be UTF-8/],
    ['unknown parser', new TextEncoder().encode('x'), 'nshield', /unknown HSM output parser "nshield"/],
    [
      'EC_POINT of the wrong size',
      new TextEncoder().encode(
        'Public Key Object; EC  EC_POINT 256 bits\n  EC_POINT:   0403010203\n  EC_PARAMS:  06082a8648ce3d030107\n  label:      k\n',
      ),
      undefined,
      /not a valid P-256 point/,
    ],
    [
      'cloudhsm-cli without JSON',
      new TextEncoder().encode('aws-cloudhsm > key list\nno json'),
      'cloudhsm-cli',
      /no JSON result/,
    ],
    ['too large', new Uint8Array(1024 * 1024 + 1), undefined, /over the 1048576-byte limit/],
  ];
  it.each(cases)('%s', (_n, bytes, parser, pattern) => {
    let err: unknown;
    try {
      parseHsmOutput(bytes, parser, 'hsm');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KeywitnessError);
    expect((err as Error).message).toMatch(pattern);
  });
  it('unknown text falls back to the text parser with no facts', () => {
    const h = parseHsmOutput(new TextEncoder().encode('Bag BB10234567 sealed\n'), undefined, 'notes');
    expect([h.format, h.objects.length, h.success]).toEqual(['text', 0, undefined]);
  });
});
