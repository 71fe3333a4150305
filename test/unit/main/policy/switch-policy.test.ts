import { describe, it, expect } from 'vitest';
import {
  ALLOWED_RELEASE_SWITCHES,
  DANGEROUS_SWITCHES,
  HARDENING_SWITCHES,
  describeRefusal,
  refusedArguments,
  refusedEnvironment,
  switchName,
} from '../../../../src/main/policy/switch-policy.js';

describe('switch names', () => {
  it.each([
    ['--remote-debugging-port=9222', 'linux', 'remote-debugging-port'],
    ['-remote-debugging-port=9222', 'linux', 'remote-debugging-port'],
    ['--REMOTE-DEBUGGING-PORT=9222', 'linux', 'remote-debugging-port'],
    ['--inspect', 'linux', 'inspect'],
    ['--inspect=0.0.0.0:9229', 'linux', 'inspect'],
    ['/no-sandbox', 'win32', 'no-sandbox'],
    ['/no-sandbox', 'linux', null],
    ['/home/user/file', 'linux', null],
    ['--', 'linux', null],
    ['--=x', 'linux', null],
    ['plain', 'linux', null],
  ])('%s on %s is %j', (arg, platform, want) => {
    expect(switchName(arg, platform)).toBe(want);
  });
});

describe('release refuses debugging and hardening-breaking switches', () => {
  const issueList = [
    '--remote-debugging-port=9222',
    '--remote-debugging-pipe',
    '--remote-debugging-address=0.0.0.0',
    '--inspect',
    '--inspect=9229',
    '--inspect-brk',
    '--inspect-port=0',
    '--inspect-brk-node',
    '--proxy-server=socks5://10.0.0.1:1080',
    '--proxy-pac-url=http://wpad/wpad.dat',
    '--disable-web-security',
    '--no-sandbox',
    '-no-sandbox',
    '--NO-SANDBOX',
    '--js-flags=--allow-natives-syntax',
    '--host-resolver-rules=MAP * 10.0.0.1',
    '--user-data-dir=/tmp/x',
    '--enable-features=SomethingNew',
    '--some-switch-chromium-adds-tomorrow',
    'https://evil.example/',
  ];
  it.each(issueList)('%s', (arg) => {
    const refused = refusedArguments([arg], 'release', 'linux');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.argument).toBe(arg);
    expect(refused[0]!.reason.length).toBeGreaterThan(10);
  });

  it('gives the specific reason for known switches', () => {
    expect(refusedArguments(['--remote-debugging-port=9222'], 'release', 'linux')[0]!.reason).toMatch(
      /remote debugging/,
    );
    expect(refusedArguments(['--no-sandbox'], 'release', 'linux')[0]!.reason).toMatch(/sandbox/);
    expect(refusedArguments(['--constructor'], 'release', 'linux')[0]!.reason).toBe(
      'release builds accept no command-line switches',
    );
  });

  it('checks arguments after a bare --', () => {
    expect(refusedArguments(['--', '--inspect'], 'release', 'linux').map((r) => r.name)).toEqual(['inspect']);
  });

  it.each(ALLOWED_RELEASE_SWITCHES)('accepts the allow-listed --%s', (name) => {
    expect(refusedArguments([`--${name}=2`], 'release', 'linux')).toEqual([]);
  });

  it('accepts no arguments at all', () => {
    expect(refusedArguments([], 'release', 'linux')).toEqual([]);
  });

  it.each(['e2e', 'dev'] as const)('%s builds accept debugging switches (never shipped)', (flavour) => {
    expect(refusedArguments(['--inspect=0', '--remote-debugging-port=0', '--no-sandbox'], flavour, 'linux')).toEqual(
      [],
    );
  });

  it('allows none of the dangerous switches', () => {
    for (const name of Object.keys(DANGEROUS_SWITCHES)) expect(ALLOWED_RELEASE_SWITCHES).not.toContain(name);
  });
});

describe('environment', () => {
  it.each(['ELECTRON_RUN_AS_NODE', 'NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS', 'ELECTRON_ENABLE_LOGGING'])(
    'release refuses %s',
    (name) => {
      const refused = refusedEnvironment({ [name]: '1' }, 'release');
      expect(refused.map((r) => r.name)).toEqual([name]);
      expect(refused[0]!.argument).not.toContain('1'); // values are not echoed
    },
  );
  it('ignores empty values and harmless variables, and non-release flavours', () => {
    expect(refusedEnvironment({ NODE_OPTIONS: '', HOME: '/root', LANG: 'C' }, 'release')).toEqual([]);
    expect(refusedEnvironment({ NODE_OPTIONS: '--inspect' }, 'e2e')).toEqual([]);
  });
  it('describes refusals in one message naming each argument', () => {
    const text = describeRefusal(refusedArguments(['--inspect', '--no-sandbox'], 'release', 'linux'));
    expect(text).toMatch(/--inspect: /);
    expect(text).toMatch(/--no-sandbox: /);
  });
});

describe('hardening switches the app appends', () => {
  const map = new Map(HARDENING_SWITCHES.map(([k, v]) => [k, v]));
  it('disables name resolution and non-proxied WebRTC UDP', () => {
    expect(map.get('host-resolver-rules')).toBe('MAP * ~NOTFOUND');
    expect(map.get('force-webrtc-ip-handling-policy')).toBe('disable_non_proxied_udp');
  });
  it('are themselves refused from the command line, so nobody can override them', () => {
    for (const name of ['host-resolver-rules', 'force-webrtc-ip-handling-policy']) {
      expect(refusedArguments([`--${name}=x`], 'release', 'linux')).toHaveLength(1);
    }
  });
});
