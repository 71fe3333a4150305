/**
 * Names for the object identifiers a witness meets in ceremony evidence. Names follow OpenSSL's
 * long/short names where a witness compares our output with `openssl x509 -text`.
 */

/** Named curves: OID → canonical name (NIST names where one exists, RFC 8410 for Edwards). */
export const CURVES: Readonly<Record<string, string>> = {
  '1.2.840.10045.3.1.7': 'P-256',
  '1.3.132.0.34': 'P-384',
  '1.3.132.0.35': 'P-521',
  '1.3.132.0.33': 'P-224',
  '1.3.132.0.10': 'secp256k1',
  '1.3.36.3.3.2.8.1.1.7': 'brainpoolP256r1',
  '1.3.36.3.3.2.8.1.1.11': 'brainpoolP384r1',
  '1.3.36.3.3.2.8.1.1.13': 'brainpoolP512r1',
};

/** Aliases other tools print for the same curves (lower-cased) → canonical name. */
const CURVE_ALIASES: Readonly<Record<string, string>> = {
  'p-256': 'P-256',
  p256: 'P-256',
  secp256r1: 'P-256',
  prime256v1: 'P-256',
  ecp256: 'P-256',
  'nist p-256': 'P-256',
  'p-384': 'P-384',
  p384: 'P-384',
  secp384r1: 'P-384',
  ecp384: 'P-384',
  'nist p-384': 'P-384',
  'p-521': 'P-521',
  p521: 'P-521',
  secp521r1: 'P-521',
  ecp521: 'P-521',
  'nist p-521': 'P-521',
  'p-224': 'P-224',
  p224: 'P-224',
  secp224r1: 'P-224',
  ecp224: 'P-224',
  'nist p-224': 'P-224',
  secp256k1: 'secp256k1',
  ecp256k1: 'secp256k1',
  brainpoolp256r1: 'brainpoolP256r1',
  ecbp256: 'brainpoolP256r1',
  brainpoolp384r1: 'brainpoolP384r1',
  ecbp384: 'brainpoolP384r1',
  brainpoolp512r1: 'brainpoolP512r1',
  ecbp512: 'brainpoolP512r1',
  ed25519: 'Ed25519',
  edwards25519: 'Ed25519',
  'curve25519-ed': 'Ed25519',
  ed448: 'Ed448',
  edwards448: 'Ed448',
};

/**
 * Own-property lookup: names from evidence or scripts (`constructor`, `__proto__`) must never reach
 * Object.prototype through a table.
 */
export function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Canonical curve name for any spelling tools use, or undefined when unknown. */
export function canonicalCurve(name: string): string | undefined {
  const key = name.trim().toLowerCase();
  return lookup(CURVE_ALIASES, key) ?? lookup(CURVES, key);
}

/** Inverse of CURVES: canonical name → OID. */
export const CURVE_OIDS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(CURVES).map(([o, n]) => [n, o]),
);

/** Field size in bits of each named curve, which is the "key size" tools print. */
export const CURVE_BITS: Readonly<Record<string, number>> = {
  'P-256': 256,
  'P-384': 384,
  'P-521': 521,
  'P-224': 224,
  secp256k1: 256,
  brainpoolP256r1: 256,
  brainpoolP384r1: 384,
  brainpoolP512r1: 512,
  Ed25519: 256,
  Ed448: 448,
};

export const OID_RSA = '1.2.840.113549.1.1.1';
export const OID_RSA_PSS = '1.2.840.113549.1.1.10';
export const OID_EC = '1.2.840.10045.2.1';
export const OID_ED25519 = '1.3.101.112';
export const OID_ED448 = '1.3.101.113';

/** Signature algorithms: OID → OpenSSL name. */
export const SIGNATURE_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
};

/** Extended key usage purposes: OID → RFC 5280 / OpenSSL short name. */
export const EKUS: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '2.5.29.37.0': 'anyExtendedKeyUsage',
};

/** Extensions: OID → name used in facts and expectations. */
export const EXTENSIONS: Readonly<Record<string, string>> = {
  '2.5.29.14': 'subjectKeyIdentifier',
  '2.5.29.15': 'keyUsage',
  '2.5.29.17': 'subjectAltName',
  '2.5.29.19': 'basicConstraints',
  '2.5.29.30': 'nameConstraints',
  '2.5.29.31': 'cRLDistributionPoints',
  '2.5.29.32': 'certificatePolicies',
  '2.5.29.35': 'authorityKeyIdentifier',
  '2.5.29.37': 'extendedKeyUsage',
  '1.3.6.1.5.5.7.1.1': 'authorityInfoAccess',
};

/** Access methods in AIA: OID → name. */
export const ACCESS_METHODS: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.48.1': 'OCSP',
  '1.3.6.1.5.5.7.48.2': 'CA Issuers',
};

/** RFC 5280 §4.2.1.3 KeyUsage bit names, in bit order. */
export const KEY_USAGE_BITS: readonly string[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

/** Attribute types with RFC 4514 §3 names (and a few OpenSSL also prints by name). */
export const ATTRIBUTE_TYPES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '2.5.4.5': 'serialNumber',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '2.5.4.4': 'SN',
  '2.5.4.42': 'GN',
  '2.5.4.12': 'title',
  '2.5.4.97': 'organizationIdentifier',
};

/** Name → OID for attribute types (case-insensitive lookup via lower-cased keys). */
export const ATTRIBUTE_OIDS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(ATTRIBUTE_TYPES).map(([oid, name]) => [name.toLowerCase(), oid]),
);

/** Display name for an OID from a table, or the dotted form. */
export function oidName(table: Readonly<Record<string, string>>, oid: string): string {
  return lookup(table, oid) ?? oid;
}
