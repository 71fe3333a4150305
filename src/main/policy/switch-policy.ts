/**
 * Command-line switches and environment variables. Chromium and Node read their switches before
 * any app code runs, and several of them undo the hardening outright (a remote-debugging port
 * hands the page to whoever connects; --no-sandbox, --disable-web-security, a proxy server). A
 * release build therefore refuses to start when any switch is present that is not on a short
 * allow-list, and names the dangerous ones specifically. The switches the app itself appends
 * are listed here too, so the whole command-line story is in one file.
 */
import type { Flavour } from './origin.js';

/** Switches that defeat a specific protection, with the sentence a person is shown. */
export const DANGEROUS_SWITCHES: Readonly<Record<string, string>> = {
  'remote-debugging-port': 'opens a remote debugging port that gives full control of the page',
  'remote-debugging-pipe': 'opens a remote debugging pipe that gives full control of the page',
  'remote-debugging-address': 'exposes remote debugging on a network address',
  'remote-allow-origins': 'lets other origins attach a debugger',
  inspect: 'opens the Node inspector in the main process',
  'inspect-brk': 'opens the Node inspector in the main process',
  'inspect-port': 'opens the Node inspector in the main process',
  'inspect-brk-node': 'opens the Node inspector in the main process',
  'inspect-publish-uid': 'publishes a Node inspector endpoint',
  debug: 'opens the legacy Node debugger',
  'debug-brk': 'opens the legacy Node debugger',
  'js-flags': 'passes arbitrary flags to the JavaScript engine',
  'proxy-server': 'routes traffic through a proxy',
  'proxy-pac-url': 'fetches a proxy auto-configuration script',
  'proxy-auto-detect': 'looks up a proxy on the network (WPAD)',
  'proxy-bypass-list': 'changes proxy routing',
  'host-rules': 'rewrites host name resolution',
  'host-resolver-rules': 'replaces the rule that disables name resolution',
  'disable-web-security': 'turns off the same-origin policy',
  'allow-running-insecure-content': 'allows mixed content',
  'ignore-certificate-errors': 'accepts any TLS certificate',
  'unsafely-treat-insecure-origin-as-secure': 'grants secure-context powers to other origins',
  'no-sandbox': 'turns off the renderer sandbox',
  'disable-setuid-sandbox': 'turns off the renderer sandbox',
  'disable-seccomp-filter-sandbox': 'turns off the renderer sandbox',
  'disable-gpu-sandbox': 'turns off the GPU process sandbox',
  'disable-site-isolation-trials': 'turns off site isolation',
  'renderer-cmd-prefix': 'runs renderers under another program',
  'utility-cmd-prefix': 'runs utility processes under another program',
  'gpu-launcher': 'runs the GPU process under another program',
  'browser-subprocess-path': 'replaces the helper executable',
  'load-extension': 'loads a browser extension',
  'auto-open-devtools-for-tabs': 'opens devtools',
  'enable-logging': 'writes renderer internals to a log',
  'log-net-log': 'writes network internals to a file',
  'force-webrtc-ip-handling-policy': 'replaces the WebRTC policy the app sets',
  'user-data-dir': 'moves the journal and identity to another folder',
};

/**
 * Switches a release build accepts: display scaling and the Wayland/X11 choice, which ceremony
 * laptops on projectors need and which touch no protection.
 */
export const ALLOWED_RELEASE_SWITCHES: readonly string[] = [
  'force-device-scale-factor',
  'ozone-platform',
  'ozone-platform-hint',
];

/** Environment variables that let a launcher change the runtime under a release build. */
export const DANGEROUS_ENVIRONMENT: Readonly<Record<string, string>> = {
  ELECTRON_RUN_AS_NODE: 'turns the app into a plain Node runtime',
  NODE_OPTIONS: 'injects Node options (preloaded code, inspector)',
  NODE_EXTRA_CA_CERTS: 'adds trusted certificate authorities',
  ELECTRON_ENABLE_LOGGING: 'writes internals to the terminal',
};

