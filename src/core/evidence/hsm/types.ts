/**
 * Facts read from an HSM tool's transcript (docs/architecture.md, "Evidence and checks"): the
 * objects it lists or generated, the token or HSM it talked to, whether the operation succeeded,
 * and any public key it printed, rebuilt as a SubjectPublicKeyInfo so it can be compared with a
 * certificate's.
 */
import type { KeyFacts } from '../keys.js';

/** One key or object the transcript shows. */
export interface HsmObject {
  /** `public-key`, `private-key`, `secret-key`, `certificate`, `data`, or the tool's own word. */
  readonly class: string | undefined;
  /** Normalised key type: `RSA`, `EC`, `EC_EDWARDS`, `AES`, … (the tool's spelling is in `attributes`). */
  readonly keyType: string | undefined;
  readonly label: string | undefined;
  /** Object id as the tool prints it (hex for PKCS#11 CKA_ID, `0x…` for YubiHSM). */
  readonly id: string | undefined;
  /** Key size in bits. */
  readonly bits: number | undefined;
  /** Canonical curve name (`P-384`, `Ed25519`). */
  readonly curve: string | undefined;
  /** Public key rebuilt from the printed point or modulus, when the transcript has one. */
  readonly publicKey: KeyFacts | undefined;
  /** Every other attribute as printed. */
  readonly attributes: Readonly<Record<string, string>>;
}

/** Everything a parser found. */
export interface HsmFacts {
  /** Parser that read it: `pkcs11-tool`, `softhsm2-util`, `yubihsm-shell`, `openssl`, `luna`, `cloudhsm-kmu`, `cloudhsm-cli`, `text`. */
  readonly format: string;
  /** True when the tool reported success, false on a reported failure, undefined when it says neither. */
  readonly success: boolean | undefined;
  /** Error lines the tool printed. */
  readonly errors: readonly string[];
  /** Token/HSM/partition facts by snake_case name (`serial`, `token_label`, `model`, `firmware`, …). */
  readonly facts: Readonly<Record<string, string>>;
  readonly objects: readonly HsmObject[];
  /** Every public key found (from objects, printed PEM blocks, or openssl text dumps), deduplicated by SPKI. */
  readonly publicKeys: readonly KeyFacts[];
}

/** The object fields a parser fills in; the rest default to undefined. */
export type HsmObjectInit = Partial<Omit<HsmObject, 'attributes'>> & { attributes?: Record<string, string> };

/** Complete an object with undefined defaults. */
export function hsmObject(init: HsmObjectInit): HsmObject {
  return {
    class: init.class,
    keyType: init.keyType,
    label: init.label,
    id: init.id,
    bits: init.bits,
    curve: init.curve,
    publicKey: init.publicKey,
    attributes: init.attributes ?? {},
  };
}
