/**
 * The `object` expectation on `pkcs11-tool --list-objects` output made during the test by SoftHSM2:
 * a key generated on the token (CKA_LOCAL, never extractable), one generated extractable, one
 * imported with --write-object, and a second key under a taken label. Each attribute is checked on
 * the named object only, with expected and observed; a missing, hidden or ambiguous object fails
 * saying what the output shows; bad expectations name their YAML path.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../../../src/core/checks.js';
import { checkEvidence } from '../../../../src/core/evidence/checks.js';
import { validateExpectations } from '../../../../src/core/evidence/expectations.js';
import type { EvidenceKind } from '../../../../src/core/script/types.js';
import { missingTool } from '../../../support/tools.js';

const MODULE = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
].find((p) => existsSync(p));
const PIN = '123456';

/** `--list-objects` logged in (every object) and not (public objects only). */
let listed: Uint8Array;
let publicOnly: Uint8Array;

async function check(bytes: Uint8Array, object: Record<string, unknown>): Promise<Record<string, CheckResult>> {
  const item = {
    spec: { id: 'objs', kind: 'hsm-output' as EvidenceKind, parser: 'pkcs11-tool', expect: { object }, required: true },
    bytes,
  };
  const results = await checkEvidence(item, new Map([['objs', item]]));
  return Object.fromEntries(results.map((r) => [r.id.slice('objs.'.length), r]));
}

