/**
 * SoftHSM2 + OpenSC + OpenSSL, run for real: keys are generated in a fresh token with pkcs11-tool,
 * roots are self-signed and an intermediate is signed with the token keys through OpenSSL's pkcs11
 * engine, and what `keywitness inspect` reports must equal what OpenSSL reports for the same files.
 * The SPKI rebuilt from each pkcs11-tool transcript must equal the certificate's.
 *
 * Two limits of Debian bookworm's libp11 0.4.12 engine shape the setup: it cannot sign with
 * Ed25519 keys at all, and a token that holds a CKK_EC_EDWARDS key makes its private-key
 * enumeration fail ("Unable to enumerate private keys") so no key on that token can be used. The
 * Ed25519 key therefore lives on its own token, and its root is signed with `pkcs11-tool --sign
 * --mechanism EDDSA` over a TBSCertificate OpenSSL built (`x509 -new -force_pubkey`); `openssl
 * verify` then checks that certificate independently.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInspect } from '../../../src/cli/inspect.js';
import type { EvidenceItem } from '../../../src/core/checks.js';
import { checkEvidence } from '../../../src/core/evidence/checks.js';
import { bitString, encodeOid, sequence } from '../../../src/core/evidence/der-encode.js';
import { childrenOf, encodingOf, scanDer } from '../../../src/core/evidence/der.js';
import type { EvidenceKind } from '../../../src/core/script/types.js';
import { missingTool } from '../../support/tools.js';

function which(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}
function firstExisting(paths: string[]): string | undefined {
  return paths.find((p) => existsSync(p));
}
function libDirs(sub: string, file: string): string[] {
  const dirs = existsSync('/usr/lib') ? readdirSync('/usr/lib').map((d) => join('/usr/lib', d, sub, file)) : [];
  return [...dirs, join('/usr/lib', sub, file)];
}

const MODULE = firstExisting(libDirs('softhsm', 'libsofthsm2.so'));
const ENGINE = firstExisting(libDirs('engines-3', 'pkcs11.so'));
const missing = [
  ...['softhsm2-util', 'pkcs11-tool', 'openssl'].filter((t) => !which(t)).map((t) => `${t} not on PATH`),
  ...(MODULE ? [] : ['libsofthsm2.so not found (Debian package softhsm2)']),
  ...(ENGINE ? [] : ['OpenSSL pkcs11 engine not found (Debian package libengine-pkcs11-openssl)']),
];
if (missing.length) console.warn(`SKIPPING SoftHSM2/OpenSC/OpenSSL integration tests: ${missing.join('; ')}`);

const PIN = '123456';
let dir: string;
let env: NodeJS.ProcessEnv;
const transcripts: Record<string, string> = {};

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: dir, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout + r.stderr;
}
const p11 = (token: string, ...args: string[]): string =>
  run('pkcs11-tool', ['--module', MODULE!, '--token-label', token, ...args]);
const uri = (token: string, label: string): string =>
  `pkcs11:token=${token};object=${label};type=private;pin-value=${PIN}`;
const ssl = (...args: string[]): string => execFileSync('openssl', args, { cwd: dir, env, encoding: 'utf8' });

async function inspectJson(
  ...files: string[]
): Promise<{ code: number; files: { ok: boolean; evidence: Record<string, unknown> }[] }> {
  let out = '';
  const code = await runInspect(['--json', ...files.map((f) => join(dir, f))], {
    stdout: (t) => (out += t),
    stderr: (t) => (out += t),
    stdoutBytes: () => {
      throw new Error('inspect prints text only');
    },
  });
  return { code, ...(JSON.parse(out) as { files: { ok: boolean; evidence: Record<string, unknown> }[] }) };
}

const CONF = (engine: string, module: string): string => `openssl_conf = openssl_init
[openssl_init]
engines = engine_section
[engine_section]
pkcs11 = pkcs11_section
[pkcs11_section]
engine_id = pkcs11
dynamic_path = ${engine}
MODULE_PATH = ${module}
init = 0
[req]
distinguished_name = dn
[dn]
[v3_root]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_int]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
extendedKeyUsage = serverAuth,clientAuth
certificatePolicies = 2.23.140.1.2.1
crlDistributionPoints = URI:http://crl.example/root.crl
authorityInfoAccess = caIssuers;URI:http://ca.example/root.crt
nameConstraints = critical,permitted;DNS:.example.com
[v3_ed]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
# x509 -new would otherwise put the placeholder signing key's id in the AKI
authorityKeyIdentifier = none
`;

describe.skipIf(missingTool(missing.length === 0, missing.join(', ')))(
  'SoftHSM2 token keys, OpenSSL pkcs11 engine, keywitness inspect',
  () => {
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'kw-softhsm-'));
      writeFileSync(
        join(dir, 'softhsm2.conf'),
        `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
      );
      execFileSync('mkdir', [join(dir, 'tokens')]);
      writeFileSync(join(dir, 'openssl.cnf'), CONF(ENGINE!, MODULE!));
      env = { ...process.env, SOFTHSM2_CONF: join(dir, 'softhsm2.conf'), OPENSSL_CONF: join(dir, 'openssl.cnf') };
      for (const token of ['kw-ca', 'kw-ed'])
        run('softhsm2-util', ['--init-token', '--free', '--label', token, '--so-pin', '87654321', '--pin', PIN]);
      const gen: [string, string, string, string][] = [
        ['kw-ca', 'p256', 'EC:secp256r1', '01'],
        ['kw-ca', 'p384', 'EC:secp384r1', '02'],
        ['kw-ca', 'rsa3072', 'rsa:3072', '03'],
        ['kw-ed', 'ed25519', 'EC:edwards25519', '04'],
      ];
      for (const [token, label, type, id] of gen) {
        transcripts[label] = p11(
          token,
          '--login',
          '--pin',
          PIN,
          '--keypairgen',
          '--key-type',
          type,
          '--label',
          label,
          '--id',
          id,
        );
        writeFileSync(join(dir, `keygen-${label}.txt`), transcripts[label]);
      }
      writeFileSync(join(dir, 'list-objects.txt'), p11('kw-ca', '--login', '--pin', PIN, '--list-objects'));
      writeFileSync(join(dir, 'show-slots.txt'), run('softhsm2-util', ['--show-slots']));
      p11('kw-ca', '--read-object', '--type', 'pubkey', '--label', 'rsa3072', '-o', join(dir, 'rsa3072.pub.der'));

      const engine = ['-engine', 'pkcs11', '-keyform', 'engine'];
      ssl(
        'req',
        '-new',
        '-x509',
        ...engine,
        '-key',
        uri('kw-ca', 'p384'),
        '-subj',
        '/C=DE/O=Example/CN=Token Root P-384',
        '-days',
        '9131',
        '-extensions',
        'v3_root',
        '-sha384',
        '-out',
        'root-p384.pem',
      );
      ssl(
        'req',
        '-new',
        '-x509',
        ...engine,
        '-key',
        uri('kw-ca', 'rsa3072'),
        '-subj',
        '/O=Example/CN=Token Root RSA',
        '-days',
        '7305',
        '-extensions',
        'v3_root',
        '-sha256',
        '-out',
        'root-rsa.pem',
      );
      ssl(
        'req',
        '-new',
        ...engine,
        '-key',
        uri('kw-ca', 'p256'),
        '-subj',
        '/O=Example/OU=Issuing/CN=Token Issuing CA P-256',
        '-out',
        'int.csr',
      );
      ssl(
        'x509',
        '-req',
        '-in',
        'int.csr',
        '-engine',
        'pkcs11',
        '-CAkeyform',
        'engine',
        '-CA',
        'root-p384.pem',
        '-CAkey',
        uri('kw-ca', 'p384'),
        '-days',
        '3650',
        '-extfile',
        'openssl.cnf',
        '-extensions',
        'v3_int',
        '-sha384',
        '-set_serial',
        '0x1001',
        '-out',
        'int.pem',
      );
      writeFileSync(
        join(dir, 'chain.pem'),
        readFileSync(join(dir, 'int.pem'), 'utf8') + readFileSync(join(dir, 'root-p384.pem'), 'utf8'),
      );

      // Ed25519: OpenSSL builds the TBSCertificate around the token's public key, the token signs it.
      p11('kw-ed', '--read-object', '--type', 'pubkey', '--label', 'ed25519', '-o', join(dir, 'ed25519.pub'));
      ssl('genpkey', '-algorithm', 'ED25519', '-out', 'placeholder.key');
      ssl(
        'x509',
        '-new',
        '-subj',
        '/O=Example/CN=Token Root Ed25519',
        '-force_pubkey',
        'ed25519.pub',
        '-key',
        'placeholder.key',
        '-days',
        '9131',
        '-extfile',
        'openssl.cnf',
        '-extensions',
        'v3_ed',
        '-outform',
        'DER',
        '-out',
        'template.der',
      );
      const template = new Uint8Array(readFileSync(join(dir, 'template.der')));
      const [tbs] = childrenOf(template, scanDer(template, 'template'), 'template');
      writeFileSync(join(dir, 'tbs.der'), encodingOf(template, tbs!));
      p11(
        'kw-ed',
        '--login',
        '--pin',
        PIN,
        '--sign',
        '--mechanism',
        'EDDSA',
        '--label',
        'ed25519',
        '-i',
        join(dir, 'tbs.der'),
        '-o',
        join(dir, 'tbs.sig'),
      );
      const cert = sequence(
        encodingOf(template, tbs!),
        sequence(encodeOid('1.3.101.112')),
        bitString(new Uint8Array(readFileSync(join(dir, 'tbs.sig')))),
      );
      writeFileSync(join(dir, 'root-ed25519.der'), cert);
      ssl('x509', '-inform', 'DER', '-in', 'root-ed25519.der', '-out', 'root-ed25519.pem');
    });

    it('signing with an Ed25519 token key through the engine: whatever it does, inspect agrees with openssl', async () => {
      const r = spawnSync(
        'openssl',
        [
          'req',
          '-new',
          '-x509',
          '-engine',
          'pkcs11',
          '-keyform',
          'engine',
          '-key',
          uri('kw-ed', 'ed25519'),
          '-subj',
          '/CN=engine ed25519',
          '-out',
          'engine-ed.pem',
        ],
        { cwd: dir, env, encoding: 'utf8' },
      );
      const why =
        r.stderr.split('\n').find((l) => /not found|enumerate|error/i.test(l)) ?? r.stderr.trim().slice(0, 200);
      console.info(
        `openssl req with an Ed25519 token key through the pkcs11 engine: status ${r.status} signal ${r.signal}; ${why}`,
      );
      if (r.status === 0) {
        const { files } = await inspectJson('engine-ed.pem');
        expect(
          (files[0]!.evidence.certificates as { selfSignature: { status: string } }[])[0]!.selfSignature.status,
        ).toBe('valid');
      } else {
        expect(existsSync(join(dir, 'engine-ed.pem')) && readFileSync(join(dir, 'engine-ed.pem')).length > 0).toBe(
          false,
        );
      }
    });

    it('OpenSSL itself verifies every certificate the token signed', () => {
      for (const root of ['root-p384.pem', 'root-rsa.pem', 'root-ed25519.pem'])
        expect(ssl('verify', '-CAfile', root, root)).toContain(': OK');
      expect(ssl('verify', '-CAfile', 'root-p384.pem', 'int.pem')).toContain(': OK');
    });

    it.each(['root-p384.pem', 'root-rsa.pem', 'root-ed25519.pem', 'int.pem'])(
      'inspect --json of %s equals openssl: fingerprints, SPKI hash, subject, issuer, serial, extensions',
      async (file) => {
        const { code, files } = await inspectJson(file);
        expect(code).toBe(0);
        const c = (files[0]!.evidence.certificates as Record<string, unknown>[])[0]!;
        const fp = (alg: string): string =>
          ssl('x509', '-in', file, '-noout', '-fingerprint', `-${alg}`).trim().split('=')[1]!;
        expect((c.sha256 as { colonHex: string }).colonHex).toBe(fp('sha256'));
        expect((c.sha1 as { colonHex: string }).colonHex).toBe(fp('sha1'));
        const spki = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'DER'], {
          cwd: dir,
          env,
          input: ssl('x509', '-in', file, '-noout', '-pubkey'),
        });
        expect((c.key as { spkiSha256: { hex: string } }).spkiSha256.hex).toBe(
          createHash('sha256').update(spki).digest('hex'),
        );
        expect(c.subject).toBe(
          ssl('x509', '-in', file, '-noout', '-subject', '-nameopt', 'RFC2253')
            .trim()
            .replace(/^subject=/, ''),
        );
        expect(c.issuer).toBe(
          ssl('x509', '-in', file, '-noout', '-issuer', '-nameopt', 'RFC2253')
            .trim()
            .replace(/^issuer=/, ''),
        );
        const serial = ssl('x509', '-in', file, '-noout', '-serial')
          .trim()
          .replace(/^serial=/, '');
        expect(
          String(c.serial)
            .toUpperCase()
            .replace(/^0+(?=.)/, ''),
        ).toBe(serial.replace(/^0+(?=.)/, ''));
        const text = ssl('x509', '-in', file, '-noout', '-text');
        const ext = c.extensions as {
          basicConstraints: { ca: boolean; pathLen?: number; critical: boolean };
          keyUsage: { usages: string[] };
          subjectKeyIdentifier: string;
          authorityKeyIdentifier?: { keyId: string };
        };
        expect(text).toMatch(
          new RegExp(
            `Basic Constraints: critical\\s*\\n\\s*CA:TRUE${ext.basicConstraints.pathLen === undefined ? '\\s*\\n' : `, pathlen:${ext.basicConstraints.pathLen}`}`,
          ),
        );
        const ski = /Subject Key Identifier:\s*\n\s*([0-9A-F:]+)/.exec(text)![1]!;
        expect(ext.subjectKeyIdentifier).toBe(ski.replace(/:/g, '').toLowerCase());
        expect(/X509v3 Key Usage: critical\s*\n\s*(.*)/.exec(text)![1]).toBe('Certificate Sign, CRL Sign');
        expect(ext.keyUsage.usages).toEqual(['keyCertSign', 'cRLSign']);
        const aki = /Authority Key Identifier:\s*\n\s*(?:keyid:)?([0-9A-F:]+)/.exec(text)?.[1];
        expect(ext.authorityKeyIdentifier?.keyId ?? null).toBe(aki ? aki.replace(/:/g, '').toLowerCase() : null);
        if (file === 'int.pem') {
          const e = c.extensions as Record<string, unknown>;
          expect(e.extendedKeyUsage).toMatchObject({ purposes: ['serverAuth', 'clientAuth'] });
          expect(text).toContain('TLS Web Server Authentication, TLS Web Client Authentication');
          expect(e.certificatePolicies).toEqual(['2.23.140.1.2.1']);
          expect(e.crlDistributionPoints).toEqual(['URI:http://crl.example/root.crl']);
          expect(e.nameConstraints).toMatchObject({ permitted: ['DNS:.example.com'], excluded: [] });
          for (const a of e.authorityInfoAccess as string[]) expect(text).toContain(a);
          expect(c.selfSignature).toBeNull();
        } else {
          expect(c.selfSignature).toMatchObject({ status: 'valid' });
        }
      },
    );

    it('inspect verifies the chain intermediate → root', async () => {
      const { files } = await inspectJson('chain.pem');
      expect((files[0]!.evidence.chain as { status: string }[]).map((l) => l.status)).toEqual(['valid', 'valid']);
    });

    it('the SPKI rebuilt from each pkcs11-tool transcript equals the certificate made from that key', async () => {
      const pairs: [string, string, EvidenceKind][] = [
        ['keygen-p384.txt', 'root-p384.pem', 'hsm-output'],
        ['keygen-p256.txt', 'int.pem', 'hsm-output'],
        ['keygen-ed25519.txt', 'root-ed25519.pem', 'hsm-output'],
        ['rsa3072.pub.der', 'root-rsa.pem', 'public-key'],
        ['list-objects.txt', 'root-p384.pem', 'hsm-output'],
      ];
      const item = (
        id: string,
        kind: EvidenceKind,
        file: string,
        expect: Record<string, unknown> = {},
      ): EvidenceItem => ({
        spec: { id, kind, parser: undefined, expect, required: true },
        bytes: new Uint8Array(readFileSync(join(dir, file))),
      });
      for (const [transcript, certFile, kind] of pairs) {
        const all = new Map([['cert', item('cert', 'certificate', certFile)]]);
        const results = await checkEvidence(item('keygen', kind, transcript, { spki_equals: 'cert' }), all);
        expect([transcript, results.map((r) => `${r.id}:${r.ok}`)]).toEqual([
          transcript,
          ['keygen.parse:true', 'keygen.spki_equals:true'],
        ]);
        const { files } = await inspectJson(transcript);
        const keys = kind === 'public-key' ? [files[0]!.evidence.key] : (files[0]!.evidence.publicKeys as unknown[]);
        const certKey = (
          (await inspectJson(certFile)).files[0]!.evidence.certificates as { key: { spkiSha256: { hex: string } } }[]
        )[0]!.key;
        expect((keys as { spkiSha256: { hex: string } }[]).map((k) => k.spkiSha256.hex)).toContain(
          certKey.spkiSha256.hex,
        );
      }
    });

    it('keygen transcripts yield the facts a script expects, and a wrong curve fails', async () => {
      const bytes = new Uint8Array(readFileSync(join(dir, 'keygen-p384.txt')));
      const spec = (expect: Record<string, unknown>): EvidenceItem => ({
        spec: { id: 'k', kind: 'hsm-output', parser: 'pkcs11-tool', expect, required: true },
        bytes,
      });
      const ok = await checkEvidence(
        spec({ key_type: 'EC', curve: 'secp384r1', label: 'p384', id: '02', success: true }),
        new Map(),
      );
      expect(ok.every((r) => r.ok)).toBe(true);
      const bad = await checkEvidence(spec({ curve: 'P-256', label: 'p384' }), new Map());
      expect(bad.find((r) => r.id === 'k.curve')).toMatchObject({
        ok: false,
        expected: 'P-256',
        observed: 'P-384 on public-key "p384"; not printed for private-key "p384"',
      });
      const ed = await checkEvidence(
        {
          ...spec({ key_type: 'EC_EDWARDS', curve: 'Ed25519' }),
          bytes: new Uint8Array(readFileSync(join(dir, 'keygen-ed25519.txt'))),
        },
        new Map(),
      );
      expect(ed.every((r) => r.ok)).toBe(true);
      const slots = await inspectJson('show-slots.txt');
      // Slot order follows SoftHSM's random slot ids, so compare the set of initialised tokens.
      const tokens = (slots.files[0]!.evidence.objects as { label: string }[]).map((o) => o.label).sort();
      expect(tokens).toEqual(['kw-ca', 'kw-ed']);
      expect(['kw-ca', 'kw-ed']).toContain((slots.files[0]!.evidence.facts as Record<string, string>).token_label);
    });
  },
);
