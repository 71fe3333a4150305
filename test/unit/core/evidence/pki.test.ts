import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate, parseCsr, validityDays } from '../../../../src/core/evidence/certificate.js';
import { checkChain, isSelfIssued, verifyIssuedBy, verifyWith } from '../../../../src/core/evidence/chain.js';
import { describeSpki } from '../../../../src/core/evidence/keys.js';
import { derBlocks } from '../../../../src/core/evidence/pem.js';
import { installCryptoEngine } from '../../../../src/node/crypto-engine.js';
import { makeFixtures, openssl, type Fixtures } from './fixtures.js';

let fx: Fixtures;
beforeAll(() => {
  fx = makeFixtures();
});

function cert(name: string) {
  return parseCertificate(derBlocks(fx.read(name), ['CERTIFICATE'], name)[0]!.der, name);
}

const CERTS = ['root.pem', 'int.pem', 'rsa.pem', 'ed25519.pem', 'ed448.pem', 'p521.pem'];

describe('certificates compared with openssl', () => {
  it.each(CERTS)('%s: fingerprints, SPKI hash, subject, issuer, serial and validity equal openssl', (name) => {
    const c = cert(name);
    const fp256 = openssl(fx.dir, ['x509', '-in', name, '-noout', '-fingerprint', '-sha256']).trim().split('=')[1];
    const fp1 = openssl(fx.dir, ['x509', '-in', name, '-noout', '-fingerprint', '-sha1']).trim().split('=')[1];
    expect(c.sha256.colonHex).toBe(fp256);
    expect(c.sha1.colonHex).toBe(fp1);
    const pub = openssl(fx.dir, ['x509', '-in', name, '-noout', '-pubkey']);
    const spkiDer = derBlocks(new TextEncoder().encode(pub), ['PUBLIC KEY'], 'pub')[0]!.der;
    expect(c.key.spkiSha256.hex).toBe(createHash('sha256').update(spkiDer).digest('hex'));
    expect(c.subject).toBe(
      openssl(fx.dir, ['x509', '-in', name, '-noout', '-subject', '-nameopt', 'RFC2253'])
        .trim()
        .replace(/^subject=/, ''),
    );
    expect(c.issuer).toBe(
      openssl(fx.dir, ['x509', '-in', name, '-noout', '-issuer', '-nameopt', 'RFC2253'])
        .trim()
        .replace(/^issuer=/, ''),
    );
    const serial = openssl(fx.dir, ['x509', '-in', name, '-noout', '-serial'])
      .trim()
      .replace(/^serial=/, '');
    expect(c.serial.toUpperCase().replace(/^0+(?=.)/, '')).toBe(serial.replace(/^0+(?=.)/, ''));
    const dates = openssl(fx.dir, ['x509', '-in', name, '-noout', '-startdate', '-enddate']);
    expect(c.notBefore.getTime()).toBe(Date.parse(/notBefore=(.*)/.exec(dates)![1]!));
    expect(c.notAfter.getTime()).toBe(Date.parse(/notAfter=(.*)/.exec(dates)![1]!));
  });

  it('reads key algorithm, size and curve for every key type', () => {
    const table: [string, string, number, string | undefined][] = [
      ['root.pem', 'ECDSA', 384, 'P-384'],
      ['int.pem', 'ECDSA', 256, 'P-256'],
      ['p521.pem', 'ECDSA', 521, 'P-521'],
      ['rsa.pem', 'RSA', 2048, undefined],
      ['ed25519.pem', 'Ed25519', 256, 'Ed25519'],
      ['ed448.pem', 'Ed448', 448, 'Ed448'],
    ];
    for (const [name, algorithm, size, curve] of table) {
      const k = cert(name).key;
      expect([name, k.algorithm, k.size, k.curve]).toEqual([name, algorithm, size, curve]);
    }
    expect(cert('rsa.pem').key.exponent).toBe('65537');
  });

  it('reads every extension of the intermediate as openssl prints it', () => {
    const c = cert('int.pem');
    const text = openssl(fx.dir, ['x509', '-in', 'int.pem', '-noout', '-text']);
    const e = c.extensions;
    expect(e.basicConstraints).toEqual({ ca: true, pathLen: 0, critical: true });
    expect(text).toContain('CA:TRUE, pathlen:0');
    expect(e.keyUsage).toEqual({ usages: ['digitalSignature', 'keyCertSign', 'cRLSign'], critical: true });
    expect(e.extendedKeyUsage?.purposes).toEqual(['serverAuth', 'clientAuth']);
    const ski = /Subject Key Identifier:\s*\n\s*([0-9A-F:]+)/.exec(text)![1]!;
    expect(e.subjectKeyIdentifier).toBe(ski.replace(/:/g, '').toLowerCase());
    expect(e.authorityKeyIdentifier?.keyId).toBe(cert('root.pem').extensions.subjectKeyIdentifier);
    expect(e.nameConstraints).toEqual({
      permitted: ['DNS:.example.com'],
      excluded: ['DNS:bad.example.com'],
      critical: true,
    });
    expect(e.certificatePolicies).toEqual(['2.23.140.1.2.1', '1.3.6.1.4.1.99999.1']);
    expect(e.crlDistributionPoints).toEqual(['URI:http://crl.example/root.crl']);
    expect(e.authorityInfoAccess).toEqual([
      'CA Issuers - URI:http://ca.example/root.crt',
      'OCSP - URI:http://ocsp.example',
    ]);
    for (const a of e.authorityInfoAccess!) expect(text).toContain(a);
    expect(e.subjectAltName).toEqual(['DNS:int.example.com', 'IP Address:192.0.2.1', 'email:ca@example.com']);
    expect(c.serial).toBe('7b');
    expect(validityDays(cert('root.pem'))).toBe(9131);
  });

  it('reads a CSR in PEM and DER with its requested extensions and self-signature', async () => {
    const pem = parseCsr(derBlocks(fx.read('int.csr'), ['CERTIFICATE REQUEST'], 'csr')[0]!.der, 'csr');
    const der = parseCsr(fx.read('int.csr.der'), 'csr');
    expect(pem.sha256.hex).toBe(der.sha256.hex);
    expect(pem.subject).toBe('CN=Example Issuing CA,OU=Issuing,O=Example');
    expect(pem.extensions.keyUsage?.usages).toEqual(['keyCertSign']);
    expect(pem.key.spkiSha256.hex).toBe(describeSpki(fx.read('p256.pub.der'), 'k').spkiSha256.hex);
    expect((await verifyWith(pem, pem.key, 'csr')).status).toBe('valid');
  });
});

