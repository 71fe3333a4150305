/**
 * A CA whose key lives in a SoftHSM2 token, used through OpenSSL's pkcs11 engine as the sample
 * ceremonies use it: the root certificate, an OCSP responder certificate and a CRL are signed by
 * the token; OpenSSL 3.0's `ocsp` has no engine option, so the delegated responder signs its
 * response with a software key. `verify` and OpenSSL must agree on each.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTrustMaterial, verifyEvidenceSignatures } from '../../../../src/core/evidence/verify-signatures.js';
import { installCryptoEngine } from '../../../../src/node/crypto-engine.js';
import { missingTool } from '../../../support/tools.js';

const MODULE = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
].find((p) => existsSync(p));
const PIN = '123456';
const KEY = `pkcs11:token=KW-VERIFY;object=ca-p384;type=private;pin-value=${PIN}`;

const CONF = `
[ca]
default_ca = ca_default
[ca_default]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
crlnumber = crlnumber
default_md = sha384
default_crl_days = 7
policy = policy_any
unique_subject = no
[policy_any]
commonName = supplied
[req]
distinguished_name = dn
[dn]
[root]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
authorityKeyIdentifier = keyid
[ocsp]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
authorityKeyIdentifier = keyid
[crl_ext]
authorityKeyIdentifier = keyid
`;

let dir: string;
let env: NodeJS.ProcessEnv;

function o(...args: string[]): string {
  return execFileSync('openssl', args, { cwd: dir, env, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

beforeAll(() => {
  if (!MODULE) return;
  installCryptoEngine();
  dir = mkdtempSync(join(tmpdir(), 'kw-verify-hsm-'));
  mkdirSync(join(dir, 'tokens'));
  writeFileSync(
    join(dir, 'softhsm2.conf'),
    `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  );
  writeFileSync(join(dir, 'ca.cnf'), CONF);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '2000\n');
  writeFileSync(join(dir, 'crlnumber'), '10\n');
  env = {
    ...process.env,
    SOFTHSM2_CONF: join(dir, 'softhsm2.conf'),
    OPENSSL_CONF: join(dir, 'ca.cnf'),
    PKCS11_MODULE_PATH: MODULE,
  };
  const run = (cmd: string, args: string[]): void => void execFileSync(cmd, args, { cwd: dir, env, stdio: 'pipe' });
  run('softhsm2-util', ['--init-token', '--free', '--label', 'KW-VERIFY', '--so-pin', '87654321', '--pin', PIN]);
  run('pkcs11-tool', [
    '--module',
    MODULE,
    '--token-label',
    'KW-VERIFY',
    '--login',
    '--pin',
    PIN,
    '--keypairgen',
    '--key-type',
    'EC:secp384r1',
    '--label',
    'ca-p384',
    '--id',
    '01',
  ]);
  o(
    'req',
    '-new',
    '-x509',
    '-engine',
    'pkcs11',
    '-keyform',
    'engine',
    '-key',
    KEY,
    '-subj',
    '/O=Example/CN=HSM Root',
    '-sha384',
    '-days',
    '3650',
    '-extensions',
    'root',
    '-set_serial',
    `0x${'5a'.repeat(16)}`,
    '-out',
    'root.pem',
  );
  for (const name of ['leaf', 'ocsp']) {
    o('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
    o('req', '-new', '-key', `${name}.key`, '-subj', `/CN=HSM ${name}`, '-out', `${name}.csr`);
    o(
      'ca',
      '-batch',
      '-engine',
      'pkcs11',
      '-keyform',
      'engine',
      '-keyfile',
      KEY,
      '-cert',
      'root.pem',
      '-in',
      `${name}.csr`,
      '-extensions',
      name,
      '-days',
      '30',
      '-notext',
      '-out',
      `${name}.pem`,
    );
  }
  o(
    'ca',
    '-engine',
    'pkcs11',
    '-keyform',
    'engine',
    '-keyfile',
    KEY,
    '-cert',
    'root.pem',
    '-revoke',
    'leaf.pem',
    '-crl_reason',
    'superseded',
  );
  o(
    'ca',
    '-engine',
    'pkcs11',
    '-keyform',
    'engine',
    '-keyfile',
    KEY,
    '-cert',
    'root.pem',
    '-gencrl',
    '-crlexts',
    'crl_ext',
    '-out',
    'root.crl',
  );
  o(
    'ocsp',
    '-index',
    'index.txt',
    '-rsigner',
    'ocsp.pem',
    '-rkey',
    'ocsp.key',
    '-CA',
    'root.pem',
    '-issuer',
    'root.pem',
    '-cert',
    'leaf.pem',
    '-respout',
    'ocsp.der',
    '-ndays',
    '1',
  );
}, 120_000);

const accepts = (args: string[]): boolean => {
  const r = spawnSync('openssl', args, { cwd: dir, env, encoding: 'utf8' });
  return r.status === 0 && !/verify failure|error/i.test(`${r.stdout}${r.stderr}`);
};

describe.skipIf(missingTool(Boolean(MODULE), 'softhsm2'))('a CA key in SoftHSM2, through the pkcs11 engine', () => {
  it('the token-signed root, leaf, CRL and delegated OCSP response verify, as OpenSSL says', async () => {
    const trust = readTrustMaterial([
      { bytes: new Uint8Array(readFileSync(join(dir, 'root.pem'))), where: 'root.pem' },
    ]);
    const results = [];
    for (const file of ['root.pem', 'leaf.pem', 'root.crl', 'ocsp.der'])
      results.push(
        await verifyEvidenceSignatures(new Uint8Array(readFileSync(join(dir, file))), file, trust, { at: new Date() }),
      );
    expect(results.map((r) => r.checks.map((c) => [c.object, c.status, c.signer]))).toEqual([
      [['certificate "CN=HSM Root,O=Example"', 'valid', 'itself']],
      [['certificate "CN=HSM leaf"', 'valid', '"CN=HSM Root,O=Example" (root.pem)']],
      [['CRL of "CN=HSM Root,O=Example" number 16 (1 revoked)', 'valid', '"CN=HSM Root,O=Example" (root.pem)']],
      [
        [
          'OCSP response by "CN=HSM ocsp" (serial 2000 revoked)',
          'valid',
          '"CN=HSM ocsp" (in the response, certificate 1)',
        ],
        [
          'responder certificate "CN=HSM ocsp" (delegated by "CN=HSM Root,O=Example")',
          'valid',
          '"CN=HSM Root,O=Example" (root.pem)',
        ],
      ],
    ]);
    expect(results[0]?.checks[0]?.detail).toBe('ecdsa-with-SHA384 signature verified (self-signed)');
    expect(accepts(['verify', '-CAfile', 'root.pem', 'leaf.pem'])).toBe(true);
    expect(accepts(['crl', '-in', 'root.crl', '-CAfile', 'root.pem', '-noout'])).toBe(true);
    expect(accepts(['ocsp', '-respin', 'ocsp.der', '-CAfile', 'root.pem'])).toBe(true);
  });
});
