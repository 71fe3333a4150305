/**
 * The keys a session bundle records: the coordinator's in the genesis and each participant's in
 * their enrolment, so a message can be checked against a key named by its fingerprint (`qr
 * decode --bundle`). They are the keys as the bundle states them; `keywitness audit` is what
 * checks the bundle itself (its chain, its signatures, the paper record's coordinator key).
 */
import { decodeMessage, isMessageOf, selfCertifiedIdentity } from '../protocol/message.js';
import type { PublicIdentity } from '../protocol/identity.js';
import { equalBytes } from '../util/bytes.js';
import type { Bundle } from './files.js';

/** One key of a bundle, with who it belongs to as the bundle records them. */
export interface BundleKey {
  /** The transcript entry (0-based, as audit reports number them) that declares it. */
  readonly entry: number;
  readonly source: 'genesis' | 'enroll';
  readonly name: string;
  readonly role: string;
  readonly identity: PublicIdentity;
}

/** Every key a bundle's genesis and enrolments declare, in transcript order; undecodable entries are skipped. */
export function bundleKeys(bundle: Bundle): BundleKey[] {
  const keys: BundleKey[] = [];
  for (const [entry, wire] of bundle.transcript.entries()) {
    let message;
    try {
      message = decodeMessage(wire);
    } catch {
      continue; // the audit reports it; it declares no key
    }
    if (!isMessageOf(message, 'genesis', 'enroll')) continue;
    const { name, role } = message.envelope.body;
    keys.push({ entry, source: message.envelope.t, name, role, identity: selfCertifiedIdentity(message) });
  }
  return keys;
}

/** The key with this fingerprint (SHA-256 of the raw public key), if the bundle declares one. */
export function findBundleKey(keys: readonly BundleKey[], fingerprint: Uint8Array): BundleKey | undefined {
  return keys.find((k) => equalBytes(k.identity.fingerprint, fingerprint));
}