describe('signatures', () => {
  for (const engine of ['platform WebCrypto', '@peculiar/webcrypto']) {
    it(`verifies every self-signed root and the chain (${engine})`, async () => {
      if (engine === '@peculiar/webcrypto') installCryptoEngine();
      for (const name of ['root.pem', 'rsa.pem', 'ed25519.pem', 'p521.pem']) {
        const c = cert(name);
        expect(isSelfIssued(c)).toBe(true);
        expect([name, (await verifyWith(c, c.key, name)).status]).toEqual([name, 'valid']);
      }
      const ed448 = cert('ed448.pem');
      const r = await verifyWith(ed448, ed448.key, 'ed448');
      // Ed448 must verify or be reported as unsupported, never pass silently as something else.
      expect(['valid', 'unsupported']).toContain(r.status);
      expect(r.detail).toMatch(/Ed448/);
      expect((await verifyIssuedBy(cert('int.pem'), cert('root.pem'), 'int')).status).toBe('valid');
      expect((await verifyIssuedBy(cert('int.pem'), cert('rsa.pem'), 'int')).status).toBe('invalid');
      const chain = await checkChain([cert('int.pem'), cert('root.pem')], 'chain');
      expect(chain.map((l) => l.result.status)).toEqual(['valid', 'valid']);
      const wrong = await checkChain([cert('root.pem'), cert('int.pem')], 'chain');
      expect(wrong.map((l) => l.result.status)).toEqual(['invalid', 'unsupported']);
    });
  }

  it('rejects a certificate whose signature byte was changed', async () => {
    const der = new Uint8Array(fx.read('root.der'));
    der[der.length - 5]! ^= 0x01;
    const c = parseCertificate(der, 'tampered');
    expect((await verifyWith(c, c.key, 'tampered')).status).toBe('invalid');
  });

  it('rejects a certificate whose signed part was changed', async () => {
    const der = new Uint8Array(fx.read('root.der'));
    const c0 = parseCertificate(der, 'orig');
    const text = new TextDecoder('latin1').decode(der);
    const at = text.lastIndexOf('Example Root CA 2026');
    der[at] = 'e'.charCodeAt(0);
    const c = parseCertificate(der, 'tampered');
    expect(c.subject).not.toBe(c0.subject);
    expect((await verifyWith(c, c.key, 'tampered')).status).toBe('invalid');
  });
});
