/**
 * Test certificates, CSRs and keys made by OpenSSL during the test run (OpenSSL is installed by
 * .ci/run), so the facts our parser reports can be compared with what OpenSSL itself prints.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OPENSSL_CONF = `
[req]
distinguished_name = dn
[dn]
[v3_root]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_int]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
extendedKeyUsage = serverAuth,clientAuth
certificatePolicies = 2.23.140.1.2.1,1.3.6.1.4.1.99999.1
crlDistributionPoints = URI:http://crl.example/root.crl
authorityInfoAccess = caIssuers;URI:http://ca.example/root.crt,OCSP;URI:http://ocsp.example
nameConstraints = critical,permitted;DNS:.example.com,excluded;DNS:bad.example.com
subjectAltName = DNS:int.example.com,IP:192.0.2.1,email:ca@example.com
`;

/** Run openssl with the test config; returns stdout. */
export function openssl(dir: string, args: string[], input?: string): string {
  return execFileSync('openssl', args, {
    cwd: dir,
    env: { ...process.env, OPENSSL_CONF: join(dir, 'openssl.cnf') },
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export interface Fixtures {
  readonly dir: string;
  /** Read a generated file. */
  read(name: string): Uint8Array;
}

/** Generate keys and certificates: a P-384 root, a P-256 intermediate it signs, and self-signed RSA/Ed25519/Ed448/P-521 roots. */
export function makeFixtures(): Fixtures {
  const dir = mkdtempSync(join(tmpdir(), 'kw-evidence-'));
  writeFileSync(join(dir, 'openssl.cnf'), OPENSSL_CONF);
  const keys: Record<string, string[]> = {
    p384: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
    p256: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
    p521: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521'],
    rsa: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
    ed25519: ['-algorithm', 'ED25519'],
    ed448: ['-algorithm', 'ED448'],
  };
  for (const [name, opts] of Object.entries(keys)) {
    openssl(dir, ['genpkey', ...opts, '-out', `${name}.key`]);
    openssl(dir, ['pkey', '-in', `${name}.key`, '-pubout', '-out', `${name}.pub.pem`]);
    openssl(dir, ['pkey', '-in', `${name}.key`, '-pubout', '-outform', 'DER', '-out', `${name}.pub.der`]);
  }
  openssl(dir, [
    'req',
    '-new',
    '-x509',
    '-key',
    'p384.key',
    '-subj',
    '/C=DE/O=Example/CN=Example Root CA 2026',
    '-days',
    '9131',
    '-extensions',
    'v3_root',
    '-sha384',
    '-out',
    'root.pem',
  ]);
  openssl(dir, [
    'req',
    '-new',
    '-key',
    'p256.key',
    '-subj',
    '/O=Example/OU=Issuing/CN=Example Issuing CA',
    '-addext',
    'keyUsage=critical,keyCertSign',
    '-out',
    'int.csr',
  ]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'int.csr',
    '-CA',
    'root.pem',
    '-CAkey',
    'p384.key',
    '-days',
    '3650',
    '-extfile',
    'openssl.cnf',
    '-extensions',
    'v3_int',
    '-sha384',
    '-set_serial',
    '0x7b',
    '-out',
    'int.pem',
  ]);
  for (const name of ['rsa', 'ed25519', 'ed448', 'p521']) {
    openssl(dir, [
      'req',
      '-new',
      '-x509',
      '-key',
      `${name}.key`,
      '-subj',
      `/CN=Self ${name}`,
      '-days',
      '30',
      '-extensions',
      'v3_root',
      '-out',
      `${name}.pem`,
    ]);
  }
  openssl(dir, ['x509', '-in', 'root.pem', '-outform', 'DER', '-out', 'root.der']);
  openssl(dir, ['req', '-in', 'int.csr', '-outform', 'DER', '-out', 'int.csr.der']);
  writeFileSync(
    join(dir, 'chain.pem'),
    readFileSync(join(dir, 'int.pem'), 'utf8') + readFileSync(join(dir, 'root.pem'), 'utf8'),
  );
  writeFileSync(
    join(dir, 'chain-wrong-order.pem'),
    readFileSync(join(dir, 'root.pem'), 'utf8') + readFileSync(join(dir, 'int.pem'), 'utf8'),
  );
  return { dir, read: (name) => new Uint8Array(readFileSync(join(dir, name))) };
}