/**
 * Switches the app appends to its own command line before `ready` (app.commandLine.appendSwitch):
 * name resolution maps every host to NOTFOUND, WebRTC may not use non-proxied UDP (so no local
 * address leaks through ICE), and Chromium's background services that phone home are off.
 */
export const HARDENING_SWITCHES: ReadonlyArray<readonly [string, string?]> = [
  ['host-resolver-rules', 'MAP * ~NOTFOUND'],
  ['force-webrtc-ip-handling-policy', 'disable_non_proxied_udp'],
  ['no-proxy-server'],
  ['disable-background-networking'],
  ['disable-component-update'],
  ['disable-domain-reliability'],
  ['disable-breakpad'],
  ['disable-sync'],
  ['no-pings'],
  [
    'disable-features',
    'MediaRouter,DialMediaRouteProvider,OptimizationHints,AutofillServerCommunication,SpareRendererForSitePerProcess',
  ],
];

/** One refused argument, with the reason shown to the person who launched the app. */
export interface RefusedArgument {
  readonly argument: string;
  readonly name: string;
  readonly reason: string;
}

/**
 * Name of the switch `arg` spells, normalised the way Chromium and Node read it: prefixes `--`
 * and `-` (and `/` on Windows), value after `=` dropped, lower-cased (Windows lower-cases switches;
 * lower-casing everywhere only ever refuses more). Returns null for a non-switch argument.
 */
export function switchName(arg: string, platform: string): string | null {
  let rest: string;
  if (arg.startsWith('--')) rest = arg.slice(2);
  else if (arg.startsWith('-')) rest = arg.slice(1);
  else if (platform === 'win32' && arg.startsWith('/')) rest = arg.slice(1);
  else return null;
  const eq = rest.indexOf('=');
  const name = (eq < 0 ? rest : rest.slice(0, eq)).toLowerCase();
  return name.length === 0 ? null : name;
}

/**
 * The arguments a build must refuse. In `release` every switch outside
 * {@link ALLOWED_RELEASE_SWITCHES} is refused, because an allow-list cannot miss a switch Chromium
 * adds tomorrow. `e2e` and `dev` accept everything: Playwright attaches through --inspect and
 * --remote-debugging-port, and those builds are never shipped. Arguments after a bare `--` are
 * still checked: Node stops at `--` but Chromium's parser may not, so treating them as switches
 * only ever refuses more.
 */
export function refusedArguments(args: readonly string[], flavour: Flavour, platform: string): RefusedArgument[] {
  if (flavour !== 'release') return [];
  const refused: RefusedArgument[] = [];
  for (const argument of args) {
    if (argument === '--' || argument === '-') continue;
    const name = switchName(argument, platform);
    if (name === null) {
      refused.push({ argument, name: argument, reason: 'the app takes no file or URL arguments' });
    } else if (!ALLOWED_RELEASE_SWITCHES.includes(name)) {
      const danger = Object.hasOwn(DANGEROUS_SWITCHES, name) ? DANGEROUS_SWITCHES[name] : undefined;
      const reason = danger ?? 'release builds accept no command-line switches';
      refused.push({ argument, name, reason });
    }
  }
  return refused;
}

/** Environment variables a release build refuses to start under (empty values are ignored). */
export function refusedEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  flavour: Flavour,
): RefusedArgument[] {
  if (flavour !== 'release') return [];
  return Object.entries(DANGEROUS_ENVIRONMENT)
    .filter(([name]) => (env[name] ?? '') !== '')
    .map(([name, reason]) => ({ argument: `${name}=…`, name, reason }));
}

/** The one-paragraph refusal a person sees when the app will not start. */
export function describeRefusal(refused: readonly RefusedArgument[]): string {
  const lines = refused.map((r) => `  ${r.argument}: ${r.reason}`);
  return `Keywitness will not start with these settings, because they weaken its protections:\n${lines.join('\n')}\nStart it again without them.`;
}