beforeAll(() => {
  if (!MODULE) return;
  const dir = mkdtempSync(join(tmpdir(), 'kw-pkcs11-object-'));
  mkdirSync(join(dir, 'tokens'));
  writeFileSync(
    join(dir, 'softhsm2.conf'),
    `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  );
  const env = { ...process.env, SOFTHSM2_CONF: join(dir, 'softhsm2.conf') };
  const run = (cmd: string, ...args: string[]): string =>
    execFileSync(cmd, args, { cwd: dir, env, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  const tool = (...args: string[]): string =>
    run('pkcs11-tool', '--module', MODULE, '--token-label', 'KW-OBJ', ...args);
  run('softhsm2-util', '--init-token', '--free', '--label', 'KW-OBJ', '--so-pin', '87654321', '--pin', PIN);
  const login = ['--login', '--pin', PIN];
  tool(...login, '--keypairgen', '--key-type', 'EC:secp384r1', '--label', 'ksk-2026', '--id', '01');
  tool(...login, '--keypairgen', '--key-type', 'EC:prime256v1', '--label', 'exportable', '--id', '02', '--extractable');
  run('openssl', 'genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'imported.key');
  run('openssl', 'pkey', '-in', 'imported.key', '-outform', 'DER', '-out', 'imported.der');
  tool(...login, '--write-object', 'imported.der', '--type', 'privkey', '--label', 'imported', '--id', '03');
  tool(...login, '--keypairgen', '--key-type', 'EC:prime256v1', '--label', 'twice', '--id', '04');
  tool(...login, '--keypairgen', '--key-type', 'EC:prime256v1', '--label', 'twice', '--id', '05');
  listed = new TextEncoder().encode(tool(...login, '--list-objects'));
  publicOnly = new TextEncoder().encode(tool('-O'));
}, 120_000);

describe.skipIf(missingTool(Boolean(MODULE), 'softhsm2'))('object: the PKCS#11 attributes of one named key', () => {
  it('passes a key generated on the token: local, sensitive, never extractable', async () => {
    const r = await check(listed, {
      label: 'ksk-2026',
      local: true,
      sensitive: true,
      always_sensitive: true,
      extractable: false,
      never_extractable: true,
    });
    expect(
      Object.entries(r)
        .filter(([k]) => k.startsWith('object.'))
        .map(([k, v]) => [k, v.ok]),
    ).toEqual([
      ['object.sensitive', true],
      ['object.always_sensitive', true],
      ['object.extractable', true],
      ['object.never_extractable', true],
      ['object.local', true],
    ]);
    expect(r['object.local']).toMatchObject({
      expected: 'CKA_LOCAL true on the private-key labelled "ksk-2026"',
      observed:
        'CKA_LOCAL true: private-key "ksk-2026" (ID 01) Access: sensitive, always sensitive, never extractable, local',
    });
    expect((await check(listed, { label: 'ksk-2026', class: 'public-key', local: true }))['object.local']?.ok).toBe(
      true,
    );
  });

  const failing: [string, Record<string, unknown>, string, string | RegExp][] = [
    [
      'a key generated extractable',
      { label: 'exportable', never_extractable: true },
      'object.never_extractable',
      'CKA_NEVER_EXTRACTABLE false: private-key "exportable" (ID 02) Access: sensitive, always sensitive, extractable, local',
    ],
    [
      'a key generated extractable (CKA_EXTRACTABLE)',
      { label: 'exportable', extractable: false },
      'object.extractable',
      'CKA_EXTRACTABLE true: private-key "exportable" (ID 02) Access: sensitive, always sensitive, extractable, local',
    ],
    [
      'an imported key (not CKA_LOCAL)',
      { label: 'imported', local: true },
      'object.local',
      'CKA_LOCAL false: private-key "imported" (ID 03) Access: sensitive',
    ],
    [
      'an imported key (not never extractable)',
      { label: 'imported', never_extractable: true },
      'object.never_extractable',
      'CKA_NEVER_EXTRACTABLE false: private-key "imported" (ID 03) Access: sensitive',
    ],
    [
      'two keys under one label',
      { label: 'twice', local: true },
      'object.local',
      // SoftHSM2 lists objects in no fixed order.
      /^2 private-key objects are labelled "twice": private-key "twice" \(ID 0[45]\), private-key "twice" \(ID 0[45]\)$/,
    ],
  ];
  it.each(failing)('fails %s, saying what the object shows', async (_n, spec, id, observed) => {
    const r = await check(listed, spec);
    expect(r[id]).toMatchObject({
      ok: false,
      observed: typeof observed === 'string' ? observed : expect.stringMatching(observed),
    });
  });

  it('fails a label no object has, and a private key the listing does not show (not logged in)', async () => {
    const r = await check(listed, { label: 'ksk-2025', local: true, never_extractable: true });
    expect([r['object.local']?.ok, r['object.never_extractable']?.ok]).toEqual([false, false]);
    expect(r['object.local']?.observed).toMatch(
      /^no private-key object labelled "ksk-2025" in the pkcs11-tool output \(objects: .*private-key "ksk-2026" \(ID 01\)/,
    );
    const hidden = await check(publicOnly, { label: 'ksk-2026', local: true });
    expect(hidden['object.local']?.observed).toMatch(
      /^no private-key object labelled "ksk-2026" in the pkcs11-tool output \(objects: .*public-key "ksk-2026" \(ID 01\)/,
    );
    expect(hidden['object.local']?.observed).not.toMatch(/private-key "/);
  });

  it('fails an object the output prints no Access line for', async () => {
    const text = new TextDecoder()
      .decode(listed)
      .split('\n')
      .filter((l) => !/^\s+Access:/.test(l))
      .join('\n');
    const r = await check(new TextEncoder().encode(text), { label: 'ksk-2026', local: true });
    expect(r['object.local']).toMatchObject({
      ok: false,
      observed: 'the output prints no Access line for private-key "ksk-2026" (ID 01), so its attributes are not shown',
    });
  });

  it('reads the committed DNSSEC sample’s listing as SoftHSM2 wrote it', async () => {
    const sample = new Uint8Array(
      readFileSync(join(__dirname, '../../../../assets/ceremonies/dnssec-ksk-signing/2.4/token_objects.txt')),
    );
    const r = await check(sample, { label: 'ksk-example-2026', local: true, never_extractable: true, sensitive: true });
    expect(Object.values(r).every((x) => x.ok)).toBe(true);
  });
});

describe('bad object expectations are refused with their YAML path', () => {
  const P = 'steps[1].evidence[0].expect';
  const cases: [string, EvidenceKind, unknown, string, RegExp][] = [
    ['no label', 'hsm-output', { local: true }, `${P}.object.label`, /is required/],
    [
      'an attribute it does not know',
      'hsm-output',
      { label: 'k', exportable: false },
      `${P}.object.exportable`,
      /unknown key/,
    ],
    [
      'a class it does not know',
      'hsm-output',
      { label: 'k', class: 'key' },
      `${P}.object.class`,
      /one of: private-key, public-key, secret-key/,
    ],
    [
      'a value that is not true or false',
      'hsm-output',
      { label: 'k', local: 'yes' },
      `${P}.object.local`,
      /true or false/,
    ],
    ['on a certificate', 'certificate', { label: 'k' }, `${P}.object`, /does not apply to certificate/],
  ];
  it.each(cases)('%s', (_n, kind, object, where, message) => {
    let err: unknown;
    try {
      validateExpectations(kind, undefined, { object }, P);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'SCRIPT_INVALID', where });
    expect((err as Error).message).toMatch(message);
  });
});
