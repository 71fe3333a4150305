/**
 * The PKCS#11 boolean attributes `pkcs11-tool --list-objects` (`-O`) prints on each key object's
 * `Access:` line (OpenSC src/tools/pkcs11-tool.c, show_key): one word per attribute that is
 * CK_TRUE, in a fixed order, `none` when none is. SoftHSM2 prints `sensitive, always sensitive,
 * never extractable, local` for a key it generated, `sensitive` for one imported with
 * `--write-object`, and `local` on public keys. A word that is absent is CK_FALSE, so the line is
 * read only when the object has one.
 */
import type { HsmObject } from './types.js';

/** Each attribute the line can show: the word pkcs11-tool prints and the PKCS#11 name. */
export const ACCESS_ATTRIBUTES = {
  always_authenticate: { word: 'always authenticate', cka: 'CKA_ALWAYS_AUTHENTICATE' },
  sensitive: { word: 'sensitive', cka: 'CKA_SENSITIVE' },
  always_sensitive: { word: 'always sensitive', cka: 'CKA_ALWAYS_SENSITIVE' },
  extractable: { word: 'extractable', cka: 'CKA_EXTRACTABLE' },
  never_extractable: { word: 'never extractable', cka: 'CKA_NEVER_EXTRACTABLE' },
  local: { word: 'local', cka: 'CKA_LOCAL' },
} as const;

export type AccessAttribute = keyof typeof ACCESS_ATTRIBUTES;

/** An object's Access line read as attribute values, with any word pkcs11-tool is not known to print. */
export interface AccessFlags {
  /** The line as printed. */
  readonly line: string;
  readonly values: Readonly<Record<AccessAttribute, boolean>>;
  readonly unknown: readonly string[];
}

/**
 * Read an object's `Access:` line (one split on commas: linear in its length); undefined when the
 * output shows none for it, since then nothing is known of these attributes.
 */
export function accessFlags(o: HsmObject): AccessFlags | undefined {
  const line = Object.hasOwn(o.attributes, 'Access') ? o.attributes.Access : undefined;
  if (line === undefined) return undefined;
  const words = line
    .split(',')
    .map((w) => w.trim().toLowerCase())
    .filter((w) => w !== '' && w !== 'none');
  const known = new Set<string>(Object.values(ACCESS_ATTRIBUTES).map((a) => a.word));
  const values = Object.fromEntries(
    Object.entries(ACCESS_ATTRIBUTES).map(([name, a]) => [name, words.includes(a.word)]),
  ) as Record<AccessAttribute, boolean>;
  return { line, values, unknown: words.filter((w) => !known.has(w)) };
}
