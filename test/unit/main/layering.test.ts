/**
 * The shell's layering: policy modules are pure (no electron, no Node built-ins), the IPC
 * handlers and the preload's bridge builder never import electron, so all of them are tested
 * here without Electron. Only the glue files may import it.
 */
import { describe, it, expect } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../../..');

async function importsOf(file: string): Promise<string[]> {
  const text = await readFile(join(ROOT, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)]
    .map((m) => m[1]!)
    .concat([...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!));
}

async function tsFiles(dir: string): Promise<string[]> {
  return (await readdir(join(ROOT, dir))).filter((f) => f.endsWith('.ts')).map((f) => `${dir}/${f}`);
}

describe('shell layering', () => {
  it('policy modules import neither electron nor Node built-ins', async () => {
    const files = await tsFiles('src/main/policy');
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const f of files) {
      for (const spec of await importsOf(f)) {
        expect(spec, `${f} imports ${spec}`).not.toBe('electron');
        expect(spec, `${f} imports ${spec}`).not.toMatch(/^node:/);
        // Siblings, or the platform-free shared modules (the CSP is defined in src/shared/csp.ts).
        expect(spec, `${f} imports ${spec}`).toMatch(/^\.\/|^\.\.\/\.\.\/shared\/[a-z-]+\.js$/);
      }
    }
  });

  it('handlers and the bridge builder never import electron', async () => {
    for (const f of [...(await tsFiles('src/main/handlers')), 'src/preload/bridge.ts']) {
      expect(await importsOf(f), f).not.toContain('electron');
    }
  });

  it('only the glue imports electron', async () => {
    const glue = [];
    for (const f of [...(await tsFiles('src/main')), ...(await tsFiles('src/preload'))]) {
      if ((await importsOf(f)).includes('electron')) glue.push(f);
    }
    expect(glue.sort()).toEqual([
      'src/main/app-protocol.ts',
      'src/main/dialogs.ts',
      'src/main/harden.ts',
      'src/main/main.ts',
      'src/preload/preload.ts',
    ]);
  });
});
