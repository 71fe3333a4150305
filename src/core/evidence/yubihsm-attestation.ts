/**
 * YubiHSM 2 key attestation (Yubico, "YubiHSM 2 Attestation"): a certificate the HSM issues for a
 * key it holds, signed by the device's attestation key, whose certificate ("YubiHSM Attestation
 * (serial)") the verifier is given as the trust anchor. The Yubico extensions under
 * 1.3.6.1.4.1.41482.4 say which device made the statement and about which key: firmware (.1),
 * device serial (.2), origin (.3: generated on the device, imported, or imported under wrap), domains
 * (.4), capabilities (.5), object id (.6) and label (.9). The certificate itself is an ordinary
 * X.509 certificate (RFC 5280 §4.1), so its signature is checked like any other.
 */
import { KeywitnessError } from '../errors.js';
import { toHex } from '../util/bytes.js';
import { integerMagnitude } from './asn1-values.js';
import type { CertificateFacts } from './certificate.js';
import { contentOf, scanDer } from './der.js';
import type { KeyFacts } from './keys.js';
import { certificateExtensions, type RawExtension } from './signed-object.js';

/** The Yubico attestation extension arc. */
export const YUBICO_ATTESTATION_ARC = '1.3.6.1.4.1.41482.4';

/** YubiHSM 2 capability bits (yubihsm.h `yh_capability`), bit number → name. */
export const YUBIHSM_CAPABILITIES: Readonly<Record<number, string>> = {
  0: 'get-opaque',
  1: 'put-opaque',
  2: 'put-authentication-key',
  3: 'put-asymmetric-key',
  4: 'generate-asymmetric-key',
  5: 'sign-pkcs',
  6: 'sign-pss',
  7: 'sign-ecdsa',
  8: 'sign-eddsa',
  9: 'decrypt-pkcs',
  10: 'decrypt-oaep',
  11: 'derive-ecdh',
  12: 'export-wrapped',
  13: 'import-wrapped',
  14: 'put-wrap-key',
  15: 'generate-wrap-key',
  16: 'exportable-under-wrap',
  17: 'set-option',
  18: 'get-option',
  19: 'get-pseudo-random',
  20: 'put-mac-key',
  21: 'generate-hmac-key',
  22: 'sign-hmac',
  23: 'verify-hmac',
  24: 'get-log-entries',
  25: 'sign-ssh-certificate',
  26: 'get-template',
  27: 'put-template',
  28: 'reset-device',
  29: 'decrypt-otp',
  30: 'create-otp-aead',
  31: 'randomize-otp-aead',
  32: 'rewrap-from-otp-aead-key',
  33: 'rewrap-to-otp-aead-key',
  34: 'sign-attestation-certificate',
  35: 'put-otp-aead-key',
  36: 'generate-otp-aead-key',
  37: 'wrap-data',
  38: 'unwrap-data',
  39: 'delete-opaque',
  40: 'delete-authentication-key',
  41: 'delete-asymmetric-key',
  42: 'delete-wrap-key',
  43: 'delete-hmac-key',
  44: 'delete-template',
  45: 'delete-otp-aead-key',
  46: 'change-authentication-key',
};

/** Origin bits (yubihsm.h): generated here, imported, and imported under wrap (with the original origin). */
const ORIGIN_GENERATED = 0x01;
const ORIGIN_IMPORTED = 0x02;
const ORIGIN_WRAPPED = 0x10;

/** What a key attestation says. */
export interface YubiHsmAttestation {
  /** `key` for a key attestation; `device` for the device's own attestation certificate (serial only). */
  readonly role: 'key' | 'device';
  /** Firmware version, `2.1.2`. */
  readonly firmware: string | undefined;
  /** Device serial number. */
  readonly serial: number | undefined;
  /** Origin byte and its reading. */
  readonly origin:
    | {
        readonly value: number;
        /** `generated` only when the key was generated on this device and never imported. */
        readonly text:
          'generated' | 'imported' | 'generated, imported under wrap' | 'imported, imported under wrap' | string;
        readonly generatedOnDevice: boolean;
      }
    | undefined;
  readonly domains: readonly number[] | undefined;
  readonly capabilities: readonly string[] | undefined;
  /** Object id, as yubihsm-shell shows it: `0x0003`. */
  readonly objectId: string | undefined;
  readonly label: string | undefined;
  /** The attested public key: the certificate's subjectPublicKeyInfo. */
  readonly key: KeyFacts;
  /** Extensions in the Yubico arc this reader does not know: OID and value hex. */
  readonly unknown: readonly { readonly oid: string; readonly hex: string }[];
}

function invalid(message: string, where: string): never {
  throw new KeywitnessError('EVIDENCE_INVALID', message, { where });
}

/** A DER value inside an extension, checked to be one element of the expected universal tag. */
function inner(ext: RawExtension, tag: number, what: string, where: string): Uint8Array {
  const node = scanDer(ext.value, where);
  if (node.cls !== 0 || node.tag !== tag || node.constructed)
    invalid(`${what} (${ext.oid}) must be universal tag ${tag}`, where);
  return contentOf(ext.value, node);
}

function bitStringBytes(ext: RawExtension, what: string, where: string): Uint8Array {
  const c = inner(ext, 3, what, where);
  if (c.length < 1 || c[0] !== 0) invalid(`${what} (${ext.oid}) must be a BIT STRING with no unused bits`, where);
  return c.subarray(1);
}

