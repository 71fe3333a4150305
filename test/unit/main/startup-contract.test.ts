/**
 * The Electron start-up contract of the built main process (dist/main/main.js).
 *
 * This test stands in for Electron because no Electron binary is available here: the bundle that
 * `npm run build:main` makes is run by plain Node with a recording stand-in in place of the
 * `electron` module (test/support/electron-stand-in/), which offers only the API main uses, plays
 * Electron's part of start-up and records every call. It shows the order of start-up, the refusal
 * of debugging switches and the handling of a failed start; it cannot show that Chromium honours
 * what main asks of it. That is the `_electron` suite's job (test/electron/), which is kept as it
 * is and runs wherever a binary exists.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT } from '../../../src/shared/ipc.js';
import { DANGEROUS_ENVIRONMENT, HARDENING_SWITCHES } from '../../../src/main/policy/switch-policy.js';
import { mainWindowOptions } from '../../../src/main/policy/window-options.js';
import { computeBuildHash } from '../../../src/node/build-info.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const MAIN = join(ROOT, 'dist/main/main.js');
const REGISTER = join(ROOT, 'test/support/electron-stand-in/register.mjs');
const PAGE = '<!doctype html><title>stand-in page</title>\n';

interface Recorded {
  events: { call: string; args: unknown[] }[];
  probes: Record<string, unknown>;
  exitCode: number;
}
interface Scenario {
  isPackaged?: boolean;
  /** `keywitness.flavour` in the app's own package.json (what a packaged e2e build carries). */
  packagedFlavour?: string;
  args?: string[];
  env?: Record<string, string>;
  lock?: boolean;
  failLoad?: boolean;
  /** Put a symbolic link among the shipped files, which the build hash refuses. */
  linkInShippedFiles?: boolean;
  /** The stand-in call that throws, as Electron's own calls can. */
  throwAt?: string;
}

let work: string;
let runs = 0;

