/**
 * Pins (README, "Audit findings" and "Ceremony script format"): the roles a script pins nobody to,
 * and the refusal to create a production session from a script that leaves one unpinned.
 */
import { describe, expect, it } from 'vitest';
import { generateSigner, type Signer } from '../../../../src/core/protocol/identity.js';
import { productionRefusal, unpinnedRoles } from '../../../../src/core/script/roles.js';
import { parseScript } from '../../../../src/core/script/parse.js';
import { Coordinator } from '../../../../src/core/session/coordinator.js';
import { toHex, utf8 } from '../../../../src/core/util/bytes.js';

const scriptText = (participants: string): string => `format: keywitness-script/1
id: pins-example
title: Pins
roles:
  - { id: admin, title: Ceremony Administrator, coordinator: true }
  - { id: witness, title: Witness, min: 1 }
  - { id: observer, title: Observer, min: 0 }
participants:${participants}
steps:
  - id: "1"
    title: Look
    acks: { roles: [witness], min: 1 }
`;
const pin = (name: string, role: string, s: Signer): string =>
  `\n  - { name: ${name}, role: ${role}, fingerprint: "${toHex(s.fingerprint)}" }`;

async function scriptPinning(roles: readonly string[]) {
  const signers = await Promise.all(roles.map(() => generateSigner('ed25519')));
  const text = scriptText(roles.length === 0 ? ' []' : roles.map((r, i) => pin(`P${i}`, r, signers[i]!)).join(''));
  const bytes = utf8(text);
  return { script: parseScript(bytes), bytes, signers };
}

describe('unpinned roles', () => {
  it.each([
    [[], ['admin', 'witness', 'observer']],
    [['witness'], ['admin', 'observer']],
    [['admin', 'witness', 'witness'], ['observer']],
    [['admin', 'witness', 'observer'], []],
  ])('a script pinning %j leaves %j unpinned', async (pinned, unpinned) => {
    const { script } = await scriptPinning(pinned);
    expect(unpinnedRoles(script).map((r) => r.id)).toEqual(unpinned);
    if (unpinned.length === 0) expect(productionRefusal(script)).toBeUndefined();
    else
      expect(productionRefusal(script)).toBe(
        `script pins-example pins no participant for role${unpinned.length === 1 ? '' : 's'} ${unpinned
          .map((id) => `"${id}" (${{ admin: 'Ceremony Administrator', witness: 'Witness', observer: 'Observer' }[id]})`)
          .join(
            ', ',
          )}: a production session needs every role pinned. List each participant with their key fingerprint under "participants", or create a rehearsal`,
      );
  });
});

describe('Coordinator.open', () => {
  it.each([
    ['a rehearsal from a script with no pins', [], 'rehearsal', true],
    ['a production session from a script with no pins', [], 'production', false],
    ['a production session from a script leaving the observer unpinned', ['admin', 'witness'], 'production', false],
    ['a production session from a script pinning every role', ['admin', 'witness', 'observer'], 'production', true],
  ] as const)('%s: opens %s', async (_name, pinned, mode, opens) => {
    const { script, bytes, signers } = await scriptPinning(pinned);
    const open = Coordinator.open({
      script,
      scriptBytes: bytes,
      signer: pinned[0] === 'admin' ? signers[0]! : await generateSigner('ed25519'),
      name: 'Ada',
      mode,
    });
    if (opens) expect((await open).genesis.envelope.body.mode).toBe(mode);
    else await expect(open).rejects.toThrow(/a production session needs every role pinned/);
  });
});
