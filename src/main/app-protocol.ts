/**
 * The app:// protocol: serves the built renderer (dist-renderer/) with the CSP and security
 * headers of policy/csp.ts. The scheme is registered as privileged (standard, secure, fetch) before
 * `ready`, so the renderer is a secure context on its own origin without file:// privileges.
 */
import { protocol, type Session } from 'electron';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_SCHEME } from './policy/origin.js';
import { resolveAppPath } from './policy/path-containment.js';
import { responseHeaders } from './policy/csp.js';
import { containedRealPath } from '../node/contained-path.js';
import type { Logger } from './harden.js';

/** Must run before `ready` (Electron requirement). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true },
    },
  ]);
}

/**
 * Resolve the file for a request under `root`. In a checkout the real path must stay under the
 * root (links out are refused); inside app.asar there are no links to follow and Electron's
 * asar file system does not resolve real paths, so the textual check of resolveAppPath is the gate.
 */
async function fileFor(root: string, segments: readonly string[]): Promise<string> {
  if (/\.asar([/\\]|$)/.test(root)) return join(root, ...segments);
  return containedRealPath(root, segments);
}

/** Serve `root` on app:// in `ses`. */
export function serveAppProtocol(ses: Session, root: string, log: Logger): void {
  ses.protocol.handle(APP_SCHEME, async (request) => {
    const plain = (status: number, text: string) =>
      new Response(text, { status, headers: responseHeaders('text/plain; charset=utf-8') });
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'method not allowed');
    const resolved = resolveAppPath(request.url);
    if (!resolved.ok) {
      log(`app:// refused ${request.url.slice(0, 200)}: ${resolved.reason}`);
      return plain(resolved.status, resolved.reason);
    }
    try {
      const bytes = await readFile(await fileFor(root, resolved.segments));
      return new Response(request.method === 'HEAD' ? null : new Uint8Array(bytes), {
        status: 200,
        headers: responseHeaders(resolved.mimeType),
      });
    } catch (e) {
      log(`app:// not served ${resolved.segments.join('/')}: ${(e as Error).message}`);
      return plain(404, 'not found');
    }
  });
}
