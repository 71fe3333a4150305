/**
 * A recording stand-in for the `electron` module, used by test/unit/main/startup-contract.test.ts.
 *
 * No Electron binary can be had where these tests run, so the built main process
 * (dist/main/main.js) is loaded by plain Node with this module in Electron's place (see hooks.mjs).
 * It offers only the API surface src/main uses, nothing more, records every call in order, and
 * plays Electron's part of start-up as Electron documents it:
 *  - process.argv as Electron gives it (the app folder after the executable when unpackaged);
 *  - `ready` only after the main module's synchronous code has run, with `session-created` for
 *    the default session first;
 *  - the calls Electron allows only before `ready` (enableSandbox, registerSchemesAsPrivileged)
 *    throw after it, and those it allows only after (session.defaultSession, new BrowserWindow)
 *    throw before it;
 *  - `web-contents-created` when a window is made; app.exit ends the process with its code.
 * Once start-up has settled, it calls the hooks main registered with real inputs (a request, an
 * app:// fetch, IPC from the app and from another origin, window.open, a permission, a journal
 * append) and records what they answered, then closes the last window, as a person quitting does. The record is written as JSON to the file the scenario names, on exit.
 *
 * The scenario comes from the environment variable KEYWITNESS_ELECTRON_STAND_IN (JSON):
 * { record, appPath, userData, isPackaged, args, lock, failLoad, throwAt }.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const scenario = JSON.parse(process.env['KEYWITNESS_ELECTRON_STAND_IN'] ?? 'null');
if (scenario === null) throw new Error('electron stand-in: KEYWITNESS_ELECTRON_STAND_IN is not set');

/** @type {{call: string, args: unknown[]}[]} */
const events = [];
/** @type {Record<string, unknown>} */
const probes = {};
let isReady = false;

function plain(value) {
  if (typeof value === 'function') return '[function]';
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}
function record(call, ...args) {
  events.push({ call, args: args.map(plain) });
  // A scenario may make one call fail, as Electron's own calls can (a user-data path it cannot
  // create, a scheme registered twice).
  if (call === scenario.throwAt) throw new Error(`${call} failed (stand-in)`);
}
function beforeReadyOnly(what) {
  if (isReady) throw new Error(`${what} can only be called before app is ready`);
}
function afterReadyOnly(what) {
  if (!isReady) throw new Error(`${what} cannot be used before app is ready`);
}

// Electron's argv: [executable, app folder, ...arguments] unpackaged, [executable, ...arguments] packaged.
process.argv = scenario.isPackaged
  ? [process.execPath, ...scenario.args]
  : [process.execPath, scenario.appPath, ...scenario.args];

process.on('exit', (code) => {
  // What is left in the journal folder when the process ends: every lock must have been released.
  const journals = join(scenario.userData, 'journals');
  probes.journalsAtExit = existsSync(journals) ? readdirSync(journals).sort() : [];
  writeFileSync(scenario.record, JSON.stringify({ events, probes, exitCode: code }));
});

/** A tiny event emitter that records registrations as `<owner>.on:<event>`. */
function emitter(owner) {
  const listeners = new Map();
  const add = (kind) => (event, fn) => {
    record(`${owner}.${kind}:${event}`);
    listeners.set(event, [...(listeners.get(event) ?? []), fn]);
  };
  return {
    on: add('on'),
    once: add('once'),
    emit(event, ...args) {
      for (const fn of listeners.get(event) ?? []) fn(...args);
    },
    listeners: (event) => listeners.get(event) ?? [],
  };
}

const appEvents = emitter('app');
let readyResolve;
const readyPromise = new Promise((resolve) => (readyResolve = resolve));
let readyScheduled = false;

function packageVersion() {
  try {
    return JSON.parse(readFileSync(join(scenario.appPath, 'package.json'), 'utf8')).version;
  } catch {
    return '0.0.0';
  }
}

export const app = {
  get isPackaged() {
    return scenario.isPackaged;
  },
  getAppPath: () => scenario.appPath,
  getPath(name) {
    record('app.getPath', name);
    return scenario.userData;
  },
  getVersion: () => packageVersion(),
  commandLine: {
    appendSwitch(name, value) {
      record('app.commandLine.appendSwitch', name, value);
    },
  },
  enableSandbox() {
    beforeReadyOnly('app.enableSandbox()');
    record('app.enableSandbox');
  },
  requestSingleInstanceLock() {
    record('app.requestSingleInstanceLock');
    return scenario.lock !== false;
  },
  quit() {
    record('app.quit');
    let prevented = false;
    appEvents.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) setImmediate(() => process.exit(0));
  },
  exit(code) {
    record('app.exit', code);
    process.exit(code);
  },
  on: appEvents.on,
  once: appEvents.once,
  whenReady() {
    record('app.whenReady');
    if (!readyScheduled) {
      readyScheduled = true;
      setImmediate(becomeReady);
    }
    return readyPromise;
  },
};

function becomeReady() {
  isReady = true;
  record('ready');
  appEvents.emit('session-created', defaultSession);
  appEvents.emit('ready', {}, {});
  readyResolve();
}

