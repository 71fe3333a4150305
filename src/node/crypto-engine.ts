/**
 * WebCrypto for evidence checks in Node (main process and CLI): pkijs is given an engine backed by
 * @peculiar/webcrypto, so certificate and CSR signatures verify the same way on every Node version.
 * The renderer does not call this; there pkijs uses the browser's WebCrypto.
 */
import { Crypto } from '@peculiar/webcrypto';
import * as pkijs from 'pkijs';

let installed: Crypto | undefined;

/**
 * Install the @peculiar/webcrypto engine for pkijs (idempotent) and return the Crypto in use.
 * Core evidence code reads it back through `pkijs.getCrypto()`.
 */
export function installCryptoEngine(): Crypto {
  if (installed) return installed;
  const crypto = new Crypto();
  pkijs.setEngine('@peculiar/webcrypto', new pkijs.CryptoEngine({ name: '@peculiar/webcrypto', crypto }));
  installed = crypto;
  return crypto;
}
