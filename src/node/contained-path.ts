/**
 * Real-path containment: resolve a path under a root through every symbolic link and refuse it
 * unless it still lies inside the root. Used by the app:// protocol (files of the renderer
 * bundle) and by import (a file the operator picked must not be a link out of its folder).
 */
import { realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { KeywitnessError } from '../core/errors.js';
import { ioError } from './fs-util.js';

/** True when `child` equals `root` or lies below it (both already real, absolute paths). */
export function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The real path of `segments` joined under `root`, refusing with POLICY_DENIED when links lead
 * outside the root and NOT_FOUND when nothing is there. Segments must already be single path
 * components (no separators, no '..'): the textual gate is src/main/policy/path-containment.ts.
 */
export async function containedRealPath(root: string, segments: readonly string[]): Promise<string> {
  if (!isAbsolute(root)) throw new KeywitnessError('INPUT_INVALID', 'root must be an absolute path', { where: root });
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..' || s.includes('/') || s.includes('\\') || s.includes('\0')) {
      throw new KeywitnessError('POLICY_DENIED', `"${s}" is not a single path component`, { where: root });
    }
  }
  const realRoot = await realpath(root).catch((e: unknown) => {
    throw ioError(e, 'cannot resolve the folder', root);
  });
  const target = join(realRoot, ...segments);
  const realTarget = await realpath(target).catch((e: unknown) => {
    throw ioError(e, 'cannot resolve the file', target);
  });
  if (!isInside(realRoot, realTarget)) {
    throw new KeywitnessError(
      'POLICY_DENIED',
      `refusing ${segments.join('/')}: it is a link to ${realTarget}, outside ${realRoot}`,
      { where: target },
    );
  }
  return realTarget;
}
