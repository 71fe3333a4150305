/**
 * OCSP responses (RFC 6960 §4.2.1): the response status, and for a successful basic response the
 * responder id, production time, each certificate's status with its CertID, and the certificates
 * the responder included. The signed bytes come from the bounded DER walker; pkijs parses the same
 * bytes as a second, independent structural check.
 */
import * as pkijs from 'pkijs';
import { pkijsSchemaCheck } from './pkijs-schema.js';
import { KeywitnessError } from '../errors.js';
import { toHex } from '../util/bytes.js';
import { decodeTime, integerMagnitude, oidOf, smallInteger } from './asn1-values.js';
import { parseCertificate, type CertificateFacts } from './certificate.js';
import { CRL_REASONS } from './crl.js';
import { childrenOf, contentOf, encodingOf, expectTag, scanDer, type DerNode } from './der.js';
import { sha256Fingerprint, type Fingerprint } from './fingerprints.js';
import { formatName, readName, type NameRdns } from './names.js';
import { rawExtensions, splitSigned } from './signed-object.js';
import type { SignatureAlgorithm } from './verify.js';

/** RFC 6960 §4.2.1 OCSPResponseStatus names (4 is unused). */
export const OCSP_STATUSES: Readonly<Record<number, string>> = {
  0: 'successful',
  1: 'malformedRequest',
  2: 'internalError',
  3: 'tryLater',
  5: 'sigRequired',
  6: 'unauthorized',
};

const OID_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
const OID_OCSP_NONCE = '1.3.6.1.5.5.7.48.1.2';

/** Hash algorithms a CertID may use: OID → name. */
export const CERT_ID_HASHES: Readonly<Record<string, string>> = {
  '1.3.14.3.2.26': 'SHA-1',
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};

/** One SingleResponse (RFC 6960 §4.2.1). */
export interface OcspSingleResponse {
  /** CertID hash algorithm name, or its OID. */
  readonly hashAlgorithm: string;
  readonly issuerNameHash: string;
  readonly issuerKeyHash: string;
  /** Serial of the certificate asked about, lower-case hex of its magnitude. */
  readonly serial: string;
  readonly status: 'good' | 'revoked' | 'unknown';
  readonly revocationTime: Date | undefined;
  readonly revocationReason: string | undefined;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
}

/** The responder: by name (the exact DER and its text) or by the SHA-1 of its key (§4.2.2.3). */
export type ResponderId =
  | { readonly byName: true; readonly name: string; readonly rdns: NameRdns; readonly der: Uint8Array }
  | { readonly byName: false; readonly keyHash: string };

/** Facts of a successful basic OCSP response. */
export interface OcspFacts {
  readonly type: 'ocsp-response';
  readonly der: Uint8Array;
  readonly status: 'successful';
  readonly tbs: Uint8Array;
  readonly algorithm: SignatureAlgorithm;
  readonly signature: Uint8Array;
  readonly responder: ResponderId;
  readonly producedAt: Date;
  readonly responses: readonly OcspSingleResponse[];
  /** Certificates the responder included (`certs [0]`), e.g. a delegated responder's. */
  readonly certificates: readonly CertificateFacts[];
  readonly nonce: string | undefined;
  readonly sha256: Fingerprint;
}

/** Largest number of SingleResponses read from one response. */
export const MAX_OCSP_RESPONSES = 1000;

function invalid(message: string, where: string): never {
  throw new KeywitnessError('EVIDENCE_INVALID', message, { where });
}

function pkijsCheck(der: Uint8Array, basic: Uint8Array, where: string): void {
  pkijsSchemaCheck(der, 'OCSP response', where, (schema) => new pkijs.OCSPResponse({ schema }));
  pkijsSchemaCheck(basic, 'OCSP response', where, (schema) => new pkijs.BasicOCSPResponse({ schema }));
}

function generalizedTime(bytes: Uint8Array, node: DerNode | undefined, what: string, where: string): Date {
  if (!node || node.cls !== 0 || node.tag !== 24) invalid(`${what} must be a GeneralizedTime (RFC 6960 §4.2.1)`, where);
  return decodeTime(bytes, node, `${where} ${what}`);
}