function makeSession(name) {
  const ev = emitter(name);
  const hooks = {};
  return {
    hooks,
    webRequest: {
      onBeforeRequest(filter, fn) {
        record(`${name}.webRequest.onBeforeRequest`, filter);
        hooks.onBeforeRequest = fn;
      },
    },
    setProxy(config) {
      record(`${name}.setProxy`, config);
      return Promise.resolve();
    },
    setSpellCheckerEnabled(on) {
      record(`${name}.setSpellCheckerEnabled`, on);
    },
    setPermissionRequestHandler(fn) {
      record(`${name}.setPermissionRequestHandler`);
      hooks.permissionRequest = fn;
    },
    setPermissionCheckHandler(fn) {
      record(`${name}.setPermissionCheckHandler`);
      hooks.permissionCheck = fn;
    },
    setDevicePermissionHandler(fn) {
      record(`${name}.setDevicePermissionHandler`);
      hooks.devicePermission = fn;
    },
    setDisplayMediaRequestHandler(fn) {
      record(`${name}.setDisplayMediaRequestHandler`);
      hooks.displayMedia = fn;
    },
    on: ev.on,
    protocol: {
      handle(scheme, fn) {
        record(`${name}.protocol.handle`, scheme);
        hooks.protocol = { scheme, fn };
      },
    },
  };
}
const defaultSession = makeSession('defaultSession');

export const session = {
  get defaultSession() {
    afterReadyOnly('session.defaultSession');
    return defaultSession;
  },
};

export const protocol = {
  registerSchemesAsPrivileged(schemes) {
    beforeReadyOnly('protocol.registerSchemesAsPrivileged');
    record('protocol.registerSchemesAsPrivileged', schemes);
  },
};

const ipcHandlers = new Map();
export const ipcMain = {
  handle(channel, fn) {
    if (ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    record('ipcMain.handle', channel);
    ipcHandlers.set(channel, fn);
  },
};

export const dialog = {
  showErrorBox(title, content) {
    record('dialog.showErrorBox', title, content);
  },
  async showOpenDialog() {
    record('dialog.showOpenDialog');
    return { canceled: true, filePaths: [] };
  },
};

const windows = [];
export class BrowserWindow {
  constructor(options) {
    afterReadyOnly('BrowserWindow');
    record('new BrowserWindow', options);
    const ev = emitter('window');
    this.on = ev.on;
    this.once = ev.once;
    this.emitEvent = ev.emit;
    const wc = emitter('webContents');
    this.webContents = {
      on: wc.on,
      emitEvent: wc.emit,
      listeners: wc.listeners,
      setWindowOpenHandler: (fn) => {
        record('webContents.setWindowOpenHandler');
        this.webContents.windowOpenHandler = fn;
      },
      closeDevTools: () => record('webContents.closeDevTools'),
    };
    windows.push(this);
    appEvents.emit('web-contents-created', {}, this.webContents);
  }
  async loadURL(url) {
    record('window.loadURL', url);
    if (scenario.failLoad) throw new Error(`ERR_FILE_NOT_FOUND (-6) loading '${url}'`);
    this.emitEvent('ready-to-show');
  }
  show() {
    record('window.show');
  }
  isMinimized = () => false;
  restore() {}
  focus() {}
}

// Once the main process has nothing left to do, call what it registered and record the answers.
let probed = false;
process.on('beforeExit', () => {
  if (probed || !isReady || windows.length === 0) return;
  probed = true;
  void runProbes().catch((e) => {
    probes.error = String(e?.stack ?? e);
  });
});

async function runProbes() {
  const hooks = defaultSession.hooks;
  probes.request = {};
  for (const url of ['app://keywitness/index.html', 'https://example.com/', 'file:///etc/passwd', 'ws://10.0.0.1/']) {
    hooks.onBeforeRequest({ url, resourceType: 'mainFrame' }, (answer) => (probes.request[url] = answer));
  }
  const served = await hooks.protocol.fn(new Request('app://keywitness/index.html'));
  probes.served = {
    status: served.status,
    csp: served.headers.get('content-security-policy'),
    body: await served.text(),
  };
  const outside = await hooks.protocol.fn(new Request('app://keywitness/../../etc/passwd'));
  probes.servedOutside = outside.status;
  const appInfo = ipcHandlers.get('keywitness:app-info');
  const from = (url, parent = null) => ({ senderFrame: { url, parent } });
  probes.ipc = {
    app: await appInfo(from('app://keywitness/index.html')),
    otherOrigin: await appInfo(from('https://example.com/')),
    subFrame: await appInfo(from('app://keywitness/index.html', {})),
    twoArguments: await appInfo(from('app://keywitness/index.html'), {}, {}),
  };
  const wc = windows[0].webContents;
  probes.windowOpen = wc.windowOpenHandler({ url: 'https://example.com/' });
  let navigationPrevented = false;
  for (const fn of wc.listeners('will-navigate')) {
    fn({ url: 'https://example.com/', preventDefault: () => (navigationPrevented = true) });
  }
  probes.navigationPrevented = navigationPrevented;
  await new Promise((resolve) => {
    hooks.permissionRequest({}, 'geolocation', (granted) => resolve((probes.geolocation = granted)), {
      requestingUrl: 'app://keywitness/index.html',
      isMainFrame: true,
    });
  });
  // A journal record through IPC, then the last window closes: the app quits only once the
  // journal is closed and its writer lock released.
  const append = ipcHandlers.get('keywitness:journal-append');
  const sessionId = 'ab'.repeat(16);
  probes.append = await append(from('app://keywitness/index.html'), { sessionId, record: new Uint8Array([1, 2, 3]) });
  probes.journalsWhileOpen = readdirSync(join(scenario.userData, 'journals')).sort();
  record('window-all-closed');
  for (const fn of appEvents.listeners('window-all-closed')) fn();
}