beforeAll(async () => {
  // The contract is about the bundle that ships, so build it exactly as package.json does.
  execFileSync('npm', ['run', '--silent', 'build:main'], { cwd: ROOT, stdio: 'pipe' });
  work = await mkdtemp(join(tmpdir(), 'kw-startup-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Run the built main process once under the stand-in; resolves with what it recorded. */
async function start(s: Scenario = {}): Promise<Recorded & { stderr: string; appPath: string }> {
  const dir = join(work, `run-${++runs}`);
  const appPath = join(dir, 'app');
  await mkdir(join(appPath, 'dist-renderer'), { recursive: true });
  await mkdir(join(dir, 'user-data'));
  const pkg = {
    name: 'keywitness',
    version: '9.8.7',
    ...(s.packagedFlavour ? { keywitness: { flavour: s.packagedFlavour } } : {}),
  };
  await writeFile(join(appPath, 'package.json'), JSON.stringify(pkg));
  await writeFile(join(appPath, 'dist-renderer/index.html'), PAGE);
  if (s.linkInShippedFiles) await symlink('/etc/hostname', join(appPath, 'dist-renderer/linked.js'));
  const record = join(dir, 'record.json');
  const scenario = {
    record,
    appPath,
    userData: join(dir, 'user-data'),
    isPackaged: s.isPackaged ?? false,
    args: s.args ?? [],
    lock: s.lock ?? true,
    failLoad: s.failLoad ?? false,
    throwAt: s.throwAt,
  };
  // The test runner's own environment must not decide the flavour or trip a refusal.
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of ['KEYWITNESS_SIMULATE_FLAVOUR', ...Object.keys(DANGEROUS_ENVIRONMENT)]) delete env[name];
  Object.assign(env, s.env, { KEYWITNESS_ELECTRON_STAND_IN: JSON.stringify(scenario) });
  const stderr = await new Promise<string>((done) => {
    execFile(process.execPath, ['--import', REGISTER, MAIN], { env, timeout: 30_000 }, (_error, _out, err) =>
      done(err),
    );
  });
  const recorded = JSON.parse(await readFile(record, 'utf8')) as Recorded;
  return { ...recorded, stderr, appPath };
}

const calls = (r: Recorded) => r.events.map((e) => e.call);
const indexOf = (r: Recorded, call: string) => {
  const i = calls(r).indexOf(call);
  if (i < 0) throw new Error(`${call} was never called; calls: ${calls(r).join(', ')}`);
  return i;
};

describe('a normal start', () => {
  let run: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    run = await start();
  });

  it('hardens the command line, forces the sandbox, registers app:// and takes the lock before ready', () => {
    const ready = indexOf(run, 'ready');
    const switches = run.events.filter((e) => e.call === 'app.commandLine.appendSwitch').map((e) => e.args);
    expect(switches).toEqual(HARDENING_SWITCHES.map(([name, value]) => [name, value ?? null]));
    expect(run.events.findLastIndex((e) => e.call === 'app.commandLine.appendSwitch')).toBeLessThan(ready);
    for (const call of ['app.enableSandbox', 'protocol.registerSchemesAsPrivileged', 'app.requestSingleInstanceLock']) {
      expect(indexOf(run, call), call).toBeLessThan(ready);
    }
    const schemes = run.events[indexOf(run, 'protocol.registerSchemesAsPrivileged')]!.args[0];
    expect(schemes).toEqual([
      {
        scheme: 'app',
        privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true },
      },
    ]);
    for (const event of ['session-created', 'web-contents-created', 'second-instance', 'before-quit']) {
      expect(indexOf(run, `app.on:${event}`), event).toBeLessThan(ready);
    }
  });

  it('after ready: hardens the session, serves app://, registers every channel of the contract, then makes the window', () => {
    const ready = indexOf(run, 'ready');
    const afterReady = calls(run).slice(ready);
    expect(afterReady.filter((c) => c === 'defaultSession.webRequest.onBeforeRequest')).toHaveLength(1);
    const protocol = indexOf(run, 'defaultSession.protocol.handle');
    const window = indexOf(run, 'new BrowserWindow');
    expect(indexOf(run, 'defaultSession.webRequest.onBeforeRequest')).toBeGreaterThan(ready);
    expect(indexOf(run, 'defaultSession.setPermissionRequestHandler')).toBeGreaterThan(ready);
    expect(protocol).toBeGreaterThan(ready);
    const channels = run.events.filter((e) => e.call === 'ipcMain.handle');
    expect(channels.map((e) => e.args[0]).sort()).toEqual(
      Object.values(CONTRACT)
        .map((row) => row.channel)
        .sort(),
    );
    expect(run.events.findIndex((e) => e.call === 'ipcMain.handle')).toBeGreaterThan(protocol);
    expect(run.events.findLastIndex((e) => e.call === 'ipcMain.handle')).toBeLessThan(window);
    expect(indexOf(run, 'window.loadURL')).toBeGreaterThan(window);
    expect(run.events[indexOf(run, 'window.loadURL')]!.args).toEqual(['app://keywitness/index.html']);
  });

  it('makes the window with the policy options and hardens its web contents', () => {
    const expected = mainWindowOptions(join(run.appPath, 'dist', 'preload', 'preload.cjs'), 'dev');
    const made = run.events[indexOf(run, 'new BrowserWindow')]!.args[0];
    expect(made).toEqual(expected);
    for (const hook of ['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview']) {
      expect(indexOf(run, `webContents.on:${hook}`), hook).toBeGreaterThan(indexOf(run, 'new BrowserWindow'));
    }
    expect(calls(run)).toContain('webContents.setWindowOpenHandler');
    expect(run.exitCode).toBe(0);
  });

  it('wires the policies to the hooks it registered', async () => {
    const p = run.probes;
    expect(p['error']).toBeUndefined();
    expect(p['request']).toEqual({
      'app://keywitness/index.html': { cancel: false },
      'https://example.com/': { cancel: true },
      'file:///etc/passwd': { cancel: true },
      'ws://10.0.0.1/': { cancel: true },
    });
    expect(p['served']).toMatchObject({ status: 200, body: PAGE });
    expect(String((p['served'] as { csp: string } | undefined)?.csp)).toContain("default-src 'none'");
    expect(p['servedOutside']).toBe(404);
    const build = await computeBuildHash(run.appPath);
    expect(p['ipc']).toEqual({
      app: {
        ok: true,
        value: {
          version: '9.8.7',
          flavour: 'dev',
          buildHashHex: build.hex,
          buildHashWords: build.words,
          buildFileCount: build.fileCount,
        },
      },
      otherOrigin: { ok: false, code: 'IPC_REJECTED', message: 'messages from https://example.com/ are refused' },
      subFrame: { ok: false, code: 'IPC_REJECTED', message: 'messages from sub-frames are refused' },
      twoArguments: { ok: false, code: 'IPC_REJECTED', message: 'one argument per call' },
    });
    expect(p['windowOpen']).toEqual({ action: 'deny' });
    expect(p['navigationPrevented']).toBe(true);
    expect(p['geolocation']).toBe(false);
  });
  it('quits, once the last window closes, only after the journals are closed and their locks released', () => {
    const p = run.probes;
    const journal = 'abababababababababababababababab.kwjournal';
    expect(p['append']).toEqual({ ok: true, value: { seq: 0 } });
    expect(p['journalsWhileOpen']).toEqual([journal, `${journal}.lock`]);
    // The first quit is held back while the journals close; the second goes through.
    expect(calls(run).slice(indexOf(run, 'window-all-closed'))).toEqual(['window-all-closed', 'app.quit', 'app.quit']);
    expect(p['journalsAtExit']).toEqual([journal]);
    expect(run.exitCode).toBe(0);
  });
});