function singleResponse(der: Uint8Array, node: DerNode, where: string): OcspSingleResponse {
  const [certId, statusNode, thisUpdateNode, ...optional] = childrenOf(
    der,
    expectTag(node, 16, 'SingleResponse', where),
    where,
  );
  const [hashAlg, nameHash, keyHash, serialNode, extra] = childrenOf(
    der,
    expectTag(certId, 16, 'CertID', where),
    where,
  );
  if (extra) invalid('CertID has unexpected trailing fields', where);
  const hashOid = oidOf(der, childrenOf(der, expectTag(hashAlg, 16, 'CertID hashAlgorithm', where), where)[0], where);
  const serial = integerMagnitude(contentOf(der, expectTag(serialNode, 2, 'CertID serialNumber', where)), where);
  if (!statusNode || statusNode.cls !== 2 || statusNode.tag > 2) invalid('certStatus must be [0], [1] or [2]', where);
  let status: OcspSingleResponse['status'] = 'unknown';
  let revocationTime: Date | undefined;
  let revocationReason: string | undefined;
  if (statusNode.tag === 0) {
    if (statusNode.end !== statusNode.contentStart) invalid('certStatus good must be an empty NULL', where);
    status = 'good';
  } else if (statusNode.tag === 1) {
    status = 'revoked';
    const [time, reason, more] = childrenOf(der, statusNode, where);
    if (more) invalid('RevokedInfo has unexpected trailing fields', where);
    revocationTime = generalizedTime(der, time, 'revocationTime', where);
    if (reason) {
      if (reason.cls !== 2 || reason.tag !== 0) invalid('revocationReason must be [0]', where);
      const [enumNode] = childrenOf(der, reason, where);
      if (!enumNode || enumNode.tag !== 10) invalid('revocationReason must hold an ENUMERATED', where);
      const c = contentOf(der, enumNode);
      revocationReason =
        (c.length === 1 ? CRL_REASONS[c[0] ?? -1] : undefined) ??
        invalid(`unknown revocation reason ${toHex(c)}`, where);
    }
  }
  const thisUpdate = generalizedTime(der, thisUpdateNode, 'thisUpdate', where);
  let nextUpdate: Date | undefined;
  for (const field of optional) {
    if (field.cls === 2 && field.tag === 0 && nextUpdate === undefined) {
      nextUpdate = generalizedTime(der, childrenOf(der, field, where)[0], 'nextUpdate', where);
    } else if (field.cls === 2 && field.tag === 1) {
      const [exts] = childrenOf(der, field, where);
      if (!exts) invalid('singleExtensions [1] is empty', where);
      for (const ext of rawExtensions(der, exts, where))
        if (ext.critical) invalid(`unknown critical single extension ${ext.oid} (RFC 6960 §4.4)`, where);
    } else invalid(`unexpected field in SingleResponse at byte ${field.start}`, where);
  }
  return {
    hashAlgorithm: CERT_ID_HASHES[hashOid] ?? hashOid,
    issuerNameHash: toHex(contentOf(der, expectTag(nameHash, 4, 'issuerNameHash', where))),
    issuerKeyHash: toHex(contentOf(der, expectTag(keyHash, 4, 'issuerKeyHash', where))),
    serial: toHex(serial.magnitude),
    status,
    revocationTime,
    revocationReason,
    thisUpdate,
    nextUpdate,
  };
}

/**
 * Read a DER OCSPResponse (RFC 6960 §4.2.1). Only a successful response carries a signature, so any
 * other status is refused as evidence, naming the status; so are response types other than
 * id-pkix-ocsp-basic, trailing bytes, and more than {@link MAX_OCSP_RESPONSES} SingleResponses.
 * @throws KeywitnessError EVIDENCE_INVALID / EVIDENCE_UNSUPPORTED / INPUT_TOO_LARGE naming the field.
 */
