/**
 * Signed PKI evidence made by OpenSSL during the test run, for `verify`: a CA with `openssl ca`
 * (its database, a revoked certificate, a CRL and OCSP responses, CA-signed and delegated), chains,
 * self-signed roots of every key type, and the wrong signers a ceremony must catch (an impostor
 * with the root's name, a leaf signing as a CA, a CA without keyCertSign or cRLSign, a name that
 * matches only as text).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CONF = `
[ca]
default_ca = ca_default
[ca_default]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
crlnumber = crlnumber
default_md = sha256
default_crl_days = 30
policy = policy_any
unique_subject = no
copy_extensions = none
[policy_any]
commonName = supplied
organizationName = optional
[req]
distinguished_name = dn
[dn]
[v3_root]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_ca]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_ca_nosign]
basicConstraints = critical,CA:true
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
[v3_leaf]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
authorityKeyIdentifier = keyid
[v3_ocsp]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
authorityKeyIdentifier = keyid
[crl_ext]
authorityKeyIdentifier = keyid
[printable]
distinguished_name = dn
string_mask = default
`;

export interface SignedFixtures {
  readonly dir: string;
  path(name: string): string;
  read(name: string): Uint8Array;
}

/** Run openssl in `dir` with the fixture configuration; returns stdout. */
export function ossl(dir: string, args: string[]): string {
  return execFileSync('openssl', args, {
    cwd: dir,
    env: { ...process.env, OPENSSL_CONF: join(dir, 'ca.cnf') },
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Flip one bit of the byte at `offset` from the end of a DER file (inside the signature). */
export function flipNearEnd(bytes: Uint8Array, offset = 5): Uint8Array {
  const copy = new Uint8Array(bytes);
  const at = copy.length - offset;
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
}

export function makeSignedFixtures(): SignedFixtures {
  const dir = mkdtempSync(join(tmpdir(), 'kw-verify-'));
  writeFileSync(join(dir, 'ca.cnf'), CONF);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(join(dir, 'crlnumber'), '01\n');
  const o = (...args: string[]): string => ossl(dir, args);
  const key = (name: string, ...opts: string[]): void => void o('genpkey', ...opts, '-out', `${name}.key`);
  key('root', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384');
  key('impostor', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384');
  for (const n of ['int', 'leaf', 'ocsp', 'nosign', 'printleaf', 'sub'])
    key(n, '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256');
  key('rsa', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048');
  key('ed25519', '-algorithm', 'ED25519');
  key('ed448', '-algorithm', 'ED448');
  const selfSigned = (name: string, keyName: string, subj: string, ext = 'v3_root', ...more: string[]): void =>
    void o(
      'req',
      '-new',
      '-x509',
      '-key',
      `${keyName}.key`,
      '-subj',
      subj,
      '-days',
      '3650',
      '-extensions',
      ext,
      ...more,
      '-out',
      `${name}.pem`,
    );
  selfSigned('root', 'root', '/O=Example/CN=Verify Root');
  selfSigned('impostor', 'impostor', '/O=Example/CN=Verify Root');
  selfSigned('rsa', 'rsa', '/CN=Self RSA');
  selfSigned('ed25519', 'ed25519', '/CN=Self Ed25519');
  selfSigned('ed448', 'ed448', '/CN=Self Ed448');
  // The root's key and name, but its name encoded as PrintableString rather than UTF8String.
  o(
    'req',
    '-new',
    '-x509',
    '-key',
    'root.key',
    '-subj',
    '/O=Example/CN=Verify Root',
    '-days',
    '3650',
    '-extensions',
    'v3_root',
    '-config',
    'ca.cnf',
    '-section',
    'printable',
    '-out',
    'root-printable.pem',
  );
  const csr = (name: string, subj: string): void =>
    void o('req', '-new', '-key', `${name}.key`, '-subj', subj, '-out', `${name}.csr`);
  const sign = (name: string, caCert: string, caKey: string, ext: string, serial: string): void =>
    void o(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      caCert,
      '-CAkey',
      caKey,
      '-days',
      '365',
      '-extfile',
      'ca.cnf',
      '-extensions',
      ext,
      '-set_serial',
      serial,
      '-out',
      `${name}.pem`,
    );
  csr('int', '/O=Example/CN=Verify Issuing CA');
  sign('int', 'root.pem', 'root.key', 'v3_ca', '0x0101');
  csr('leaf', '/CN=leaf.example');
  // Issued and later revoked through the CA database, so the CRL and OCSP responses name it.
  o(
    'ca',
    '-batch',
    '-config',
    'ca.cnf',
    '-cert',
    'root.pem',
    '-keyfile',
    'root.key',
    '-in',
    'leaf.csr',
    '-extensions',
    'v3_leaf',
    '-days',
    '30',
    '-notext',
    '-out',
    'leaf.pem',
  );
  o(
    'ca',
    '-config',
    'ca.cnf',
    '-cert',
    'root.pem',
    '-keyfile',
    'root.key',
    '-revoke',
    'leaf.pem',
    '-crl_reason',
    'keyCompromise',
  );
  o(
    'ca',
    '-config',
    'ca.cnf',
    '-cert',
    'root.pem',
    '-keyfile',
    'root.key',
    '-gencrl',
    '-crlexts',
    'crl_ext',
    '-out',
    'root.crl',
  );
  o('crl', '-in', 'root.crl', '-outform', 'DER', '-out', 'root.crl.der');
  o('ca', '-config', 'ca.cnf', '-cert', 'impostor.pem', '-keyfile', 'impostor.key', '-gencrl', '-out', 'impostor.crl');
  csr('nosign', '/O=Example/CN=No Sign CA');
  sign('nosign', 'root.pem', 'root.key', 'v3_ca_nosign', '0x0102');
  o('ca', '-config', 'ca.cnf', '-cert', 'nosign.pem', '-keyfile', 'nosign.key', '-gencrl', '-out', 'nosign.crl');
  csr('sub', '/CN=sub.example');
  sign('sub', 'int.pem', 'int.key', 'v3_leaf', '0x0201');
  writeFileSync(join(dir, 'sub-by-impostor.csr'), readFileSync(join(dir, 'sub.csr')));
  sign('sub-by-impostor', 'impostor.pem', 'impostor.key', 'v3_leaf', '0x0202');
  writeFileSync(join(dir, 'sub-by-leaf.csr'), readFileSync(join(dir, 'sub.csr')));
  sign('sub-by-leaf', 'leaf.pem', 'leaf.key', 'v3_leaf', '0x0203');
  writeFileSync(join(dir, 'sub-by-nosign.csr'), readFileSync(join(dir, 'sub.csr')));
  sign('sub-by-nosign', 'nosign.pem', 'nosign.key', 'v3_leaf', '0x0204');
  csr('printleaf', '/CN=printable.example');
  sign('printleaf', 'root-printable.pem', 'root.key', 'v3_leaf', '0x0301');
  csr('ocsp', '/O=Example/CN=Verify OCSP Responder');
  sign('ocsp', 'root.pem', 'root.key', 'v3_ocsp', '0x0401');
  writeFileSync(join(dir, 'ocsp-noeku.csr'), readFileSync(join(dir, 'ocsp.csr')));
  sign('ocsp-noeku', 'root.pem', 'root.key', 'v3_leaf', '0x0402');
  const respond = (out: string, signer: string, signerKey: string): void =>
    void o(
      'ocsp',
      '-index',
      'index.txt',
      '-rsigner',
      signer,
      '-rkey',
      signerKey,
      '-CA',
      'root.pem',
      '-issuer',
      'root.pem',
      '-cert',
      'leaf.pem',
      '-respout',
      out,
      '-ndays',
      '1',
    );
  respond('ocsp-by-ca.der', 'root.pem', 'root.key');
  respond('ocsp-delegated.der', 'ocsp.pem', 'ocsp.key');
  respond('ocsp-noeku.der', 'ocsp-noeku.pem', 'ocsp.key');
  respond('ocsp-impostor.der', 'impostor.pem', 'impostor.key');
  o('req', '-in', 'leaf.csr', '-outform', 'DER', '-out', 'leaf.csr.der');
  o('x509', '-in', 'root.pem', '-outform', 'DER', '-out', 'root.der');
  o('pkey', '-in', 'root.key', '-pubout', '-out', 'root.pub.pem');
  const text = (n: string): string => readFileSync(join(dir, n), 'utf8');
  writeFileSync(join(dir, 'chain.pem'), text('sub.pem') + text('int.pem') + text('root.pem'));
  writeFileSync(join(dir, 'root-tampered.der'), flipNearEnd(new Uint8Array(readFileSync(join(dir, 'root.der')))));
  return {
    dir,
    path: (name) => join(dir, name),
    read: (name) => new Uint8Array(readFileSync(join(dir, name))),
  };
}
