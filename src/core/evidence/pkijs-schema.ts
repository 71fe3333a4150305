/**
 * pkijs's schema check, applied after our own bounded DER walk. asn1js reports most malformed
 * input through its result, but some values (a GeneralizedTime with impossible digits, say) throw
 * while decoding: every failure, however it surfaces, becomes one EVIDENCE_INVALID naming `what`.
 */
import * as asn1js from 'asn1js';
import { KeywitnessError } from '../errors.js';
import { MAX_DER_DEPTH, MAX_DER_ELEMENTS } from './der.js';

/**
 * Decode `der` with asn1js and build the pkijs object with `make`, refusing anything either
 * rejects.
 * @throws KeywitnessError EVIDENCE_INVALID "not decodable as ASN.1" or "not a well-formed <what>".
 */
export function pkijsSchemaCheck(
  der: Uint8Array,
  what: string,
  where: string,
  make: (schema: asn1js.AsnType) => unknown,
): void {
  let asn: ReturnType<typeof asn1js.fromBER>;
  try {
    asn = asn1js.fromBER(der, { maxDepth: MAX_DER_DEPTH + 8, maxNodes: MAX_DER_ELEMENTS });
  } catch (e) {
    throw new KeywitnessError('EVIDENCE_INVALID', `not decodable as ASN.1: ${(e as Error).message}`, {
      where,
      cause: e,
    });
  }
  if (asn.offset === -1) {
    throw new KeywitnessError('EVIDENCE_INVALID', `not decodable as ASN.1: ${asn.result.error}`, { where });
  }
  try {
    make(asn.result);
  } catch (e) {
    throw new KeywitnessError('EVIDENCE_INVALID', `not a well-formed ${what}: ${(e as Error).message}`, {
      where,
      cause: e,
    });
  }
}