describe('debugging switches and environment', () => {
  const refused: { name: string; scenario: Scenario; names: string }[] = [
    {
      name: 'remote debugging port',
      scenario: { args: ['--remote-debugging-port=9222'] },
      names: 'remote debugging port',
    },
    { name: 'Node inspector', scenario: { args: ['--inspect=9229'] }, names: 'Node inspector' },
    { name: 'inspector, break at start', scenario: { args: ['--inspect-brk'] }, names: 'Node inspector' },
    { name: 'no sandbox', scenario: { args: ['--no-sandbox'] }, names: 'renderer sandbox' },
    { name: 'engine flags', scenario: { args: ['--js-flags=--expose-gc'] }, names: 'JavaScript engine' },
    {
      name: 'upper-case spelling',
      scenario: { args: ['--Remote-Debugging-Port=9222'] },
      names: 'remote debugging port',
    },
    { name: 'after a bare --', scenario: { args: ['--', '--remote-debugging-pipe'] }, names: 'remote debugging pipe' },
    {
      name: 'unknown switch',
      scenario: { args: ['--some-new-switch'] },
      names: 'release builds accept no command-line switches',
    },
    { name: 'a file argument', scenario: { args: ['/tmp/evil.html'] }, names: 'takes no file or URL arguments' },
    { name: 'ELECTRON_RUN_AS_NODE', scenario: { env: { ELECTRON_RUN_AS_NODE: '1' } }, names: 'plain Node runtime' },
    { name: 'ELECTRON_ENABLE_LOGGING', scenario: { env: { ELECTRON_ENABLE_LOGGING: '1' } }, names: 'internals' },
    {
      name: 'an environment asking for the e2e flavour does not loosen a packaged build',
      scenario: { args: ['--inspect'], env: { KEYWITNESS_SIMULATE_FLAVOUR: 'e2e' } },
      names: 'Node inspector',
    },
  ];
  it.each(refused)('release refuses $name: error box, exit 2, nothing else done', async ({ scenario, names }) => {
    const run = await start({ ...scenario, isPackaged: true });
    expect(run.exitCode).toBe(2);
    expect(calls(run)).toEqual(['dialog.showErrorBox', 'app.exit']);
    const [title, text] = run.events[0]!.args as [string, string];
    expect(title).toBe('Keywitness cannot start');
    expect(text).toContain(names);
    expect(text).toMatch(/^Keywitness will not start with these settings/);
    expect(run.stderr).toContain(names);
  });

  const accepted: { name: string; scenario: Scenario }[] = [
    {
      name: 'release with the display switches it allows',
      scenario: { isPackaged: true, args: ['--ozone-platform=wayland', '--force-device-scale-factor=2'] },
    },
    {
      name: 'a packaged e2e build under Playwright',
      scenario: { isPackaged: true, packagedFlavour: 'e2e', args: ['--remote-debugging-port=0', '--inspect=0'] },
    },
    { name: 'an unpackaged checkout (dev)', scenario: { args: ['--inspect'] } },
  ];
  it.each(accepted)('starts: $name', async ({ scenario }) => {
    const run = await start(scenario);
    expect(run.exitCode).toBe(0);
    expect(calls(run)).not.toContain('dialog.showErrorBox');
    expect(calls(run)).toContain('window.loadURL');
  });

  it('a release window has devtools off and closes any that open', async () => {
    const run = await start({ isPackaged: true });
    const made = run.events[indexOf(run, 'new BrowserWindow')]!.args[0] as { webPreferences: { devTools: boolean } };
    expect(made.webPreferences.devTools).toBe(false);
    expect(calls(run)).toContain('webContents.on:devtools-opened');
  });
});

describe('start-up that cannot go on', () => {
  it('a second instance quits before ready and does nothing else', async () => {
    const run = await start({ lock: false });
    expect(run.exitCode).toBe(0);
    const lock = indexOf(run, 'app.requestSingleInstanceLock');
    expect(calls(run).slice(lock)).toEqual(['app.requestSingleInstanceLock', 'app.quit']);
  });

  const failures: { name: string; scenario: Scenario; message: RegExp }[] = [
    { name: 'the page fails to load', scenario: { failLoad: true }, message: /ERR_FILE_NOT_FOUND/ },
    {
      name: 'a link among the shipped files',
      scenario: { linkInShippedFiles: true },
      message: /shipped files may not be links/,
    },
    // Before ready the single-instance lock is already held: an uncaught failure there would
    // leave the process alive holding it, so it must end in the same box and exit.
    { name: 'before ready, the user-data path', scenario: { throwAt: 'app.getPath' }, message: /app.getPath failed/ },
    { name: 'after ready, an IPC channel', scenario: { throwAt: 'ipcMain.handle' }, message: /ipcMain.handle failed/ },
  ];
  it.each(failures)('$name: error box with the reason, exit 1', async ({ scenario, message }) => {
    const run = await start(scenario);
    expect(run.exitCode).toBe(1);
    const box = run.events[indexOf(run, 'dialog.showErrorBox')]!;
    expect(box.args[0]).toBe('Keywitness cannot start');
    expect(String(box.args[1])).toMatch(message);
    expect(calls(run).at(-1)).toBe('app.exit');
    expect(run.events.at(-1)!.args).toEqual([1]);
    expect(run.stderr).toContain('start-up failed');
  });
});
