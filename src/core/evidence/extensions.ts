/**
 * Certificate extensions (RFC 5280 §4.2) a ceremony checks: basic constraints, key usage, EKU,
 * SKI/AKI, name constraints, policies, CRL distribution points, AIA and subject alternative names.
 * Values are read from the exact DER; duplicates are refused (§4.2: "MUST NOT include more than
 * one instance of a particular extension").
 */
import { KeywitnessError } from '../errors.js';
import { byteString, hexOf, oidOf, smallInteger } from './asn1-values.js';
import { childrenOf, contentOf, scanDer, type DerNode } from './der.js';
import { formatName, readName } from './names.js';
import { ACCESS_METHODS, EKUS, EXTENSIONS, KEY_USAGE_BITS, oidName } from './oids.js';

/** The extensions of a certificate, decoded. */
export interface ExtensionFacts {
  readonly basicConstraints?: {
    readonly ca: boolean;
    readonly pathLen: number | undefined;
    readonly critical: boolean;
  };
  readonly keyUsage?: { readonly usages: readonly string[]; readonly critical: boolean };
  readonly extendedKeyUsage?: { readonly purposes: readonly string[]; readonly critical: boolean };
  readonly subjectKeyIdentifier?: string;
  readonly authorityKeyIdentifier?: {
    readonly keyId: string | undefined;
    readonly issuer: readonly string[];
    readonly serial: string | undefined;
  };
  readonly nameConstraints?: {
    readonly permitted: readonly string[];
    readonly excluded: readonly string[];
    readonly critical: boolean;
  };
  readonly certificatePolicies?: readonly string[];
  readonly crlDistributionPoints?: readonly string[];
  readonly authorityInfoAccess?: readonly string[];
  readonly subjectAltName?: readonly string[];
  /** Every extension present, in order: name (or OID) and criticality. */
  readonly present: readonly { readonly oid: string; readonly name: string; readonly critical: boolean }[];
}

function invalid(message: string, where: string): never {
  throw new KeywitnessError('EVIDENCE_INVALID', message, { where });
}

function ipText(raw: Uint8Array): string {
  if (raw.length === 4 || raw.length === 8) {
    const addr = Array.from(raw.subarray(0, 4)).join('.');
    return raw.length === 8 ? `${addr}/${Array.from(raw.subarray(4)).join('.')}` : addr;
  }
  const groups: string[] = [];
  for (let i = 0; i + 1 < raw.length && i < 16; i += 2)
    groups.push((((raw[i] ?? 0) << 8) | (raw[i + 1] ?? 0)).toString(16));
  return raw.length === 32 ? `${groups.slice(0, 8).join(':')}/${groups.slice(8).join(':')}` : groups.join(':');
}

/** A GeneralName (§4.2.1.6) as OpenSSL prints it: `DNS:…`, `URI:…`, `email:…`, `IP Address:…`, `DirName:…`. */
export function formatGeneralName(bytes: Uint8Array, node: DerNode, where: string): string {
  if (node.cls !== 2) invalid('GeneralName must be context-tagged', where);
  const ascii = (): string => byteString(contentOf(bytes, node));
  switch (node.tag) {
    case 1:
      return `email:${ascii()}`;
    case 2:
      return `DNS:${ascii()}`;
    case 6:
      return `URI:${ascii()}`;
    case 7:
      return `IP Address:${ipText(contentOf(bytes, node))}`;
    case 4: {
      const [name] = childrenOf(bytes, node, where);
      if (!name) invalid('empty directoryName', where);
      return `DirName:${formatName(readName(bytes, name, where))}`;
    }
    case 8:
      return `Registered ID:${oidOf(bytes, { ...node, cls: 0, tag: 6 }, where)}`;
    default:
      return `othername(${node.tag}):${hexOf(bytes, node)}`;
  }
}

function generalNames(bytes: Uint8Array, node: DerNode, where: string): string[] {
  return childrenOf(bytes, node, where).map((n) => formatGeneralName(bytes, n, where));
}

function sequenceOf(value: Uint8Array, where: string): { root: DerNode; items: DerNode[] } {
  const root = scanDer(value, where);
  if (root.cls !== 0 || root.tag !== 16) invalid('extension value must be a SEQUENCE', where);
  return { root, items: childrenOf(value, root, where) };
}