function smallUnsigned(ext: RawExtension, what: string, where: string): number {
  const { negative, magnitude } = integerMagnitude(inner(ext, 2, what, where), where);
  if (negative || magnitude.length > 4) invalid(`${what} (${ext.oid}) is not a 32-bit unsigned integer`, where);
  return magnitude.reduce((a, b) => a * 256 + b, 0);
}

function originText(value: number): string {
  const parts: string[] = [];
  if (value & ORIGIN_GENERATED) parts.push('generated');
  if (value & ORIGIN_IMPORTED) parts.push('imported');
  if (value & ORIGIN_WRAPPED) parts.push('imported under wrap');
  const rest = value & ~(ORIGIN_GENERATED | ORIGIN_IMPORTED | ORIGIN_WRAPPED);
  if (rest) parts.push(`unknown bits 0x${rest.toString(16).padStart(2, '0')}`);
  return parts.length ? parts.join(', ') : 'none';
}

/**
 * Read the Yubico attestation extensions of a certificate; undefined when it has none. Each value is
 * checked to have the form the YubiHSM writes (firmware three octets, serial an INTEGER, origin one
 * octet, domains two, capabilities eight, label a UTF8String of at most 40 octets).
 * @throws KeywitnessError EVIDENCE_INVALID naming the extension and what is wrong with it.
 */
export function readYubiHsmAttestation(cert: CertificateFacts, where: string): YubiHsmAttestation | undefined {
  const exts = certificateExtensions(cert.der, where).filter((e) => e.oid.startsWith(`${YUBICO_ATTESTATION_ARC}.`));
  if (exts.length === 0) return undefined;
  let firmware: string | undefined;
  let serial: number | undefined;
  let origin: YubiHsmAttestation['origin'];
  let domains: number[] | undefined;
  let capabilities: string[] | undefined;
  let objectId: string | undefined;
  let label: string | undefined;
  const unknown: { oid: string; hex: string }[] = [];
  for (const ext of exts) {
    const at = `${where} extension ${ext.oid}`;
    switch (ext.oid.slice(YUBICO_ATTESTATION_ARC.length + 1)) {
      case '1': {
        const v = inner(ext, 4, 'firmware version', at);
        if (v.length !== 3) invalid(`the firmware version is ${v.length} octets; a YubiHSM writes 3`, at);
        firmware = Array.from(v).join('.');
        break;
      }
      case '2':
        serial = smallUnsigned(ext, 'serial number', at);
        break;
      case '3': {
        const v = bitStringBytes(ext, 'origin', at);
        if (v.length !== 1) invalid(`the origin is ${v.length} octets; a YubiHSM writes 1`, at);
        const value = v[0] ?? 0;
        origin = {
          value,
          text: originText(value),
          generatedOnDevice: value === ORIGIN_GENERATED,
        };
        break;
      }
      case '4': {
        const v = bitStringBytes(ext, 'domains', at);
        if (v.length !== 2) invalid(`the domains are ${v.length} octets; a YubiHSM writes 2`, at);
        const bits = ((v[0] ?? 0) << 8) | (v[1] ?? 0);
        domains = Array.from({ length: 16 }, (_, i) => i)
          .filter((i) => bits & (1 << i))
          .map((i) => i + 1);
        break;
      }
      case '5': {
        const v = bitStringBytes(ext, 'capabilities', at);
        if (v.length !== 8) invalid(`the capabilities are ${v.length} octets; a YubiHSM writes 8`, at);
        capabilities = [];
        for (let bit = 0; bit < 64; bit++) {
          const byte = v[7 - (bit >> 3)] ?? 0;
          if (byte & (1 << (bit & 7))) capabilities.push(YUBIHSM_CAPABILITIES[bit] ?? `capability bit ${bit}`);
        }
        break;
      }
      case '6': {
        const id = smallUnsigned(ext, 'object id', at);
        if (id > 0xffff) invalid(`object id ${id} is larger than 16 bits`, at);
        objectId = `0x${id.toString(16).padStart(4, '0')}`;
        break;
      }
      case '9': {
        const v = inner(ext, 12, 'label', at);
        if (v.length > 40) invalid(`the label is ${v.length} octets; a YubiHSM label has at most 40`, at);
        try {
          label = new TextDecoder('utf-8', { fatal: true }).decode(v);
        } catch {
          invalid('the label is not valid UTF-8', at);
        }
        break;
      }
      default:
        unknown.push({ oid: ext.oid, hex: toHex(ext.value) });
    }
  }
  const keyFields = [firmware, origin, domains, capabilities, objectId, label];
  return {
    role: keyFields.every((f) => f === undefined) ? 'device' : 'key',
    firmware,
    serial,
    origin,
    domains,
    capabilities,
    objectId,
    label,
    key: cert.key,
    unknown,
  };
}

/** One line saying what an attestation attests, for reports. */
export function describeAttestation(a: YubiHsmAttestation): string {
  if (a.role === 'device') return `YubiHSM 2 device attestation certificate, serial ${a.serial ?? '?'}`;
  const key = [a.key.algorithm, a.key.curve, a.key.size ? `${a.key.size} bits` : undefined].filter(Boolean).join(' ');
  return [
    `YubiHSM 2 serial ${a.serial ?? '?'} (firmware ${a.firmware ?? '?'}) attests object ${a.objectId ?? '?'}`,
    `label "${a.label ?? ''}"`,
    `origin ${a.origin?.text ?? '?'}`,
    `domains ${a.domains?.join(',') ?? '?'}`,
    `capabilities ${a.capabilities?.join(',') ?? '?'}`,
    `key ${key}, SPKI SHA-256 ${a.key.spkiSha256.hex}`,
  ].join('; ');
}