export function parseOcspResponse(der: Uint8Array, where: string): OcspFacts {
  const root = expectTag(scanDer(der, where), 16, 'OCSPResponse', where);
  const [statusNode, bytesField, extra] = childrenOf(der, root, where);
  if (extra) invalid('OCSPResponse has unexpected trailing fields', where);
  if (!statusNode || statusNode.cls !== 0 || statusNode.tag !== 10)
    invalid('responseStatus must be an ENUMERATED', where);
  const statusContent = contentOf(der, statusNode);
  const statusValue = statusContent.length === 1 ? (statusContent[0] ?? -1) : -1;
  const statusName = OCSP_STATUSES[statusValue];
  if (statusName === undefined)
    invalid(`responseStatus ${toHex(statusContent)} is not one RFC 6960 §4.2.1 defines`, where);
  if (statusValue !== 0) {
    if (bytesField) invalid(`a "${statusName}" response must not carry responseBytes`, where);
    throw new KeywitnessError(
      'EVIDENCE_INVALID',
      `the OCSP response status is "${statusName}": it carries no signed answer`,
      {
        where,
      },
    );
  }
  if (!bytesField || bytesField.cls !== 2 || bytesField.tag !== 0)
    invalid('a successful response needs responseBytes [0]', where);
  const [responseBytes, extraBytes] = childrenOf(der, bytesField, where);
  if (extraBytes) invalid('responseBytes [0] holds more than one element', where);
  const [typeNode, octets, more] = childrenOf(der, expectTag(responseBytes, 16, 'ResponseBytes', where), where);
  if (more) invalid('ResponseBytes has unexpected trailing fields', where);
  const responseType = oidOf(der, typeNode, where);
  if (responseType !== OID_OCSP_BASIC)
    throw new KeywitnessError('EVIDENCE_UNSUPPORTED', `response type ${responseType} is not id-pkix-ocsp-basic`, {
      where,
    });
  const basic = contentOf(der, expectTag(octets, 4, 'ResponseBytes response', where));
  const at = `${where} BasicOCSPResponse`;
  const signed = splitSigned(basic, scanDer(basic, at), 'BasicOCSPResponse', at, 1);
  const certificates: CertificateFacts[] = [];
  const [certsField] = signed.rest;
  if (certsField) {
    if (certsField.cls !== 2 || certsField.tag !== 0) invalid('the field after the signature must be certs [0]', at);
    const [seq, extraSeq] = childrenOf(basic, certsField, at);
    if (!seq || extraSeq) invalid('certs [0] must hold exactly one SEQUENCE OF Certificate', at);
    for (const [i, c] of childrenOf(basic, expectTag(seq, 16, 'certs', at), at).entries())
      certificates.push(parseCertificate(new Uint8Array(encodingOf(basic, c)), `${at} certificate ${i + 1}`));
  }
  const fields = childrenOf(basic, signed.tbsNode, at);
  let i = 0;
  if (fields[0]?.cls === 2 && fields[0].tag === 0) {
    const v = smallInteger(basic, childrenOf(basic, fields[0], at)[0], `${at} version`);
    if (v !== 0) invalid(`ResponseData version ${v + 1} is not v1 (RFC 6960 §4.2.1)`, at);
    i = 1;
  }
  const rid = fields[i];
  let responder: ResponderId;
  if (rid?.cls === 2 && rid.tag === 1) {
    const [nameNode] = childrenOf(basic, rid, at);
    const rdns = readName(basic, expectTag(nameNode, 16, 'responderID byName', at), `${at} responderID`);
    responder = {
      byName: true,
      name: formatName(rdns),
      rdns,
      der: encodingOf(basic, expectTag(nameNode, 16, 'Name', at)),
    };
  } else if (rid?.cls === 2 && rid.tag === 2) {
    const [hash] = childrenOf(basic, rid, at);
    const keyHash = contentOf(basic, expectTag(hash, 4, 'responderID byKey', at));
    if (keyHash.length !== 20)
      invalid(`responderID byKey is ${keyHash.length} bytes; a SHA-1 KeyHash is 20 (RFC 6960 §4.2.1)`, at);
    responder = { byName: false, keyHash: toHex(keyHash) };
  } else return invalid('responderID must be byName [1] or byKey [2]', at);
  const producedAt = generalizedTime(basic, fields[i + 1], 'producedAt', at);
  const list = childrenOf(basic, expectTag(fields[i + 2], 16, 'responses', at), at);
  if (list.length === 0) invalid('responses is empty', at);
  if (list.length > MAX_OCSP_RESPONSES)
    throw new KeywitnessError('INPUT_TOO_LARGE', `${list.length} SingleResponses; at most ${MAX_OCSP_RESPONSES}`, {
      where: at,
    });
  const responses = list.map((n, k) => singleResponse(basic, n, `${at} response ${k + 1}`));
  let nonce: string | undefined;
  const extsField = fields[i + 3];
  if (extsField) {
    if (extsField.cls !== 2 || extsField.tag !== 1)
      invalid(`unexpected field in ResponseData at byte ${extsField.start}`, at);
    const [exts] = childrenOf(basic, extsField, at);
    if (!exts) invalid('responseExtensions [1] is empty', at);
    for (const ext of rawExtensions(basic, exts, at)) {
      if (ext.oid === OID_OCSP_NONCE) nonce = toHex(ext.value);
      else if (ext.critical) invalid(`unknown critical response extension ${ext.oid} (RFC 6960 §4.4)`, at);
    }
  }
  if (fields[i + 4]) invalid('ResponseData has unexpected trailing fields', at);
  pkijsCheck(der, basic, where);
  return {
    type: 'ocsp-response',
    der,
    status: 'successful',
    tbs: signed.tbs,
    algorithm: signed.algorithm,
    signature: signed.signature,
    responder,
    producedAt,
    responses,
    certificates,
    nonce,
    sha256: sha256Fingerprint(der),
  };
}