/** Decode the `extensions` [3] field of a TBSCertificate (or the CSR extensionRequest attribute). */
export function readExtensions(bytes: Uint8Array, extsSeq: DerNode, where: string): ExtensionFacts {
  const out: { -readonly [K in keyof ExtensionFacts]: ExtensionFacts[K] } = { present: [] };
  const present: { oid: string; name: string; critical: boolean }[] = [];
  for (const ext of childrenOf(bytes, extsSeq, where)) {
    const fields = childrenOf(bytes, ext, where);
    const oid = oidOf(bytes, fields[0], where);
    const name = oidName(EXTENSIONS, oid);
    const at = `${where} extension ${name}`;
    let critical = false;
    let valueNode = fields[1];
    if (valueNode && valueNode.cls === 0 && valueNode.tag === 1) {
      critical = contentOf(bytes, valueNode)[0] === 0xff;
      if (!critical) invalid('critical FALSE must be omitted in DER (X.690 §11.5)', at);
      valueNode = fields[2];
    }
    if (!valueNode || valueNode.cls !== 0 || valueNode.tag !== 4) invalid('extnValue OCTET STRING missing', at);
    if (present.some((p) => p.oid === oid)) invalid('extension appears more than once (RFC 5280 §4.2)', at);
    present.push({ oid, name, critical });
    const v = contentOf(bytes, valueNode);
    switch (oid) {
      case '2.5.29.19': {
        const { items } = sequenceOf(v, at);
        let ca = false;
        let pathLen: number | undefined;
        for (const item of items) {
          if (item.tag === 1) ca = contentOf(v, item)[0] === 0xff;
          else pathLen = smallInteger(v, item, at);
        }
        out.basicConstraints = { ca, pathLen, critical };
        break;
      }
      case '2.5.29.15': {
        const node = scanDer(v, at);
        const c = contentOf(v, node);
        if (node.tag !== 3 || c.length < 1) invalid('keyUsage must be a BIT STRING', at);
        // A bit past the end of the string is not set (DER drops trailing zero bits, X.690 §11.2.2).
        const usages = KEY_USAGE_BITS.filter((_, bit) => ((c[1 + (bit >> 3)] ?? 0) & (0x80 >> (bit & 7))) !== 0);
        out.keyUsage = { usages, critical };
        break;
      }
      case '2.5.29.37':
        out.extendedKeyUsage = {
          purposes: sequenceOf(v, at).items.map((n) => oidName(EKUS, oidOf(v, n, at))),
          critical,
        };
        break;
      case '2.5.29.14': {
        const node = scanDer(v, at);
        if (node.tag !== 4) invalid('subjectKeyIdentifier must be an OCTET STRING', at);
        out.subjectKeyIdentifier = hexOf(v, node);
        break;
      }
      case '2.5.29.35': {
        let keyId: string | undefined;
        let issuer: string[] = [];
        let serial: string | undefined;
        for (const item of sequenceOf(v, at).items) {
          if (item.tag === 0) keyId = hexOf(v, item);
          else if (item.tag === 1) issuer = generalNames(v, item, at);
          else if (item.tag === 2) serial = hexOf(v, item);
        }
        out.authorityKeyIdentifier = { keyId, issuer, serial };
        break;
      }
      case '2.5.29.30': {
        const permitted: string[] = [];
        const excluded: string[] = [];
        for (const item of sequenceOf(v, at).items) {
          const target = item.tag === 0 ? permitted : excluded;
          for (const subtree of childrenOf(v, item, at)) {
            const [base] = childrenOf(v, subtree, at);
            if (base) target.push(formatGeneralName(v, base, at));
          }
        }
        out.nameConstraints = { permitted, excluded, critical };
        break;
      }
      case '2.5.29.32':
        out.certificatePolicies = sequenceOf(v, at).items.map((p) => oidOf(v, childrenOf(v, p, at)[0], at));
        break;
      case '2.5.29.31': {
        const points: string[] = [];
        for (const dp of sequenceOf(v, at).items) {
          for (const field of childrenOf(v, dp, at)) {
            if (field.tag !== 0) continue;
            for (const dpName of childrenOf(v, field, at)) {
              if (dpName.tag === 0) points.push(...childrenOf(v, dpName, at).map((n) => formatGeneralName(v, n, at)));
            }
          }
        }
        out.crlDistributionPoints = points;
        break;
      }
      case '1.3.6.1.5.5.7.1.1':
        out.authorityInfoAccess = sequenceOf(v, at).items.map((ad) => {
          const [method, location] = childrenOf(v, ad, at);
          if (!location) invalid('AccessDescription without a location', at);
          return `${oidName(ACCESS_METHODS, oidOf(v, method, at))} - ${formatGeneralName(v, location, at)}`;
        });
        break;
      case '2.5.29.17':
        out.subjectAltName = generalNames(v, scanDer(v, at), at);
        break;
      default:
        break;
    }
  }
  out.present = present;
  return out;
}
